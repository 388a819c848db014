#include "gateway/tls/server_context.h"

#include <openssl/evp.h>

#include "absl/strings/str_cat.h"
#include "gateway/tls/tls_library.h"
#include "gateway/tls/tls_session.h"

namespace meshgw::gateway::tls {
namespace {

// The session ID context ties resumable sessions to what was checked when they were made (a
// server that verifies clients must set one, or OpenSSL refuses to resume).
std::string SessionIdContext(const config::DownstreamTls& config) {
  std::string material = absl::StrCat(config.certificate.name, "\n",
                                      config.require_client_certificate ? "required" : "optional");
  if (config.trust) {
    absl::StrAppend(&material, "\n", config.trust->version, "\n", config.trust->accept_untrusted);
    for (const config::SanMatcher& m : config.trust->match_sans) {
      absl::StrAppend(&material, "\n", static_cast<int>(m.type), m.matcher.DebugString());
    }
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(material.data(), material.size(), digest, &len, EVP_sha256(), nullptr);
  return std::string(reinterpret_cast<char*>(digest), SSL_MAX_SID_CTX_LENGTH);
}

}  // namespace

absl::StatusOr<std::shared_ptr<ServerTlsContext>> ServerTlsContext::Create(
    const config::DownstreamTls& config, VerifiedChainCache* cache, Options opts) {
  const std::string where = absl::StrCat("certificate \"", config.certificate.name, "\"");
  std::shared_ptr<ServerTlsContext> self(new ServerTlsContext());
  self->certificate_name_ = config.certificate.name;
  // In the TLS library context, where decoding the client certificate costs far less
  // (tls_library.h).
  self->ctx_.reset(SSL_CTX_new_ex(TlsLibraryContext(), nullptr, TLS_server_method()));
  SSL_CTX* ctx = self->ctx_.get();
  if (ctx == nullptr) {
    return absl::InternalError(absl::StrCat(where, ": SSL_CTX_new failed: ", DrainOpenSslErrors()));
  }

  if (absl::Status s = UseCertificateAndKey(ctx, config.certificate.certificate_chain_pem,
                                            config.certificate.private_key_pem, where);
      !s.ok()) {
    return s;
  }
  if (absl::Status s = ApplyTlsParameters(ctx, config.params, where); !s.ok()) return s;

  auto alpn = EncodeAlpn(config.alpn, where);
  if (!alpn.ok()) return alpn.status();
  self->alpn_wire_ = *std::move(alpn);
  if (!self->alpn_wire_.empty()) SSL_CTX_set_alpn_select_cb(ctx, SelectAlpn, self.get());

  if (config.require_client_certificate && !config.trust) {
    return absl::InvalidArgumentError(absl::StrCat(
        where, ": require_client_certificate needs a trust bundle to verify clients against"));
  }
  if (config.trust) {
    const config::TrustBundle& trust = *config.trust;
    const std::string trust_where = absl::StrCat("trust bundle \"", trust.name, "\"");
    if (!trust.accept_untrusted || !trust.trusted_ca_pem.empty()) {
      auto store = BuildTrustStore(trust.trusted_ca_pem, trust_where);
      if (!store.ok()) return store.status();
      SSL_CTX_set_cert_store(ctx, store->release());  // the context owns it now
    }
    self->verifier_ = std::make_unique<PeerVerifier>(trust, cache, "client");
    SSL_CTX_set_cert_verify_callback(ctx, PeerVerifier::Callback, self->verifier_.get());
    SSL_CTX_set_verify(
        ctx,
        SSL_VERIFY_PEER | (config.require_client_certificate ? SSL_VERIFY_FAIL_IF_NO_PEER_CERT : 0),
        nullptr);
  }

  const std::string sid_ctx = SessionIdContext(config);
  SSL_CTX_set_session_id_context(ctx, reinterpret_cast<const unsigned char*>(sid_ctx.data()),
                                 static_cast<unsigned int>(sid_ctx.size()));
  // Sessions kept without the client's decoded certificate (session_store.h).
  self->sessions_ = std::make_unique<ServerSessionStore>(opts.session_cache_size);
  self->sessions_->Install(ctx);
  SSL_CTX_set_timeout(ctx, static_cast<long>(absl::ToInt64Seconds(config.session_timeout)));
  // One ticket per handshake: a gateway's peer opens many connections; two tickets (OpenSSL's
  // default) double the ticket encryption work for nothing.
  SSL_CTX_set_num_tickets(ctx, 1);

  uint64_t options = SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE |
                     SSL_OP_IGNORE_UNEXPECTED_EOF | SSL_OP_NO_COMPRESSION;
  // SSL_OP_NO_TICKET: TLS 1.3 tickets name a session of the cache instead of carrying it.
  if (!config.session_tickets || !opts.stateless_tickets) options |= SSL_OP_NO_TICKET;
  SSL_CTX_set_options(ctx, options);
  SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS | SSL_MODE_ENABLE_PARTIAL_WRITE |
                            SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  if (opts.offload_records) {
    TlsSession::EnableRecordOffload(ctx);
    self->offload_records_ = true;
  }
  return self;
}

int ServerTlsContext::SelectAlpn(SSL*, const unsigned char** out, unsigned char* outlen,
                                 const unsigned char* in, unsigned int inlen, void* arg) {
  const auto* self = static_cast<const ServerTlsContext*>(arg);
  const auto* ours = reinterpret_cast<const unsigned char*>(self->alpn_wire_.data());
  unsigned char* selected = nullptr;
  unsigned char selected_len = 0;
  // Our list first: SSL_select_next_proto walks its first list and looks each up in the second.
  if (SSL_select_next_proto(&selected, &selected_len, ours,
                            static_cast<unsigned int>(self->alpn_wire_.size()), in,
                            inlen) != OPENSSL_NPN_NEGOTIATED) {
    return SSL_TLSEXT_ERR_ALERT_FATAL;  // no_application_protocol
  }
  *out = selected;
  *outlen = selected_len;
  return SSL_TLSEXT_ERR_OK;
}

}  // namespace meshgw::gateway::tls
