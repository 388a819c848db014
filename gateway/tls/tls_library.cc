#include "gateway/tls/tls_library.h"

#include <openssl/core_dispatch.h>
#include <openssl/crypto.h>
#include <openssl/provider.h>

#include <initializer_list>
#include <mutex>
#include <string_view>
#include <vector>

namespace meshgw::gateway::tls {
namespace {

constexpr char kProviderName[] = "meshgw-tls";

// An algorithm's first name ("EC" of "EC:id-ecPublicKey:1.2.840.10045.2.1").
std::string_view FirstName(const OSSL_ALGORITHM& algorithm) {
  const std::string_view names =
      algorithm.algorithm_names != nullptr ? algorithm.algorithm_names : "";
  return names.substr(0, names.find(':'));
}

bool NamedIn(const OSSL_ALGORITHM& algorithm, std::initializer_list<std::string_view> names) {
  const std::string_view name = FirstName(algorithm);
  for (std::string_view n : names) {
    if (name == n) return true;
  }
  return false;
}

// The key types of a mesh: of certificates (EC, RSA, RSA-PSS, Ed25519, Ed448), of TLS key shares
// (EC, X25519, X448) and HMAC, whose EVP_PKEY libssl makes for the MAC of a TLS 1.2 CBC suite
// when no stitched AES-CBC-HMAC cipher serves it (tests show it is needed). Each time a
// certificate is decoded, a decoder context builds every key manager of the library context and
// matches it against every decoder: the default provider's others (DH, DHX, DSA, SM2, and the
// KDF and MAC ones libssl never uses through an EVP_PKEY) cost 0.44 M instructions per full
// handshake.
// Without DH, OpenSSL's TLS 1.3 FFDHE groups are not offered: neither Go (Consul) nor BoringSSL
// (Envoy) implements them, and no suite Consul accepts is DHE.
bool IsMeshKeyType(const OSSL_ALGORITHM& a) {
  return NamedIn(a, {"EC", "RSA", "RSA-PSS", "ED25519", "ED448", "X25519", "X448", "HMAC"});
}

// The decoders that read the DER SubjectPublicKeyInfo of a certificate's key: all a handshake
// decodes is the public key of each certificate it receives, and in TLS that key signs (no X25519
// or X448 certificate can authenticate a peer). A decoder context builds every one of these for
// each certificate, twice.
bool IsMeshSubjectPublicKeyInfoDecoder(const OSSL_ALGORITHM& decoder) {
  const std::string_view properties =
      decoder.property_definition != nullptr ? decoder.property_definition : "";
  return properties.find("input=der") != std::string_view::npos &&
         properties.find("structure=SubjectPublicKeyInfo") != std::string_view::npos &&
         NamedIn(decoder, {"EC", "RSA", "RSA-PSS", "ED25519", "ED448"});
}

// The ciphers of the TLS suites a mesh uses: every suite Consul accepts (AES-GCM,
// ChaCha20-Poly1305, AES-CBC with its stitched HMAC variants for the CBC-SHA suites, which
// stateless session tickets use too) and TLS 1.3's AES-CCM.
bool IsMeshCipher(const OSSL_ALGORITHM& a) {
  return NamedIn(a,
                 {"AES-128-GCM", "AES-256-GCM", "ChaCha20-Poly1305", "AES-128-CBC", "AES-256-CBC",
                  "AES-128-CBC-HMAC-SHA1", "AES-256-CBC-HMAC-SHA1", "AES-128-CBC-HMAC-SHA256",
                  "AES-256-CBC-HMAC-SHA256", "AES-128-CCM", "AES-256-CCM"});
}

// The digests of TLS 1.2 and 1.3 (MD5 and MD5-SHA1 only for a TLS 1.0 or 1.1 peer, when allowed)
// and of certificate signatures.
bool IsMeshDigest(const OSSL_ALGORITHM& a) {
  return NamedIn(a, {"SHA1", "SHA2-224", "SHA2-256", "SHA2-384", "SHA2-512", "SHA2-512/224",
                     "SHA2-512/256", "MD5", "MD5-SHA1"});
}

// TLS signatures and certificate signatures of the mesh key types, and HMAC for the TLS 1.2 CBC
// record MAC.
bool IsMeshSignature(const OSSL_ALGORITHM& a) {
  return NamedIn(a, {"ECDSA", "RSA", "ED25519", "ED448", "HMAC"});
}

// The key shares of the groups a mesh uses (NIST curves, X25519, X448).
bool IsMeshKeyExchange(const OSSL_ALGORITHM& a) { return NamedIn(a, {"ECDH", "X25519", "X448"}); }

// libssl's key schedules: TLS 1.3's, TLS 1.2's PRF, and HKDF under TLS 1.3's.
bool IsMeshKdf(const OSSL_ALGORITHM& a) { return NamedIn(a, {"TLS13-KDF", "TLS1-PRF", "HKDF"}); }

// Session ticket protection.
bool IsMeshMac(const OSSL_ALGORITHM& a) { return NamedIn(a, {"HMAC"}); }

// TLS 1.2 RSA key transport.
bool IsMeshAsymmetricCipher(const OSSL_ALGORITHM& a) { return NamedIn(a, {"RSA"}); }

// One operation the provider narrows: it offers the algorithms of the default provider that
// `keep` accepts instead of all of them.
struct NarrowedOperation {
  int operation;
  bool (*keep)(const OSSL_ALGORITHM&);
  std::vector<OSSL_ALGORITHM> algorithms;  // ends with OpenSSL's all-null terminator
};

struct Library {
  OSSL_PROVIDER* deflt = nullptr;  // in OpenSSL's default library context
  // Why narrowing more than key managers and decoders pays: every algorithm of an operation
  // libssl fetched from sits in the library context's method store from then on, and a decoder
  // context (one per certificate decoded) copies that whole store while enumerating the key
  // managers. The digests, signatures, key exchanges, KDFs, MACs and asymmetric ciphers no mesh
  // handshake uses cost a full one 0.2 M instructions.
  std::vector<NarrowedOperation> narrowed = {
      {OSSL_OP_KEYMGMT, IsMeshKeyType, {}},
      {OSSL_OP_DECODER, IsMeshSubjectPublicKeyInfoDecoder, {}},
      {OSSL_OP_CIPHER, IsMeshCipher, {}},
      {OSSL_OP_DIGEST, IsMeshDigest, {}},
      {OSSL_OP_SIGNATURE, IsMeshSignature, {}},
      {OSSL_OP_KEYEXCH, IsMeshKeyExchange, {}},
      {OSSL_OP_KDF, IsMeshKdf, {}},
      {OSSL_OP_MAC, IsMeshMac, {}},
      {OSSL_OP_ASYM_CIPHER, IsMeshAsymmetricCipher, {}},
  };
  OSSL_LIB_CTX* ctx = nullptr;  // nullptr: set-up failed, use the default one

  // The list the provider offers for `operation` instead of the default provider's, or nullptr.
  const std::vector<OSSL_ALGORITHM>* Narrowed(int operation) const {
    for (const NarrowedOperation& n : narrowed) {
      if (n.operation == operation) return &n.algorithms;
    }
    return nullptr;
  }
};

Library& TheLibrary() {
  static Library* library = new Library();  // never destroyed: contexts may outlive main()
  return *library;
}

// The provider's entry points. Everything but the narrowed lists is the default provider's.
const OSSL_ALGORITHM* QueryOperation(void* /*provctx*/, int operation, int* no_cache) {
  Library& lib = TheLibrary();
  if (const std::vector<OSSL_ALGORITHM>* narrowed = lib.Narrowed(operation)) {
    *no_cache = 0;
    return narrowed->data();
  }
  return OSSL_PROVIDER_query_operation(lib.deflt, operation, no_cache);
}

void UnqueryOperation(void* /*provctx*/, int operation, const OSSL_ALGORITHM* algorithms) {
  if (TheLibrary().Narrowed(operation) == nullptr) {
    OSSL_PROVIDER_unquery_operation(TheLibrary().deflt, operation, algorithms);
  }
}

// libssl learns the TLS groups (and, in later OpenSSL, signature schemes) a provider supports
// through its capabilities.
int GetCapabilities(void* /*provctx*/, const char* capability, OSSL_CALLBACK* callback, void* arg) {
  return OSSL_PROVIDER_get_capabilities(TheLibrary().deflt, capability, callback, arg);
}

const OSSL_DISPATCH kProviderDispatch[] = {
    {OSSL_FUNC_PROVIDER_QUERY_OPERATION, reinterpret_cast<void (*)(void)>(QueryOperation)},
    {OSSL_FUNC_PROVIDER_UNQUERY_OPERATION, reinterpret_cast<void (*)(void)>(UnqueryOperation)},
    {OSSL_FUNC_PROVIDER_GET_CAPABILITIES, reinterpret_cast<void (*)(void)>(GetCapabilities)},
    {0, nullptr}};

int InitProvider(const OSSL_CORE_HANDLE* /*handle*/, const OSSL_DISPATCH* /*in*/,
                 const OSSL_DISPATCH** out, void** provctx) {
  // The default provider's own context: its algorithms are called exactly as they would be
  // through it (they fetch what they need from the default library context).
  *provctx = OSSL_PROVIDER_get0_provider_ctx(TheLibrary().deflt);
  *out = kProviderDispatch;
  return *provctx != nullptr;
}

// The algorithms of `operation` in `provider` that `keep` accepts, ending with a terminator (or
// none at all).
std::vector<OSSL_ALGORITHM> Filtered(OSSL_PROVIDER* provider, int operation,
                                     bool (*keep)(const OSSL_ALGORITHM&)) {
  std::vector<OSSL_ALGORITHM> kept;
  int no_cache = 0;
  const OSSL_ALGORITHM* all = OSSL_PROVIDER_query_operation(provider, operation, &no_cache);
  for (const OSSL_ALGORITHM* a = all; a != nullptr && a->algorithm_names != nullptr; ++a) {
    if (keep(*a)) kept.push_back(*a);
  }
  // The entries stay valid: the default provider's tables are static and it is never unloaded.
  OSSL_PROVIDER_unquery_operation(provider, operation, all);
  if (!kept.empty()) kept.push_back(OSSL_ALGORITHM{nullptr, nullptr, nullptr, nullptr});
  return kept;
}

void Build(Library& lib) {
  // try_load with fallbacks kept: loading it explicitly must not stop OpenSSL from loading it
  // (or a configured provider set) implicitly for the rest of the process.
  lib.deflt = OSSL_PROVIDER_try_load(nullptr, "default", /*retain_fallbacks=*/1);
  if (lib.deflt == nullptr) return;
  for (NarrowedOperation& n : lib.narrowed) {
    n.algorithms = Filtered(lib.deflt, n.operation, n.keep);
    if (n.algorithms.empty()) return;  // not the default provider we know
  }

  OSSL_LIB_CTX* ctx = OSSL_LIB_CTX_new();
  if (ctx == nullptr) return;
  if (OSSL_PROVIDER_add_builtin(ctx, kProviderName, InitProvider) != 1 ||
      OSSL_PROVIDER_load(ctx, kProviderName) == nullptr) {
    OSSL_LIB_CTX_free(ctx);
    return;
  }
  lib.ctx = ctx;
}

// The number of algorithms the provider offers for `operation` (0 when it could not be set up).
int NarrowedCount(int operation) {
  if (TlsLibraryContext() == nullptr) return 0;
  const std::vector<OSSL_ALGORITHM>* algorithms = TheLibrary().Narrowed(operation);
  return algorithms == nullptr ? 0 : static_cast<int>(algorithms->size()) - 1;
}

}  // namespace

OSSL_LIB_CTX* TlsLibraryContext() {
  static std::once_flag once;
  std::call_once(once, [] { Build(TheLibrary()); });
  return TheLibrary().ctx;
}

int TlsLibraryDecoderCount() { return NarrowedCount(OSSL_OP_DECODER); }

int TlsLibraryCipherCount() { return NarrowedCount(OSSL_OP_CIPHER); }

}  // namespace meshgw::gateway::tls
