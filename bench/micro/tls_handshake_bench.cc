// Server-side CPU per new mTLS connection: full handshakes with and without the verified-chain
// cache, resumed handshakes, and server-auth-only handshakes for reference. Both ends run in
// this thread over a socketpair; only the time inside the server's Handshake() calls is counted
// (thread CPU time), which is what the gateway pays per accepted connection.
//
//   build/release/bench/micro/tls_handshake_bench
//   BM_ServerFullMutualHandshake/cache:0   ~ full chain verification every time
//   BM_ServerFullMutualHandshake/cache:1   ~ repeated peer: X509_verify_cert skipped
#include <time.h>

#include <memory>

#include "benchmark/benchmark.h"
#include "common/spiffe.h"
#include "gateway/tls/pem.h"
#include "gateway/tls/tls_session.h"
#include "tests/unit/gateway/tls/test_pki.h"
#include "tests/unit/gateway/tls/tls_test_util.h"

namespace meshgw::gateway::tls {
namespace {

using namespace ::meshgw::gateway::tls::testing;  // NOLINT: test helpers

double ThreadCpuSeconds() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

struct Setup : PeeringPki {  // tls_test_util.h

  config::DownstreamTls Server(bool mutual) const {
    config::DownstreamTls c;
    c.certificate = Pair("gw", gateway);
    if (mutual) {
      c.trust =
          Bundle("peers", root1.cert_pem + root2.cert_pem, 1,
                 {UriRegex("^spiffe://" + std::string(kTd2) + "/ns/default/dc/[^/]+/svc/web$")});
      c.require_client_certificate = true;
    }
    return c;
  }
  config::UpstreamTls Client(bool with_cert) const {
    config::UpstreamTls c;
    if (with_cert) c.certificate = Pair("web", web);
    c.trust = Bundle("dc1", root1.cert_pem, 2, {UriExact(MeshGatewaySpiffeId(kTd1, "dc1"))});
    return c;
  }
};

const Setup& setup() {
  static const Setup* s = new Setup();
  return *s;
}

// One connection; returns the server's CPU seconds in Handshake(), or -1 on failure.
double ServerHandshakeCpu(ServerTlsContext& server_ctx, ClientTlsContext& client_ctx,
                          std::string_view session_key) {
  SocketPair fds;
  auto server = TlsSession::AcceptOn(server_ctx, fds.server, "");
  auto client = TlsSession::ConnectOn(client_ctx, fds.client, session_key);
  double server_cpu = 0;
  TlsIo s = TlsIo::kWantRead, c = TlsIo::kWantRead;
  auto pending = [](TlsIo io) { return io == TlsIo::kWantRead || io == TlsIo::kWantWrite; };
  for (int i = 0; i < 100 && (pending(s) || pending(c)); ++i) {
    if (pending(c)) c = client->Handshake();
    if (pending(s)) {
      const double t0 = ThreadCpuSeconds();
      s = server->Handshake();
      server_cpu += ThreadCpuSeconds() - t0;
    }
  }
  if (s != TlsIo::kOk || c != TlsIo::kOk) return -1;
  // Let the client take its ticket (TLS 1.3 sends it after the handshake).
  char buf[8];
  size_t n = 0;
  server->Write("x", 1, &n);
  client->Read(buf, sizeof(buf), &n);
  return server_cpu;
}

void RunHandshakes(benchmark::State& state, ServerTlsContext& server_ctx,
                   ClientTlsContext& client_ctx, std::string_view session_key) {
  for (auto _ : state) {
    const double cpu = ServerHandshakeCpu(server_ctx, client_ctx, session_key);
    if (cpu < 0) {
      state.SkipWithError("handshake failed");
      return;
    }
    state.SetIterationTime(cpu);
  }
}

void BM_ServerFullMutualHandshake(benchmark::State& state) {
  VerifiedChainCache cache;
  auto server_ctx =
      ServerTlsContext::Create(setup().Server(true), state.range(0) ? &cache : nullptr);
  auto client_ctx = ClientTlsContext::Create(setup().Client(true));
  RunHandshakes(state, **server_ctx, **client_ctx, "");  // no session key: never resumed
  state.counters["cache_hits"] = static_cast<double>(cache.hits());
}
BENCHMARK(BM_ServerFullMutualHandshake)->ArgName("cache")->Arg(0)->Arg(1)->UseManualTime();

void BM_ServerResumedMutualHandshake(benchmark::State& state) {
  // stateless:0 (the default): sessions in the server's cache; 1: encrypted stateless tickets.
  auto server_ctx = ServerTlsContext::Create(setup().Server(true), nullptr,
                                             {.stateless_tickets = state.range(0) != 0});
  auto client_ctx = ClientTlsContext::Create(setup().Client(true));
  ServerHandshakeCpu(**server_ctx, **client_ctx, "peer");  // the first one stores a ticket
  RunHandshakes(state, **server_ctx, **client_ctx, "peer");
}
BENCHMARK(BM_ServerResumedMutualHandshake)->ArgName("stateless")->Arg(0)->Arg(1)->UseManualTime();

void BM_ServerAuthOnlyHandshake(benchmark::State& state) {
  auto server_ctx = ServerTlsContext::Create(setup().Server(false), nullptr);
  auto client_ctx = ClientTlsContext::Create(setup().Client(false));
  RunHandshakes(state, **server_ctx, **client_ctx, "");
}
BENCHMARK(BM_ServerAuthOnlyHandshake)->UseManualTime();

// Where the rest of a mutual handshake goes: OpenSSL 3 decoding the client's certificates (the
// leaf and the intermediate arrive on every full handshake, cache or not) ...
void BM_DecodeClientCertificate(benchmark::State& state) {
  unsigned char* der = nullptr;
  const int len = i2d_X509(setup().web.cert.get(), &der);
  for (auto _ : state) {
    const unsigned char* p = der;
    X509* cert = d2i_X509(nullptr, &p, len);
    benchmark::DoNotOptimize(cert);
    X509_free(cert);
  }
  OPENSSL_free(der);
}
BENCHMARK(BM_DecodeClientCertificate);

// ... and the chain verification the cache saves.
void BM_VerifyClientChain(benchmark::State& state) {
  auto store = BuildTrustStore(setup().root1.cert_pem + setup().root2.cert_pem, "bench");
  STACK_OF(X509)* untrusted = sk_X509_new_null();
  sk_X509_push(untrusted, setup().inter2.cert.get());
  for (auto _ : state) {
    X509_STORE_CTX* ctx = X509_STORE_CTX_new();
    X509_STORE_CTX_init(ctx, store->get(), setup().web.cert.get(), untrusted);
    X509_STORE_CTX_set_default(ctx, "ssl_client");
    if (X509_verify_cert(ctx) != 1) state.SkipWithError("verification failed");
    X509_STORE_CTX_free(ctx);
  }
  sk_X509_free(untrusted);
}
BENCHMARK(BM_VerifyClientChain);

}  // namespace
}  // namespace meshgw::gateway::tls

BENCHMARK_MAIN();
