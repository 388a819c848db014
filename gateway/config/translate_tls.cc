// TLS material: DataSources, string matchers, Secrets and the Downstream/Upstream TLS contexts.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gateway/config/translate_internal.h"

namespace meshgw::gateway::config::translate_internal {
namespace {

namespace core = envoy::config::core::v3;
namespace tls = envoy::extensions::transport_sockets::tls::v3;
namespace matcher = envoy::type::matcher::v3;

absl::StatusOr<TlsVersion> Version(tls::TlsParameters::TlsProtocol p, absl::string_view path) {
  switch (p) {
    case tls::TlsParameters::TLS_AUTO:
      return TlsVersion::kAuto;
    case tls::TlsParameters::TLSv1_0:
      return TlsVersion::kTls1_0;
    case tls::TlsParameters::TLSv1_1:
      return TlsVersion::kTls1_1;
    case tls::TlsParameters::TLSv1_2:
      return TlsVersion::kTls1_2;
    case tls::TlsParameters::TLSv1_3:
      return TlsVersion::kTls1_3;
    default:
      break;
  }
  return Invalid(path, absl::StrCat("unknown TLS version ", static_cast<int>(p)));
}

// The effective version: kAuto means TLS 1.2 as a minimum and TLS 1.3 as a maximum.
int Effective(TlsVersion v, bool minimum) {
  if (v == TlsVersion::kAuto)
    return minimum ? static_cast<int>(TlsVersion::kTls1_2) : static_cast<int>(TlsVersion::kTls1_3);
  return static_cast<int>(v);
}

absl::StatusOr<TlsParameters> TranslateParams(const tls::TlsParameters& p, absl::string_view path) {
  TlsParameters out;
  absl::StatusOr<TlsVersion> min = Version(p.tls_minimum_protocol_version(),
                                           absl::StrCat(path, ".tls_minimum_protocol_version"));
  if (!min.ok()) return min.status();
  absl::StatusOr<TlsVersion> max = Version(p.tls_maximum_protocol_version(),
                                           absl::StrCat(path, ".tls_maximum_protocol_version"));
  if (!max.ok()) return max.status();
  if (Effective(*min, true) > Effective(*max, false)) {
    return Invalid(
        path, absl::StrCat("tls_minimum_protocol_version ",
                           tls::TlsParameters::TlsProtocol_Name(p.tls_minimum_protocol_version()),
                           " is above tls_maximum_protocol_version ",
                           tls::TlsParameters::TlsProtocol_Name(p.tls_maximum_protocol_version())));
  }
  out.min_version = *min;
  out.max_version = *max;
  for (int i = 0; i < p.cipher_suites_size(); ++i) {
    if (p.cipher_suites(i).empty()) {
      return Invalid(absl::StrCat(path, ".cipher_suites[", i, "]"), "empty");
    }
    out.cipher_suites.push_back(p.cipher_suites(i));
  }
  for (int i = 0; i < p.ecdh_curves_size(); ++i) {
    if (p.ecdh_curves(i).empty()) {
      return Invalid(absl::StrCat(path, ".ecdh_curves[", i, "]"), "empty");
    }
    out.ecdh_curves.push_back(p.ecdh_curves(i));
  }
  return out;
}

absl::StatusOr<CertificateKeyPair> TranslateCertificate(const tls::TlsCertificate& cert,
                                                        absl::string_view path) {
  CertificateKeyPair out;
  out.name = std::string(path);
  absl::StatusOr<std::string> chain =
      ReadDataSource(cert.certificate_chain(), absl::StrCat(path, ".certificate_chain"));
  if (!chain.ok()) return chain.status();
  absl::StatusOr<std::string> key =
      ReadDataSource(cert.private_key(), absl::StrCat(path, ".private_key"));
  if (!key.ok()) return key.status();
  if (chain->empty()) return Invalid(absl::StrCat(path, ".certificate_chain"), "empty");
  if (key->empty()) return Invalid(absl::StrCat(path, ".private_key"), "empty");
  out.certificate_chain_pem = std::move(*chain);
  out.private_key_pem = std::move(*key);
  return out;
}

// The SAN matchers and trust mode of a validation context; the CA only when it has one.
absl::Status TranslateValidation(const tls::CertificateValidationContext& v, absl::string_view path,
                                 TrustBundle* out) {
  if (v.trust_chain_verification() == tls::CertificateValidationContext::ACCEPT_UNTRUSTED) {
    out->accept_untrusted = true;
  } else if (v.trust_chain_verification() !=
             tls::CertificateValidationContext::VERIFY_TRUST_CHAIN) {
    return Invalid(absl::StrCat(path, ".trust_chain_verification"), "unknown value");
  }
  if (v.trusted_ca().specifier_case() != core::DataSource::SPECIFIER_NOT_SET) {
    absl::StatusOr<std::string> ca =
        ReadDataSource(v.trusted_ca(), absl::StrCat(path, ".trusted_ca"));
    if (!ca.ok()) return ca.status();
    if (ca->empty()) return Invalid(absl::StrCat(path, ".trusted_ca"), "empty");
    out->trusted_ca_pem = std::move(*ca);
  }
  for (int i = 0; i < v.match_typed_subject_alt_names_size(); ++i) {
    const tls::SubjectAltNameMatcher& san = v.match_typed_subject_alt_names(i);
    const std::string san_path = absl::StrCat(path, ".match_typed_subject_alt_names[", i, "]");
    SanMatcher m;
    switch (san.san_type()) {
      case tls::SubjectAltNameMatcher::URI:
        m.type = SanMatcher::Type::kUri;
        break;
      case tls::SubjectAltNameMatcher::DNS:
        m.type = SanMatcher::Type::kDns;
        break;
      default:
        return Invalid(absl::StrCat(san_path, ".san_type"),
                       absl::StrCat(tls::SubjectAltNameMatcher::SanType_Name(san.san_type()).empty()
                                        ? std::to_string(static_cast<int>(san.san_type()))
                                        : tls::SubjectAltNameMatcher::SanType_Name(san.san_type()),
                                    " is not supported (URI or DNS)"));
    }
    absl::StatusOr<StringMatcher> sm =
        TranslateStringMatcher(san.matcher(), absl::StrCat(san_path, ".matcher"));
    if (!sm.ok()) return sm.status();
    m.matcher = std::move(*sm);
    out->match_sans.push_back(std::move(m));
  }
  return absl::OkStatus();
}

// The TLS material both contexts share.
struct CommonTls {
  std::optional<CertificateKeyPair> certificate;
  std::optional<TrustBundle> trust;
  TlsParameters params;
  std::vector<std::string> alpn;
};

absl::StatusOr<const ResolvedSecret*> FindSecret(const tls::SdsSecretConfig& sds,
                                                 absl::string_view path, SecretResolver* secrets,
                                                 SecretDeps* deps) {
  if (sds.name().empty()) return Invalid(absl::StrCat(path, ".name"), "empty");
  if (sds.has_sds_config() && !sds.sds_config().has_ads()) {
    return Invalid(absl::StrCat(path, ".sds_config"),
                   "only ads (the aggregated stream) is supported");
  }
  absl::StatusOr<const ResolvedSecret*> found = static_cast<const ResolvedSecret*>(nullptr);
  if (secrets != nullptr) found = secrets->Find(sds.name());
  if (!found.ok()) return found.status();
  deps->used.emplace_back(sds.name(), *found != nullptr ? (*found)->content_hash : 0);
  if (*found == nullptr) deps->missing.push_back(sds.name());
  return found;
}

absl::StatusOr<CommonTls> TranslateCommon(const tls::CommonTlsContext& c, absl::string_view path,
                                          SecretResolver* secrets, SecretDeps* deps) {
  CommonTls out;
  if (c.has_tls_params()) {
    absl::StatusOr<TlsParameters> params =
        TranslateParams(c.tls_params(), absl::StrCat(path, ".tls_params"));
    if (!params.ok()) return params.status();
    out.params = std::move(*params);
  }
  for (int i = 0; i < c.alpn_protocols_size(); ++i) {
    if (c.alpn_protocols(i).empty() || c.alpn_protocols(i).size() > 255) {
      return Invalid(absl::StrCat(path, ".alpn_protocols[", i, "]"),
                     "an ALPN protocol id is 1 to 255 bytes");
    }
    out.alpn.push_back(c.alpn_protocols(i));
  }
  // One certificate per context: the first inline one, else the first SDS one. (Envoy may hold an
  // RSA and an ECDSA one; Consul sends one.)
  if (c.tls_certificates_size() + c.tls_certificate_sds_secret_configs_size() > 1) {
    return Invalid(path,
                   "more than one certificate (tls_certificates and "
                   "tls_certificate_sds_secret_configs) is not supported");
  }
  if (c.tls_certificates_size() > 0) {
    absl::StatusOr<CertificateKeyPair> cert =
        TranslateCertificate(c.tls_certificates(0), absl::StrCat(path, ".tls_certificates[0]"));
    if (!cert.ok()) return cert.status();
    out.certificate = std::move(*cert);
  } else if (c.tls_certificate_sds_secret_configs_size() > 0) {
    const std::string sds_path = absl::StrCat(path, ".tls_certificate_sds_secret_configs[0]");
    const tls::SdsSecretConfig& sds = c.tls_certificate_sds_secret_configs(0);
    absl::StatusOr<const ResolvedSecret*> secret = FindSecret(sds, sds_path, secrets, deps);
    if (!secret.ok()) return secret.status();
    if (*secret != nullptr) {
      if (!(*secret)->certificate) {
        return Invalid(sds_path, absl::StrCat("Secret \"", sds.name(),
                                              "\" is a validation_context, not a tls_certificate"));
      }
      out.certificate = *(*secret)->certificate;
    } else {
      out.certificate.emplace();
      out.certificate->name = sds.name();
    }
  }

  const tls::SdsSecretConfig* sds = nullptr;
  std::string sds_path;
  const tls::CertificateValidationContext* inline_context = nullptr;
  std::string inline_path;
  switch (c.validation_context_type_case()) {
    case tls::CommonTlsContext::kValidationContext:
      inline_context = &c.validation_context();
      inline_path = absl::StrCat(path, ".validation_context");
      break;
    case tls::CommonTlsContext::kValidationContextSdsSecretConfig:
      sds = &c.validation_context_sds_secret_config();
      sds_path = absl::StrCat(path, ".validation_context_sds_secret_config");
      break;
    case tls::CommonTlsContext::kCombinedValidationContext:
      inline_context = &c.combined_validation_context().default_validation_context();
      inline_path = absl::StrCat(path, ".combined_validation_context.default_validation_context");
      if (c.combined_validation_context().has_validation_context_sds_secret_config()) {
        sds = &c.combined_validation_context().validation_context_sds_secret_config();
        sds_path =
            absl::StrCat(path, ".combined_validation_context.validation_context_sds_secret_config");
      }
      break;
    case tls::CommonTlsContext::VALIDATION_CONTEXT_TYPE_NOT_SET:
      return out;
  }
  TrustBundle trust;
  bool missing = false;
  if (sds != nullptr) {
    trust.name = sds->name();
    absl::StatusOr<const ResolvedSecret*> secret = FindSecret(*sds, sds_path, secrets, deps);
    if (!secret.ok()) return secret.status();
    if (*secret == nullptr) {
      missing = true;
    } else if (!(*secret)->trust) {
      return Invalid(sds_path, absl::StrCat("Secret \"", sds->name(),
                                            "\" is a tls_certificate, not a validation_context"));
    } else {
      trust = *(*secret)->trust;
    }
  } else {
    trust.name = inline_path;
  }
  if (inline_context != nullptr) {
    // The inline (or combined default) context adds its SAN matchers and may set the CA.
    TrustBundle local;
    if (absl::Status s = TranslateValidation(*inline_context, inline_path, &local); !s.ok()) {
      return s;
    }
    if (!local.trusted_ca_pem.empty()) trust.trusted_ca_pem = std::move(local.trusted_ca_pem);
    trust.accept_untrusted = trust.accept_untrusted || local.accept_untrusted;
    for (SanMatcher& m : local.match_sans) trust.match_sans.push_back(std::move(m));
  }
  if (!missing && trust.trusted_ca_pem.empty() && !trust.accept_untrusted) {
    return Invalid(sds != nullptr ? sds_path : inline_path,
                   "no trusted_ca: verifying peers without a CA is not possible (set trusted_ca, "
                   "or trust_chain_verification ACCEPT_UNTRUSTED)");
  }
  trust.version = Hash64(trust.trusted_ca_pem);
  out.trust = std::move(trust);
  return out;
}

template <typename Context>
absl::StatusOr<Context> UnpackContext(const core::TransportSocket& socket, absl::string_view path) {
  Context context;
  if (!socket.has_typed_config()) return Invalid(path, "no typed_config");
  if (!socket.typed_config().Is<Context>()) {
    return Invalid(absl::StrCat(path, ".typed_config"),
                   absl::StrCat("unsupported transport socket \"", socket.name(), "\" (",
                                socket.typed_config().type_url(), "); want ",
                                Context::descriptor()->full_name()));
  }
  if (!socket.typed_config().UnpackTo(&context)) {
    return Invalid(absl::StrCat(path, ".typed_config"),
                   absl::StrCat("cannot decode as ", Context::descriptor()->full_name()));
  }
  return context;
}

}  // namespace

uint64_t Hash64(absl::string_view bytes) {
  uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h;
}

absl::Status Invalid(absl::string_view path, absl::string_view problem) {
  return absl::InvalidArgumentError(absl::StrCat(path, ": ", problem));
}

absl::Status Prefix(const absl::Status& status, absl::string_view path) {
  if (status.ok()) return status;
  return absl::Status(status.code(), absl::StrCat(path, ".", status.message()));
}

absl::StatusOr<std::string> ReadConfigFile(const std::string& path) {
  constexpr off_t kLimit = 1 << 20;
  auto fail = [&](absl::string_view why) {
    return absl::InvalidArgumentError(absl::StrCat("cannot read \"", path, "\": ", why));
  };
  // O_NONBLOCK: opening a FIFO must not wait for a writer.
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return fail(std::strerror(errno));
  struct stat st;
  std::string data;
  absl::Status status;
  if (fstat(fd, &st) != 0) {
    status = fail(std::strerror(errno));
  } else if (!S_ISREG(st.st_mode)) {
    status = fail("not a regular file");
  } else if (st.st_size > kLimit) {
    status =
        fail(absl::StrCat(st.st_size, " bytes, more than the 1 MiB a certificate file may have"));
  } else {
    data.resize(static_cast<size_t>(st.st_size));
    size_t got = 0;
    while (got < data.size()) {
      const ssize_t n = read(fd, data.data() + got, data.size() - got);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        status = fail(std::strerror(errno));
        break;
      }
      if (n == 0) break;  // shrank while reading: take what is there
      got += static_cast<size_t>(n);
    }
    data.resize(got);
  }
  close(fd);
  if (!status.ok()) return status;
  return data;
}

absl::StatusOr<std::string> ReadDataSource(const core::DataSource& source, absl::string_view path) {
  switch (source.specifier_case()) {
    case core::DataSource::kInlineString:
      return source.inline_string();
    case core::DataSource::kInlineBytes:
      return source.inline_bytes();
    case core::DataSource::kFilename: {
      const std::string& name = source.filename();
      if (name.empty()) return Invalid(absl::StrCat(path, ".filename"), "empty");
      absl::StatusOr<std::string> data = ReadConfigFile(name);
      if (!data.ok()) return Invalid(absl::StrCat(path, ".filename"), data.status().message());
      return data;
    }
    case core::DataSource::kEnvironmentVariable: {
      const char* value = std::getenv(source.environment_variable().c_str());
      if (value == nullptr) {
        return Invalid(absl::StrCat(path, ".environment_variable"),
                       absl::StrCat("\"", source.environment_variable(), "\" is not set"));
      }
      return std::string(value);
    }
    case core::DataSource::SPECIFIER_NOT_SET:
      break;
  }
  return Invalid(path, "empty (no filename, inline_bytes, inline_string or environment_variable)");
}

absl::StatusOr<StringMatcher> TranslateStringMatcher(const matcher::StringMatcher& m,
                                                     absl::string_view path) {
  switch (m.match_pattern_case()) {
    case matcher::StringMatcher::kExact:
      return StringMatcher::Exact(m.exact(), m.ignore_case());
    case matcher::StringMatcher::kPrefix:
      return StringMatcher::Prefix(m.prefix(), m.ignore_case());
    case matcher::StringMatcher::kSuffix:
      return StringMatcher::Suffix(m.suffix(), m.ignore_case());
    case matcher::StringMatcher::kContains:
      return StringMatcher::Contains(m.contains(), m.ignore_case());
    case matcher::StringMatcher::kSafeRegex: {
      // RE2 has no case-insensitive flag in Envoy's safe_regex either: ignore_case does not
      // apply to regexes there, and we do the same.
      absl::StatusOr<StringMatcher> re = StringMatcher::Regex(m.safe_regex().regex());
      if (!re.ok()) return Invalid(absl::StrCat(path, ".safe_regex.regex"), re.status().message());
      return re;
    }
    case matcher::StringMatcher::MATCH_PATTERN_NOT_SET:
      break;
  }
  return Invalid(path, "no exact, prefix, suffix, contains or safe_regex pattern");
}

absl::StatusOr<ResolvedSecret> TranslateSecret(const tls::Secret& secret) {
  ResolvedSecret out;
  switch (secret.type_case()) {
    case tls::Secret::kTlsCertificate: {
      absl::StatusOr<CertificateKeyPair> cert =
          TranslateCertificate(secret.tls_certificate(), "tls_certificate");
      if (!cert.ok()) return cert.status();
      cert->name = secret.name();
      out.content_hash =
          Hash64(absl::StrCat(cert->certificate_chain_pem, "\n", cert->private_key_pem));
      out.certificate = std::move(*cert);
      return out;
    }
    case tls::Secret::kValidationContext: {
      TrustBundle trust;
      trust.name = secret.name();
      if (absl::Status s =
              TranslateValidation(secret.validation_context(), "validation_context", &trust);
          !s.ok()) {
        return s;
      }
      if (trust.trusted_ca_pem.empty()) {
        return Invalid("validation_context.trusted_ca", "empty (a trust bundle needs its CAs)");
      }
      trust.version = Hash64(trust.trusted_ca_pem);
      std::string digest = trust.trusted_ca_pem;
      for (const SanMatcher& m : trust.match_sans) {
        absl::StrAppend(&digest, "\n", static_cast<int>(m.type), m.matcher.DebugString());
      }
      absl::StrAppend(&digest, trust.accept_untrusted ? "\nuntrusted" : "");
      out.content_hash = Hash64(digest);
      out.trust = std::move(trust);
      return out;
    }
    case tls::Secret::TYPE_NOT_SET:
      break;
  }
  return Invalid("type", "no tls_certificate or validation_context (the only supported kinds)");
}

absl::StatusOr<DownstreamTls> TranslateDownstreamTls(const core::TransportSocket& socket,
                                                     absl::string_view path,
                                                     SecretResolver* secrets, SecretDeps* deps) {
  absl::StatusOr<tls::DownstreamTlsContext> context =
      UnpackContext<tls::DownstreamTlsContext>(socket, path);
  if (!context.ok()) return context.status();
  const std::string common_path = absl::StrCat(path, ".typed_config.common_tls_context");
  absl::StatusOr<CommonTls> common =
      TranslateCommon(context->common_tls_context(), common_path, secrets, deps);
  if (!common.ok()) return common.status();
  DownstreamTls out;
  if (!common->certificate) {
    return Invalid(common_path,
                   "no certificate (tls_certificates or tls_certificate_sds_secret_configs): "
                   "terminating TLS needs one");
  }
  out.certificate = std::move(*common->certificate);
  out.trust = std::move(common->trust);
  out.require_client_certificate =
      context->has_require_client_certificate() && context->require_client_certificate().value();
  if (out.require_client_certificate && !out.trust) {
    return Invalid(absl::StrCat(path, ".typed_config.require_client_certificate"),
                   "a client certificate is required but the context has no validation context "
                   "to verify it");
  }
  out.params = std::move(common->params);
  out.alpn = std::move(common->alpn);
  out.session_tickets = !context->disable_stateless_session_resumption();
  if (context->has_session_timeout()) {
    const auto& d = context->session_timeout();
    if (d.seconds() < 0 || d.nanos() < 0 || d.seconds() > 0xFFFFFFFFLL) {
      return Invalid(absl::StrCat(path, ".typed_config.session_timeout"),
                     "must be between 0 and 2^32 seconds");
    }
    out.session_timeout = absl::Seconds(d.seconds()) + absl::Nanoseconds(d.nanos());
  }
  return out;
}

absl::StatusOr<UpstreamTls> TranslateUpstreamTls(const core::TransportSocket& socket,
                                                 absl::string_view path, SecretResolver* secrets,
                                                 SecretDeps* deps) {
  absl::StatusOr<tls::UpstreamTlsContext> context =
      UnpackContext<tls::UpstreamTlsContext>(socket, path);
  if (!context.ok()) return context.status();
  absl::StatusOr<CommonTls> common =
      TranslateCommon(context->common_tls_context(),
                      absl::StrCat(path, ".typed_config.common_tls_context"), secrets, deps);
  if (!common.ok()) return common.status();
  UpstreamTls out;
  out.certificate = std::move(common->certificate);
  out.trust = std::move(common->trust);
  out.sni = context->sni();
  if (out.sni.size() > 255) {
    return Invalid(absl::StrCat(path, ".typed_config.sni"), "longer than 255 bytes");
  }
  out.params = std::move(common->params);
  out.alpn = std::move(common->alpn);
  return out;
}

}  // namespace meshgw::gateway::config::translate_internal
