#include "hcl/source.h"

#include <memory>
#include <mutex>

#include "absl/container/node_hash_set.h"
#include "absl/strings/str_format.h"

namespace meshgw::hcl {

std::string Range::StartString() const {
  return absl::StrFormat("%s:%d:%d", filename, start.line, start.column);
}

std::string Range::ToString() const {
  if (start.line == end.line) {
    return absl::StrFormat("%s:%d,%d-%d", filename, start.line, start.column, end.column);
  }
  return absl::StrFormat("%s:%d,%d-%d,%d", filename, start.line, start.column, end.line,
                         end.column);
}

std::string_view InternFilename(std::string_view name) {
  // Never freed: a process reads a bounded set of files, and ranges must outlive any one parse.
  static std::mutex* mu = new std::mutex;
  static auto* names = new absl::node_hash_set<std::string>;
  std::lock_guard<std::mutex> lock(*mu);
  return *names->emplace(name).first;
}

}  // namespace meshgw::hcl
