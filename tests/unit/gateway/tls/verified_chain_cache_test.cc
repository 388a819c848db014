#include "gateway/tls/verified_chain_cache.h"

#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "tests/unit/gateway/tls/test_pki.h"

namespace meshgw::gateway::tls {
namespace {

using namespace ::meshgw::gateway::tls::testing;  // NOLINT: test helpers

VerifiedChainCache::Key KeyOf(int i) {
  VerifiedChainCache::Key k{};
  for (int b = 0; b < 4; ++b) k[b] = static_cast<uint8_t>(i >> (8 * b));
  k[31] = static_cast<uint8_t>(i);
  return k;
}

struct FakeClock {
  absl::Time now = absl::FromUnixSeconds(1'800'000'000);
  std::function<absl::Time()> fn() {
    return [this] { return now; };
  }
};

TEST(VerifiedChainCacheTest, HitUntilNotAfter) {
  FakeClock clock;
  VerifiedChainCache cache({.capacity = 10, .shards = 2, .now = clock.fn()});
  const int64_t t0 = absl::ToUnixSeconds(clock.now);
  EXPECT_FALSE(cache.Lookup(KeyOf(1)));
  cache.Insert(KeyOf(1), t0 + 60);
  EXPECT_TRUE(cache.Lookup(KeyOf(1)));
  clock.now += absl::Seconds(59);
  EXPECT_TRUE(cache.Lookup(KeyOf(1)));
  clock.now += absl::Seconds(1);  // at notAfter: no longer valid
  EXPECT_FALSE(cache.Lookup(KeyOf(1)));
  EXPECT_EQ(cache.size(), 0u);  // the expired entry is gone
  EXPECT_EQ(cache.hits(), 2u);
  EXPECT_EQ(cache.misses(), 2u);
  cache.Insert(KeyOf(2), t0);  // already past: not cached
  EXPECT_EQ(cache.size(), 0u);
}

TEST(VerifiedChainCacheTest, EvictsLeastRecentlyUsed) {
  FakeClock clock;
  const int64_t later = absl::ToUnixSeconds(clock.now) + 3600;
  VerifiedChainCache cache({.capacity = 3, .shards = 1, .now = clock.fn()});
  cache.Insert(KeyOf(1), later);
  cache.Insert(KeyOf(2), later);
  cache.Insert(KeyOf(3), later);
  EXPECT_TRUE(cache.Lookup(KeyOf(1)));  // 2 is now the least recently used
  cache.Insert(KeyOf(4), later);
  EXPECT_EQ(cache.size(), 3u);
  EXPECT_EQ(cache.evictions(), 1u);
  EXPECT_FALSE(cache.Lookup(KeyOf(2)));
  EXPECT_TRUE(cache.Lookup(KeyOf(1)));
  EXPECT_TRUE(cache.Lookup(KeyOf(3)));
  EXPECT_TRUE(cache.Lookup(KeyOf(4)));
}

TEST(VerifiedChainCacheTest, CapacityIsABound) {
  FakeClock clock;
  const int64_t later = absl::ToUnixSeconds(clock.now) + 3600;
  VerifiedChainCache cache({.capacity = 64, .shards = 8, .now = clock.fn()});
  for (int i = 0; i < 1000; ++i) cache.Insert(KeyOf(i), later);
  EXPECT_EQ(cache.size(), 64u);
  EXPECT_EQ(cache.evictions(), 1000u - 64u);
}

TEST(VerifiedChainCacheTest, KeyDependsOnChainAndBundleVersion) {
  TestCredential root = MakeRootCa("root");
  TestCredential inter = Issue(root, {.common_name = "inter", .is_ca = true});
  TestCredential a = Issue(inter, {.common_name = "a"});
  TestCredential b = Issue(inter, {.common_name = "b"});
  auto chain = [&](std::vector<X509*> certs) {
    STACK_OF(X509)* sk = sk_X509_new_null();
    for (X509* c : certs) sk_X509_push(sk, c);
    return sk;
  };
  STACK_OF(X509)* a_chain = chain({a.cert.get(), inter.cert.get()});
  STACK_OF(X509)* a_leaf = chain({a.cert.get()});
  STACK_OF(X509)* b_chain = chain({b.cert.get(), inter.cert.get()});
  const auto k = VerifiedChainCache::MakeKey(a_chain, 1);
  EXPECT_EQ(k, VerifiedChainCache::MakeKey(a_chain, 1));
  EXPECT_NE(k, VerifiedChainCache::MakeKey(a_chain, 2));
  EXPECT_NE(k, VerifiedChainCache::MakeKey(a_leaf, 1));
  EXPECT_NE(k, VerifiedChainCache::MakeKey(b_chain, 1));
  EXPECT_NE(
      k, VerifiedChainCache::MakeKey(a_chain, 1, VerifiedChainCache::Purpose::kServerCertificate));
  sk_X509_free(a_chain);
  sk_X509_free(a_leaf);
  sk_X509_free(b_chain);
}

TEST(VerifiedChainCacheTest, ConcurrentUse) {
  VerifiedChainCache cache({.capacity = 1000, .shards = 16});
  const int64_t later = absl::ToUnixSeconds(absl::Now()) + 3600;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&cache, t, later] {
      for (int i = 0; i < 2000; ++i) {
        const auto key = KeyOf((i * 7 + t) % 500);
        if (!cache.Lookup(key)) cache.Insert(key, later);
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(cache.hits() + cache.misses(), 8000u);
  EXPECT_LE(cache.size(), 500u);
  EXPECT_GE(cache.hits(), 8000u - 4u * 500u);  // each key misses at most once per thread
}

}  // namespace
}  // namespace meshgw::gateway::tls
