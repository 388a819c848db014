// Metrics registry: counter and gauge families with fixed label names, incremented on the data
// path without locks or allocation, rendered as Prometheus text (exposition format 0.0.4) and as
// Envoy-like /stats text and JSON.
//
//   metrics::Registry registry(/*workers=*/2);            // 3 shards: one per worker + shared
//   metrics::CounterFamily& f =
//       registry.Counter("meshgw_downstream_cx_total", "Connections accepted", {"listener"});
//   metrics::Counter* c = f.Get({"mesh"});                 // config time: locks, may allocate
//   ...
//   metrics::SetThreadShard(0);                            // once, on worker 0's thread
//   c->Inc();                                              // data path: one relaxed atomic add
//   registry.RenderPrometheus();
//     # HELP meshgw_downstream_cx_total Connections accepted
//     # TYPE meshgw_downstream_cx_total counter
//     meshgw_downstream_cx_total{listener="mesh"} 1
//   registry.RenderStatsText();  // "listener.mesh.downstream_cx_total: 1\n"
//
// Each counter or gauge has one 8-byte slot per shard; the slots of a shard are contiguous and
// each shard's row starts on its own cache lines, so workers never write the same line. A scrape
// sums the shards. Threads that never called SetThreadShard (main, admin, xDS) share one extra
// shard; slots are atomic, so that sharing is exact too.
//
// A module declares its stats once with a list macro, expanded into a struct of pointers:
//
//   #define MESHGW_LISTENER_STATS(COUNTER, GAUGE)  (one entry per line, lines continued)
//     COUNTER(cx_total, "Downstream connections accepted")
//     GAUGE(cx_active, "Downstream connections open")
//   MESHGW_STATS_STRUCT(ListenerStats, MESHGW_LISTENER_STATS);
//   ListenerStats s = ListenerStats::Create(registry, "meshgw_listener_", {"listener"}, {"mesh"});
//   s.cx_total->Inc();   // meshgw_listener_cx_total{listener="mesh"}, /stats
//   listener.mesh.cx_total
//
// Names: a family's Prometheus name is what it is registered with; its /stats name is, for each
// label, "<label>.<value>." followed by the short name (the macro's entry name, else the
// Prometheus name without the "meshgw_" prefix).
//
// Misuse that is a programming error (an invalid metric or label name, one name registered with
// another type or other labels, Get() with the wrong number of values) aborts with a message
// naming the metric: names are constants of the code, not input.
//
// Thread-safety: everything is safe for concurrent use. Counter/Gauge updates never lock; Get(),
// registration, callbacks and rendering take internal mutexes. Counters and gauges live as long
// as the registry (a series is never removed, so a pointer held by a worker stays valid).
#ifndef MESHGW_COMMON_METRICS_H_
#define MESHGW_COMMON_METRICS_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "absl/types/span.h"

namespace meshgw::metrics {

namespace internal {
// The calling thread's shard row: 0 for threads that never set one, worker i + 1 otherwise.
// (Rows are laid out shared-first so that the default needs no registry.)
inline constinit thread_local uint32_t thread_row = 0;
// Slots per shard row in one chunk: 512 x 8 bytes = 4 KiB, a multiple of the cache line.
inline constexpr size_t kSlotsPerRow = 512;
}  // namespace internal

// SetThreadShard(i): the calling thread is worker i (0-based) from now on; its updates go to
// shard i. Call once when the worker thread starts. A worker index beyond a registry's worker
// count falls back to that registry's shared shard (still exact, just contended).
void SetThreadShard(uint32_t worker);
// Back to the shared shard (for thread pools that reuse threads).
void ClearThreadShard();

// A monotonically increasing count.
class Counter {
 public:
  void Inc() { Add(1); }
  void Add(uint64_t n) { Slot().fetch_add(n, std::memory_order_relaxed); }
  // The sum over shards (not a snapshot: concurrent adds may or may not be included).
  uint64_t Value() const;

 private:
  friend class CounterFamily;
  Counter(std::atomic<uint64_t>* row0, uint32_t rows) : row0_(row0), rows_(rows) {}
  std::atomic<uint64_t>& Slot() const {
    uint32_t row = internal::thread_row;
    if (row >= rows_) row = 0;
    return row0_[row * internal::kSlotsPerRow];
  }
  std::atomic<uint64_t>* const row0_;
  const uint32_t rows_;
};

// A value that goes up and down (signed). Add/Sub/Inc/Dec may come from any thread (a connection
// counted up on one worker and down on another still sums right). Set(v) makes the sum v at the
// time of the call; it is meant for gauges that one thread at a time sets.
class Gauge {
 public:
  void Inc() { Add(1); }
  void Dec() { Add(-1); }
  void Add(int64_t d) { Slot().fetch_add(static_cast<uint64_t>(d), std::memory_order_relaxed); }
  void Sub(int64_t d) { Add(-d); }
  void Set(int64_t v);
  int64_t Value() const;

 private:
  friend class GaugeFamily;
  Gauge(std::atomic<uint64_t>* row0, uint32_t rows) : row0_(row0), rows_(rows) {}
  std::atomic<uint64_t>& Slot() const {
    uint32_t row = internal::thread_row;
    if (row >= rows_) row = 0;
    return row0_[row * internal::kSlotsPerRow];
  }
  // Two's complement in unsigned slots: wrapping adds sum to the right signed value.
  std::atomic<uint64_t>* const row0_;
  const uint32_t rows_;
};

class Registry;

enum class MetricType { kCounter, kGauge };

// One rendered value of a series (counters and gauges are integers, callback gauges doubles).
struct SampleValue {
  enum class Kind { kUnsigned, kSigned, kDouble } kind;
  uint64_t u = 0;
  int64_t i = 0;
  double d = 0;
};

// What families have in common: name, help, label names, and the series' values for rendering.
class Family {
 public:
  virtual ~Family() = default;
  const std::string& name() const { return name_; }
  const std::string& help() const { return help_; }
  const std::string& short_name() const { return short_name_; }
  const std::vector<std::string>& label_names() const { return label_names_; }
  MetricType type() const { return type_; }

  // Calls `fn(label_values, value)` for each series, sorted by label values.
  virtual void ForEachSample(
      const std::function<void(const std::vector<std::string>&, const SampleValue&)>& fn) const = 0;

 protected:
  Family(Registry* registry, MetricType type, std::string name, std::string help,
         std::vector<std::string> label_names, std::string short_name);
  // Aborts unless `values` has one value per label name.
  void CheckArity(size_t values) const;

  Registry* const registry_;

 private:
  const MetricType type_;
  const std::string name_;
  const std::string help_;
  const std::vector<std::string> label_names_;
  const std::string short_name_;
};

class CounterFamily : public Family {
 public:
  // The counter for these label values (one per label name, in order), created at zero on first
  // use. The pointer stays valid as long as the registry.
  Counter* Get(absl::Span<const std::string_view> label_values);
  Counter* Get(std::initializer_list<std::string_view> label_values) {
    return Get(absl::MakeConstSpan(label_values.begin(), label_values.size()));
  }
  Counter* Get(const std::vector<std::string>& label_values);

  void ForEachSample(const std::function<void(const std::vector<std::string>&, const SampleValue&)>&
                         fn) const override;

 private:
  friend class Registry;
  using Family::Family;
  // Label values hashed as one sequence, whether held (a series' key) or looked up (a span of
  // views): Get finds an existing series without building a key.
  struct LabelsHash {
    using is_transparent = void;
    size_t operator()(absl::Span<const std::string_view> values) const;
    size_t operator()(const std::vector<std::string>* values) const;
  };
  struct LabelsEq {
    using is_transparent = void;
    bool operator()(const std::vector<std::string>* a, const std::vector<std::string>* b) const {
      return *a == *b;
    }
    bool operator()(const std::vector<std::string>* a, absl::Span<const std::string_view> b) const;
    bool operator()(absl::Span<const std::string_view> a, const std::vector<std::string>* b) const {
      return (*this)(b, a);
    }
  };

  mutable absl::Mutex mu_;
  // In label order, for the exposition; `index_` finds a series in one hash lookup (a gateway has
  // a few counters for each of 20,000 clusters, and a map lookup compared ~17 label vectors).
  std::map<std::vector<std::string>, std::unique_ptr<Counter>> series_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<const std::vector<std::string>*, Counter*, LabelsHash, LabelsEq> index_
      ABSL_GUARDED_BY(mu_);
};

class GaugeFamily : public Family {
 public:
  Gauge* Get(absl::Span<const std::string_view> label_values);
  Gauge* Get(std::initializer_list<std::string_view> label_values) {
    return Get(absl::MakeConstSpan(label_values.begin(), label_values.size()));
  }
  Gauge* Get(const std::vector<std::string>& label_values);

  // A series whose value `fn` computes at each scrape (snapshot version, seconds since the last
  // update). Replaces an earlier callback of the same label values. `fn` runs on the scraping
  // thread under this family's lock: it must be thread-safe and must not use this registry.
  void SetCallback(absl::Span<const std::string_view> label_values, std::function<double()> fn);
  void SetCallback(std::initializer_list<std::string_view> label_values,
                   std::function<double()> fn) {
    SetCallback(absl::MakeConstSpan(label_values.begin(), label_values.size()), std::move(fn));
  }
  // Removes a callback series (before what `fn` captured goes away). No-op if absent.
  void RemoveCallback(absl::Span<const std::string_view> label_values);
  void RemoveCallback(std::initializer_list<std::string_view> label_values) {
    RemoveCallback(absl::MakeConstSpan(label_values.begin(), label_values.size()));
  }

  void ForEachSample(const std::function<void(const std::vector<std::string>&, const SampleValue&)>&
                         fn) const override;

 private:
  friend class Registry;
  using Family::Family;
  mutable absl::Mutex mu_;
  std::map<std::vector<std::string>, std::unique_ptr<Gauge>> series_ ABSL_GUARDED_BY(mu_);
  std::map<std::vector<std::string>, std::function<double()>> callbacks_ ABSL_GUARDED_BY(mu_);
};

class Registry {
 public:
  // `workers` shards for the worker threads plus one shared shard, fixed for the registry's life.
  explicit Registry(uint32_t workers);
  ~Registry();
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // The family of this name, registered on first call. A later call with the same name must
  // give the same type and label names (it returns the same family). `short_name` is the last
  // part of the /stats name (default: `name` without "meshgw_").
  CounterFamily& Counter(std::string_view name, std::string_view help,
                         std::vector<std::string> label_names, std::string_view short_name = {});
  GaugeFamily& Gauge(std::string_view name, std::string_view help,
                     std::vector<std::string> label_names, std::string_view short_name = {});

  uint32_t shards() const { return rows_; }

  // Prometheus text exposition format 0.0.4: families sorted by name, each with HELP and TYPE,
  // series sorted by label values; families without series are left out.
  std::string RenderPrometheus() const;
  // Envoy-like "listener.mesh.cx_total: 12" lines sorted by name; only names containing
  // `filter` (all when empty).
  std::string RenderStatsText(std::string_view filter = {}) const;
  // {"stats":[{"name":"listener.mesh.cx_total","value":12},...]}, same order and filter.
  std::string RenderStatsJson(std::string_view filter = {}) const;

 private:
  friend class CounterFamily;
  friend class GaugeFamily;
  // A zeroed slot in every shard row; returns row 0's (the others follow at kSlotsPerRow
  // strides).
  std::atomic<uint64_t>* AllocateSlot();
  Family& Register(MetricType type, std::string_view name, std::string_view help,
                   std::vector<std::string> label_names, std::string_view short_name);
  struct Stat {
    std::string name;
    SampleValue value;
  };
  std::vector<Stat> CollectStats(std::string_view filter) const;
  std::vector<const Family*> SortedFamilies() const;

  const uint32_t rows_;
  mutable absl::Mutex families_mu_;
  std::map<std::string, std::unique_ptr<Family>, std::less<>> families_
      ABSL_GUARDED_BY(families_mu_);
  absl::Mutex slots_mu_;
  struct Chunk;
  std::vector<std::unique_ptr<Chunk>> chunks_ ABSL_GUARDED_BY(slots_mu_);
  size_t next_slot_ ABSL_GUARDED_BY(slots_mu_) = internal::kSlotsPerRow;  // chunk full: allocate
};

// Formats a value as Prometheus does: integers exactly, doubles shortest round-trip, NaN, +Inf,
// -Inf.
std::string FormatSampleValue(const SampleValue& value);

}  // namespace meshgw::metrics

// MESHGW_STATS_STRUCT(Name, LIST): a struct `Name` with one `Counter*`/`Gauge*` member per entry
// of LIST, and `static Name Create(registry, prefix, label_names, label_values)` registering each
// entry as family `<prefix><entry>` (short name `<entry>`) and taking its series for the values.
#define MESHGW_STATS_COUNTER_FIELD_(name, help) ::meshgw::metrics::Counter* name = nullptr;
#define MESHGW_STATS_GAUGE_FIELD_(name, help) ::meshgw::metrics::Gauge* name = nullptr;
#define MESHGW_STATS_COUNTER_INIT_(name, help) \
  stats.name =                                 \
      registry.Counter(std::string(prefix) + #name, help, label_names, #name).Get(label_values);
#define MESHGW_STATS_GAUGE_INIT_(name, help) \
  stats.name =                               \
      registry.Gauge(std::string(prefix) + #name, help, label_names, #name).Get(label_values);
#define MESHGW_STATS_STRUCT(Name, LIST)                                                \
  struct Name {                                                                        \
    LIST(MESHGW_STATS_COUNTER_FIELD_, MESHGW_STATS_GAUGE_FIELD_)                       \
    static Name Create(::meshgw::metrics::Registry& registry, std::string_view prefix, \
                       const std::vector<std::string>& label_names,                    \
                       ::absl::Span<const std::string_view> label_values) {            \
      Name stats;                                                                      \
      LIST(MESHGW_STATS_COUNTER_INIT_, MESHGW_STATS_GAUGE_INIT_)                       \
      return stats;                                                                    \
    }                                                                                  \
    static Name Create(::meshgw::metrics::Registry& registry, std::string_view prefix, \
                       const std::vector<std::string>& label_names,                    \
                       std::initializer_list<std::string_view> label_values) {         \
      return Create(registry, prefix, label_names,                                     \
                    ::absl::MakeConstSpan(label_values.begin(), label_values.size())); \
    }                                                                                  \
  }

#endif  // MESHGW_COMMON_METRICS_H_
