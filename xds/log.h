// Logging seam of the xds library.
//
// The library never writes to stderr by itself: servers and clients take a LogSink in their options
// and call it from their own threads. A sink must therefore be thread-safe. The default sink
// (StderrLogSink) writes one line per message and is thread-safe.
//
//   ServerOptions options;
//   options.log = [](LogLevel level, absl::string_view line) { my_logger.Write(level, line); };
#ifndef MESHGW_XDS_LOG_H_
#define MESHGW_XDS_LOG_H_

#include <functional>

#include "absl/strings/string_view.h"

namespace meshgw::xds {

enum class LogLevel { kDebug, kInfo, kWarning, kError };

// Receives one complete log line (no trailing newline).
using LogSink = std::function<void(LogLevel level, absl::string_view line)>;

// StderrLogSink() returns a sink that prints "xds <level>: <line>" to stderr, one write per line.
// Debug lines are dropped unless the environment has MESHGW_XDS_DEBUG=1.
LogSink StderrLogSink();

// LogLevelName(kWarning) == "warning".
absl::string_view LogLevelName(LogLevel level);

}  // namespace meshgw::xds

#endif  // MESHGW_XDS_LOG_H_
