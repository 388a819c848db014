#include "control/ca/embedded_ca.h"

#include <fcntl.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <utility>
#include <vector>

#include "common/file.h"
#include "common/spiffe.h"
#include "control/model/internal/cat.h"

namespace meshgw::control {

namespace fs = std::filesystem;
using internal::Cat;

namespace {

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct BnFree {
  void operator()(BIGNUM* b) const { BN_free(b); }
};
struct GeneralNamesFree {
  void operator()(GENERAL_NAMES* g) const { GENERAL_NAMES_free(g); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;
using X509Ptr = std::unique_ptr<X509, X509Free>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;
using BnPtr = std::unique_ptr<BIGNUM, BnFree>;
using GeneralNamesPtr = std::unique_ptr<GENERAL_NAMES, GeneralNamesFree>;

constexpr absl::Duration kBackdate = absl::Minutes(1);

// The OpenSSL error queue as text, emptied.
std::string SslErrors() {
  std::string out;
  while (unsigned long e = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof(buf));
    if (!out.empty()) out += "; ";
    out += buf;
  }
  return out.empty() ? "unknown OpenSSL error" : out;
}

absl::Status SslError(std::string_view what) {
  return absl::InternalError(Cat(what, ": ", SslErrors()));
}

std::string ColonHex(const unsigned char* data, size_t n) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < n; ++i) {
    if (i > 0) out += ':';
    out += kHex[data[i] >> 4];
    out += kHex[data[i] & 0xF];
  }
  return out;
}

std::string TruncateTo(std::string_view s, size_t n) { return std::string(s.substr(0, n)); }

absl::Time Asn1ToTime(const ASN1_TIME* t) {
  struct tm tm = {};
  if (ASN1_TIME_to_tm(t, &tm) != 1) return absl::InfinitePast();
  return absl::FromTimeT(timegm(&tm));
}

PkeyPtr NewP256Key() { return PkeyPtr(EVP_EC_gen("P-256")); }

absl::StatusOr<std::string> CertPem(X509* x) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), x) != 1) return SslError("writing a certificate");
  char* data = nullptr;
  long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(n));
}

absl::StatusOr<std::string> KeyPem(EVP_PKEY* k) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), k, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return SslError("writing a private key");
  }
  char* data = nullptr;
  long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(n));
}

std::string SerialHex(const X509* x) {
  BnPtr bn(ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), nullptr));
  std::vector<unsigned char> bytes(static_cast<size_t>(BN_num_bytes(bn.get())));
  BN_bn2bin(bn.get(), bytes.data());
  return ColonHex(bytes.data(), bytes.size());
}

// A random positive 128-bit serial number.
absl::Status SetRandomSerial(X509* x) {
  unsigned char raw[16];
  if (RAND_bytes(raw, sizeof(raw)) != 1) return SslError("random serial");
  raw[0] &= 0x7F;  // positive
  raw[0] |= 0x01;  // and a full 16 bytes long
  BnPtr bn(BN_bin2bn(raw, sizeof(raw), nullptr));
  if (!bn || BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(x)) == nullptr) {
    return SslError("serial number");
  }
  return absl::OkStatus();
}

absl::Status AddExtension(X509* x, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer, x, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  if (ext == nullptr) return SslError(Cat("extension ", OBJ_nid2sn(nid)));
  int ok = X509_add_ext(x, ext, -1);
  X509_EXTENSION_free(ext);
  if (ok != 1) return SslError(Cat("adding extension ", OBJ_nid2sn(nid)));
  return absl::OkStatus();
}

// Subject alternative names built as values, not as an OpenSSL config string, so that no
// character of a name can add a SAN of its own.
absl::Status AddSans(X509* x, const std::string& uri, const std::vector<std::string>& dns) {
  GeneralNamesPtr names(sk_GENERAL_NAME_new_null());
  auto add = [&](int type, const std::string& value) {
    GENERAL_NAME* gen = GENERAL_NAME_new();
    ASN1_IA5STRING* s = ASN1_IA5STRING_new();
    ASN1_STRING_set(s, value.data(), static_cast<int>(value.size()));
    GENERAL_NAME_set0_value(gen, type, s);
    sk_GENERAL_NAME_push(names.get(), gen);
  };
  add(GEN_URI, uri);
  for (const std::string& d : dns) add(GEN_DNS, d);
  if (X509_add1_ext_i2d(x, NID_subject_alt_name, names.get(), 0, X509V3_ADD_DEFAULT) != 1) {
    return SslError("subject alternative names");
  }
  return absl::OkStatus();
}

std::vector<std::string> UriSans(X509* x) {
  std::vector<std::string> out;
  GeneralNamesPtr names(
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(x, NID_subject_alt_name, nullptr, nullptr)));
  if (!names) return out;
  for (int i = 0; i < sk_GENERAL_NAME_num(names.get()); ++i) {
    const GENERAL_NAME* g = sk_GENERAL_NAME_value(names.get(), i);
    if (g->type != GEN_URI) continue;
    const ASN1_IA5STRING* s = g->d.uniformResourceIdentifier;
    out.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                     static_cast<size_t>(ASN1_STRING_length(s)));
  }
  return out;
}

absl::Status SetValidity(X509* x, absl::Time from, absl::Time to) {
  if (ASN1_TIME_set(X509_getm_notBefore(x), absl::ToTimeT(from)) == nullptr ||
      ASN1_TIME_set(X509_getm_notAfter(x), absl::ToTimeT(to)) == nullptr) {
    return SslError("validity");
  }
  return absl::OkStatus();
}

absl::Status SetSubject(X509* x, const std::string& cn) {
  X509_NAME* name = X509_get_subject_name(x);
  if (X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1,
                                 0) != 1) {
    return SslError("subject");
  }
  return absl::OkStatus();
}

}  // namespace

std::string ServiceCommonName(std::string_view service, std::string_view ns,
                              std::string_view trust_domain) {
  std::string svc;
  for (char c : service) {
    char l = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if ((l >= 'a' && l <= 'z') || (l >= '0' && l <= '9')) svc += l;
  }
  std::string space(ns.empty() ? "default" : ns);
  // 64 bytes in all: 21 are ".svc." + 8 of trust domain + ".consul" + separators; the rest is
  // shared by service and namespace, neither shrinking under 15 bytes (Consul's rule).
  constexpr size_t kMax = 64 - 21, kMin = 15;
  size_t total = svc.size() + space.size();
  if (total > kMax) {
    size_t remove = total - kMax;
    if (svc.size() <= kMin) {
      space = TruncateTo(space, space.size() - remove);
    } else if (space.size() <= kMin) {
      svc = TruncateTo(svc, svc.size() - remove);
    } else {
      size_t s = svc.size() - remove / 2 - remove % 2;
      size_t n = space.size() - remove / 2;
      if (s <= kMin) {
        s = kMin;
        n = kMax - kMin;
      } else if (n <= kMin) {
        s = kMax - kMin;
        n = kMin;
      }
      svc = TruncateTo(svc, s);
      space = TruncateTo(space, n);
    }
  }
  return Cat(svc, ".svc.", space, ".", TruncateTo(trust_domain, 8), ".consul");
}

struct EmbeddedCa::Keys {
  PkeyPtr root_key;
  X509Ptr root_cert;
};

EmbeddedCa::EmbeddedCa(CaOptions options, std::unique_ptr<Keys> keys, CaRootInfo root, bool loaded)
    : options_(std::move(options)),
      keys_(std::move(keys)),
      root_(std::move(root)),
      loaded_from_disk_(loaded) {}

EmbeddedCa::~EmbeddedCa() = default;

absl::StatusOr<std::unique_ptr<EmbeddedCa>> EmbeddedCa::Create(CaOptions options, absl::Time now) {
  if (!IsValidTrustDomain(options.trust_domain)) {
    return absl::InvalidArgumentError(
        Cat("CA trust domain ", options.trust_domain.empty() ? "(empty)" : options.trust_domain,
            " is not a valid SPIFFE trust domain (lower-case letters, digits, '.', '-', '_')"));
  }
  if (options.datacenter.empty()) return absl::InvalidArgumentError("CA datacenter is empty");
  if (options.leaf_validity <= kBackdate || options.root_validity <= options.leaf_validity) {
    return absl::InvalidArgumentError(
        "CA validity: leaves must last more than a minute and less than the root");
  }
  const std::string signing_id = Cat("spiffe://", options.trust_domain);
  auto keys = std::make_unique<Keys>();
  bool loaded = false;
  std::string cert_path, key_path;
  if (!options.directory.empty()) {
    cert_path = (fs::path(options.directory) / "root.pem").string();
    key_path = (fs::path(options.directory) / "root-key.pem").string();
    std::error_code ec;
    bool has_cert = fs::exists(cert_path, ec), has_key = fs::exists(key_path, ec);
    if (has_cert != has_key) {
      return absl::FailedPreconditionError(
          Cat(options.directory, ": holds ",
              has_cert ? "root.pem without root-key.pem" : "root-key.pem without root.pem",
              "; restore the missing file or remove both to make a new root"));
    }
    if (has_cert) {
      absl::StatusOr<std::string> cert_pem = ReadFile(cert_path);
      if (!cert_pem.ok()) return cert_pem.status();
      absl::StatusOr<std::string> key_pem = ReadFile(key_path);
      if (!key_pem.ok()) return key_pem.status();
      BioPtr cb(BIO_new_mem_buf(cert_pem->data(), static_cast<int>(cert_pem->size())));
      keys->root_cert.reset(PEM_read_bio_X509(cb.get(), nullptr, nullptr, nullptr));
      if (!keys->root_cert) return absl::DataLossError(Cat(cert_path, ": ", SslErrors()));
      BioPtr kb(BIO_new_mem_buf(key_pem->data(), static_cast<int>(key_pem->size())));
      keys->root_key.reset(PEM_read_bio_PrivateKey(kb.get(), nullptr, nullptr, nullptr));
      if (!keys->root_key) return absl::DataLossError(Cat(key_path, ": ", SslErrors()));
      if (X509_check_private_key(keys->root_cert.get(), keys->root_key.get()) != 1) {
        ERR_clear_error();
        return absl::FailedPreconditionError(Cat(key_path, ": is not the key of ", cert_path));
      }
      std::vector<std::string> uris = UriSans(keys->root_cert.get());
      if (uris.size() != 1 || uris[0] != signing_id) {
        return absl::FailedPreconditionError(
            Cat(cert_path, ": a root of ", uris.empty() ? "no trust domain" : uris[0],
                ", not of the configured ", signing_id,
                "; move it away to make a new root (peers will need the new bundle)"));
      }
      loaded = true;
    }
  }
  if (!loaded) {
    keys->root_key = NewP256Key();
    keys->root_cert.reset(X509_new());
    X509* x = keys->root_cert.get();
    if (!keys->root_key || x == nullptr) return SslError("root key");
    // The Common Name is Consul's CACN shape: pri-<uid>.<provider>.ca.<td first 8>.consul.
    unsigned char uid[4];
    if (RAND_bytes(uid, sizeof(uid)) != 1) return SslError("random");
    std::string uid_hex = ColonHex(uid, sizeof(uid));
    uid_hex.erase(std::remove(uid_hex.begin(), uid_hex.end(), ':'), uid_hex.end());
    std::string cn =
        Cat("pri-", uid_hex, ".meshgw.ca.", TruncateTo(options.trust_domain, 8), ".consul");
    absl::Status s = X509_set_version(x, 2) == 1 ? absl::OkStatus() : SslError("version");
    if (s.ok()) s = SetRandomSerial(x);
    if (s.ok()) s = SetSubject(x, cn);
    if (s.ok() && X509_set_issuer_name(x, X509_get_subject_name(x)) != 1) s = SslError("issuer");
    if (s.ok()) s = SetValidity(x, now - kBackdate, now + options.root_validity);
    if (s.ok() && X509_set_pubkey(x, keys->root_key.get()) != 1) s = SslError("public key");
    if (s.ok()) s = AddExtension(x, x, NID_basic_constraints, "critical,CA:TRUE");
    if (s.ok()) {
      s = AddExtension(x, x, NID_key_usage, "critical,keyCertSign,cRLSign,digitalSignature");
    }
    if (s.ok()) s = AddExtension(x, x, NID_subject_key_identifier, "hash");
    if (s.ok()) s = AddExtension(x, x, NID_authority_key_identifier, "keyid:always");
    if (s.ok()) s = AddSans(x, signing_id, {});
    if (s.ok() && X509_sign(x, keys->root_key.get(), EVP_sha256()) == 0) s = SslError("signing");
    if (!s.ok()) return s;
    if (!options.directory.empty()) {
      std::error_code ec;
      // A folder made here is the owner's alone: it holds the CA's private key.
      if (fs::create_directories(options.directory, ec)) {
        fs::permissions(options.directory, fs::perms::owner_all, fs::perm_options::replace, ec);
      }
      if (ec) return absl::PermissionDeniedError(Cat(options.directory, ": ", ec.message()));
      absl::StatusOr<std::string> key_pem = KeyPem(keys->root_key.get());
      if (!key_pem.ok()) return key_pem.status();
      absl::StatusOr<std::string> cert_pem = CertPem(x);
      if (!cert_pem.ok()) return cert_pem.status();
      // The key first: a crash between the two leaves a key without a cert, reported above.
      if (absl::Status w = WriteFileAtomically(key_path, *key_pem); !w.ok()) return w;
      if (absl::Status w = WriteFileAtomically(cert_path, *cert_pem); !w.ok()) return w;
    }
  }

  X509* x = keys->root_cert.get();
  CaRootInfo root;
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int md_len = 0;
  if (X509_digest(x, EVP_sha1(), md, &md_len) != 1) return SslError("fingerprint");
  root.id = ColonHex(md, md_len);
  root.name = "meshgw CA Primary Cert";
  root.serial_number = SerialHex(x);
  if (const ASN1_OCTET_STRING* skid = X509_get0_subject_key_id(x)) {
    root.signing_key_id =
        ColonHex(ASN1_STRING_get0_data(skid), static_cast<size_t>(ASN1_STRING_length(skid)));
  }
  root.trust_domain = options.trust_domain;
  absl::StatusOr<std::string> pem = CertPem(x);
  if (!pem.ok()) return pem.status();
  root.root_cert_pem = *std::move(pem);
  root.not_before = Asn1ToTime(X509_get0_notBefore(x));
  root.not_after = Asn1ToTime(X509_get0_notAfter(x));
  return std::unique_ptr<EmbeddedCa>(
      new EmbeddedCa(std::move(options), std::move(keys), std::move(root), loaded));
}

absl::StatusOr<IssuedCert> EmbeddedCa::IssueServiceLeaf(std::string_view service,
                                                        std::string_view ns, absl::Time now,
                                                        std::string_view partition) const {
  std::string space(ns.empty() ? "default" : ns);
  std::string id =
      ServiceSpiffeId(options_.trust_domain, space, options_.datacenter, service, partition);
  absl::StatusOr<SpiffeId> parsed = ParseSpiffeId(id);
  if (!parsed.ok() || parsed->kind != SpiffeId::Kind::kService || parsed->service != service) {
    return absl::InvalidArgumentError(
        Cat("cannot issue a leaf for service \"", service, "\" of namespace \"", space,
            "\": ", parsed.ok() ? "not a service identity" : parsed.status().message()));
  }
  std::string cn = ServiceCommonName(service, space, options_.trust_domain);
  return Issue(id, cn, {cn}, now);
}

absl::StatusOr<IssuedCert> EmbeddedCa::IssueMeshGatewayLeaf(absl::Time now) const {
  std::string id = MeshGatewaySpiffeId(options_.trust_domain, options_.datacenter);
  absl::StatusOr<SpiffeId> parsed = ParseSpiffeId(id);
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(Cat("cannot issue a mesh gateway leaf for datacenter \"",
                                          options_.datacenter, "\": ", parsed.status().message()));
  }
  std::string cn = Cat("mesh-gateway.", options_.datacenter, ".",
                       TruncateTo(options_.trust_domain, 8), ".consul");
  if (cn.size() > 64) cn = "mesh-gateway";
  return Issue(id, cn, {}, now);
}

absl::StatusOr<IssuedCert> EmbeddedCa::IssuePeeringServerLeaf(absl::Time now) const {
  std::string id =
      Cat("spiffe://", options_.trust_domain, "/agent/server/dc/", options_.datacenter);
  absl::StatusOr<SpiffeId> parsed = ParseSpiffeId(id);
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(Cat("cannot issue a peering server leaf for datacenter \"",
                                          options_.datacenter, "\": ", parsed.status().message()));
  }
  std::string dns = Cat("server.", options_.datacenter, ".peering.", options_.trust_domain);
  // Consul's server Common Name shape, shortened like the others (64 bytes at most).
  std::string cn = Cat("server.", options_.datacenter, ".peering.",
                       TruncateTo(options_.trust_domain, 8), ".consul");
  if (cn.size() > 64) cn = "server";
  return Issue(id, cn, {dns}, now);
}

absl::StatusOr<IssuedCert> EmbeddedCa::Issue(const std::string& spiffe_id,
                                             const std::string& common_name,
                                             const std::vector<std::string>& dns_sans,
                                             absl::Time now) const {
  PkeyPtr key = NewP256Key();
  X509Ptr cert(X509_new());
  X509* x = cert.get();
  X509* root = keys_->root_cert.get();
  if (!key || x == nullptr) return SslError("leaf key");
  absl::Status s = X509_set_version(x, 2) == 1 ? absl::OkStatus() : SslError("version");
  if (s.ok()) s = SetRandomSerial(x);
  if (s.ok()) s = SetSubject(x, common_name);
  if (s.ok() && X509_set_issuer_name(x, X509_get_subject_name(root)) != 1) s = SslError("issuer");
  absl::Time not_after = std::min(now + options_.leaf_validity, root_.not_after);
  if (s.ok()) s = SetValidity(x, now - kBackdate, not_after);
  if (s.ok() && X509_set_pubkey(x, key.get()) != 1) s = SslError("public key");
  if (s.ok()) s = AddExtension(x, root, NID_basic_constraints, "critical,CA:FALSE");
  if (s.ok()) {
    s = AddExtension(x, root, NID_key_usage,
                     "critical,digitalSignature,keyEncipherment,keyAgreement");
  }
  if (s.ok()) s = AddExtension(x, root, NID_ext_key_usage, "serverAuth,clientAuth");
  if (s.ok()) s = AddExtension(x, root, NID_subject_key_identifier, "hash");
  if (s.ok()) s = AddExtension(x, root, NID_authority_key_identifier, "keyid:always");
  if (s.ok()) s = AddSans(x, spiffe_id, dns_sans);
  if (s.ok() && X509_sign(x, keys_->root_key.get(), EVP_sha256()) == 0) s = SslError("signing");
  if (!s.ok()) return s;

  IssuedCert out;
  absl::StatusOr<std::string> cert_pem = CertPem(x);
  if (!cert_pem.ok()) return cert_pem.status();
  absl::StatusOr<std::string> key_pem = KeyPem(key.get());
  if (!key_pem.ok()) return key_pem.status();
  out.cert_pem = *std::move(cert_pem);
  out.private_key_pem = *std::move(key_pem);
  out.serial_number = SerialHex(x);
  out.spiffe_id = spiffe_id;
  out.common_name = common_name;
  out.valid_after = Asn1ToTime(X509_get0_notBefore(x));
  out.valid_before = Asn1ToTime(X509_get0_notAfter(x));
  // Half the life from issue, plus up to a tenth of it at random (spreads a fleet's renewals).
  absl::Duration life = out.valid_before - absl::FromTimeT(absl::ToTimeT(now));
  uint32_t r = 0;
  if (RAND_bytes(reinterpret_cast<unsigned char*>(&r), sizeof(r)) != 1) return SslError("random");
  double jitter = static_cast<double>(r) / 4294967296.0;  // [0, 1)
  out.rotate_after = absl::FromTimeT(absl::ToTimeT(now)) + life / 2 + life / 10 * jitter;
  return out;
}

}  // namespace meshgw::control
