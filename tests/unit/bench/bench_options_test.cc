// Tests of meshgw-bench's command line: modes, defaults, bounds and error messages.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "bench/tool/options.h"

namespace meshgw::bench {
namespace {

absl::StatusOr<BenchOptions> Parse(std::vector<std::string> args) {
  args.insert(args.begin(), "meshgw-bench");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  return ParseOptions(static_cast<int>(argv.size()), argv.data());
}

TEST(OptionsTest, ThroughputWithTls) {
  auto o = Parse({"throughput", "-target", "127.0.0.1:8443", "--sni=echo.internal", "-ca", "ca.pem",
                  "-connections", "16", "-duration", "2s"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->mode, Mode::kThroughput);
  EXPECT_EQ(o->host, "127.0.0.1");
  EXPECT_EQ(o->port, 8443);
  EXPECT_TRUE(o->tls);
  EXPECT_EQ(o->sni, "echo.internal");
  EXPECT_EQ(o->connections, 16);
  EXPECT_EQ(o->duration, std::chrono::seconds(2));
  EXPECT_EQ(o->size, 64 * 1024);
}

TEST(OptionsTest, ModeDefaults) {
  auto o = Parse({"-mode", "latency", "-target", "127.0.0.1:1", "-duration", "500ms"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_FALSE(o->tls);
  EXPECT_EQ(o->connections, 16);
  EXPECT_EQ(o->size, 64);
  EXPECT_EQ(o->duration, std::chrono::milliseconds(500));
}

TEST(OptionsTest, BackendNeedsNoDuration) {
  auto o = Parse({"echo", "-listen", "127.0.0.1:9001"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->mode, Mode::kEcho);
  EXPECT_EQ(o->duration.count(), 0);
}

TEST(OptionsTest, Errors) {
  EXPECT_FALSE(Parse({}).ok());
  EXPECT_FALSE(Parse({"fly", "-target", "127.0.0.1:1", "-duration", "1s"}).ok());
  // No unbounded runs.
  EXPECT_FALSE(Parse({"throughput", "-target", "127.0.0.1:1"}).ok());
  EXPECT_FALSE(Parse({"throughput", "-target", "127.0.0.1:1", "-duration", "11m"}).ok());
  EXPECT_FALSE(
      Parse({"idle", "-target", "127.0.0.1:1", "-duration", "1s", "-connections", "20001"}).ok());
  EXPECT_FALSE(Parse({"throughput", "-target", "127.0.0.1", "-duration", "1s"}).ok());
  EXPECT_FALSE(
      Parse({"throughput", "-target", "127.0.0.1:1", "-duration", "1s", "-warmup", "2s"}).ok());
  EXPECT_FALSE(Parse({"echo", "-listen", "127.0.0.1:1", "-tls"}).ok());
  EXPECT_FALSE(Parse({"echo", "-listen", "127.0.0.1:1", "-cert", "c.pem"}).ok());
  auto unknown = Parse({"throughput", "-target", "127.0.0.1:1", "-duration", "1s", "-bogus", "1"});
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("-bogus"), std::string::npos);
}

TEST(OptionsTest, Durations) {
  EXPECT_EQ(*ParseDuration("1.5s"), std::chrono::milliseconds(1500));
  EXPECT_EQ(*ParseDuration("2m"), std::chrono::seconds(120));
  EXPECT_EQ(*ParseDuration("250us"), std::chrono::microseconds(250));
  EXPECT_EQ(*ParseDuration("3"), std::chrono::seconds(3));
  EXPECT_FALSE(ParseDuration("fast").ok());
  EXPECT_FALSE(ParseDuration("-1s").ok());
}

}  // namespace
}  // namespace meshgw::bench
