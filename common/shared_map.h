// String-keyed map for configuration snapshots that must be cheap to copy and to diff: a gateway
// snapshot holds ~21,000 clusters, every xDS update copies the snapshot and changes a few of them,
// and the update is applied by visiting only what changed.
//
//   SharedMap<std::shared_ptr<const Cluster>> clusters = current.clusters;  // 256 pointer copies
//   clusters.insert_or_assign("web", new_web);  // clones the one shard holding "web"
//   clusters.erase("old-api");
//   SharedMap<std::shared_ptr<const Cluster>>::ForEachDifference(
//       current.clusters, clusters,
//       [](const std::string& name, const auto* before, const auto* after) {
//         // ("web", &old_web, &new_web), ("old-api", &old_api, nullptr)
//       });
//
// Thread safety: like std::map, const methods may run concurrently, and a mutation needs external
// synchronization with every other access to the same object. Distinct copies need none, even
// while they share shards: a copy may be mutated in one thread while another copy is read (or
// copied, or mutated) in another, because a shard is written only while the mutating object holds
// its only reference, and otherwise cloned first.
//
// The entries sit in kShards = 256 absl::flat_hash_maps chosen by key hash, each held by a
// shared_ptr that copies share. Costs, for n entries:
//   - copy: kShards shared_ptr copies, whatever n;
//   - the first change of a shard since a copy: a clone of that shard (~n/256 entries); later
//     changes of the same shard: a flat_hash_map operation;
//   - ForEachDifference: O(kShards + entries of the shards that are not shared), so O(kShards)
//     between copies with no change since;
//   - lookups: one extra hash of the key (to pick the shard) over a flat_hash_map lookup.
// Iteration is shard by shard, in no particular order; Sorted() gives key order for output meant
// for people (/config_dump).
//
// Pointers, references and iterators into a map are invalidated by its next mutation, as for
// flat_hash_map; a copy's mutations never invalidate them.
#ifndef MESHGW_COMMON_SHARED_MAP_H_
#define MESHGW_COMMON_SHARED_MAP_H_

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <initializer_list>
#include <iterator>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/hash/hash.h"
#include "absl/strings/string_view.h"

#if defined(__SANITIZE_THREAD__)
#define MESHGW_SHARED_MAP_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define MESHGW_SHARED_MAP_TSAN 1
#endif
#endif
#ifndef MESHGW_SHARED_MAP_TSAN
#define MESHGW_SHARED_MAP_TSAN 0
#endif

namespace meshgw {
namespace shared_map_internal {

// This absl (Debian's) has its own string_view type; flat_hash_map's heterogeneous lookup takes
// that one.
inline absl::string_view AbslView(std::string_view s) {
  return absl::string_view(s.data(), s.size());
}

}  // namespace shared_map_internal

template <typename V>
class SharedMap {
  using Shard = absl::flat_hash_map<std::string, V>;
  using ShardPtr = std::shared_ptr<Shard>;

 public:
  using key_type = std::string;
  using mapped_type = V;
  using value_type = std::pair<const std::string, V>;
  static_assert(std::is_same_v<typename Shard::value_type, value_type>);

  static constexpr size_t kShards = 256;

  // Forward iterator over every entry, shard by shard, in no particular order.
  class const_iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = SharedMap::value_type;
    using difference_type = std::ptrdiff_t;
    using pointer = const value_type*;
    using reference = const value_type&;

    const_iterator() = default;

    reference operator*() const { return *it_; }
    pointer operator->() const { return &*it_; }

    const_iterator& operator++() {
      ++it_;
      if (it_ == (*shards_)[shard_]->end()) {
        ++shard_;
        SkipEmptyShards();
      }
      return *this;
    }
    const_iterator operator++(int) {
      const_iterator old = *this;
      ++*this;
      return old;
    }

    // Past the end, the inner iterator is meaningless: only the shard number says "end".
    friend bool operator==(const const_iterator& a, const const_iterator& b) {
      return a.shard_ == b.shard_ && (a.shard_ == kShards || a.it_ == b.it_);
    }
    friend bool operator!=(const const_iterator& a, const const_iterator& b) { return !(a == b); }

   private:
    friend class SharedMap;

    // The first entry at or after `shard` (end() when none).
    const_iterator(const std::vector<ShardPtr>* shards, size_t shard)
        : shards_(shards), shard_(shard) {
      SkipEmptyShards();
    }
    const_iterator(const std::vector<ShardPtr>* shards, size_t shard,
                   typename Shard::const_iterator it)
        : shards_(shards), shard_(shard), it_(it) {}

    void SkipEmptyShards() {
      for (; shard_ < kShards; ++shard_) {
        const ShardPtr& s = (*shards_)[shard_];
        if (s != nullptr && !s->empty()) {
          it_ = s->begin();
          return;
        }
      }
    }

    const std::vector<ShardPtr>* shards_ = nullptr;
    size_t shard_ = kShards;
    typename Shard::const_iterator it_;
  };

  // Allocates nothing until the first insertion.
  SharedMap() = default;
  // Shares every shard: kShards shared_ptr copies.
  SharedMap(const SharedMap&) = default;
  SharedMap& operator=(const SharedMap&) = default;
  // Leaves `other` empty.
  SharedMap(SharedMap&& other) noexcept
      : shards_(std::move(other.shards_)), size_(std::exchange(other.size_, 0)) {
    other.shards_.clear();
  }
  SharedMap& operator=(SharedMap&& other) noexcept {
    if (this != &other) {
      shards_ = std::move(other.shards_);
      other.shards_.clear();
      size_ = std::exchange(other.size_, 0);
    }
    return *this;
  }
  // As for std::map, the first of duplicate keys wins.
  SharedMap(std::initializer_list<value_type> entries) {
    for (const value_type& e : entries) emplace(e.first, e.second);
  }

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

  // Find("web"): the value of "web", or nullptr when absent.
  const V* Find(std::string_view key) const {
    const Shard* shard = ShardAt(ShardOf(key));
    if (shard == nullptr) return nullptr;
    auto it = shard->find(shared_map_internal::AbslView(key));
    return it == shard->end() ? nullptr : &it->second;
  }
  bool contains(std::string_view key) const { return Find(key) != nullptr; }
  size_t count(std::string_view key) const { return contains(key) ? 1 : 0; }

  // at("web"): the value of "web", which must be present; an absent key is a broken invariant of
  // the caller and aborts with the key on stderr.
  const V& at(std::string_view key) const {
    const V* v = Find(key);
    if (v == nullptr) {
      std::fprintf(stderr, "meshgw SharedMap::at: absent key \"%.*s\"\n",
                   static_cast<int>(key.size()), key.data());
      std::abort();
    }
    return *v;
  }

  const_iterator begin() const { return shards_.empty() ? end() : const_iterator(&shards_, 0); }
  const_iterator end() const { return const_iterator(); }
  // find("web"): an iterator to the entry of "web", or end(); for std::map-like call sites.
  const_iterator find(std::string_view key) const {
    const size_t index = ShardOf(key);
    const Shard* shard = ShardAt(index);
    if (shard == nullptr) return end();
    auto it = shard->find(shared_map_internal::AbslView(key));
    return it == shard->end() ? end() : const_iterator(&shards_, index, it);
  }

  // m["web"]: the value of "web", inserted as V{} when absent. Clones the key's shard when it is
  // shared, even when the caller only reads. The reference must not be written through after a
  // copy of this map is made: the shard would then be shared, and the write would show in the copy.
  V& operator[](const std::string& key) {
    auto [it, inserted] = MutableShard(ShardOf(key)).try_emplace(key);
    if (inserted) ++size_;
    return it->second;
  }

  // insert_or_assign("web", v): sets "web" to v; true when "web" was absent.
  bool insert_or_assign(std::string key, V value) {
    Shard& shard = MutableShard(ShardOf(key));
    const bool inserted = shard.insert_or_assign(std::move(key), std::move(value)).second;
    if (inserted) ++size_;
    return inserted;
  }

  // emplace("web", v): inserts "web" = v when "web" is absent and returns true; otherwise changes
  // nothing (and clones no shard) and returns false.
  bool emplace(std::string key, V value) {
    const size_t index = ShardOf(key);
    const Shard* shard = ShardAt(index);
    if (shard != nullptr && shard->contains(key)) return false;
    MutableShard(index).try_emplace(std::move(key), std::move(value));
    ++size_;
    return true;
  }

  // erase("web"): 1 when "web" was present, else 0. Erasing an absent key clones no shard, so a
  // copy stays SameShards with its original.
  size_t erase(std::string_view key) {
    const size_t index = ShardOf(key);
    const Shard* shard = ShardAt(index);
    if (shard == nullptr || !shard->contains(shared_map_internal::AbslView(key))) return 0;
    MutableShard(index).erase(shared_map_internal::AbslView(key));
    --size_;
    return 1;
  }

  // Drops this map's references to its shards; copies keep theirs.
  void clear() {
    shards_.clear();
    size_ = 0;
  }

  // Pointers to every entry, sorted by key; valid until the next mutation of this map.
  std::vector<const value_type*> Sorted() const {
    std::vector<const value_type*> out;
    out.reserve(size_);
    for (const value_type& e : *this) out.push_back(&e);
    std::sort(out.begin(), out.end(),
              [](const value_type* a, const value_type* b) { return a->first < b->first; });
    return out;
  }

  // True when both maps hold the same pointer for every shard: a copy and its original with no
  // change to either since (an erase of an absent key or an emplace of a present one is no
  // change). False says nothing about the contents: equal maps built separately share nothing.
  bool SameShards(const SharedMap& other) const {
    for (size_t i = 0; i < kShards; ++i) {
      if (ShardAt(i) != other.ShardAt(i)) return false;
    }
    return true;
  }

  // Calls fn(const std::string& key, const V* before_value, const V* after_value) for every key
  // present in only one of the maps or whose values differ by ==; before_value is nullptr for a key
  // only in `after` (added), after_value is nullptr for a key only in `before` (removed). With
  // shared_ptr values, == is identity: a new pointer to equal content is a difference. Shards both
  // maps share are skipped without looking at their entries. Calls come in no particular order; fn
  // must not mutate either map.
  template <typename Fn>
  static void ForEachDifference(const SharedMap& before, const SharedMap& after, Fn&& fn) {
    for (size_t i = 0; i < kShards; ++i) {
      const Shard* b = before.ShardAt(i);
      const Shard* a = after.ShardAt(i);
      if (a == b) continue;
      if (b != nullptr) {
        for (const value_type& e : *b) {
          const V* after_value = nullptr;
          if (a != nullptr) {
            auto it = a->find(e.first);
            if (it != a->end()) after_value = &it->second;
          }
          if (after_value == nullptr || !(e.second == *after_value)) {
            fn(e.first, &e.second, after_value);
          }
        }
      }
      if (a != nullptr) {
        for (const value_type& e : *a) {
          if (b == nullptr || !b->contains(e.first))
            fn(e.first, static_cast<const V*>(nullptr), &e.second);
        }
      }
    }
  }

 private:
  static_assert(sizeof(size_t) == 8, "the shard is picked from the top 8 bits of a 64-bit hash");
  static_assert(kShards == 256);

  // The top 8 bits: flat_hash_map places an entry by the low bits of the same hash, so entries of
  // one shard still spread over its table.
  static size_t ShardOf(std::string_view key) {
    return absl::Hash<absl::string_view>{}(shared_map_internal::AbslView(key)) >> 56;
  }

  const Shard* ShardAt(size_t index) const {
    return shards_.empty() ? nullptr : shards_[index].get();
  }

  // The shard to write, made uniquely ours first. use_count() == 1 means no other map holds the
  // shard, and none can get it but by copying this one, which may not run during a mutation. The
  // count is read relaxed: a copy released in another thread just before may be seen as still
  // holding it, which costs only a needless clone; the acquire fence orders that thread's last
  // reads of the shard (before its release decrement) before our writes.
  Shard& MutableShard(size_t index) {
    if (shards_.empty()) shards_.resize(kShards);
    ShardPtr& shard = shards_[index];
    if (shard == nullptr) {
      shard = std::make_shared<Shard>();
    } else if (shard.use_count() != 1) {
      shard = std::make_shared<Shard>(*shard);
    } else {
#if MESHGW_SHARED_MAP_TSAN
      // ThreadSanitizer does not model fences (GCC even warns); libstdc++'s reference increment is
      // an acq_rel read-modify-write of the same count, which it does model.
      ShardPtr(shard).reset();
#else
      std::atomic_thread_fence(std::memory_order_acquire);
#endif
    }
    return *shard;
  }

  // Empty until the first insertion, then kShards entries; a null entry is an empty shard.
  std::vector<ShardPtr> shards_;
  size_t size_ = 0;
};

}  // namespace meshgw

#endif  // MESHGW_COMMON_SHARED_MAP_H_
