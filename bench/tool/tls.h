// bench/tool/tls.h — OpenSSL contexts of the load tool and of its backend.
//
// MakeClientTlsContext/MakeServerTlsContext return ready SSL_CTXs (TLS 1.2 and 1.3, session
// tickets on, the session id context set so that resumption works with client verification).
// Errors carry OpenSSL's own message and the file that failed. The contexts are safe to share
// between threads once made.
#ifndef MESHGW_BENCH_TOOL_TLS_H_
#define MESHGW_BENCH_TOOL_TLS_H_

#include <openssl/ssl.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace meshgw::bench {

struct SslCtxFree {
  void operator()(SSL_CTX* ctx) const { SSL_CTX_free(ctx); }
};
using SslCtxPtr = std::unique_ptr<SSL_CTX, SslCtxFree>;

struct SslSessionFree {
  void operator()(SSL_SESSION* s) const { SSL_SESSION_free(s); }
};
using SslSessionPtr = std::unique_ptr<SSL_SESSION, SslSessionFree>;

// Client: `ca` empty means the server is not verified; `cert`/`key` empty means no client
// certificate.
absl::StatusOr<SslCtxPtr> MakeClientTlsContext(const std::string& cert, const std::string& key,
                                               const std::string& ca);

// Server: `ca` non-empty requires and verifies a client certificate.
absl::StatusOr<SslCtxPtr> MakeServerTlsContext(const std::string& cert, const std::string& key,
                                               const std::string& ca);

// LastTlsError drains OpenSSL's error queue into one line (empty when the queue is empty).
std::string LastTlsError();

}  // namespace meshgw::bench

#endif  // MESHGW_BENCH_TOOL_TLS_H_
