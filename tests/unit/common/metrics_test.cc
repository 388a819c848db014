#include "common/metrics.h"

#include <cmath>
#include <limits>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "tests/unit/gateway/testing/count_allocations.h"

namespace meshgw::metrics {
namespace {

// Resets the calling thread's shard when a test that set it ends.
struct ShardScope {
  explicit ShardScope(uint32_t worker) { SetThreadShard(worker); }
  ~ShardScope() { ClearThreadShard(); }
};

TEST(Counter, TwoWorkersAndTheSharedShardSumExactly) {
  Registry registry(/*workers=*/2);
  EXPECT_EQ(registry.shards(), 3u);
  Counter* c = registry.Counter("meshgw_downstream_cx_total", "h", {"listener"}).Get({"mesh"});
  constexpr uint64_t kPerThread = 1'000'000;
  std::vector<std::thread> workers;
  for (uint32_t w = 0; w < 2; ++w) {
    workers.emplace_back([c, w] {
      ShardScope shard(w);
      for (uint64_t i = 0; i < kPerThread; ++i) c->Inc();
    });
  }
  c->Add(5);  // this thread: the shared shard
  for (auto& t : workers) t.join();
  EXPECT_EQ(c->Value(), 2 * kPerThread + 5);
}

TEST(Counter, ThreadsSharingAShardStillCountExactly) {
  Registry registry(/*workers=*/1);
  Counter* c = registry.Counter("meshgw_x_total", "h", {}).Get({});
  constexpr uint64_t kPerThread = 500'000;
  // Three threads on the shared shard, and a worker index beyond the registry's count, which
  // falls back to the shared shard too.
  std::vector<std::thread> threads;
  for (int t = 0; t < 3; ++t) {
    threads.emplace_back([c] {
      for (uint64_t i = 0; i < kPerThread; ++i) c->Inc();
    });
  }
  threads.emplace_back([c] {
    ShardScope shard(7);
    for (uint64_t i = 0; i < kPerThread; ++i) c->Inc();
  });
  for (auto& t : threads) t.join();
  EXPECT_EQ(c->Value(), 4 * kPerThread);
}

TEST(Counter, GetReturnsTheSameSeriesAndFamily) {
  Registry registry(2);
  CounterFamily& f = registry.Counter("meshgw_a_total", "h", {"listener"});
  EXPECT_EQ(&registry.Counter("meshgw_a_total", "other help", {"listener"}), &f);
  Counter* a = f.Get({"mesh"});
  EXPECT_EQ(f.Get({"mesh"}), a);
  EXPECT_NE(f.Get({"egress"}), a);
  EXPECT_EQ(f.Get(std::vector<std::string>{"mesh"}), a);
}

TEST(Counter, IncrementAllocatesNothing) {
  Registry registry(2);
  Counter* c = registry.Counter("meshgw_a_total", "h", {"l"}).Get({"v"});
  Gauge* g = registry.Gauge("meshgw_g", "h", {"l"}).Get({"v"});
  ShardScope shard(1);
  const long before = allocations.load();
  for (int i = 0; i < 1000; ++i) {
    c->Inc();
    c->Add(2);
    g->Inc();
    g->Dec();
    g->Add(3);
  }
  EXPECT_EQ(allocations.load(), before);
  EXPECT_EQ(c->Value(), 3000u);
  EXPECT_EQ(g->Value(), 3000);
}

TEST(Counter, ManySeriesSpanSeveralChunks) {
  Registry registry(2);
  CounterFamily& f = registry.Counter("meshgw_c_total", "h", {"cluster"});
  std::vector<Counter*> counters;
  for (int i = 0; i < 1500; ++i) counters.push_back(f.Get({std::to_string(i)}));
  {
    ShardScope shard(0);
    for (int i = 0; i < 1500; ++i) counters[i]->Add(i);
  }
  {
    ShardScope shard(1);
    for (int i = 0; i < 1500; ++i) counters[i]->Add(1);
  }
  for (int i = 0; i < 1500; ++i) ASSERT_EQ(counters[i]->Value(), uint64_t(i) + 1) << i;
}

TEST(Gauge, UpOnOneWorkerDownOnAnotherAndSet) {
  Registry registry(2);
  Gauge* g = registry.Gauge("meshgw_downstream_cx_active", "h", {"listener"}).Get({"mesh"});
  std::thread up([g] {
    ShardScope shard(0);
    for (int i = 0; i < 100000; ++i) g->Inc();
  });
  std::thread down([g] {
    ShardScope shard(1);
    for (int i = 0; i < 40000; ++i) g->Dec();
  });
  up.join();
  down.join();
  EXPECT_EQ(g->Value(), 60000);
  g->Set(-5);
  EXPECT_EQ(g->Value(), -5);
  {
    ShardScope shard(0);
    g->Add(10);
  }
  EXPECT_EQ(g->Value(), 5);
  g->Set(42);
  EXPECT_EQ(g->Value(), 42);
}

TEST(Render, PrometheusGolden) {
  Registry registry(2);
  // Registered out of order: the output is sorted by family name, then by label values.
  CounterFamily& cx = registry.Counter("meshgw_downstream_cx_total",
                                       "Downstream connections accepted.", {"listener"});
  cx.Get({"mesh"})->Add(12);
  cx.Get({"egress"})->Add(3);
  registry
      .Counter("meshgw_authz_total", "Authorization decisions\\with a \"quote\"\nand a line.",
               {"route", "decision"})
      .Get({"api\"x\\y\nz", "deny"})
      ->Inc();
  registry.Gauge("meshgw_downstream_cx_active", "Open connections.", {"listener"})
      .Get({"mesh"})
      ->Add(-2);
  GaugeFamily& snap = registry.Gauge("meshgw_snapshot_version", "Snapshot version.", {});
  snap.SetCallback({}, [] { return 7.0; });
  GaugeFamily& apply = registry.Gauge("meshgw_update_seconds", "Apply time.", {"kind"});
  apply.SetCallback({"b"}, [] { return 0.125; });
  apply.Get({"a"})->Set(1);
  apply.SetCallback({"c"}, [] { return std::numeric_limits<double>::infinity(); });
  registry.Counter("meshgw_unused_total", "Never used: left out.", {"x"});

  EXPECT_EQ(registry.RenderPrometheus(),
            "# HELP meshgw_authz_total Authorization decisions\\\\with a \"quote\"\\nand a line.\n"
            "# TYPE meshgw_authz_total counter\n"
            "meshgw_authz_total{route=\"api\\\"x\\\\y\\nz\",decision=\"deny\"} 1\n"
            "# HELP meshgw_downstream_cx_active Open connections.\n"
            "# TYPE meshgw_downstream_cx_active gauge\n"
            "meshgw_downstream_cx_active{listener=\"mesh\"} -2\n"
            "# HELP meshgw_downstream_cx_total Downstream connections accepted.\n"
            "# TYPE meshgw_downstream_cx_total counter\n"
            "meshgw_downstream_cx_total{listener=\"egress\"} 3\n"
            "meshgw_downstream_cx_total{listener=\"mesh\"} 12\n"
            "# HELP meshgw_snapshot_version Snapshot version.\n"
            "# TYPE meshgw_snapshot_version gauge\n"
            "meshgw_snapshot_version 7\n"
            "# HELP meshgw_update_seconds Apply time.\n"
            "# TYPE meshgw_update_seconds gauge\n"
            "meshgw_update_seconds{kind=\"a\"} 1\n"
            "meshgw_update_seconds{kind=\"b\"} 0.125\n"
            "meshgw_update_seconds{kind=\"c\"} +Inf\n");

  apply.RemoveCallback({"c"});
  EXPECT_EQ(registry.RenderStatsText(),
            "kind.a.update_seconds: 1\n"
            "kind.b.update_seconds: 0.125\n"
            "listener.egress.downstream_cx_total: 3\n"
            "listener.mesh.downstream_cx_active: -2\n"
            "listener.mesh.downstream_cx_total: 12\n"
            "route.api\"x\\y_z.decision.deny.authz_total: 1\n"
            "snapshot_version: 7\n");
}

// The macro's entries, as a module declares them.
#define MESHGW_TEST_LISTENER_STATS(COUNTER, GAUGE)         \
  COUNTER(cx_total, "Downstream connections accepted.")    \
  COUNTER(unknown_sni_total, "Connections with no route.") \
  GAUGE(cx_active, "Downstream connections open.")
MESHGW_STATS_STRUCT(TestListenerStats, MESHGW_TEST_LISTENER_STATS);

TEST(StatsMacro, DeclaresOneStructAndEnvoyLikeNames) {
  Registry registry(2);
  TestListenerStats mesh =
      TestListenerStats::Create(registry, "meshgw_listener_", {"listener"}, {"mesh"});
  TestListenerStats egress =
      TestListenerStats::Create(registry, "meshgw_listener_", {"listener"}, {"egress"});
  mesh.cx_total->Add(12);
  mesh.cx_active->Inc();
  egress.unknown_sni_total->Inc();
  EXPECT_NE(mesh.cx_total, egress.cx_total);
  EXPECT_EQ(
      TestListenerStats::Create(registry, "meshgw_listener_", {"listener"}, {"mesh"}).cx_total,
      mesh.cx_total);

  EXPECT_EQ(registry.RenderStatsText(),
            "listener.egress.cx_active: 0\n"
            "listener.egress.cx_total: 0\n"
            "listener.egress.unknown_sni_total: 1\n"
            "listener.mesh.cx_active: 1\n"
            "listener.mesh.cx_total: 12\n"
            "listener.mesh.unknown_sni_total: 0\n");
  EXPECT_EQ(registry.RenderStatsText("mesh.cx"),
            "listener.mesh.cx_active: 1\n"
            "listener.mesh.cx_total: 12\n");
  EXPECT_EQ(registry.RenderStatsJson("mesh.cx"),
            "{\"stats\":[{\"name\":\"listener.mesh.cx_active\",\"value\":1},"
            "{\"name\":\"listener.mesh.cx_total\",\"value\":12}]}");
  EXPECT_EQ(registry.RenderStatsJson("nothing"), "{\"stats\":[]}");

  const std::string prom = registry.RenderPrometheus();
  EXPECT_NE(prom.find("# TYPE meshgw_listener_cx_total counter\n"
                      "meshgw_listener_cx_total{listener=\"egress\"} 0\n"
                      "meshgw_listener_cx_total{listener=\"mesh\"} 12\n"),
            std::string::npos)
      << prom;
}

TEST(Render, NonFiniteValuesInJsonAreStrings) {
  Registry registry(1);
  registry.Gauge("meshgw_g", "h", {}).SetCallback({}, [] { return std::nan(""); });
  EXPECT_EQ(registry.RenderStatsJson(), "{\"stats\":[{\"name\":\"g\",\"value\":\"NaN\"}]}");
  EXPECT_EQ(FormatSampleValue({.kind = SampleValue::Kind::kDouble, .d = -1e300}), "-1e+300");
  EXPECT_EQ(FormatSampleValue({.kind = SampleValue::Kind::kDouble, .d = 0.1}), "0.1");
  EXPECT_EQ(FormatSampleValue(
                {.kind = SampleValue::Kind::kUnsigned, .u = std::numeric_limits<uint64_t>::max()}),
            "18446744073709551615");
}

TEST(RenderDeathTest, MisuseAbortsNamingTheMetric) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(
      {
        Registry r(1);
        r.Counter("meshgw-bad", "h", {});
      },
      "\"meshgw-bad\" is not a valid metric name");
  EXPECT_DEATH(
      {
        Registry r(1);
        r.Counter("meshgw_x_total", "h", {"__reserved"});
      },
      "meshgw_x_total: \"__reserved\" is not a valid label name");
  EXPECT_DEATH(
      {
        Registry r(1);
        r.Counter("meshgw_x_total", "h", {"a", "a"});
      },
      "meshgw_x_total: label \"a\" given twice");
  EXPECT_DEATH(
      {
        Registry r(1);
        r.Counter("meshgw_x_total", "h", {"a"});
        r.Gauge("meshgw_x_total", "h", {"a"});
      },
      "meshgw_x_total: registered again with another type or other labels");
  EXPECT_DEATH(
      {
        Registry r(1);
        r.Counter("meshgw_x_total", "h", {"listener", "route"}).Get({"mesh"});
      },
      "meshgw_x_total: 1 label values for 2 label names \\(listener, route\\)");
  EXPECT_DEATH(
      {
        Registry r(1);
        GaugeFamily& g = r.Gauge("meshgw_g", "h", {"a"});
        g.Get({"x"});
        g.SetCallback({"x"}, [] { return 1.0; });
      },
      "meshgw_g: series \\{x\\} is a set/add gauge, not a callback one");
}

}  // namespace
}  // namespace meshgw::metrics
