// Micro-benchmarks of the gateway's accept path before any upstream work: parsing a ClientHello
// (a ~0.5 KiB TLS 1.3 hello shaped like OpenSSL's) and finding its filter chain among 10,000
// routes shaped like a Consul mesh gateway's (exact peered-service names, `*.<dc>.internal`
// wildcards, the sni_cluster catch-all).
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gateway/route/sni_route_table.h"
#include "gateway/tls/client_hello.h"
#include "gateway/tls/testing/client_hello_builder.h"

namespace meshgw::gateway {
namespace {

constexpr char kTd[] = "7f42f496-fbc7-8692-05ed-334aa5340c1e.consul";

void BM_ParseClientHello(benchmark::State& state) {
  const std::string hello = tls::testing::BrowserLikeHello(
      absl::StrCat("private-api.default.default.gcp-dc1-default.external.", kTd));
  for (auto _ : state) {
    tls::ClientHelloParser parser;
    auto result = parser.Feed(hello);
    benchmark::DoNotOptimize(result);
    benchmark::DoNotOptimize(parser.hello().server_name());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * hello.size()));
}
BENCHMARK(BM_ParseClientHello);

// The same hello arriving in 64-byte reads over 4 records of 128 bytes.
void BM_ParseClientHelloFragmented(benchmark::State& state) {
  const std::string one =
      tls::testing::BrowserLikeHello(absl::StrCat("web.default.dc1.internal.", kTd));
  const std::string hello = tls::testing::FrameRecords(one.substr(5), 128);
  for (auto _ : state) {
    tls::ClientHelloParser parser;
    for (size_t off = 0; off < hello.size(); off += 64) {
      benchmark::DoNotOptimize(parser.Feed(std::string_view(hello).substr(off, 64)));
    }
    benchmark::DoNotOptimize(parser.hello().server_name());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * hello.size()));
}
BENCHMARK(BM_ParseClientHelloFragmented);

// 9,900 exported-service chains (exact names), 99 remote-DC wildcards, 1 catch-all.
std::shared_ptr<const route::SniRouteTable> TenThousandRoutes() {
  std::vector<route::FilterChainSpec> chains;
  for (int i = 0; i < 9900; ++i) {
    chains.push_back({.name = absl::StrCat("exported~svc", i),
                      .server_names = {absl::StrCat("svc", i, ".default.default.peer", i % 7,
                                                    ".external.", kTd)}});
  }
  for (int dc = 0; dc < 99; ++dc) {
    chains.push_back({.name = absl::StrCat("remote dc", dc),
                      .server_names = {absl::StrCat("*.dc", dc, ".internal.", kTd)}});
  }
  chains.push_back({.name = "sni_cluster"});
  return *route::SniRouteTable::Build(std::move(chains));
}

void BM_RouteExact(benchmark::State& state) {
  auto table = TenThousandRoutes();
  const std::string sni = absl::StrCat("svc4242.default.default.peer6.external.", kTd);
  const std::string_view alpn[] = {"h2", "http/1.1"};
  for (auto _ : state) benchmark::DoNotOptimize(table->Lookup(sni, alpn));
}
BENCHMARK(BM_RouteExact);

void BM_RouteWildcard(benchmark::State& state) {
  auto table = TenThousandRoutes();
  const std::string sni = absl::StrCat("web.default.dc42.internal.", kTd);
  for (auto _ : state) benchmark::DoNotOptimize(table->Lookup(sni, {}));
}
BENCHMARK(BM_RouteWildcard);

void BM_RouteCatchAll(benchmark::State& state) {
  auto table = TenThousandRoutes();
  const std::string sni = absl::StrCat("web.default.dc1.internal-v1.", kTd);
  for (auto _ : state) benchmark::DoNotOptimize(table->Lookup(sni, {}));
}
BENCHMARK(BM_RouteCatchAll);

void BM_ParseAndRoute(benchmark::State& state) {
  auto table = TenThousandRoutes();
  const std::string hello =
      tls::testing::BrowserLikeHello(absl::StrCat("svc17.default.default.peer3.external.", kTd));
  for (auto _ : state) {
    tls::ClientHelloParser parser;
    parser.Feed(hello);
    std::string_view alpn[4];
    size_t n = 0;
    for (std::string_view p : parser.hello().alpn()) {
      if (n < 4) alpn[n++] = p;
    }
    benchmark::DoNotOptimize(
        table->Lookup(parser.hello().server_name(), absl::MakeConstSpan(alpn, n)));
  }
}
BENCHMARK(BM_ParseAndRoute);

}  // namespace
}  // namespace meshgw::gateway

BENCHMARK_MAIN();
