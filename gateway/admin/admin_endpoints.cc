#include "gateway/admin/admin_endpoints.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "gateway/admin/stats_handlers.h"

namespace meshgw::admin {
namespace {

absl::string_view AV(std::string_view s) { return absl::string_view(s.data(), s.size()); }

}  // namespace

AdminEndpoints::AdminEndpoints(HttpServer& server, const metrics::Registry& registry,
                               AdminHooks hooks)
    : server_(server), hooks_(std::move(hooks)) {
  Add("GET", "/ready", "200 LIVE when serving a complete snapshot, else 503 and the state",
      [this](const HttpRequest&) { return Ready(); });
  AddStatsHandlers(server, registry);
  index_.emplace_back("GET /stats", "counters and gauges (?format=json|prometheus, ?filter=)");
  index_.emplace_back("GET /stats/prometheus", "Prometheus text format 0.0.4");
  if (hooks_.clusters) {
    Add("GET", "/clusters", "upstream clusters and endpoints", hooks_.clusters);
  }
  if (hooks_.config_dump) {
    Add("GET", "/config_dump", "the current configuration, secrets redacted", hooks_.config_dump);
  }
  if (hooks_.listeners) Add("GET", "/listeners", "listeners and their addresses", hooks_.listeners);
  if (hooks_.drain_listeners) {
    Add("POST", "/drain_listeners", "stop accepting; open connections finish",
        [this](const HttpRequest&) {
          hooks_.drain_listeners();
          draining_.store(true, std::memory_order_release);
          return HttpResponse::Text(200, "OK");
        });
  }
  Add("POST", "/healthcheck/fail", "make /ready fail (take this gateway out of rotation)",
      [this](const HttpRequest&) {
        healthcheck_failed_.store(true, std::memory_order_release);
        return HttpResponse::Text(200, "OK");
      });
  Add("POST", "/healthcheck/ok", "undo /healthcheck/fail", [this](const HttpRequest&) {
    healthcheck_failed_.store(false, std::memory_order_release);
    return HttpResponse::Text(200, "OK");
  });
  Add("POST", "/logging", "set the log level: ?level=debug|info|warn|error",
      [](const HttpRequest& request) {
        const std::optional<std::string_view> text = request.Query("level");
        if (!text) return HttpResponse::Text(400, "missing ?level=debug|info|warn|error");
        absl::StatusOr<LogLevel> level = ParseLogLevel(*text);
        if (!level.ok()) return HttpResponse::Text(400, std::string(level.status().message()));
        ProcessLogger().SetLevel(*level);
        return HttpResponse::Text(200, absl::StrCat("level: ", AV(LogLevelName(*level))));
      });
  Add("POST", "/reopen_logs", "reopen the log files (after rotation)", [this](const HttpRequest&) {
    absl::Status s = ProcessLogger().Reopen();
    if (s.ok() && hooks_.access_log != nullptr) s = hooks_.access_log->Reopen();
    if (!s.ok()) return HttpResponse::Text(500, std::string(s.message()));
    return HttpResponse::Text(200, "OK");
  });
  // Last, so that the index is complete before it can be served.
  index_.emplace_back("GET /", "this list");
  std::sort(index_.begin(), index_.end(), [](const auto& a, const auto& b) {
    // By path, then method.
    const std::string_view pa = std::string_view(a.first).substr(a.first.find(' ') + 1);
    const std::string_view pb = std::string_view(b.first).substr(b.first.find(' ') + 1);
    return pa != pb ? pa < pb : a.first < b.first;
  });
  server_.Handle("GET", "/", [this](const HttpRequest&) { return Index(); });
}

void AdminEndpoints::Add(std::string method, std::string path, std::string help,
                         HttpHandler handler) {
  index_.emplace_back(absl::StrCat(method, " ", path), std::move(help));
  server_.Handle(std::move(method), std::move(path), std::move(handler));
}

HttpResponse AdminEndpoints::Ready() const {
  if (healthcheck_failed()) return HttpResponse::Text(503, "HEALTHCHECK_FAILED");
  if (draining()) return HttpResponse::Text(503, "DRAINING");
  const std::string state = hooks_.state ? hooks_.state() : "LIVE";
  return HttpResponse::Text(state == "LIVE" ? 200 : 503, state);
}

HttpResponse AdminEndpoints::Index() const {
  size_t width = 0;
  for (const auto& [route, help] : index_) width = std::max(width, route.size());
  std::string body = "meshgw admin\n";
  for (const auto& [route, help] : index_) {
    absl::StrAppend(&body, "  ", route, std::string(width - route.size() + 2, ' '), help, "\n");
  }
  HttpResponse r;
  r.body = std::move(body);
  return r;
}

}  // namespace meshgw::admin
