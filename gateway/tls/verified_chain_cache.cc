#include "gateway/tls/verified_chain_cache.h"

#include <openssl/evp.h>

#include <cstring>

#include "gateway/tls/peer_identity.h"

namespace meshgw::gateway::tls {

VerifiedChainCache::VerifiedChainCache(Options options) : options_(std::move(options)) {
  if (options_.shards == 0) options_.shards = 1;
  if (options_.capacity < options_.shards)
    options_.shards = options_.capacity > 0 ? options_.capacity : 1;
  per_shard_capacity_ = options_.capacity / options_.shards;
  for (size_t i = 0; i < options_.shards; ++i) shards_.push_back(std::make_unique<Shard>());
}

size_t VerifiedChainCache::KeyHash::operator()(const Key& k) const {
  size_t h;
  std::memcpy(&h, k.data(), sizeof(h));
  return h;
}

VerifiedChainCache::Key VerifiedChainCache::MakeKey(const STACK_OF(X509) * chain,
                                                    uint64_t bundle_version, Purpose purpose) {
  EVP_MD_CTX* md = EVP_MD_CTX_new();
  EVP_DigestInit_ex(md, EVP_sha256(), nullptr);
  uint8_t version[8];
  for (int i = 0; i < 8; ++i) version[i] = static_cast<uint8_t>(bundle_version >> (8 * i));
  EVP_DigestUpdate(md, version, sizeof(version));
  const uint8_t purpose_byte = static_cast<uint8_t>(purpose);
  EVP_DigestUpdate(md, &purpose_byte, 1);
  std::vector<unsigned char> der;
  for (int i = 0; i < sk_X509_num(chain); ++i) {
    X509* cert = sk_X509_value(chain, i);
    int len = i2d_X509(cert, nullptr);
    if (len <= 0) continue;
    der.resize(static_cast<size_t>(len));
    unsigned char* p = der.data();
    i2d_X509(cert, &p);
    // The length first, so that two chains cut differently never hash alike.
    uint8_t len_bytes[4] = {static_cast<uint8_t>(len >> 24), static_cast<uint8_t>(len >> 16),
                            static_cast<uint8_t>(len >> 8), static_cast<uint8_t>(len)};
    EVP_DigestUpdate(md, len_bytes, sizeof(len_bytes));
    EVP_DigestUpdate(md, der.data(), der.size());
  }
  Key key{};
  unsigned int out_len = 0;
  EVP_DigestFinal_ex(md, key.data(), &out_len);
  EVP_MD_CTX_free(md);
  return key;
}

VerifiedChainCache::Shard& VerifiedChainCache::ShardFor(const Key& key) {
  // The last bytes pick the shard; the hash table uses the first ones.
  return *shards_[key[31] % shards_.size()];
}

bool VerifiedChainCache::Lookup(const Key& key) {
  Shard& shard = ShardFor(key);
  const int64_t now = NowSeconds();
  {
    absl::MutexLock lock(&shard.mu);
    auto it = shard.index.find(key);
    if (it != shard.index.end()) {
      if (now < it->second->second) {
        shard.lru.splice(shard.lru.begin(), shard.lru, it->second);
        hits_.fetch_add(1, std::memory_order_relaxed);
        return true;
      }
      shard.lru.erase(it->second);
      shard.index.erase(it);
    }
  }
  misses_.fetch_add(1, std::memory_order_relaxed);
  return false;
}

void VerifiedChainCache::Insert(const Key& key, int64_t not_after) {
  if (per_shard_capacity_ == 0 || not_after <= NowSeconds()) return;
  Shard& shard = ShardFor(key);
  absl::MutexLock lock(&shard.mu);
  auto it = shard.index.find(key);
  if (it != shard.index.end()) {
    it->second->second = not_after;
    shard.lru.splice(shard.lru.begin(), shard.lru, it->second);
    return;
  }
  if (shard.index.size() >= per_shard_capacity_) {
    shard.index.erase(shard.lru.back().first);
    shard.lru.pop_back();
    evictions_.fetch_add(1, std::memory_order_relaxed);
  }
  shard.lru.emplace_front(key, not_after);
  shard.index.emplace(key, shard.lru.begin());
}

int VerifiedChainCache::Verify(X509_STORE_CTX* ctx, uint64_t bundle_version, Purpose purpose) {
  const STACK_OF(X509)* sent = X509_STORE_CTX_get0_untrusted(ctx);
  STACK_OF(X509)* leaf_only = nullptr;
  if (sent == nullptr || sk_X509_num(sent) == 0) {
    leaf_only = sk_X509_new_null();
    sk_X509_push(leaf_only, X509_STORE_CTX_get0_cert(ctx));
    sent = leaf_only;
  }
  const Key key = MakeKey(sent, bundle_version, purpose);
  sk_X509_free(leaf_only);
  if (Lookup(key)) {
    X509_STORE_CTX_set_error(ctx, X509_V_OK);
    return 1;
  }
  int ok = X509_verify_cert(ctx);
  if (ok == 1) {
    STACK_OF(X509)* verified = X509_STORE_CTX_get0_chain(ctx);
    std::vector<X509*> certs;
    for (int i = 0; i < sk_X509_num(verified); ++i) certs.push_back(sk_X509_value(verified, i));
    Insert(key, EarliestNotAfter(certs));
  }
  return ok;
}

size_t VerifiedChainCache::size() const {
  size_t n = 0;
  for (const auto& shard : shards_) {
    absl::MutexLock lock(&shard->mu);
    n += shard->index.size();
  }
  return n;
}

}  // namespace meshgw::gateway::tls
