// Originating TLS: one OpenSSL client context per cluster with an UpstreamTlsContext.
//
//   auto ctx = ClientTlsContext::Create(*cluster.tls);     // StatusOr<shared_ptr<...>>
//   auto session = TlsSession::ConnectOn(**ctx, fd, endpoint.address.ToString());
//
// What Create sets up from a config::UpstreamTls:
// - the client certificate and key when `certificate` is set (same errors as the server side);
// - the SNI sent in every ClientHello (`sni`; none when empty);
// - server verification when `trust` is set: the chain against the bundle's CAs, then the leaf's
//   SANs against `match_sans` (Consul pins the peer gateway's or service's SPIFFE ID); without
//   `trust` the server is not verified (as Envoy without a validation context);
// - ALPN offered in `alpn`'s order; TlsParameters as on the server side;
// - resumption: the last session ticket received from each endpoint, by the caller's key (the
//   endpoint address), at most `max_sessions` keys (least recently used out first). TLS 1.3
//   tickets arrive after the handshake, during the first reads.
//
// Thread-safety: safe from any thread (the session store has a mutex). Sessions keep the
// context alive; the optional cache must outlive it.
#ifndef MESHGW_GATEWAY_TLS_CLIENT_CONTEXT_H_
#define MESHGW_GATEWAY_TLS_CLIENT_CONTEXT_H_

#include <openssl/ssl.h>

#include <list>
#include <memory>
#include <string>
#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "gateway/config/snapshot.h"
#include "gateway/tls/pem.h"
#include "gateway/tls/tls_policy.h"
#include "gateway/tls/verified_chain_cache.h"

namespace meshgw::gateway::tls {

class ClientTlsContext : public std::enable_shared_from_this<ClientTlsContext> {
 public:
  struct Options {
    size_t max_sessions = 1024;  // endpoints whose last session is kept
  };

  // Create builds the context; errors are InvalidArgument naming the certificate, the trust
  // bundle or the parameter ("cluster TLS: unknown cipher suite \"X\"").
  static absl::StatusOr<std::shared_ptr<ClientTlsContext>> Create(const config::UpstreamTls& config,
                                                                  VerifiedChainCache* cache,
                                                                  Options options);
  static absl::StatusOr<std::shared_ptr<ClientTlsContext>> Create(
      const config::UpstreamTls& config, VerifiedChainCache* cache = nullptr) {
    return Create(config, cache, Options());
  }

  ClientTlsContext(const ClientTlsContext&) = delete;
  ClientTlsContext& operator=(const ClientTlsContext&) = delete;
  ~ClientTlsContext();

  SSL_CTX* ssl_ctx() const { return ctx_.get(); }
  const std::string& sni() const { return sni_; }

  // The last session stored under `key`, with a reference for the caller (SSL_SESSION_free it),
  // or nullptr. Used by TlsSession::ConnectOn.
  SSL_SESSION* FindSession(std::string_view key);
  // Keeps `session` (taking the caller's reference) as the one to resume for `key`.
  void StoreSession(std::string_view key, SSL_SESSION* session);
  size_t stored_sessions() const;

 private:
  explicit ClientTlsContext(Options options) : options_(options) {}
  static int OnNewSession(SSL* ssl, SSL_SESSION* session);

  Options options_;
  SslCtxPtr ctx_;
  std::string sni_;
  std::unique_ptr<PeerVerifier> verifier_;

  mutable absl::Mutex mu_;
  // Most recently stored first.
  std::list<std::pair<std::string, SSL_SESSION*>> lru_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, std::list<std::pair<std::string, SSL_SESSION*>>::iterator>
      by_key_ ABSL_GUARDED_BY(mu_);
};

}  // namespace meshgw::gateway::tls

#endif  // MESHGW_GATEWAY_TLS_CLIENT_CONTEXT_H_
