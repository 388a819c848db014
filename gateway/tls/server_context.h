// Terminating TLS: one OpenSSL server context per filter chain, shared by every worker.
//
//   VerifiedChainCache cache;   // one per process
//   absl::StatusOr<std::shared_ptr<ServerTlsContext>> ctx =
//       ServerTlsContext::Create(*chain.tls, &cache);
//   if (!ctx.ok()) ... reject the filter chain with ctx.status() ...
//   auto session = TlsSession::AcceptOn(**ctx, fd, hello_bytes);   // see tls_session.h
//
// What Create sets up from a config::DownstreamTls:
// - the certificate chain and key (errors say which: bad PEM, no certificate, key mismatch);
// - TlsParameters: versions (default TLS 1.2 to 1.3), cipher suites, curves (unknown names are
//   errors naming them);
// - ALPN: the first protocol of `alpn` (server order) that the client offers; a client that
//   offers ALPN but none of ours fails with no_application_protocol; one that offers none goes on
//   without ALPN;
// - client certificates: requested when `trust` is set, required when
//   `require_client_certificate` (which needs `trust`), verified against the trust bundle's CAs
//   through the VerifiedChainCache, then the leaf's URI/DNS SANs against `match_sans`;
// - resumption: one ticket per handshake (TLS 1.3) or a session ID (TLS 1.2), `session_timeout`.
//   By default the sessions stay in this context's bounded store (ServerSessionStore: without the
//   client's decoded certificate, with its identity) and the ticket is only their ID
//   (OpenSSL's "stateful" tickets), even when `session_tickets` allows stateless ones: measured
//   with OpenSSL 3.0, a resumed mutual handshake costs the server ~0.2 ms this way against
//   ~0.6 ms with stateless tickets (which decrypt and re-decode the peer certificate from the
//   ticket and encode a new one every time). Nothing is lost: ticket keys are per process anyway,
//   and workers share the context. Options::stateless_tickets restores Envoy's behaviour. A
//   resumed session keeps the peer identity, so it is there without re-verification. A context
//   built from new config does not resume the old one's sessions (the safe side when the trust
//   bundle or SAN pins change);
// - SSL_MODE_RELEASE_BUFFERS, so an idle connection holds no record buffers; partial writes.
//
// Thread-safety: immutable after Create; AcceptOn may be called from any thread. The cache must
// outlive the context; sessions keep the context alive.
#ifndef MESHGW_GATEWAY_TLS_SERVER_CONTEXT_H_
#define MESHGW_GATEWAY_TLS_SERVER_CONTEXT_H_

#include <openssl/ssl.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "gateway/config/snapshot.h"
#include "gateway/tls/pem.h"
#include "gateway/tls/session_store.h"
#include "gateway/tls/tls_policy.h"
#include "gateway/tls/verified_chain_cache.h"

namespace meshgw::gateway::tls {

class ServerTlsContext : public std::enable_shared_from_this<ServerTlsContext> {
 public:
  struct Options {
    // Stateless (encrypted) tickets when config.session_tickets allows them; see above.
    bool stateless_tickets = false;
    // Resumable sessions kept (stateful resumption); each holds its peer's certificate.
    size_t session_cache_size = 4096;
    // TLS 1.3 sessions protect their records themselves after the handshake and free the SSL
    // object (TlsSession, "Record offload").
    bool offload_records = true;
  };

  // Create builds the context; `cache` may be null (every chain is verified in full). Errors are
  // InvalidArgument naming the certificate or trust bundle: "certificate \"gw-leaf\": the private
  // key does not match the leaf certificate (...)".
  static absl::StatusOr<std::shared_ptr<ServerTlsContext>> Create(
      const config::DownstreamTls& config, VerifiedChainCache* cache, Options options);
  static absl::StatusOr<std::shared_ptr<ServerTlsContext>> Create(
      const config::DownstreamTls& config, VerifiedChainCache* cache) {
    return Create(config, cache, Options());
  }

  ServerTlsContext(const ServerTlsContext&) = delete;
  ServerTlsContext& operator=(const ServerTlsContext&) = delete;

  SSL_CTX* ssl_ctx() const { return ctx_.get(); }
  const std::string& certificate_name() const { return certificate_name_; }
  bool offload_records() const { return offload_records_; }
  // Resumable sessions held (for tests and stats).
  size_t stored_sessions() const { return sessions_->size(); }

 private:
  ServerTlsContext() = default;
  static int SelectAlpn(SSL* ssl, const unsigned char** out, unsigned char* outlen,
                        const unsigned char* in, unsigned int inlen, void* arg);

  SslCtxPtr ctx_;
  std::string certificate_name_;
  bool offload_records_ = false;
  std::string alpn_wire_;
  std::unique_ptr<PeerVerifier> verifier_;
  // After ctx_: destroyed first, once no handshake can call it (sessions keep this alive).
  std::unique_ptr<ServerSessionStore> sessions_;
};

}  // namespace meshgw::gateway::tls

#endif  // MESHGW_GATEWAY_TLS_SERVER_CONTEXT_H_
