// Process logging for the gateway and the control component: leveled log lines with structured
// key/values, in plain text or JSON, plus an access-log writer (one record per connection).
//
//   meshgw::Logger& log = meshgw::ProcessLogger();          // stderr, info, text by default
//   MESHGW_LOG(meshgw::LogLevel::kInfo, "listener bound",
//              {"listener", "mesh"}, {"address", "0.0.0.0:8443"}, {"workers", 2});
//
// Text:  2026-11-25T18:20:01.123Z info  listener bound listener=mesh address=0.0.0.0:8443 workers=2
// JSON:  {"ts":"2026-11-25T18:20:01.123Z","level":"info","msg":"listener bound",
//         "listener":"mesh","address":"0.0.0.0:8443","workers":2}
//
// Each line is written with one write(2) (O_APPEND for files), so lines of concurrent writers and
// processes do not interleave (through a pipe, for lines up to PIPE_BUF, 4 KiB). The MESHGW_LOG
// macros test the level before evaluating the fields, so a filtered-out debug line costs one
// relaxed atomic load.
//
// Thread-safety: Logger and AccessLog are safe for concurrent use, including Configure() and
// Reopen() while other threads log: the logger's file descriptor is never closed while it lives,
// a new sink is dup2()'d over it, so a concurrent write lands in the old or the new file.
#ifndef MESHGW_COMMON_LOG_H_
#define MESHGW_COMMON_LOG_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace meshgw {

enum class LogLevel : int { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };
enum class LogFormat { kText, kJson };

// ParseLogLevel("warn") == kWarn. Accepts debug, info, warn, warning, error (any case); anything
// else is an InvalidArgument naming the value and the accepted ones.
absl::StatusOr<LogLevel> ParseLogLevel(std::string_view text);
// LogLevelName(kWarn) == "warn".
std::string_view LogLevelName(LogLevel level);

// The clock of a logger; tests pass a fixed one.
using LogClock = std::function<absl::Time()>;

// One value of a structured field: a string (quoted in JSON) or a number/bool (bare in JSON).
// Holds a view: the referenced string must outlive the Log() call (a temporary in the call's
// full expression does).
class LogValue {
 public:
  LogValue(std::string_view s) : value_(s) {}
  LogValue(const char* s) : value_(std::string_view(s)) {}
  LogValue(const std::string& s) : value_(std::string_view(s)) {}
#ifndef ABSL_USES_STD_STRING_VIEW
  // This absl's string_view is its own type (the xds library uses it).
  LogValue(absl::string_view s) : value_(std::string_view(s.data(), s.size())) {}
#endif
  LogValue(bool b) : value_(b) {}
  template <typename T,
            std::enable_if_t<
                std::is_integral_v<T> && !std::is_same_v<T, bool> && std::is_signed_v<T>, int> = 0>
  LogValue(T v) : value_(static_cast<int64_t>(v)) {}
  template <typename T, std::enable_if_t<std::is_integral_v<T> && !std::is_same_v<T, bool> &&
                                             std::is_unsigned_v<T>,
                                         int> = 0>
  LogValue(T v) : value_(static_cast<uint64_t>(v)) {}
  LogValue(double d) : value_(d) {}
  // Written as absl::FormatDuration does ("1.5s", "250ms"), a string in JSON.
  LogValue(absl::Duration d) : value_(d) {}

  // Appends the value: as text (unquoted) or JSON (quoted and escaped when a string).
  void AppendText(std::string& out) const;
  void AppendJson(std::string& out) const;

 private:
  std::variant<std::string_view, int64_t, uint64_t, double, bool, absl::Duration> value_;
};

struct LogField {
  std::string_view key;
  LogValue value;
};

// Where a logger writes. "stderr", "stdout" or a file path (created 0644, appended).
struct LogOptions {
  LogLevel level = LogLevel::kInfo;
  LogFormat format = LogFormat::kText;
  std::string sink = "stderr";
};

// A file descriptor that stays valid while the object lives and that can be pointed at another
// file atomically (dup2), for Configure() and for reopening after log rotation.
class LogSink {
 public:
  // Opens `sink` ("stderr", "stdout" or a path); the error names the path and errno's text.
  static absl::StatusOr<std::unique_ptr<LogSink>> Open(std::string_view sink);
  ~LogSink();
  LogSink(const LogSink&) = delete;
  LogSink& operator=(const LogSink&) = delete;

  // Points the descriptor at `sink` (opened first: on error nothing changes).
  absl::Status Redirect(std::string_view sink);
  // Reopens the current path (after logrotate moved the file); a no-op for stderr/stdout.
  absl::Status Reopen();
  // Writes `line` whole with one write(2) (looping only on a short write or EINTR). Returns false
  // on an error (the line is dropped: there is nowhere to report it).
  bool Write(std::string_view line) const;
  std::string path() const;

 private:
  explicit LogSink(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  const int fd_;
  mutable absl::Mutex mu_;
  std::string path_ ABSL_GUARDED_BY(mu_);
};

// Formats one log line (with its trailing newline); exposed for the tests and for tools.
std::string FormatLogLine(LogFormat format, absl::Time time, LogLevel level, std::string_view msg,
                          std::initializer_list<LogField> fields);
// 2026-11-25T18:20:01.123Z (UTC, milliseconds).
std::string FormatLogTime(absl::Time time);
// Appends `s` as a JSON string literal (quotes included); each maximal invalid UTF-8 subpart
// becomes one U+FFFD.
void AppendJsonString(std::string& out, std::string_view s);

class Logger {
 public:
  // `clock` defaults to absl::Now.
  static absl::StatusOr<std::unique_ptr<Logger>> Create(const LogOptions& options,
                                                        LogClock clock = nullptr);

  // Changes level, format and sink at run time (the new sink is opened first: on error the
  // logger keeps its old configuration and the error names the sink).
  absl::Status Configure(const LogOptions& options);
  absl::Status Reopen() { return sink_->Reopen(); }

  bool Enabled(LogLevel level) const {
    return static_cast<int>(level) >= level_.load(std::memory_order_relaxed);
  }
  void SetLevel(LogLevel level) {
    level_.store(static_cast<int>(level), std::memory_order_relaxed);
  }
  LogLevel level() const { return static_cast<LogLevel>(level_.load(std::memory_order_relaxed)); }

  // Writes one line if `level` is enabled. Keys "ts", "level" and "msg" are reserved: a field
  // with one of them is written as "field.<key>".
  void Log(LogLevel level, std::string_view msg, std::initializer_list<LogField> fields = {});

  // Lines dropped because the sink refused them (disk full, closed pipe).
  uint64_t dropped() const { return dropped_.load(std::memory_order_relaxed); }

 private:
  Logger(const LogOptions& options, std::unique_ptr<LogSink> sink, LogClock clock);

  std::atomic<int> level_;
  std::atomic<int> format_;
  std::unique_ptr<LogSink> sink_;
  LogClock clock_;
  std::atomic<uint64_t> dropped_{0};
};

// The process logger: stderr, info, text until configured (main() calls Configure once it has
// read its flags). Never destroyed, so threads may log during exit.
Logger& ProcessLogger();

// Log(kInfo, "listener bound", {{"listener", "mesh"}}) writes to the process logger. The fields
// are built before the level is checked: on hot paths use MESHGW_LOG.
inline void Log(LogLevel level, std::string_view msg, std::initializer_list<LogField> fields = {}) {
  ProcessLogger().Log(level, msg, fields);
}

// One record per finished connection. Views must stay valid during AccessLog::Write.
enum class ProxyMode { kUnknown, kPassthrough, kTerminate, kEgress };
std::string_view ProxyModeName(ProxyMode mode);

struct AccessLogRecord {
  absl::Time start;             // when the connection was accepted
  std::string_view downstream;  // "10.0.0.7:50122"
  std::string_view sni;         // empty when the hello had none
  std::string_view listener;    // "mesh"
  std::string_view route;       // filter chain name
  ProxyMode mode = ProxyMode::kUnknown;
  std::string_view peer_identity;  // the client certificate's SPIFFE ID, when terminated
  std::string_view cluster;
  std::string_view upstream;  // the endpoint's address, empty when none was reached
  uint64_t bytes_in = 0;      // downstream -> upstream
  uint64_t bytes_out = 0;     // upstream -> downstream
  absl::Duration duration;
  std::string_view close_reason;  // "eof", "idle_timeout", "unknown_sni", ...
  std::string_view authz;         // "allow", "deny: <reason>", empty when not evaluated
};

// Writes access-log records to their own sink. "off" disables it (Enabled() false, Write a
// no-op).
//
// Text: 2026-11-25T18:20:01.123Z 10.0.0.7:50122 mesh route=r sni=s mode=terminate
//       peer=spiffe://... cluster=c upstream=10.0.1.5:8080 in=120 out=4096 duration_ms=12.345
//       close=eof authz=allow
// JSON: {"start":"...","downstream":"...","listener":"...","route":"...","sni":"...",
//        "mode":"...","peer":"...","cluster":"...","upstream":"...","bytes_in":120,
//        "bytes_out":4096,"duration_ms":12.345,"close":"eof","authz":"allow"}
class AccessLog {
 public:
  static absl::StatusOr<std::unique_ptr<AccessLog>> Open(std::string_view sink, LogFormat format);

  bool Enabled() const { return sink_ != nullptr; }
  void Write(const AccessLogRecord& record);
  absl::Status Reopen() { return sink_ ? sink_->Reopen() : absl::OkStatus(); }
  uint64_t dropped() const { return dropped_.load(std::memory_order_relaxed); }

  static std::string Format(LogFormat format, const AccessLogRecord& record);

 private:
  AccessLog(std::unique_ptr<LogSink> sink, LogFormat format)
      : sink_(std::move(sink)), format_(format) {}
  std::unique_ptr<LogSink> sink_;
  const LogFormat format_;
  std::atomic<uint64_t> dropped_{0};
};

}  // namespace meshgw

// MESHGW_LOG(level, msg, {key, value}...): logs to the process logger; the fields are evaluated
// only when the level is enabled.
#define MESHGW_LOG(level, msg, ...) \
  MESHGW_LOG_TO(::meshgw::ProcessLogger(), level, msg, __VA_ARGS__)
#define MESHGW_LOG_TO(logger, level, msg, ...)           \
  do {                                                   \
    ::meshgw::Logger& meshgw_log_logger_ = (logger);     \
    if (meshgw_log_logger_.Enabled(level)) {             \
      meshgw_log_logger_.Log(level, msg, {__VA_ARGS__}); \
    }                                                    \
  } while (0)

#endif  // MESHGW_COMMON_LOG_H_
