// Helpers for the TLS tests: configs built from a TestPki, a non-blocking socketpair, and a loop
// that drives a server and a client TlsSession against each other without any event loop (both
// ends are in this thread; a socketpair needs no readiness wait to make progress).
#ifndef MESHGW_TESTS_UNIT_GATEWAY_TLS_TLS_TEST_UTIL_H_
#define MESHGW_TESTS_UNIT_GATEWAY_TLS_TLS_TEST_UTIL_H_

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>
#include <utility>

#include "common/spiffe.h"
#include "gateway/config/snapshot.h"
#include "gateway/config/string_matcher.h"
#include "gateway/tls/tls_session.h"
#include "tests/unit/gateway/tls/test_pki.h"

namespace meshgw::gateway::tls::testing {

inline constexpr char kTd1[] = "11111111-2222-3333-4444-555555555555.consul";
inline constexpr char kTd2[] = "99999999-8888-7777-6666-555555555555.consul";

// A connected pair of non-blocking AF_UNIX stream sockets, closed on destruction.
struct SocketPair {
  int server = -1;
  int client = -1;
  SocketPair() {
    int fds[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, fds) != 0) std::abort();
    server = fds[0];
    client = fds[1];
    fcntl(server, F_SETFL, O_NONBLOCK);
    fcntl(client, F_SETFL, O_NONBLOCK);
  }
  ~SocketPair() {
    if (server >= 0) close(server);
    if (client >= 0) close(client);
  }
  SocketPair(const SocketPair&) = delete;
  SocketPair& operator=(const SocketPair&) = delete;
};

inline config::CertificateKeyPair Pair(const std::string& name, const TestCredential& cred) {
  return {.name = name, .certificate_chain_pem = cred.chain_pem, .private_key_pem = cred.key_pem};
}

inline config::TrustBundle Bundle(const std::string& name, const std::string& ca_pem,
                                  uint64_t version, std::vector<config::SanMatcher> sans = {}) {
  return {
      .name = name, .trusted_ca_pem = ca_pem, .match_sans = std::move(sans), .version = version};
}

inline config::SanMatcher UriExact(const std::string& uri) {
  return {.type = config::SanMatcher::Type::kUri, .matcher = config::StringMatcher::Exact(uri)};
}

inline config::SanMatcher UriRegex(const std::string& pattern) {
  auto m = config::StringMatcher::Regex(pattern);
  if (!m.ok()) std::abort();
  return {.type = config::SanMatcher::Type::kUri, .matcher = *std::move(m)};
}

// The PKI of a two-datacenter peering: dc1's CA (trust domain kTd1) issued the gateway's leaf;
// the peer's CA (kTd2) issued the calling service's leaf through an intermediate; a rogue CA
// nobody trusts issued a look-alike of that leaf.
struct PeeringPki {
  TestCredential root1 = MakeRootCa("Consul CA td1");
  TestCredential root2 = MakeRootCa("Consul CA td2");
  TestCredential rogue = MakeRootCa("Rogue CA");
  TestCredential inter2 = Issue(root2, {.common_name = "td2 intermediate", .is_ca = true});
  TestCredential gateway = Issue(root1, {.common_name = "mesh-gateway",
                                         .uri_sans = {MeshGatewaySpiffeId(kTd1, "dc1")},
                                         .dns_sans = {"mesh-gateway.dc1"}});
  TestCredential web = Issue(
      inter2, {.common_name = "web", .uri_sans = {ServiceSpiffeId(kTd2, "default", "dc2", "web")}});
  TestCredential web_rogue = Issue(
      rogue, {.common_name = "web", .uri_sans = {ServiceSpiffeId(kTd2, "default", "dc2", "web")}});
};

struct DriveResult {
  TlsIo server = TlsIo::kWantRead;
  TlsIo client = TlsIo::kWantRead;
};

// Calls Handshake on both until each is done (kOk, kError or kClosed) or nothing moves.
inline DriveResult DriveHandshake(TlsSession& server, TlsSession& client) {
  DriveResult r;
  auto pending = [](TlsIo io) { return io == TlsIo::kWantRead || io == TlsIo::kWantWrite; };
  for (int i = 0; i < 200 && (pending(r.server) || pending(r.client)); ++i) {
    if (pending(r.client)) r.client = client.Handshake();
    if (pending(r.server)) r.server = server.Handshake();
  }
  return r;
}

// Writes all of `data` from `from`, reading on `to` until it all arrived; returns what `to` read.
inline std::string Transfer(TlsSession& from, TlsSession& to, const std::string& data) {
  size_t sent = 0;
  std::string got;
  char buf[4096];
  for (int i = 0; i < 10000 && got.size() < data.size(); ++i) {
    if (sent < data.size()) {
      size_t n = 0;
      TlsIo io = from.Write(data.data() + sent, data.size() - sent, &n);
      if (io == TlsIo::kOk)
        sent += n;
      else if (io != TlsIo::kWantRead && io != TlsIo::kWantWrite)
        break;
    }
    size_t n = 0;
    TlsIo io = to.Read(buf, sizeof(buf), &n);
    if (io == TlsIo::kOk)
      got.append(buf, n);
    else if (io != TlsIo::kWantRead && io != TlsIo::kWantWrite)
      break;
  }
  return got;
}

}  // namespace meshgw::gateway::tls::testing

#endif  // MESHGW_TESTS_UNIT_GATEWAY_TLS_TLS_TEST_UTIL_H_
