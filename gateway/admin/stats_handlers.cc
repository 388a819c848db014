#include "gateway/admin/stats_handlers.h"

#include "absl/strings/str_cat.h"

namespace meshgw::admin {
namespace {

HttpResponse Prometheus(const metrics::Registry& registry) {
  HttpResponse r;
  r.content_type = kPrometheusContentType;
  r.body = registry.RenderPrometheus();
  return r;
}

}  // namespace

HttpResponse StatsResponse(const HttpRequest& request, const metrics::Registry& registry) {
  const std::string_view format = request.Query("format").value_or("text");
  const std::string_view filter = request.Query("filter").value_or("");
  if (format == "text") {
    HttpResponse r;
    r.body = registry.RenderStatsText(filter);
    return r;
  }
  if (format == "json") {
    HttpResponse r;
    r.content_type = "application/json";
    r.body = registry.RenderStatsJson(filter);
    return r;
  }
  if (format == "prometheus") return Prometheus(registry);
  return HttpResponse::Text(
      400, absl::StrCat("format \"", absl::string_view(format.data(), format.size()),
                        "\" is not one of text, json, prometheus"));
}

void AddStatsHandlers(HttpServer& server, const metrics::Registry& registry) {
  server.Handle("GET", "/stats", [&registry](const HttpRequest& request) {
    return StatsResponse(request, registry);
  });
  server.Handle("GET", "/stats/prometheus",
                [&registry](const HttpRequest&) { return Prometheus(registry); });
}

void AddMetricsHandler(HttpServer& server, const metrics::Registry& registry) {
  server.Handle("GET", "/metrics",
                [&registry](const HttpRequest&) { return Prometheus(registry); });
}

}  // namespace meshgw::admin
