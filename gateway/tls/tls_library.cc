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
  std::vector<OSSL_ALGORITHM> decoders;  // ends with OpenSSL's all-null terminator
  OSSL_LIB_CTX* ctx = nullptr;           // nullptr: set-up failed, use the default one
};

Library& TheLibrary() {
  static Library* library = new Library();  // never destroyed: contexts may outlive main()
  return *library;
}

// The provider's entry points. Everything but the decoder list is the default provider's.
const OSSL_ALGORITHM* QueryOperation(void* /*provctx*/, int operation, int* no_cache) {
  Library& lib = TheLibrary();
  if (operation == OSSL_OP_DECODER) {
    *no_cache = 0;
    return lib.decoders.data();
  }
  return OSSL_PROVIDER_query_operation(lib.deflt, operation, no_cache);
}

void UnqueryOperation(void* /*provctx*/, int operation, const OSSL_ALGORITHM* algorithms) {
  if (operation != OSSL_OP_DECODER) {
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

void Build(Library& lib) {
  // try_load with fallbacks kept: loading it explicitly must not stop OpenSSL from loading it
  // (or a configured provider set) implicitly for the rest of the process.
  lib.deflt = OSSL_PROVIDER_try_load(nullptr, "default", /*retain_fallbacks=*/1);
  if (lib.deflt == nullptr) return;
  int no_cache = 0;
  const OSSL_ALGORITHM* all = OSSL_PROVIDER_query_operation(lib.deflt, OSSL_OP_DECODER, &no_cache);
  for (const OSSL_ALGORITHM* a = all; a != nullptr && a->algorithm_names != nullptr; ++a) {
    if (IsSubjectPublicKeyInfoDecoder(*a)) lib.decoders.push_back(*a);
  }
  // The array stays valid: the default provider's tables are static and it is never unloaded.
  OSSL_PROVIDER_unquery_operation(lib.deflt, OSSL_OP_DECODER, all);
  if (lib.decoders.empty()) return;
  lib.decoders.push_back(OSSL_ALGORITHM{nullptr, nullptr, nullptr, nullptr});

  OSSL_LIB_CTX* ctx = OSSL_LIB_CTX_new();
  if (ctx == nullptr) return;
  if (OSSL_PROVIDER_add_builtin(ctx, kProviderName, InitProvider) != 1 ||
      OSSL_PROVIDER_load(ctx, kProviderName) == nullptr) {
    OSSL_LIB_CTX_free(ctx);
    lib.decoders.clear();
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

}  // namespace meshgw::gateway::tls
