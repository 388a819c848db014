#include "common/metrics.h"

#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <new>

#include "absl/strings/match.h"
#include "absl/strings/str_join.h"
#include "common/log.h"

namespace meshgw::metrics {
namespace {

// This absl (Debian's) has its own string_view type; views cross over through this.
absl::string_view AV(std::string_view s) { return absl::string_view(s.data(), s.size()); }

// A broken invariant of the calling code (metric names are constants): say which and stop.
[[noreturn]] void Fatal(std::string_view what) {
  const std::string line = absl::StrCat("meshgw metrics: ", AV(what), "\n");
  (void)!write(STDERR_FILENO, line.data(), line.size());
  std::abort();
}

bool IsMetricName(std::string_view s) {
  if (s.empty()) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' ||
                    (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

bool IsLabelName(std::string_view s) {
  if (s.empty() || absl::StartsWith(AV(s), "__")) return false;  // "__" is Prometheus' own
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
                    (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

// HELP text escapes backslash and newline; label values also the double quote.
void AppendEscaped(std::string& out, std::string_view s, bool quote) {
  for (char c : s) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (quote && c == '"') {
      out += "\\\"";
    } else {
      out += c;
    }
  }
}

// "<label>.<value>." per label, then the short name. Control characters in values become '_' so
// that one stat stays one line of /stats.
std::string StatsName(const Family& family, const std::vector<std::string>& values) {
  std::string name;
  for (size_t i = 0; i < values.size(); ++i) {
    absl::StrAppend(&name, family.label_names()[i], ".", values[i], ".");
  }
  for (char& c : name) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '_';
  }
  name += family.short_name();
  return name;
}

std::vector<std::string> ToStrings(absl::Span<const std::string_view> values) {
  return std::vector<std::string>(values.begin(), values.end());
}

}  // namespace

void SetThreadShard(uint32_t worker) { internal::thread_row = worker + 1; }
void ClearThreadShard() { internal::thread_row = 0; }

uint64_t Counter::Value() const {
  uint64_t sum = 0;
  for (uint32_t r = 0; r < rows_; ++r) {
    sum += row0_[r * internal::kSlotsPerRow].load(std::memory_order_relaxed);
  }
  return sum;
}

int64_t Gauge::Value() const {
  uint64_t sum = 0;
  for (uint32_t r = 0; r < rows_; ++r) {
    sum += row0_[r * internal::kSlotsPerRow].load(std::memory_order_relaxed);
  }
  return static_cast<int64_t>(sum);
}

void Gauge::Set(int64_t v) {
  // Our slot takes whatever makes the sum v, so the other shards' adds are kept.
  std::atomic<uint64_t>& mine = Slot();
  uint64_t others = 0;
  for (uint32_t r = 0; r < rows_; ++r) {
    std::atomic<uint64_t>& slot = row0_[r * internal::kSlotsPerRow];
    if (&slot != &mine) others += slot.load(std::memory_order_relaxed);
  }
  mine.store(static_cast<uint64_t>(v) - others, std::memory_order_relaxed);
}

std::string FormatSampleValue(const SampleValue& v) {
  switch (v.kind) {
    case SampleValue::Kind::kUnsigned:
      return absl::StrCat(v.u);
    case SampleValue::Kind::kSigned:
      return absl::StrCat(v.i);
    case SampleValue::Kind::kDouble:
      break;
  }
  if (std::isnan(v.d)) return "NaN";
  if (std::isinf(v.d)) return v.d > 0 ? "+Inf" : "-Inf";
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v.d);
  return std::string(buf, ec == std::errc() ? end - buf : 0);
}

// Family ----------------------------------------------------------------------------------------

Family::Family(Registry* registry, MetricType type, std::string name, std::string help,
               std::vector<std::string> label_names, std::string short_name)
    : registry_(registry),
      type_(type),
      name_(std::move(name)),
      help_(std::move(help)),
      label_names_(std::move(label_names)),
      short_name_(std::move(short_name)) {}

void Family::CheckArity(size_t values) const {
  if (values != label_names_.size()) {
    Fatal(absl::StrCat(name_, ": ", values, " label values for ", label_names_.size(),
                       " label names (", absl::StrJoin(label_names_, ", "), ")"));
  }
}

size_t CounterFamily::LabelsHash::operator()(absl::Span<const std::string_view> values) const {
  size_t h = values.size();
  for (std::string_view v : values) h = absl::HashOf(h, absl::string_view(v.data(), v.size()));
  return h;
}

size_t CounterFamily::LabelsHash::operator()(const std::vector<std::string>* values) const {
  size_t h = values->size();
  for (const std::string& v : *values) h = absl::HashOf(h, absl::string_view(v));
  return h;
}

bool CounterFamily::LabelsEq::operator()(const std::vector<std::string>* a,
                                         absl::Span<const std::string_view> b) const {
  if (a->size() != b.size()) return false;
  for (size_t i = 0; i < b.size(); ++i) {
    if ((*a)[i] != b[i]) return false;
  }
  return true;
}

Counter* CounterFamily::Get(absl::Span<const std::string_view> label_values) {
  CheckArity(label_values.size());
  absl::MutexLock lock(&mu_);
  if (auto it = index_.find(label_values); it != index_.end()) return it->second;
  auto [it, inserted] = series_.emplace(ToStrings(label_values), nullptr);
  it->second.reset(new Counter(registry_->AllocateSlot(), registry_->shards()));
  index_.emplace(&it->first, it->second.get());
  return it->second.get();
}

Counter* CounterFamily::Get(const std::vector<std::string>& label_values) {
  std::vector<std::string_view> views(label_values.begin(), label_values.end());
  return Get(absl::MakeConstSpan(views));
}

void CounterFamily::ForEachSample(
    const std::function<void(const std::vector<std::string>&, const SampleValue&)>& fn) const {
  absl::MutexLock lock(&mu_);
  for (const auto& [labels, counter] : series_) {
    fn(labels, SampleValue{.kind = SampleValue::Kind::kUnsigned, .u = counter->Value()});
  }
}

Gauge* GaugeFamily::Get(absl::Span<const std::string_view> label_values) {
  CheckArity(label_values.size());
  std::vector<std::string> key = ToStrings(label_values);
  absl::MutexLock lock(&mu_);
  if (callbacks_.contains(key)) {
    Fatal(absl::StrCat(name(), ": series {", absl::StrJoin(key, ", "),
                       "} is a callback gauge, not a set/add one"));
  }
  std::unique_ptr<Gauge>& g = series_[std::move(key)];
  if (!g) g.reset(new Gauge(registry_->AllocateSlot(), registry_->shards()));
  return g.get();
}

Gauge* GaugeFamily::Get(const std::vector<std::string>& label_values) {
  std::vector<std::string_view> views(label_values.begin(), label_values.end());
  return Get(absl::MakeConstSpan(views));
}

void GaugeFamily::SetCallback(absl::Span<const std::string_view> label_values,
                              std::function<double()> fn) {
  CheckArity(label_values.size());
  std::vector<std::string> key = ToStrings(label_values);
  absl::MutexLock lock(&mu_);
  if (series_.contains(key)) {
    Fatal(absl::StrCat(name(), ": series {", absl::StrJoin(key, ", "),
                       "} is a set/add gauge, not a callback one"));
  }
  callbacks_[std::move(key)] = std::move(fn);
}

void GaugeFamily::RemoveCallback(absl::Span<const std::string_view> label_values) {
  CheckArity(label_values.size());
  absl::MutexLock lock(&mu_);
  callbacks_.erase(ToStrings(label_values));
}

void GaugeFamily::ForEachSample(
    const std::function<void(const std::vector<std::string>&, const SampleValue&)>& fn) const {
  absl::MutexLock lock(&mu_);
  // Merge the two sorted maps so that the output stays sorted by label values.
  auto s = series_.begin();
  auto c = callbacks_.begin();
  while (s != series_.end() || c != callbacks_.end()) {
    if (c == callbacks_.end() || (s != series_.end() && s->first < c->first)) {
      fn(s->first, SampleValue{.kind = SampleValue::Kind::kSigned, .i = s->second->Value()});
      ++s;
    } else {
      fn(c->first, SampleValue{.kind = SampleValue::Kind::kDouble, .d = c->second()});
      ++c;
    }
  }
}

// Registry --------------------------------------------------------------------------------------

// `rows` rows of kSlotsPerRow slots, 64-byte aligned, so that each row begins on its own cache
// line and a row (a shard) is written by one worker only.
struct Registry::Chunk {
  explicit Chunk(uint32_t rows) : size(size_t{rows} * internal::kSlotsPerRow) {
    void* mem = ::operator new[](size * sizeof(std::atomic<uint64_t>), std::align_val_t{64});
    slots = static_cast<std::atomic<uint64_t>*>(mem);
    for (size_t i = 0; i < size; ++i) new (&slots[i]) std::atomic<uint64_t>(0);
  }
  ~Chunk() { ::operator delete[](slots, std::align_val_t{64}); }
  const size_t size;
  std::atomic<uint64_t>* slots;
};

Registry::Registry(uint32_t workers) : rows_(workers + 1) {}
Registry::~Registry() = default;

std::atomic<uint64_t>* Registry::AllocateSlot() {
  absl::MutexLock lock(&slots_mu_);
  if (next_slot_ == internal::kSlotsPerRow) {
    chunks_.push_back(std::make_unique<Chunk>(rows_));
    next_slot_ = 0;
  }
  return &chunks_.back()->slots[next_slot_++];
}

Family& Registry::Register(MetricType type, std::string_view name, std::string_view help,
                           std::vector<std::string> label_names, std::string_view short_name) {
  if (!IsMetricName(name)) {
    Fatal(absl::StrCat("\"", AV(name), "\" is not a valid metric name ([a-zA-Z_:][a-zA-Z0-9_:]*)"));
  }
  for (size_t i = 0; i < label_names.size(); ++i) {
    if (!IsLabelName(label_names[i])) {
      Fatal(absl::StrCat(AV(name), ": \"", label_names[i], "\" is not a valid label name"));
    }
    for (size_t j = 0; j < i; ++j) {
      if (label_names[i] == label_names[j]) {
        Fatal(absl::StrCat(AV(name), ": label \"", label_names[i], "\" given twice"));
      }
    }
  }
  absl::MutexLock lock(&families_mu_);
  auto it = families_.find(name);
  if (it != families_.end()) {
    const Family& f = *it->second;
    if (f.type() != type || f.label_names() != label_names) {
      Fatal(absl::StrCat(AV(name), ": registered again with another type or other labels"));
    }
    return *it->second;
  }
  std::string short_str(short_name);
  if (short_str.empty()) {
    short_str = std::string(absl::StartsWith(AV(name), "meshgw_") ? name.substr(7) : name);
  }
  std::unique_ptr<Family> family;
  if (type == MetricType::kCounter) {
    family.reset(new CounterFamily(this, type, std::string(name), std::string(help),
                                   std::move(label_names), std::move(short_str)));
  } else {
    family.reset(new GaugeFamily(this, type, std::string(name), std::string(help),
                                 std::move(label_names), std::move(short_str)));
  }
  Family& ref = *family;
  families_.emplace(std::string(name), std::move(family));
  return ref;
}

CounterFamily& Registry::Counter(std::string_view name, std::string_view help,
                                 std::vector<std::string> label_names,
                                 std::string_view short_name) {
  return static_cast<CounterFamily&>(
      Register(MetricType::kCounter, name, help, std::move(label_names), short_name));
}

GaugeFamily& Registry::Gauge(std::string_view name, std::string_view help,
                             std::vector<std::string> label_names, std::string_view short_name) {
  return static_cast<GaugeFamily&>(
      Register(MetricType::kGauge, name, help, std::move(label_names), short_name));
}

std::vector<const Family*> Registry::SortedFamilies() const {
  // Families are never removed, so the pointers outlive the lock.
  absl::MutexLock lock(&families_mu_);
  std::vector<const Family*> out;
  out.reserve(families_.size());
  for (const auto& [name, family] : families_) out.push_back(family.get());
  return out;
}

std::string Registry::RenderPrometheus() const {
  std::string out;
  for (const Family* f : SortedFamilies()) {
    std::string samples;
    f->ForEachSample([&](const std::vector<std::string>& values, const SampleValue& v) {
      samples += f->name();
      if (!values.empty()) {
        samples += '{';
        for (size_t i = 0; i < values.size(); ++i) {
          if (i > 0) samples += ',';
          absl::StrAppend(&samples, f->label_names()[i], "=\"");
          AppendEscaped(samples, values[i], /*quote=*/true);
          samples += '"';
        }
        samples += '}';
      }
      absl::StrAppend(&samples, " ", FormatSampleValue(v), "\n");
    });
    if (samples.empty()) continue;
    absl::StrAppend(&out, "# HELP ", f->name(), " ");
    AppendEscaped(out, f->help(), /*quote=*/false);
    absl::StrAppend(&out, "\n# TYPE ", f->name(), " ",
                    f->type() == MetricType::kCounter ? "counter" : "gauge", "\n", samples);
  }
  return out;
}

std::vector<Registry::Stat> Registry::CollectStats(std::string_view filter) const {
  std::vector<Stat> stats;
  for (const Family* f : SortedFamilies()) {
    f->ForEachSample([&](const std::vector<std::string>& values, const SampleValue& v) {
      std::string name = StatsName(*f, values);
      if (filter.empty() || absl::StrContains(name, AV(filter))) {
        stats.push_back(Stat{std::move(name), v});
      }
    });
  }
  std::sort(stats.begin(), stats.end(),
            [](const Stat& a, const Stat& b) { return a.name < b.name; });
  return stats;
}

std::string Registry::RenderStatsText(std::string_view filter) const {
  std::string out;
  for (const Stat& s : CollectStats(filter)) {
    absl::StrAppend(&out, s.name, ": ", FormatSampleValue(s.value), "\n");
  }
  return out;
}

std::string Registry::RenderStatsJson(std::string_view filter) const {
  std::string out = "{\"stats\":[";
  bool first = true;
  for (const Stat& s : CollectStats(filter)) {
    if (!first) out += ',';
    first = false;
    out += "{\"name\":";
    AppendJsonString(out, s.name);
    out += ",\"value\":";
    // JSON has no NaN or infinities: those go as strings.
    const std::string value = FormatSampleValue(s.value);
    if (s.value.kind == SampleValue::Kind::kDouble && !std::isfinite(s.value.d)) {
      AppendJsonString(out, value);
    } else {
      out += value;
    }
    out += '}';
  }
  out += "]}";
  return out;
}

}  // namespace meshgw::metrics
