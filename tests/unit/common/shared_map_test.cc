#include "common/shared_map.h"

#include <algorithm>
#include <atomic>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace meshgw {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Pair;
using ::testing::UnorderedElementsAreArray;

std::string Key(int i) { return "cluster-" + std::to_string(i); }

SharedMap<int> Numbered(int n) {
  SharedMap<int> m;
  for (int i = 0; i < n; ++i) m.insert_or_assign(Key(i), i);
  return m;
}

// The differences ForEachDifference reports, as key -> (before, after); nullopt for absent.
using Diff = std::map<std::string, std::pair<std::optional<int>, std::optional<int>>>;

template <typename V>
Diff Differences(const SharedMap<V>& before, const SharedMap<V>& after) {
  Diff out;
  SharedMap<V>::ForEachDifference(
      before, after, [&](const std::string& key, const V* b, const V* a) {
        auto to_int = [](const V* v) -> std::optional<int> {
          if (v == nullptr) return std::nullopt;
          return static_cast<int>(*v);
        };
        const bool fresh = out.emplace(key, std::pair(to_int(b), to_int(a))).second;
        EXPECT_TRUE(fresh) << key << " reported twice";
      });
  return out;
}

// The keys whose entries are not at the same address in both maps, i.e. sit in shards that are not
// shared.
int UnsharedEntries(const SharedMap<int>& a, const SharedMap<int>& b, int n) {
  int unshared = 0;
  for (int i = 0; i < n; ++i) {
    if (a.Find(Key(i)) != b.Find(Key(i))) ++unshared;
  }
  return unshared;
}

TEST(SharedMapTest, FindInsertEraseAndSize) {
  SharedMap<int> m;
  EXPECT_TRUE(m.empty());
  EXPECT_EQ(m.Find("web"), nullptr);
  EXPECT_EQ(m.find("web"), m.end());
  EXPECT_EQ(m.erase("web"), 0u);

  EXPECT_TRUE(m.insert_or_assign("web", 1));
  EXPECT_TRUE(m.emplace("api", 2));
  EXPECT_EQ(m.size(), 2u);
  EXPECT_FALSE(m.empty());
  ASSERT_NE(m.Find("web"), nullptr);
  EXPECT_EQ(*m.Find("web"), 1);
  EXPECT_EQ(m.at("api"), 2);
  EXPECT_TRUE(m.contains("api"));
  EXPECT_EQ(m.count("api"), 1u);
  EXPECT_EQ(m.count("db"), 0u);
  auto it = m.find("api");
  ASSERT_NE(it, m.end());
  EXPECT_EQ(it->first, "api");
  EXPECT_EQ((*it).second, 2);

  EXPECT_FALSE(m.insert_or_assign("web", 10));  // overwrites
  EXPECT_EQ(m.at("web"), 10);
  EXPECT_FALSE(m.emplace("web", 20));  // does not
  EXPECT_EQ(m.at("web"), 10);
  EXPECT_EQ(m.size(), 2u);

  EXPECT_EQ(m["db"], 0);  // inserted as V{}
  EXPECT_EQ(m.size(), 3u);
  m["db"] = 3;
  m["web"] += 1;
  EXPECT_EQ(m.at("db"), 3);
  EXPECT_EQ(m.at("web"), 11);
  EXPECT_EQ(m.size(), 3u);

  EXPECT_EQ(m.erase("web"), 1u);
  EXPECT_EQ(m.erase("web"), 0u);
  EXPECT_EQ(m.Find("web"), nullptr);
  EXPECT_EQ(m.size(), 2u);

  m.clear();
  EXPECT_TRUE(m.empty());
  EXPECT_EQ(m.begin(), m.end());
  EXPECT_EQ(m.Find("api"), nullptr);
  EXPECT_TRUE(m.insert_or_assign("api", 4));
  EXPECT_EQ(m.size(), 1u);
}

TEST(SharedMapTest, InitializerListKeepsTheFirstOfDuplicates) {
  SharedMap<int> m = {{"a", 1}, {"b", 2}, {"a", 3}};
  EXPECT_EQ(m.size(), 2u);
  EXPECT_EQ(m.at("a"), 1);
  EXPECT_EQ(m.at("b"), 2);
}

TEST(SharedMapTest, MoveLeavesTheSourceEmpty) {
  SharedMap<int> a = Numbered(100);
  SharedMap<int> b = std::move(a);
  EXPECT_EQ(b.size(), 100u);
  EXPECT_EQ(b.at(Key(7)), 7);
  EXPECT_TRUE(a.empty());  // NOLINT(bugprone-use-after-move): the documented state
  EXPECT_EQ(a.begin(), a.end());
  EXPECT_EQ(a.Find(Key(7)), nullptr);

  SharedMap<int> c;
  c = std::move(b);
  EXPECT_EQ(c.size(), 100u);
  EXPECT_TRUE(b.empty());      // NOLINT(bugprone-use-after-move)
  a.insert_or_assign("x", 1);  // a moved-from map is usable
  EXPECT_EQ(a.size(), 1u);
}

TEST(SharedMapTest, AtOfAbsentKeyAborts) {
  SharedMap<int> m = {{"web", 1}};
  EXPECT_DEATH(m.at("nope"), "absent key \"nope\"");
}

TEST(SharedMapTest, IterationVisitsEveryEntryOnce) {
  constexpr int kN = 5000;
  SharedMap<int> m = Numbered(kN);
  // Empty some shards (they are kept, empty) and leave holes in others.
  for (int i = 0; i < kN; ++i) {
    if (i % 7 != 0) m.erase(Key(i));
  }
  std::map<std::string, int> seen;
  size_t visited = 0;
  for (const auto& [key, value] : m) {
    ++seen[key];
    EXPECT_EQ(key, Key(value));
    ++visited;
  }
  EXPECT_EQ(visited, m.size());
  EXPECT_EQ(seen.size(), m.size());
  for (int i = 0; i < kN; i += 7) EXPECT_EQ(seen[Key(i)], 1) << Key(i);
  EXPECT_EQ(seen.size(), static_cast<size_t>((kN + 6) / 7));

  // Post-increment and std algorithms.
  size_t counted = 0;
  for (auto it = m.begin(); it != m.end(); it++) ++counted;
  EXPECT_EQ(counted, m.size());
  EXPECT_EQ(static_cast<size_t>(std::distance(m.begin(), m.end())), m.size());
}

TEST(SharedMapTest, CopySharesShardsAndMutationsStayInTheirCopy) {
  constexpr int kN = 10000;
  const SharedMap<int> original = Numbered(kN);
  SharedMap<int> copy = original;
  EXPECT_TRUE(copy.SameShards(original));
  EXPECT_EQ(UnsharedEntries(original, copy, kN), 0);  // same entries, not equal ones

  copy.insert_or_assign(Key(1), -1);
  EXPECT_FALSE(copy.SameShards(original));
  EXPECT_EQ(original.at(Key(1)), 1);
  EXPECT_EQ(copy.at(Key(1)), -1);
  // Only the touched shard was cloned: ~kN/256 = 39 entries, not kN.
  const int unshared = UnsharedEntries(original, copy, kN);
  EXPECT_GT(unshared, 0);
  EXPECT_LT(unshared, 120);

  copy.erase(Key(2));
  copy["new"] = 5;
  EXPECT_EQ(original.size(), static_cast<size_t>(kN));
  EXPECT_EQ(original.at(Key(2)), 2);
  EXPECT_FALSE(original.contains("new"));
  EXPECT_EQ(copy.size(), static_cast<size_t>(kN));
  EXPECT_FALSE(copy.contains(Key(2)));

  // And the other way round: the original's changes stay out of the copy.
  SharedMap<int> base = Numbered(kN);
  SharedMap<int> later = base;
  base.insert_or_assign(Key(3), -3);
  base.erase(Key(4));
  base.clear();
  EXPECT_EQ(later.size(), static_cast<size_t>(kN));
  EXPECT_EQ(later.at(Key(3)), 3);
  EXPECT_EQ(later.at(Key(4)), 4);
}

TEST(SharedMapTest, UnchangingMutationsCloneNothing) {
  const SharedMap<int> original = Numbered(1000);
  SharedMap<int> copy = original;
  EXPECT_EQ(copy.erase("absent"), 0u);
  EXPECT_EQ(copy.erase(Key(5) + "x"), 0u);
  EXPECT_FALSE(copy.emplace(Key(5), 50));
  EXPECT_TRUE(copy.SameShards(original));
  EXPECT_EQ(UnsharedEntries(original, copy, 1000), 0);
  EXPECT_EQ(copy.at(Key(5)), 5);
}

TEST(SharedMapTest, ForEachDifferenceReportsExactlyTheChanges) {
  constexpr int kN = 10000;
  const SharedMap<int> before = Numbered(kN);
  SharedMap<int> after = before;
  EXPECT_THAT(Differences(before, after), IsEmpty());

  after.insert_or_assign(Key(10), 1010);
  after[Key(20)] = 2020;
  after.erase(Key(30));
  after.erase(Key(31));
  after.insert_or_assign("added-1", 1);
  after.emplace("added-2", 2);
  after.insert_or_assign(Key(40), 40);  // same value: a cloned shard, but no difference
  after.insert_or_assign(Key(50), 0);
  after.insert_or_assign(Key(50), 50);  // changed and changed back
  Diff expected = {
      {Key(10), {10, 1010}},         {Key(20), {20, 2020}},          {Key(30), {30, std::nullopt}},
      {Key(31), {31, std::nullopt}}, {"added-1", {std::nullopt, 1}}, {"added-2", {std::nullopt, 2}},
  };
  EXPECT_EQ(Differences(before, after), expected);

  // Reversed, additions and removals swap.
  Diff reversed;
  for (const auto& [key, change] : expected) reversed[key] = {change.second, change.first};
  EXPECT_EQ(Differences(after, before), reversed);

  // Against an empty map, everything is added or removed.
  const SharedMap<int> empty;
  const Diff all_added = Differences(empty, before);
  EXPECT_EQ(all_added.size(), static_cast<size_t>(kN));
  EXPECT_EQ(all_added.at(Key(9999)), std::pair(std::optional<int>(), std::optional<int>(9999)));
  EXPECT_EQ(Differences(before, empty).size(), static_cast<size_t>(kN));
  EXPECT_THAT(Differences(empty, SharedMap<int>()), IsEmpty());

  // Copies report nothing, whatever their history.
  SharedMap<int> copy_of_after = after;
  EXPECT_THAT(Differences(after, copy_of_after), IsEmpty());
}

// Counts the comparisons ForEachDifference makes, to show that it skips shared shards.
struct Compared {
  int value = 0;
  static inline int comparisons = 0;
  friend bool operator==(const Compared& a, const Compared& b) {
    ++comparisons;
    return a.value == b.value;
  }
  explicit operator int() const { return value; }
};

TEST(SharedMapTest, ForEachDifferenceLooksOnlyAtShardsThatAreNotShared) {
  constexpr int kN = 10000;
  SharedMap<Compared> before;
  for (int i = 0; i < kN; ++i) before.insert_or_assign(Key(i), Compared{i});
  SharedMap<Compared> after = before;
  after.insert_or_assign(Key(1), Compared{-1});

  Compared::comparisons = 0;
  const Diff diff = Differences(before, after);
  EXPECT_EQ(diff, (Diff{{Key(1), {1, -1}}}));
  // The entries of one shard (~39), not kN.
  EXPECT_GT(Compared::comparisons, 0);
  EXPECT_LT(Compared::comparisons, 120);

  Compared::comparisons = 0;
  EXPECT_THAT(Differences(before, SharedMap<Compared>(before)), IsEmpty());
  EXPECT_EQ(Compared::comparisons, 0);
}

TEST(SharedMapTest, ForEachDifferenceComparesSharedPtrValuesByIdentity) {
  using Config = std::shared_ptr<const std::string>;
  const Config web = std::make_shared<const std::string>("web v1");
  const SharedMap<Config> before = {{"web", web}, {"api", std::make_shared<std::string>("api")}};
  SharedMap<Config> after = before;

  after.insert_or_assign("web", web);  // same pointer: no difference
  int calls = 0;
  SharedMap<Config>::ForEachDifference(
      before, after, [&](const std::string&, const Config*, const Config*) { ++calls; });
  EXPECT_EQ(calls, 0);

  const Config web_again = std::make_shared<const std::string>("web v1");  // equal content
  after.insert_or_assign("web", web_again);
  std::vector<std::tuple<std::string, const std::string*, const std::string*>> seen;
  SharedMap<Config>::ForEachDifference(
      before, after, [&](const std::string& key, const Config* b, const Config* a) {
        seen.emplace_back(key, b == nullptr ? nullptr : b->get(),
                          a == nullptr ? nullptr : a->get());
      });
  EXPECT_THAT(seen, ElementsAre(std::tuple(std::string("web"), web.get(), web_again.get())));
}

TEST(SharedMapTest, SortedIsInKeyOrder) {
  SharedMap<int> m;
  const std::vector<std::string> keys = {"mango", "apple", "zebra", "kiwi", "b", "a", "aa", ""};
  for (size_t i = 0; i < keys.size(); ++i) m.insert_or_assign(keys[i], static_cast<int>(i));
  std::vector<std::string> sorted_keys;
  for (const auto* entry : m.Sorted()) {
    sorted_keys.push_back(entry->first);
    EXPECT_EQ(entry, &*m.find(entry->first));  // points at the entry itself
  }
  EXPECT_THAT(sorted_keys, ElementsAre("", "a", "aa", "apple", "b", "kiwi", "mango", "zebra"));

  const SharedMap<int> big = Numbered(3000);
  const auto sorted = big.Sorted();
  ASSERT_EQ(sorted.size(), 3000u);
  EXPECT_TRUE(std::is_sorted(sorted.begin(), sorted.end(),
                             [](const auto* a, const auto* b) { return a->first < b->first; }));
  EXPECT_TRUE(std::adjacent_find(sorted.begin(), sorted.end(), [](const auto* a, const auto* b) {
                return a->first == b->first;
              }) == sorted.end());
  EXPECT_THAT(SharedMap<int>().Sorted(), IsEmpty());
  const SharedMap<int> one = {{"x", 1}};
  EXPECT_THAT(one.Sorted(), ElementsAre(testing::Pointee(Pair("x", 1))));
}

// A copy is mutated in another thread while this thread reads the original and then drops it,
// so that the writer first clones the shards it touches and then, once the original is gone, may
// find them unshared and write them in place. The values read check the copy-on-write; a
// -fsanitize=thread build of this test (clean when last tried) checks the ordering of that
// hand-off.
TEST(SharedMapTest, CopyMutatedInAnotherThreadWhileTheOriginalIsRead) {
  constexpr int kN = 2000;
  SharedMap<int> original = Numbered(kN);
  SharedMap<int> copy = original;
  std::atomic<bool> writer_started{false};
  std::atomic<bool> writer_done{false};

  std::map<std::string, int> writer_model;
  std::thread writer([&copy, &writer_model, &writer_started, &writer_done] {
    for (int i = 0; i < kN; ++i) writer_model[Key(i)] = i;
    writer_started.store(true);
    // One key at a time, so that the shards are cloned (or not) gradually during the reads.
    for (int round = 1; round <= 5; ++round) {
      for (int i = 0; i < kN; ++i) {
        if (i % 50 == round) {
          copy.erase(Key(i));
          writer_model.erase(Key(i));
        } else {
          copy.insert_or_assign(Key(i), i + round * kN);
          writer_model[Key(i)] = i + round * kN;
        }
      }
      copy["round-" + std::to_string(round)] = round;
      writer_model["round-" + std::to_string(round)] = round;
      // A snapshot taken mid-way is unaffected by the writes after it.
      if (round == 3) {
        const SharedMap<int> snapshot = copy;
        const std::map<std::string, int> snapshot_model = writer_model;
        copy.insert_or_assign(Key(0), -1);
        writer_model[Key(0)] = -1;
        copy.erase(Key(2));
        writer_model.erase(Key(2));
        EXPECT_EQ(snapshot.size(), snapshot_model.size());
        for (const auto& [key, value] : snapshot_model) EXPECT_EQ(snapshot.at(key), value) << key;
      }
    }
    writer_done.store(true);
  });

  while (!writer_started.load()) std::this_thread::yield();
  // A few passes, then the original is dropped while the writer is (most likely) still writing.
  bool consistent = true;
  for (int pass = 0; pass < 3; ++pass) {
    size_t visited = 0;
    for (const auto& [key, value] : original) {
      consistent &= key == Key(value);
      ++visited;
    }
    consistent &= visited == static_cast<size_t>(kN) && original.size() == static_cast<size_t>(kN);
    for (int i = 0; i < kN; i += 13) {
      const int* v = original.Find(Key(i));
      consistent &= v != nullptr && *v == i;
    }
  }
  EXPECT_TRUE(consistent);
  original = SharedMap<int>();
  writer.join();
  EXPECT_TRUE(writer_done.load());

  EXPECT_EQ(copy.size(), writer_model.size());
  for (const auto& [key, value] : writer_model) EXPECT_EQ(copy.at(key), value) << key;
  size_t visited = 0;
  for (const auto& [key, value] : copy) {
    ++visited;
    EXPECT_EQ(writer_model.at(key), value) << key;
  }
  EXPECT_EQ(visited, writer_model.size());
}

// Distinct copies mutated concurrently, each in its own thread, from one shared base.
TEST(SharedMapTest, CopiesMutatedConcurrentlyStayIndependent) {
  constexpr int kN = 2000;
  constexpr int kThreads = 4;
  const SharedMap<int> base = Numbered(kN);
  std::vector<SharedMap<int>> copies(kThreads, base);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&copies, t] {
      SharedMap<int>& m = copies[t];
      for (int i = t; i < kN; i += 2) m.insert_or_assign(Key(i), -t - 1);
      SharedMap<int> local = m;  // a further copy taken and dropped in this thread
      local.erase(Key(t));
    });
  }
  for (std::thread& th : threads) th.join();

  for (int i = 0; i < kN; ++i) ASSERT_EQ(base.at(Key(i)), i);
  for (int t = 0; t < kThreads; ++t) {
    ASSERT_EQ(copies[t].size(), static_cast<size_t>(kN));
    for (int i = 0; i < kN; ++i) {
      const int expected = (i >= t && (i - t) % 2 == 0) ? -t - 1 : i;
      ASSERT_EQ(copies[t].at(Key(i)), expected) << "copy " << t << " " << Key(i);
    }
  }
}

}  // namespace
}  // namespace meshgw
