#include "gateway/tls/tls_library.h"

#include <openssl/core_dispatch.h>
#include <openssl/crypto.h>
#include <openssl/provider.h>

#include <mutex>
#include <string_view>
#include <vector>

namespace meshgw::gateway::tls {
namespace {

constexpr char kProviderName[] = "meshgw-tls";

struct Library {
  OSSL_PROVIDER* deflt = nullptr;        // in OpenSSL's default library context
  std::vector<OSSL_ALGORITHM> decoders;  // each list ends with OpenSSL's all-null terminator
  std::vector<OSSL_ALGORITHM> ciphers;
  OSSL_LIB_CTX* ctx = nullptr;  // nullptr: set-up failed, use the default one
};

Library& TheLibrary() {
  static Library* library = new Library();  // never destroyed: contexts may outlive main()
  return *library;
}

// The provider's entry points. Everything but the decoder list is the default provider's.
const OSSL_ALGORITHM* QueryOperation(void* /*provctx*/, int operation, int* no_cache) {
  Library& lib = TheLibrary();
  if (operation == OSSL_OP_DECODER || operation == OSSL_OP_CIPHER) {
    *no_cache = 0;
    return operation == OSSL_OP_DECODER ? lib.decoders.data() : lib.ciphers.data();
  }
  return OSSL_PROVIDER_query_operation(lib.deflt, operation, no_cache);
}

void UnqueryOperation(void* /*provctx*/, int operation, const OSSL_ALGORITHM* algorithms) {
  if (operation != OSSL_OP_DECODER && operation != OSSL_OP_CIPHER) {
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

bool IsSubjectPublicKeyInfoDecoder(const OSSL_ALGORITHM& decoder) {
  const std::string_view properties =
      decoder.property_definition != nullptr ? decoder.property_definition : "";
  return properties.find("input=der") != std::string_view::npos &&
         properties.find("structure=SubjectPublicKeyInfo") != std::string_view::npos;
}

// The ciphers of the TLS suites a mesh uses: every suite Consul accepts (AES-GCM,
// ChaCha20-Poly1305, AES-CBC with its stitched HMAC variants for the CBC-SHA suites, which
// stateless session tickets use too) and TLS 1.3's AES-CCM. Each cipher libssl loads sits in the
// library context's method store, and a decoder context walks that whole store: OpenSSL's other
// ciphers (Camellia, ARIA, SM4, DES, ...) cost every certificate decode about 0.23 M
// instructions.
bool IsMeshCipher(const OSSL_ALGORITHM& cipher) {
  const std::string_view names = cipher.algorithm_names != nullptr ? cipher.algorithm_names : "";
  for (std::string_view prefix : {"AES-128-GCM", "AES-256-GCM", "ChaCha20-Poly1305", "AES-128-CBC",
                                  "AES-256-CBC", "AES-128-CCM", "AES-256-CCM"}) {
    if (names.substr(0, prefix.size()) == prefix) return true;
  }
  return false;
}

// The algorithms of `operation` in `provider` that `keep` accepts, ending with a terminator (or
// none at all).
template <typename Keep>
std::vector<OSSL_ALGORITHM> Filtered(OSSL_PROVIDER* provider, int operation, Keep keep) {
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
  lib.decoders = Filtered(lib.deflt, OSSL_OP_DECODER, IsSubjectPublicKeyInfoDecoder);
  lib.ciphers = Filtered(lib.deflt, OSSL_OP_CIPHER, IsMeshCipher);
  if (lib.decoders.empty() || lib.ciphers.empty()) return;

  OSSL_LIB_CTX* ctx = OSSL_LIB_CTX_new();
  if (ctx == nullptr) return;
  if (OSSL_PROVIDER_add_builtin(ctx, kProviderName, InitProvider) != 1 ||
      OSSL_PROVIDER_load(ctx, kProviderName) == nullptr) {
    OSSL_LIB_CTX_free(ctx);
    lib.decoders.clear();
    lib.ciphers.clear();
    return;
  }
  lib.ctx = ctx;
}

}  // namespace

OSSL_LIB_CTX* TlsLibraryContext() {
  static std::once_flag once;
  std::call_once(once, [] { Build(TheLibrary()); });
  return TheLibrary().ctx;
}

int TlsLibraryDecoderCount() {
  return TlsLibraryContext() == nullptr ? 0 : static_cast<int>(TheLibrary().decoders.size()) - 1;
}

int TlsLibraryCipherCount() {
  return TlsLibraryContext() == nullptr ? 0 : static_cast<int>(TheLibrary().ciphers.size()) - 1;
}

}  // namespace meshgw::gateway::tls
