// bench/tool/tls.cc — SSL_CTX construction for meshgw-bench.
#include "bench/tool/tls.h"

#include <openssl/err.h>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace meshgw::bench {
namespace {

constexpr unsigned char kSessionIdContext[] = "meshgw-bench";

absl::Status Fail(const std::string& what) {
  return absl::InvalidArgumentError(absl::StrCat(what, ": ", LastTlsError()));
}

absl::Status LoadIdentity(SSL_CTX* ctx, const std::string& cert, const std::string& key) {
  if (cert.empty()) return absl::OkStatus();
  if (SSL_CTX_use_certificate_chain_file(ctx, cert.c_str()) != 1)
    return Fail("certificate " + cert);
  if (SSL_CTX_use_PrivateKey_file(ctx, key.c_str(), SSL_FILETYPE_PEM) != 1)
    return Fail("key " + key);
  if (SSL_CTX_check_private_key(ctx) != 1) return Fail("key " + key + " does not match " + cert);
  return absl::OkStatus();
}

absl::StatusOr<SslCtxPtr> NewContext(const SSL_METHOD* method) {
  SslCtxPtr ctx(SSL_CTX_new(method));
  if (!ctx) return Fail("SSL_CTX_new");
  SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION);
  // OpenSSL writes the socket itself; a retried write may come from a moved buffer.
  SSL_CTX_set_mode(ctx.get(), SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  return ctx;
}

}  // namespace

std::string LastTlsError() {
  std::string out;
  while (unsigned long e = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof(buf));
    if (!out.empty()) out += "; ";
    out += buf;
  }
  return out;
}

absl::StatusOr<SslCtxPtr> MakeClientTlsContext(const std::string& cert, const std::string& key,
                                               const std::string& ca) {
  auto ctx = NewContext(TLS_client_method());
  if (!ctx.ok()) return ctx.status();
  SSL_CTX* c = ctx->get();
  // Sessions are kept by the handshakes mode itself (SSL_get1_session), not in a cache.
  SSL_CTX_set_session_cache_mode(c, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
  if (auto st = LoadIdentity(c, cert, key); !st.ok()) return st;
  if (!ca.empty()) {
    if (SSL_CTX_load_verify_locations(c, ca.c_str(), nullptr) != 1) return Fail("CA " + ca);
    SSL_CTX_set_verify(c, SSL_VERIFY_PEER, nullptr);
  } else {
    SSL_CTX_set_verify(c, SSL_VERIFY_NONE, nullptr);
  }
  return ctx;
}

absl::StatusOr<SslCtxPtr> MakeServerTlsContext(const std::string& cert, const std::string& key,
                                               const std::string& ca) {
  auto ctx = NewContext(TLS_server_method());
  if (!ctx.ok()) return ctx.status();
  SSL_CTX* c = ctx->get();
  if (auto st = LoadIdentity(c, cert, key); !st.ok()) return st;
  SSL_CTX_set_session_id_context(c, kSessionIdContext, sizeof(kSessionIdContext) - 1);
  if (!ca.empty()) {
    if (SSL_CTX_load_verify_locations(c, ca.c_str(), nullptr) != 1) return Fail("CA " + ca);
    SSL_CTX_set_verify(c, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
  }
  return ctx;
}

}  // namespace meshgw::bench
