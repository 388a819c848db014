#include "common/log.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include <charconv>
#include <cmath>
#include <cstring>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace meshgw {
namespace {

// This absl (Debian's) has its own string_view type; views cross over through this.
absl::string_view AV(std::string_view s) { return absl::string_view(s.data(), s.size()); }

constexpr std::string_view kStderr = "stderr";
constexpr std::string_view kStdout = "stdout";

// Opens a sink as a new descriptor (close-on-exec): a duplicate of 1 or 2, or the file.
absl::StatusOr<int> OpenSinkFd(std::string_view sink) {
  if (sink.empty()) return absl::InvalidArgumentError("log sink: empty path");
  int fd;
  if (sink == kStderr || sink == kStdout) {
    fd = fcntl(sink == kStderr ? STDERR_FILENO : STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
  } else {
    const std::string path(sink);
    fd = open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  }
  if (fd < 0) {
    return absl::UnavailableError(absl::StrCat("log sink \"", AV(sink), "\": ", strerror(errno)));
  }
  return fd;
}

// Appends `s` for a text line: control characters escaped so one record stays one line; inside
// a quoted value, quotes and backslashes too.
void AppendTextEscaped(std::string& out, std::string_view s, bool quoted = false) {
  for (char c : s) {
    switch (c) {
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\\':
        out += quoted ? "\\\\" : "\\";
        break;
      case '"':
        out += quoted ? "\\\"" : "\"";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
          absl::StrAppend(&out, "\\x", absl::Hex(static_cast<unsigned char>(c), absl::kZeroPad2));
        } else {
          out += c;
        }
    }
  }
}

// A text value is written bare when it is non-empty and has no space, quote, '=' or control
// character; otherwise quoted, so `key=value` pairs always split back unambiguously.
void AppendTextValue(std::string& out, std::string_view s) {
  bool bare = !s.empty();
  for (char c : s) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f || c == '"' || c == '=' || c == '\\') {
      bare = false;
      break;
    }
  }
  if (bare) {
    out += s;
    return;
  }
  out += '"';
  AppendTextEscaped(out, s, /*quoted=*/true);
  out += '"';
}

void AppendDouble(std::string& out, double d, bool json) {
  if (std::isnan(d) || std::isinf(d)) {
    // JSON has no NaN/Infinity literals: a string keeps the document valid.
    const char* text = std::isnan(d) ? "NaN" : (d > 0 ? "+Inf" : "-Inf");
    if (json) {
      absl::StrAppend(&out, "\"", text, "\"");
    } else {
      out += text;
    }
    return;
  }
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), d);
  out.append(buf, ec == std::errc() ? end - buf : 0);
}

bool IsReservedKey(std::string_view key) { return key == "ts" || key == "level" || key == "msg"; }

// The UTF-8 sequence at s[i]: its length and whether it is valid. An invalid one is the maximal
// subpart (a lead byte and the continuation bytes that fit it so far, at least one byte), which
// becomes one U+FFFD, as Unicode recommends and WHATWG decoders do.
struct Utf8Sequence {
  size_t length;
  bool valid;
};
Utf8Sequence NextUtf8Sequence(std::string_view s, size_t i) {
  const unsigned char c = static_cast<unsigned char>(s[i]);
  if (c < 0x80) return {1, true};
  size_t need;
  unsigned char lo = 0x80, hi = 0xbf;  // the range of the first continuation byte
  if (c >= 0xc2 && c <= 0xdf) {
    need = 1;
  } else if (c >= 0xe0 && c <= 0xef) {
    need = 2;
    if (c == 0xe0) lo = 0xa0;  // no overlong forms
    if (c == 0xed) hi = 0x9f;  // no surrogates
  } else if (c >= 0xf0 && c <= 0xf4) {
    need = 3;
    if (c == 0xf0) lo = 0x90;  // no overlong forms
    if (c == 0xf4) hi = 0x8f;  // nothing past U+10FFFF
  } else {
    return {1, false};
  }
  for (size_t k = 1; k <= need; ++k) {
    if (i + k >= s.size()) return {k, false};
    const unsigned char cc = static_cast<unsigned char>(s[i + k]);
    if (cc < lo || cc > hi) return {k, false};
    lo = 0x80;
    hi = 0xbf;
  }
  return {need + 1, true};
}

}  // namespace

absl::StatusOr<LogLevel> ParseLogLevel(std::string_view text) {
  const std::string lower = absl::AsciiStrToLower(AV(text));
  if (lower == "debug") return LogLevel::kDebug;
  if (lower == "info") return LogLevel::kInfo;
  if (lower == "warn" || lower == "warning") return LogLevel::kWarn;
  if (lower == "error") return LogLevel::kError;
  return absl::InvalidArgumentError(
      absl::StrCat("log level \"", AV(text), "\": expected debug, info, warn or error"));
}

std::string_view LogLevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarn:
      return "warn";
    case LogLevel::kError:
      return "error";
  }
  return "unknown";
}

void AppendJsonString(std::string& out, std::string_view s) {
  out += '"';
  // Characters that need no escaping are copied in runs: one append per run, not per byte.
  size_t run = 0;
  for (size_t i = 0; i < s.size();) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
      ++i;
      continue;
    }
    if (c >= 0x80) {
      const Utf8Sequence seq = NextUtf8Sequence(s, i);
      if (seq.valid) {
        i += seq.length;
        continue;
      }
      out.append(s.data() + run, i - run);
      out += "\\ufffd";
      i += seq.length;
      run = i;
      continue;
    }
    out.append(s.data() + run, i - run);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default: {
        static constexpr char kHex[] = "0123456789abcdef";
        const char esc[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xf]};
        out.append(esc, sizeof(esc));
      }
    }
    ++i;
    run = i;
  }
  out.append(s.data() + run, s.size() - run);
  out += '"';
}

void LogValue::AppendText(std::string& out) const {
  if (const auto* s = std::get_if<std::string_view>(&value_)) {
    AppendTextValue(out, *s);
  } else if (const auto* i = std::get_if<int64_t>(&value_)) {
    absl::StrAppend(&out, *i);
  } else if (const auto* u = std::get_if<uint64_t>(&value_)) {
    absl::StrAppend(&out, *u);
  } else if (const auto* d = std::get_if<double>(&value_)) {
    AppendDouble(out, *d, /*json=*/false);
  } else if (const auto* dur = std::get_if<absl::Duration>(&value_)) {
    out += absl::FormatDuration(*dur);
  } else {
    out += std::get<bool>(value_) ? "true" : "false";
  }
}

void LogValue::AppendJson(std::string& out) const {
  if (const auto* s = std::get_if<std::string_view>(&value_)) {
    AppendJsonString(out, *s);
  } else if (const auto* d = std::get_if<double>(&value_)) {
    AppendDouble(out, *d, /*json=*/true);
  } else if (const auto* dur = std::get_if<absl::Duration>(&value_)) {
    AppendJsonString(out, absl::FormatDuration(*dur));
  } else {
    AppendText(out);  // integers and booleans are the same in both
  }
}

std::string FormatLogTime(absl::Time time) {
  // By arithmetic rather than with absl::FormatTime or a time-zone lookup: this runs for every log
  // and access-log line, and UTC needs no zone rules.
  const int64_t unix_ms = absl::ToUnixMillis(time);  // rounds toward negative infinity
  int64_t days = unix_ms / 86'400'000;
  int64_t ms_of_day = unix_ms % 86'400'000;
  if (ms_of_day < 0) {
    ms_of_day += 86'400'000;
    --days;
  }
  // Days since 1970-01-01 to a proleptic Gregorian date, counting in 400-year eras from
  // 0000-03-01 so that the leap day falls at the end of each counted year.
  const int64_t z = days + 719'468;
  const int64_t era = (z >= 0 ? z : z - 146'096) / 146'097;
  const int64_t day_of_era = z - era * 146'097;
  const int64_t year_of_era =
      (day_of_era - day_of_era / 1460 + day_of_era / 36'524 - day_of_era / 146'096) / 365;
  const int64_t day_of_year =
      day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  const int64_t mp = (5 * day_of_year + 2) / 153;  // month counted from March
  const int64_t day = day_of_year - (153 * mp + 2) / 5 + 1;
  const int64_t month = mp < 10 ? mp + 3 : mp - 9;
  const int64_t year = year_of_era + era * 400 + (month <= 2 ? 1 : 0);
  if (year < 1000 || year > 9999) {  // absl pads years to no fixed width: let it write those
    return absl::FormatTime("%Y-%m-%d%ET%H:%M:%E3SZ", time, absl::UTCTimeZone());
  }
  char buf[24];
  const auto put = [&buf](int pos, int64_t value, int digits) {
    for (int k = digits - 1; k >= 0; --k) {
      buf[pos + k] = static_cast<char>('0' + value % 10);
      value /= 10;
    }
  };
  put(0, year, 4);
  buf[4] = '-';
  put(5, month, 2);
  buf[7] = '-';
  put(8, day, 2);
  buf[10] = 'T';
  put(11, ms_of_day / 3'600'000, 2);
  buf[13] = ':';
  put(14, ms_of_day / 60'000 % 60, 2);
  buf[16] = ':';
  put(17, ms_of_day / 1000 % 60, 2);
  buf[19] = '.';
  put(20, ms_of_day % 1000, 3);
  buf[23] = 'Z';
  return std::string(buf, 24);
}

std::string FormatLogLine(LogFormat format, absl::Time time, LogLevel level, std::string_view msg,
                          std::initializer_list<LogField> fields) {
  std::string line;
  line.reserve(128);
  if (format == LogFormat::kText) {
    line = FormatLogTime(time);
    line += ' ';
    const std::string_view name = LogLevelName(level);
    line += name;
    line.append(6 - name.size(), ' ');  // level column 5 wide, then one space
    AppendTextEscaped(line, msg);
    for (const LogField& f : fields) {
      line += ' ';
      if (IsReservedKey(f.key)) line += "field.";
      AppendTextEscaped(line, f.key);
      line += '=';
      f.value.AppendText(line);
    }
  } else {
    line += "{\"ts\":\"";
    line += FormatLogTime(time);
    line += "\",\"level\":\"";
    line += LogLevelName(level);
    line += "\",\"msg\":";
    AppendJsonString(line, msg);
    for (const LogField& f : fields) {
      line += ',';
      if (IsReservedKey(f.key)) {
        AppendJsonString(line, absl::StrCat("field.", AV(f.key)));
      } else {
        AppendJsonString(line, f.key);
      }
      line += ':';
      f.value.AppendJson(line);
    }
    line += '}';
  }
  line += '\n';
  return line;
}

// LogSink ---------------------------------------------------------------------------------------

absl::StatusOr<std::unique_ptr<LogSink>> LogSink::Open(std::string_view sink) {
  absl::StatusOr<int> fd = OpenSinkFd(sink);
  if (!fd.ok()) return fd.status();
  return std::unique_ptr<LogSink>(new LogSink(*fd, std::string(sink)));
}

LogSink::~LogSink() { close(fd_); }

absl::Status LogSink::Redirect(std::string_view sink) {
  absl::StatusOr<int> fd = OpenSinkFd(sink);
  if (!fd.ok()) return fd.status();
  absl::MutexLock lock(&mu_);
  // dup2 swaps the file behind fd_ atomically: a concurrent Write goes to one file or the other.
  const int rc = dup3(*fd, fd_, O_CLOEXEC);
  const int err = errno;
  close(*fd);
  if (rc < 0) {
    return absl::InternalError(absl::StrCat("log sink \"", AV(sink), "\": dup3: ", strerror(err)));
  }
  path_ = std::string(sink);
  return absl::OkStatus();
}

absl::Status LogSink::Reopen() {
  std::string current = path();
  if (current == kStderr || current == kStdout) return absl::OkStatus();
  return Redirect(current);
}

std::string LogSink::path() const {
  absl::MutexLock lock(&mu_);
  return path_;
}

bool LogSink::Write(std::string_view line) const {
  while (!line.empty()) {
    const ssize_t n = write(fd_, line.data(), line.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    line.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

// Logger ----------------------------------------------------------------------------------------

Logger::Logger(const LogOptions& options, std::unique_ptr<LogSink> sink, LogClock clock)
    : level_(static_cast<int>(options.level)),
      format_(static_cast<int>(options.format)),
      sink_(std::move(sink)),
      clock_(clock ? std::move(clock) : LogClock([] { return absl::Now(); })) {}

absl::StatusOr<std::unique_ptr<Logger>> Logger::Create(const LogOptions& options, LogClock clock) {
  absl::StatusOr<std::unique_ptr<LogSink>> sink = LogSink::Open(options.sink);
  if (!sink.ok()) return sink.status();
  return std::unique_ptr<Logger>(new Logger(options, *std::move(sink), std::move(clock)));
}

absl::Status Logger::Configure(const LogOptions& options) {
  if (options.sink != sink_->path()) {
    if (absl::Status s = sink_->Redirect(options.sink); !s.ok()) return s;
  }
  level_.store(static_cast<int>(options.level), std::memory_order_relaxed);
  format_.store(static_cast<int>(options.format), std::memory_order_relaxed);
  return absl::OkStatus();
}

void Logger::Log(LogLevel level, std::string_view msg, std::initializer_list<LogField> fields) {
  if (!Enabled(level)) return;
  const auto format = static_cast<LogFormat>(format_.load(std::memory_order_relaxed));
  if (!sink_->Write(FormatLogLine(format, clock_(), level, msg, fields))) {
    dropped_.fetch_add(1, std::memory_order_relaxed);
  }
}

Logger& ProcessLogger() {
  static Logger* const logger = [] {
    absl::StatusOr<std::unique_ptr<Logger>> l = Logger::Create(LogOptions{});
    if (!l.ok()) {
      // Only when the process is out of descriptors at its first log line; nothing can work.
      const std::string msg = absl::StrCat("meshgw: process logger: ", l.status().message(), "\n");
      (void)!write(STDERR_FILENO, msg.data(), msg.size());
      abort();
    }
    return l->release();
  }();
  return *logger;
}

// AccessLog -------------------------------------------------------------------------------------

std::string_view ProxyModeName(ProxyMode mode) {
  switch (mode) {
    case ProxyMode::kUnknown:
      return "unknown";
    case ProxyMode::kPassthrough:
      return "passthrough";
    case ProxyMode::kTerminate:
      return "terminate";
    case ProxyMode::kEgress:
      return "egress";
  }
  return "unknown";
}

absl::StatusOr<std::unique_ptr<AccessLog>> AccessLog::Open(std::string_view sink,
                                                           LogFormat format) {
  if (sink == "off") return std::unique_ptr<AccessLog>(new AccessLog(nullptr, format));
  absl::StatusOr<std::unique_ptr<LogSink>> s = LogSink::Open(sink);
  if (!s.ok()) {
    return absl::Status(s.status().code(), absl::StrCat("access log: ", s.status().message()));
  }
  return std::unique_ptr<AccessLog>(new AccessLog(*std::move(s), format));
}

std::string AccessLog::Format(LogFormat format, const AccessLogRecord& r) {
  const double duration_ms = absl::ToDoubleMilliseconds(r.duration);
  std::string line;
  line.reserve(256);
  if (format == LogFormat::kText) {
    line = FormatLogTime(r.start);
    const auto field = [&line](std::string_view key, std::string_view value) {
      absl::StrAppend(&line, " ", AV(key), "=");
      AppendTextValue(line, value);
    };
    line += ' ';
    AppendTextValue(line, r.downstream);
    line += ' ';
    AppendTextValue(line, r.listener);
    field("route", r.route);
    field("sni", r.sni);
    field("mode", ProxyModeName(r.mode));
    field("peer", r.peer_identity);
    field("cluster", r.cluster);
    field("upstream", r.upstream);
    absl::StrAppend(&line, " in=", r.bytes_in, " out=", r.bytes_out, " duration_ms=");
    AppendDouble(line, duration_ms, /*json=*/false);
    field("close", r.close_reason);
    field("authz", r.authz);
  } else {
    const auto field = [&line](std::string_view key, std::string_view value) {
      if (line.size() > 1) line += ',';
      AppendJsonString(line, key);
      line += ':';
      AppendJsonString(line, value);
    };
    line += '{';
    field("start", FormatLogTime(r.start));
    field("downstream", r.downstream);
    field("listener", r.listener);
    field("route", r.route);
    field("sni", r.sni);
    field("mode", ProxyModeName(r.mode));
    field("peer", r.peer_identity);
    field("cluster", r.cluster);
    field("upstream", r.upstream);
    absl::StrAppend(&line, ",\"bytes_in\":", r.bytes_in, ",\"bytes_out\":", r.bytes_out,
                    ",\"duration_ms\":");
    AppendDouble(line, duration_ms, /*json=*/true);
    field("close", r.close_reason);
    field("authz", r.authz);
    line += '}';
  }
  line += '\n';
  return line;
}

void AccessLog::Write(const AccessLogRecord& record) {
  if (!sink_) return;
  if (!sink_->Write(Format(format_, record))) dropped_.fetch_add(1, std::memory_order_relaxed);
}

}  // namespace meshgw
