#include "gateway/tls/client_context.h"

#include "absl/strings/str_cat.h"
#include "gateway/tls/tls_library.h"

namespace meshgw::gateway::tls {
namespace {

absl::string_view AV(std::string_view s) { return absl::string_view(s.data(), s.size()); }

}  // namespace

absl::StatusOr<std::shared_ptr<ClientTlsContext>> ClientTlsContext::Create(
    const config::UpstreamTls& config, VerifiedChainCache* cache, Options options) {
  std::shared_ptr<ClientTlsContext> self(new ClientTlsContext(options));
  self->sni_ = config.sni;
  // In the TLS library context, where decoding the server certificate costs far less
  // (tls_library.h).
  self->ctx_.reset(SSL_CTX_new_ex(TlsLibraryContext(), nullptr, TLS_client_method()));
  SSL_CTX* ctx = self->ctx_.get();
  if (ctx == nullptr) {
    return absl::InternalError(
        absl::StrCat("upstream TLS: SSL_CTX_new failed: ", DrainOpenSslErrors()));
  }
  const std::string where = config.certificate
                                ? absl::StrCat("certificate \"", config.certificate->name, "\"")
                                : std::string("upstream TLS");
  if (config.certificate) {
    if (absl::Status s = UseCertificateAndKey(ctx, config.certificate->certificate_chain_pem,
                                              config.certificate->private_key_pem, where);
        !s.ok()) {
      return s;
    }
  }
  if (absl::Status s = ApplyTlsParameters(ctx, config.params, where); !s.ok()) return s;
  auto alpn = EncodeAlpn(config.alpn, where);
  if (!alpn.ok()) return alpn.status();
  if (!alpn->empty() &&
      SSL_CTX_set_alpn_protos(ctx, reinterpret_cast<const unsigned char*>(alpn->data()),
                              static_cast<unsigned int>(alpn->size())) != 0) {
    return absl::InvalidArgumentError(absl::StrCat(where, ": cannot set ALPN"));
  }

  if (config.trust) {
    const config::TrustBundle& trust = *config.trust;
    if (!trust.accept_untrusted || !trust.trusted_ca_pem.empty()) {
      auto store =
          BuildTrustStore(trust.trusted_ca_pem, absl::StrCat("trust bundle \"", trust.name, "\""));
      if (!store.ok()) return store.status();
      SSL_CTX_set_cert_store(ctx, store->release());
    }
    self->verifier_ = std::make_unique<PeerVerifier>(trust, cache, "server");
    SSL_CTX_set_cert_verify_callback(ctx, PeerVerifier::Callback, self->verifier_.get());
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  } else {
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);
  }

  // Sessions go to our own store (keyed by endpoint), not OpenSSL's internal client cache.
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
  SSL_CTX_sess_set_new_cb(ctx, OnNewSession);
  SSL_CTX_set_app_data(ctx, self.get());
  SSL_CTX_set_options(
      ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_IGNORE_UNEXPECTED_EOF | SSL_OP_NO_COMPRESSION);
  SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS | SSL_MODE_ENABLE_PARTIAL_WRITE |
                            SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  return self;
}

ClientTlsContext::~ClientTlsContext() {
  for (auto& [key, session] : lru_) SSL_SESSION_free(session);
}

int ClientTlsContext::OnNewSession(SSL* ssl, SSL_SESSION* session) {
  auto* self = static_cast<ClientTlsContext*>(SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl)));
  auto* record = static_cast<HandshakeRecord*>(SSL_get_app_data(ssl));
  if (self == nullptr || record == nullptr || record->session_key.empty()) return 0;
  self->StoreSession(record->session_key, session);
  return 1;  // we keep OpenSSL's reference
}

SSL_SESSION* ClientTlsContext::FindSession(std::string_view key) {
  absl::MutexLock lock(&mu_);
  auto it = by_key_.find(AV(key));
  if (it == by_key_.end()) return nullptr;
  SSL_SESSION* session = it->second->second;
  if (SSL_SESSION_is_resumable(session) != 1) return nullptr;
  lru_.splice(lru_.begin(), lru_, it->second);
  SSL_SESSION_up_ref(session);
  return session;
}

void ClientTlsContext::StoreSession(std::string_view key, SSL_SESSION* session) {
  SSL_SESSION* evicted = nullptr;
  {
    absl::MutexLock lock(&mu_);
    auto it = by_key_.find(AV(key));
    if (it != by_key_.end()) {
      evicted = it->second->second;
      it->second->second = session;
      lru_.splice(lru_.begin(), lru_, it->second);
    } else {
      if (options_.max_sessions == 0) {
        evicted = session;
      } else {
        if (by_key_.size() >= options_.max_sessions) {
          evicted = lru_.back().second;
          by_key_.erase(lru_.back().first);
          lru_.pop_back();
        }
        lru_.emplace_front(std::string(key), session);
        by_key_.emplace(lru_.front().first, lru_.begin());
      }
    }
  }
  if (evicted != nullptr) SSL_SESSION_free(evicted);  // outside the lock
}

size_t ClientTlsContext::stored_sessions() const {
  absl::MutexLock lock(&mu_);
  return by_key_.size();
}

}  // namespace meshgw::gateway::tls
