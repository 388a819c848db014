#include "gateway/tls/certificate_reuse.h"

#include <dlfcn.h>
#include <openssl/x509.h>

#include <cstdio>
#include <cstdlib>
#include <list>
#include <string>
#include <string_view>

#include "absl/container/flat_hash_map.h"

namespace meshgw::gateway::tls {
namespace {

using D2iX509 = X509* (*)(X509**, const unsigned char**, long);

// libcrypto's d2i_X509: the next definition after ours in the lookup order.
D2iX509 LibcryptoD2iX509() {
  static const D2iX509 real = [] {
    void* sym = dlvsym(RTLD_NEXT, "d2i_X509", "OPENSSL_3.0.0");
    if (sym == nullptr) sym = dlsym(RTLD_NEXT, "d2i_X509");
    if (sym == nullptr) {
      // Without it no certificate can be read at all: a broken installation, not an input.
      std::fprintf(stderr, "meshgw: libcrypto's d2i_X509 not found: %s\n", dlerror());
      std::abort();
    }
    return reinterpret_cast<D2iX509>(sym);
  }();
  return real;
}

class ThreadCertificates {
 public:
  ~ThreadCertificates() { Clear(); }

  // The certificate decoded from exactly `der`, and how many bytes of it its DER took; null if
  // none is kept.
  X509* Find(std::string_view der, long* consumed) {
    auto it = entries_.find(der);
    if (it == entries_.end()) return nullptr;
    order_.splice(order_.begin(), order_, it->second.order);
    *consumed = it->second.consumed;
    return it->second.cert;
  }

  // Keeps `cert` (taking a reference) as the decoding of `der`.
  void Add(std::string_view der, X509* cert, long consumed) {
    if (der.size() > kCertificateReuseMaxBytes || entries_.contains(der)) return;
    if (entries_.size() >= kCertificateReuseCapacity) {
      auto oldest = entries_.find(order_.back());
      X509_free(oldest->second.cert);
      entries_.erase(oldest);
      order_.pop_back();
    }
    X509_up_ref(cert);
    order_.emplace_front(der);
    entries_.emplace(order_.front(), Entry{cert, consumed, order_.begin()});
  }

  void Clear() {
    for (auto& [der, entry] : entries_) X509_free(entry.cert);
    entries_.clear();
    order_.clear();
  }

  size_t size() const { return entries_.size(); }

  int scopes = 0;
  CertificateReuseStats stats;

 private:
  struct Entry {
    X509* cert;
    long consumed;
    std::list<std::string>::iterator order;
  };
  // Keys are views of the strings in order_ (a list: its strings never move).
  absl::flat_hash_map<std::string_view, Entry> entries_;
  std::list<std::string> order_;  // most recently used first
};

ThreadCertificates& This() {
  thread_local ThreadCertificates certificates;
  return certificates;
}

}  // namespace

CertificateReuseScope::CertificateReuseScope(bool active) : active_(active) {
  if (active_) ++This().scopes;
}
CertificateReuseScope::~CertificateReuseScope() {
  if (active_) --This().scopes;
}

CertificateReuseStats ThisThreadCertificateReuse() {
  CertificateReuseStats stats = This().stats;
  stats.cached = This().size();
  return stats;
}

void ClearThisThreadCertificateReuse() { This().Clear(); }

}  // namespace meshgw::gateway::tls

// The definition libssl's calls bind to (see the header). Same contract as libcrypto's: on
// success *in moves past the certificate and, when `a` is given, *a (freed first if set) is the
// result; on failure null, *in and *a as libcrypto leaves them.
extern "C" X509* d2i_X509(X509** a, const unsigned char** in, long len) {
  using meshgw::gateway::tls::This;
  using meshgw::gateway::tls::ThreadCertificates;
  const auto real = meshgw::gateway::tls::LibcryptoD2iX509();
  if (in == nullptr || *in == nullptr || len <= 0) return real(a, in, len);
  ThreadCertificates& cache = This();
  if (cache.scopes == 0) return real(a, in, len);

  const std::string_view der(reinterpret_cast<const char*>(*in), static_cast<size_t>(len));
  long consumed = 0;
  if (X509* cert = cache.Find(der, &consumed)) {
    X509_up_ref(cert);
    if (a != nullptr) {
      X509_free(*a);  // libssl's fresh X509_new_ex, which the decoding would have filled
      *a = cert;
    }
    *in += consumed;
    ++cache.stats.reused;
    return cert;
  }
  const unsigned char* start = *in;
  X509* cert = real(a, in, len);
  ++cache.stats.decoded;
  if (cert != nullptr) cache.Add(der, cert, static_cast<long>(*in - start));
  return cert;
}
