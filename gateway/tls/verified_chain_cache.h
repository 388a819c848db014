// A bounded cache of client certificate chains that already passed X509 chain verification, so
// that a peer's repeated connections skip X509_verify_cert (the costliest part of a full mTLS
// handshake after the key exchange). OpenSSL still checks the handshake signature
// (CertificateVerify) with the leaf's key on every handshake: a cached chain proves nothing
// without the private key.
//
//   VerifiedChainCache cache({.capacity = 10000});
//   auto server = ServerTlsContext::Create(downstream_tls, &cache);   // installs it
//   ... cache.hits(), cache.misses() for /stats ...
//
// Key: SHA-256 over the trust bundle's version, the purpose (client or server certificate) and
// the DER of every certificate the peer sent (leaf and intermediates, in order). A bundle change (a
// CA added or removed) changes the version and so misses. An entry is never used at or after the
// earliest notAfter of the verified chain (root included). Only successful verifications are
// cached. SAN pinning is not cached: it is checked on every handshake (it is cheap and may differ
// between filter chains).
//
// Eviction: least recently used, per shard (the capacity is split evenly over the shards).
// Thread-safety: safe for concurrent use from every worker (one mutex per shard; this is the
// handshake path, not the relay path). Must outlive the contexts it is installed in.
#ifndef MESHGW_GATEWAY_TLS_VERIFIED_CHAIN_CACHE_H_
#define MESHGW_GATEWAY_TLS_VERIFIED_CHAIN_CACHE_H_

#include <openssl/x509.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace meshgw::gateway::tls {

class VerifiedChainCache {
 public:
  struct Options {
    size_t capacity = 10000;
    size_t shards = 16;
    // The cache's clock (tests move it past a certificate's notAfter).
    std::function<absl::Time()> now = [] { return absl::Now(); };
  };

  using Key = std::array<uint8_t, 32>;

  explicit VerifiedChainCache(Options options);
  VerifiedChainCache() : VerifiedChainCache(Options()) {}
  VerifiedChainCache(const VerifiedChainCache&) = delete;
  VerifiedChainCache& operator=(const VerifiedChainCache&) = delete;

  // What a chain was verified for: a client certificate (a server's check, purpose
  // "ssl_client") or a server certificate (a client's check). One cache may serve both sides;
  // a chain verified for one purpose must not pass for the other.
  enum class Purpose : uint8_t { kClientCertificate = 1, kServerCertificate = 2 };

  // MakeKey hashes `chain` (as the peer sent it, leaf first) with `bundle_version` and `purpose`.
  static Key MakeKey(const STACK_OF(X509) * chain, uint64_t bundle_version,
                     Purpose purpose = Purpose::kClientCertificate);

  // Lookup is true when `key` was inserted and its notAfter is still ahead; counts a hit or a
  // miss. An expired entry is removed.
  bool Lookup(const Key& key);
  // Insert remembers `key` as verified until `not_after` (Unix seconds); a `not_after` already
  // past is not inserted. Evicts the least recently used entry of the shard when it is full.
  void Insert(const Key& key, int64_t not_after);

  // Verify is the handshake's use of the cache: a hit sets X509_V_OK and returns 1 without
  // verifying; a miss runs X509_verify_cert(ctx) and caches a success until the earliest notAfter
  // of the verified chain. Returns what X509_verify_cert returns (1 = verified).
  int Verify(X509_STORE_CTX* ctx, uint64_t bundle_version,
             Purpose purpose = Purpose::kClientCertificate);

  uint64_t hits() const { return hits_.load(std::memory_order_relaxed); }
  uint64_t misses() const { return misses_.load(std::memory_order_relaxed); }
  uint64_t evictions() const { return evictions_.load(std::memory_order_relaxed); }
  size_t size() const;

 private:
  struct KeyHash {
    size_t operator()(const Key& k) const;  // the digest's first bytes: already uniform
  };
  struct Shard {
    mutable absl::Mutex mu;
    // Most recently used at the front; the map points into the list.
    std::list<std::pair<Key, int64_t>> lru ABSL_GUARDED_BY(mu);
    absl::flat_hash_map<Key, std::list<std::pair<Key, int64_t>>::iterator, KeyHash> index
        ABSL_GUARDED_BY(mu);
  };

  Shard& ShardFor(const Key& key);
  int64_t NowSeconds() const { return absl::ToUnixSeconds(options_.now()); }

  Options options_;
  size_t per_shard_capacity_;
  std::vector<std::unique_ptr<Shard>> shards_;
  std::atomic<uint64_t> hits_{0};
  std::atomic<uint64_t> misses_{0};
  std::atomic<uint64_t> evictions_{0};
};

}  // namespace meshgw::gateway::tls

#endif  // MESHGW_GATEWAY_TLS_VERIFIED_CHAIN_CACHE_H_
