#include "common/log.h"

#include <stdio.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <limits>
#include <random>
#include <sstream>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace meshgw {
namespace {

// 2026-11-25T18:20:01.123Z
absl::Time FixedTime() {
  return absl::FromCivil(absl::CivilSecond(2026, 11, 25, 18, 20, 1), absl::UTCTimeZone()) +
         absl::Milliseconds(123);
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The directories TempDir() made, removed when the tests are done.
class TempDirs : public ::testing::Environment {
 public:
  static TempDirs& Get() {
    static TempDirs* dirs = [] {
      auto* d = new TempDirs;
      ::testing::AddGlobalTestEnvironment(d);  // owned by GoogleTest from here
      return d;
    }();
    return *dirs;
  }
  void Add(std::string dir) { dirs_.push_back(std::move(dir)); }
  void TearDown() override {
    for (const std::string& dir : dirs_) {
      std::error_code ignored;
      std::filesystem::remove_all(dir, ignored);
    }
  }

 private:
  std::vector<std::string> dirs_;
};
// Registered before main runs the tests, so that its TearDown runs after them.
[[maybe_unused]] TempDirs& registered_temp_dirs = TempDirs::Get();

// A fresh directory per test under the test's temporary directory.
std::string TempDir() {
  std::string templ = ::testing::TempDir() + "log_test_XXXXXX";
  EXPECT_NE(mkdtemp(templ.data()), nullptr);
  TempDirs::Get().Add(templ);
  return templ;
}

TEST(LogLevel, ParsesNamesAndWarningAlias) {
  EXPECT_EQ(*ParseLogLevel("debug"), LogLevel::kDebug);
  EXPECT_EQ(*ParseLogLevel("info"), LogLevel::kInfo);
  EXPECT_EQ(*ParseLogLevel("warn"), LogLevel::kWarn);
  EXPECT_EQ(*ParseLogLevel("warning"), LogLevel::kWarn);
  EXPECT_EQ(*ParseLogLevel("ERROR"), LogLevel::kError);
  absl::StatusOr<LogLevel> bad = ParseLogLevel("verbose");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "log level \"verbose\": expected debug, info, warn or error");
  EXPECT_EQ(LogLevelName(LogLevel::kWarn), "warn");
}

// The hand-written UTC formatting against absl's general formatter, over four centuries of days
// (leap years, century rules) and times before 1970.
TEST(FormatLogTime, AgreesWithAbslFormatTime) {
  std::mt19937_64 rng(7);
  const absl::Time from =
      absl::FromCivil(absl::CivilSecond(1800, 1, 1, 0, 0, 0), absl::UTCTimeZone());
  const int64_t span_ms = int64_t{400} * 366 * 86'400'000;
  for (int i = 0; i < 20000; ++i) {
    const absl::Time t = from + absl::Milliseconds(static_cast<int64_t>(rng() % span_ms)) +
                         absl::Microseconds(static_cast<int64_t>(rng() % 1000));
    ASSERT_EQ(FormatLogTime(t), absl::FormatTime("%Y-%m-%d%ET%H:%M:%E3SZ", t, absl::UTCTimeZone()))
        << absl::ToUnixMicros(t);
  }
  for (const absl::CivilSecond& cs :
       {absl::CivilSecond(2000, 2, 29, 23, 59, 59), absl::CivilSecond(2100, 3, 1, 0, 0, 0),
        absl::CivilSecond(1969, 12, 31, 23, 59, 59), absl::CivilSecond(0, 1, 1, 0, 0, 0),
        absl::CivilSecond(9999, 12, 31, 23, 59, 59)}) {
    const absl::Time t = absl::FromCivil(cs, absl::UTCTimeZone()) + absl::Milliseconds(999);
    EXPECT_EQ(FormatLogTime(t), absl::FormatTime("%Y-%m-%d%ET%H:%M:%E3SZ", t, absl::UTCTimeZone()));
  }
  EXPECT_EQ(FormatLogTime(absl::UnixEpoch() - absl::Microseconds(1)), "1969-12-31T23:59:59.999Z");
}

TEST(FormatLogLine, TextLine) {
  EXPECT_EQ(FormatLogLine(LogFormat::kText, FixedTime(), LogLevel::kInfo, "listener bound",
                          {{"listener", "mesh"}, {"address", "0.0.0.0:8443"}, {"workers", 2}}),
            "2026-11-25T18:20:01.123Z info  listener bound listener=mesh address=0.0.0.0:8443 "
            "workers=2\n");
  EXPECT_EQ(FormatLogLine(LogFormat::kText, FixedTime(), LogLevel::kError, "x", {}),
            "2026-11-25T18:20:01.123Z error x\n");
  EXPECT_EQ(FormatLogLine(LogFormat::kText, FixedTime(), LogLevel::kDebug, "x", {}),
            "2026-11-25T18:20:01.123Z debug x\n");
}

TEST(FormatLogLine, TextQuotesValuesThatWouldNotSplitBack) {
  EXPECT_EQ(FormatLogLine(LogFormat::kText, FixedTime(), LogLevel::kWarn, "two\nlines",
                          {{"reason", "no route"},
                           {"empty", ""},
                           {"q", "say \"hi\""},
                           {"eq", "a=b"},
                           {"ok", true},
                           {"neg", -3},
                           {"ratio", 0.25}}),
            "2026-11-25T18:20:01.123Z warn  two\\nlines reason=\"no route\" empty=\"\" "
            "q=\"say \\\"hi\\\"\" eq=\"a=b\" ok=true neg=-3 ratio=0.25\n");
}

TEST(FormatLogLine, JsonLineEscapesEverything) {
  const std::string value = std::string("quote\" back\\ nl\n tab\t ctl\x01 ") + "\xc3\xa9" +
                            " bad\xff" + " trunc\xe2\x82";
  EXPECT_EQ(FormatLogLine(LogFormat::kJson, FixedTime(), LogLevel::kInfo, "m\"sg",
                          {{"v", value},
                           {"n", int64_t{-42}},
                           {"u", std::numeric_limits<uint64_t>::max()},
                           {"b", false},
                           {"d", 1.5},
                           {"nan", std::numeric_limits<double>::quiet_NaN()}}),
            "{\"ts\":\"2026-11-25T18:20:01.123Z\",\"level\":\"info\",\"msg\":\"m\\\"sg\","
            "\"v\":\"quote\\\" back\\\\ nl\\n tab\\t ctl\\u0001 \xc3\xa9 bad\\ufffd "
            "trunc\\ufffd\","
            "\"n\":-42,\"u\":18446744073709551615,\"b\":false,\"d\":1.5,\"nan\":\"NaN\"}\n");
}

TEST(FormatLogLine, AcceptsEveryStringAndNumberType) {
  const std::string owned = "owned";
  const absl::string_view absl_view = "absl";
  const std::string_view std_view = "std";
  EXPECT_EQ(FormatLogLine(LogFormat::kText, FixedTime(), LogLevel::kInfo, "m",
                          {{"a", owned},
                           {"b", absl_view},
                           {"c", std_view},
                           {"d", "literal"},
                           {"e", size_t{7}},
                           {"f", short{-1}},
                           {"g", 2.5f},
                           {"h", absl::Milliseconds(1500)}}),
            "2026-11-25T18:20:01.123Z info  m a=owned b=absl c=std d=literal e=7 f=-1 g=2.5 "
            "h=1.5s\n");
  EXPECT_EQ(FormatLogLine(LogFormat::kJson, FixedTime(), LogLevel::kInfo, "m",
                          {{"took", absl::Microseconds(250)}}),
            "{\"ts\":\"2026-11-25T18:20:01.123Z\",\"level\":\"info\",\"msg\":\"m\","
            "\"took\":\"250us\"}\n");
}

// nlohmann::json as an independent parser: every line must parse, and each string must come back
// as it went in, except that each maximal invalid UTF-8 subpart becomes one U+FFFD.
TEST(FormatLogLine, JsonLinesParseBackWithAnIndependentParser) {
  std::mt19937 rng(12345);
  const std::string alphabet = std::string("ab\"\\/\n\r\t\b\f\x01\x1f\x7f ") +
                               std::string(1, '\0') +
                               "\xc3\xa9\xe2\x98\x83\xf0\x9f\x98\x80\xff\xc0\xed\xa0\x80";
  for (int i = 0; i < 2000; ++i) {
    std::string value;
    const int len = static_cast<int>(rng() % 24);
    for (int k = 0; k < len; ++k) value += alphabet[rng() % alphabet.size()];
    const std::string line = FormatLogLine(LogFormat::kJson, FixedTime(), LogLevel::kInfo, value,
                                           {{"v", value}, {"n", i}});
    ASSERT_EQ(line.back(), '\n');
    const nlohmann::json j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    ASSERT_FALSE(j.is_discarded()) << line;
    ASSERT_EQ(j["msg"].get<std::string>(), j["v"].get<std::string>());
    ASSERT_EQ(j["n"].get<int>(), i);
    // nlohmann's own replacement of invalid UTF-8 is the oracle for the decoded value.
    const std::string oracle =
        nlohmann::json::parse(
            nlohmann::json(value).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace))
            .get<std::string>();
    ASSERT_EQ(j["v"].get<std::string>(), oracle) << line;
  }
  // Invalid sequences: a byte that cannot start one, a lead byte whose continuation is out of its
  // range (overlong, surrogate), a truncated sequence: one U+FFFD each maximal subpart.
  const std::string line = FormatLogLine(LogFormat::kJson, FixedTime(), LogLevel::kInfo, "m",
                                         {{"v",
                                           "a\xc0\xaf"
                                           "b\xed\xa0\x80"
                                           "c\xf0\x9f\x98\x80"}});
  EXPECT_EQ(nlohmann::json::parse(line)["v"].get<std::string>(),
            "a\xef\xbf\xbd\xef\xbf\xbd"
            "b\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
            "c\xf0\x9f\x98\x80");
  // Truncated sequences, one in the middle and one at the end: one replacement each.
  EXPECT_EQ(FormatLogLine(LogFormat::kJson, FixedTime(), LogLevel::kInfo, "m",
                          {{"v",
                            "d\xe2\x98"
                            "e\xf0\x9f\x98"}}),
            "{\"ts\":\"2026-11-25T18:20:01.123Z\",\"level\":\"info\",\"msg\":\"m\","
            "\"v\":\"d\\ufffde\\ufffd\"}\n");
}

TEST(FormatLogLine, ReservedKeysArePrefixed) {
  EXPECT_EQ(FormatLogLine(LogFormat::kJson, FixedTime(), LogLevel::kInfo, "m", {{"msg", "x"}}),
            "{\"ts\":\"2026-11-25T18:20:01.123Z\",\"level\":\"info\",\"msg\":\"m\","
            "\"field.msg\":\"x\"}\n");
  EXPECT_EQ(FormatLogLine(LogFormat::kText, FixedTime(), LogLevel::kInfo, "m", {{"level", "x"}}),
            "2026-11-25T18:20:01.123Z info  m field.level=x\n");
}

TEST(Logger, WritesFilteredLinesToFile) {
  const std::string path = TempDir() + "/gw.log";
  absl::StatusOr<std::unique_ptr<Logger>> logger = Logger::Create(
      {.level = LogLevel::kWarn, .format = LogFormat::kText, .sink = path}, FixedTime);
  ASSERT_TRUE(logger.ok()) << logger.status();
  Logger& log = **logger;
  EXPECT_FALSE(log.Enabled(LogLevel::kInfo));
  EXPECT_TRUE(log.Enabled(LogLevel::kWarn));
  log.Log(LogLevel::kInfo, "filtered");
  log.Log(LogLevel::kWarn, "kept", {{"n", 1}});
  log.Log(LogLevel::kError, "also kept");
  EXPECT_EQ(ReadFile(path),
            "2026-11-25T18:20:01.123Z warn  kept n=1\n"
            "2026-11-25T18:20:01.123Z error also kept\n");
  log.SetLevel(LogLevel::kDebug);
  log.Log(LogLevel::kDebug, "now");
  EXPECT_EQ(ReadFile(path),
            "2026-11-25T18:20:01.123Z warn  kept n=1\n"
            "2026-11-25T18:20:01.123Z error also kept\n"
            "2026-11-25T18:20:01.123Z debug now\n");
}

TEST(Logger, MacroDoesNotEvaluateFieldsOfFilteredLines) {
  const std::string path = TempDir() + "/gw.log";
  auto logger = Logger::Create({.level = LogLevel::kInfo, .sink = path}, FixedTime);
  ASSERT_TRUE(logger.ok());
  int evaluated = 0;
  auto expensive = [&evaluated] {
    ++evaluated;
    return std::string("value");
  };
  MESHGW_LOG_TO(**logger, LogLevel::kDebug, "dbg", {"k", expensive()});
  EXPECT_EQ(evaluated, 0);
  MESHGW_LOG_TO(**logger, LogLevel::kInfo, "inf", {"k", expensive()}, {"n", 7});
  EXPECT_EQ(evaluated, 1);
  MESHGW_LOG_TO(**logger, LogLevel::kInfo, "no fields");
  EXPECT_EQ(ReadFile(path),
            "2026-11-25T18:20:01.123Z info  inf k=value n=7\n"
            "2026-11-25T18:20:01.123Z info  no fields\n");
}

TEST(Logger, ReopenFollowsRotationAndConfigureSwitchesSinkAndFormat) {
  const std::string dir = TempDir();
  const std::string path = dir + "/gw.log";
  auto logger = Logger::Create({.sink = path}, FixedTime);
  ASSERT_TRUE(logger.ok());
  (*logger)->Log(LogLevel::kInfo, "before");
  ASSERT_EQ(rename(path.c_str(), (path + ".1").c_str()), 0);
  (*logger)->Log(LogLevel::kInfo, "rotated but not reopened");
  ASSERT_TRUE((*logger)->Reopen().ok());
  (*logger)->Log(LogLevel::kInfo, "after");
  EXPECT_EQ(ReadFile(path + ".1"),
            "2026-11-25T18:20:01.123Z info  before\n"
            "2026-11-25T18:20:01.123Z info  rotated but not reopened\n");
  EXPECT_EQ(ReadFile(path), "2026-11-25T18:20:01.123Z info  after\n");

  const std::string json_path = dir + "/gw.json";
  ASSERT_TRUE(
      (*logger)
          ->Configure({.level = LogLevel::kInfo, .format = LogFormat::kJson, .sink = json_path})
          .ok());
  (*logger)->Log(LogLevel::kInfo, "j", {{"k", "v"}});
  EXPECT_EQ(ReadFile(json_path),
            "{\"ts\":\"2026-11-25T18:20:01.123Z\",\"level\":\"info\",\"msg\":\"j\",\"k\":\"v\"}\n");
  EXPECT_EQ(ReadFile(path), "2026-11-25T18:20:01.123Z info  after\n");

  // A sink that cannot be opened leaves the logger as it was, and the error names the sink.
  const std::string bad = dir + "/missing/dir/x.log";
  absl::Status s = (*logger)->Configure({.level = LogLevel::kError, .sink = bad});
  EXPECT_EQ(s.message(), "log sink \"" + bad + "\": No such file or directory");
  EXPECT_EQ((*logger)->level(), LogLevel::kInfo);
  (*logger)->Log(LogLevel::kInfo, "still json");
  EXPECT_EQ(ReadFile(json_path),
            "{\"ts\":\"2026-11-25T18:20:01.123Z\",\"level\":\"info\",\"msg\":\"j\",\"k\":\"v\"}\n"
            "{\"ts\":\"2026-11-25T18:20:01.123Z\",\"level\":\"info\",\"msg\":\"still json\"}\n");
}

TEST(Logger, CreateFailsNamingTheSink) {
  absl::StatusOr<std::unique_ptr<Logger>> l = Logger::Create({.sink = "/nonexistent/dir/a.log"});
  ASSERT_FALSE(l.ok());
  EXPECT_EQ(l.status().message(), "log sink \"/nonexistent/dir/a.log\": No such file or directory");
}

TEST(Logger, CountsDroppedLines) {
  auto logger = Logger::Create({.sink = "/dev/full"}, FixedTime);
  ASSERT_TRUE(logger.ok()) << logger.status();
  (*logger)->Log(LogLevel::kInfo, "lost");
  (*logger)->Log(LogLevel::kInfo, "lost too");
  EXPECT_EQ((*logger)->dropped(), 2u);
}

TEST(Logger, ConcurrentWritersNeverInterleaveLines) {
  const std::string path = TempDir() + "/gw.log";
  auto logger = Logger::Create({.format = LogFormat::kJson, .sink = path}, FixedTime);
  ASSERT_TRUE(logger.ok());
  constexpr int kThreads = 4;
  constexpr int kLines = 2000;
  const std::string payload(300, 'x');  // long lines make torn writes likely if they could happen
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kLines; ++i) {
        (*logger)->Log(LogLevel::kInfo, "line", {{"t", t}, {"i", i}, {"p", payload}});
      }
    });
  }
  for (auto& th : threads) th.join();
  std::vector<std::string> lines = absl::StrSplit(ReadFile(path), '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), size_t{kThreads * kLines});
  std::vector<int> next(kThreads, 0);
  for (const std::string& line : lines) {
    int t = -1, i = -1;
    ASSERT_EQ(sscanf(line.c_str(),
                     "{\"ts\":\"2026-11-25T18:20:01.123Z\",\"level\":\"info\",\"msg\":\"line\","
                     "\"t\":%d,\"i\":%d,",
                     &t, &i),
              2)
        << line;
    ASSERT_EQ(line, FormatLogLine(LogFormat::kJson, FixedTime(), LogLevel::kInfo, "line",
                                  {{"t", t}, {"i", i}, {"p", payload}})
                        .substr(0, line.size()));
    ASSERT_EQ(line.size() + 1, FormatLogLine(LogFormat::kJson, FixedTime(), LogLevel::kInfo, "line",
                                             {{"t", t}, {"i", i}, {"p", payload}})
                                   .size());
    // Each thread's lines appear in its order.
    ASSERT_EQ(i, next[t]++);
  }
}

TEST(ProcessLogger, DefaultsToInfoAndCanBeRedirected) {
  EXPECT_EQ(ProcessLogger().level(), LogLevel::kInfo);
  EXPECT_EQ(&ProcessLogger(), &ProcessLogger());
  const std::string path = TempDir() + "/process.log";
  ASSERT_TRUE(ProcessLogger()
                  .Configure({.level = LogLevel::kDebug, .format = LogFormat::kJson, .sink = path})
                  .ok());
  MESHGW_LOG(LogLevel::kDebug, "via macro", {"k", 1});
  MESHGW_LOG(LogLevel::kWarn, "no fields");
  Log(LogLevel::kInfo, "via function", {{"listener", "mesh"}});
  ASSERT_TRUE(ProcessLogger().Configure(LogOptions{}).ok());  // back to stderr, info, text
  Log(LogLevel::kInfo, "to stderr");
  const std::vector<std::string> lines = absl::StrSplit(ReadFile(path), '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 3u);
  // The real clock: check everything but the time.
  const auto without_time = [](const std::string& line) {
    return line.substr(0, 7) + line.substr(7 + 24);
  };
  EXPECT_EQ(without_time(lines[0]),
            "{\"ts\":\"\",\"level\":\"debug\",\"msg\":\"via macro\",\"k\":1}");
  EXPECT_EQ(without_time(lines[1]), "{\"ts\":\"\",\"level\":\"warn\",\"msg\":\"no fields\"}");
  EXPECT_EQ(without_time(lines[2]),
            "{\"ts\":\"\",\"level\":\"info\",\"msg\":\"via function\",\"listener\":\"mesh\"}");
  EXPECT_EQ(ProcessLogger().level(), LogLevel::kInfo);
}

AccessLogRecord SampleRecord() {
  AccessLogRecord r;
  r.start = FixedTime();
  r.downstream = "10.0.0.7:50122";
  r.sni = "api.default.default.dc2.external.11111111-2222.consul";
  r.listener = "mesh";
  r.route = "exported:api";
  r.mode = ProxyMode::kTerminate;
  r.peer_identity = "spiffe://2222.consul/ns/default/dc/dc2/svc/web";
  r.cluster = "api.default.dc1.internal.1111.consul";
  r.upstream = "10.0.1.5:8080";
  r.bytes_in = 120;
  r.bytes_out = 4096;
  r.duration = absl::Microseconds(12345);
  r.close_reason = "eof";
  r.authz = "allow";
  return r;
}

TEST(AccessLog, TextAndJsonRecords) {
  EXPECT_EQ(AccessLog::Format(LogFormat::kText, SampleRecord()),
            "2026-11-25T18:20:01.123Z 10.0.0.7:50122 mesh route=exported:api "
            "sni=api.default.default.dc2.external.11111111-2222.consul mode=terminate "
            "peer=spiffe://2222.consul/ns/default/dc/dc2/svc/web "
            "cluster=api.default.dc1.internal.1111.consul upstream=10.0.1.5:8080 in=120 out=4096 "
            "duration_ms=12.345 close=eof authz=allow\n");
  AccessLogRecord unknown = SampleRecord();
  unknown.sni = "evil\"name";
  unknown.mode = ProxyMode::kUnknown;
  unknown.peer_identity = "";
  unknown.authz = "deny: no intention";
  EXPECT_EQ(
      AccessLog::Format(LogFormat::kJson, unknown),
      "{\"start\":\"2026-11-25T18:20:01.123Z\",\"downstream\":\"10.0.0.7:50122\","
      "\"listener\":\"mesh\",\"route\":\"exported:api\",\"sni\":\"evil\\\"name\","
      "\"mode\":\"unknown\",\"peer\":\"\",\"cluster\":\"api.default.dc1.internal.1111.consul\","
      "\"upstream\":\"10.0.1.5:8080\",\"bytes_in\":120,\"bytes_out\":4096,"
      "\"duration_ms\":12.345,\"close\":\"eof\",\"authz\":\"deny: no intention\"}\n");
}

TEST(AccessLog, OffDisablesAndFileReceivesRecords) {
  absl::StatusOr<std::unique_ptr<AccessLog>> off = AccessLog::Open("off", LogFormat::kText);
  ASSERT_TRUE(off.ok());
  EXPECT_FALSE((*off)->Enabled());
  (*off)->Write(SampleRecord());  // no-op

  const std::string path = TempDir() + "/access.log";
  auto log = AccessLog::Open(path, LogFormat::kJson);
  ASSERT_TRUE(log.ok());
  EXPECT_TRUE((*log)->Enabled());
  (*log)->Write(SampleRecord());
  (*log)->Write(SampleRecord());
  const std::string one = AccessLog::Format(LogFormat::kJson, SampleRecord());
  EXPECT_EQ(ReadFile(path), one + one);

  auto bad = AccessLog::Open("/nonexistent/a.log", LogFormat::kText);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(),
            "access log: log sink \"/nonexistent/a.log\": No such file or directory");
}

}  // namespace
}  // namespace meshgw
