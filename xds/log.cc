#include "xds/log.h"

#include <unistd.h>

#include <cstdlib>
#include <string>

#include "absl/strings/str_cat.h"

namespace meshgw::xds {

absl::string_view LogLevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarning:
      return "warning";
    case LogLevel::kError:
      return "error";
  }
  return "?";
}

LogSink StderrLogSink() {
  const char* env = std::getenv("MESHGW_XDS_DEBUG");
  const bool debug = env != nullptr && absl::string_view(env) == "1";
  return [debug](LogLevel level, absl::string_view line) {
    if (level == LogLevel::kDebug && !debug) return;
    std::string out = absl::StrCat("xds ", LogLevelName(level), ": ", line, "\n");
    // One write(2) per line keeps lines from different threads whole.
    ssize_t ignored = ::write(STDERR_FILENO, out.data(), out.size());
    (void)ignored;
  };
}

}  // namespace meshgw::xds
