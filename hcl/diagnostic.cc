#include "hcl/diagnostic.h"

#include "absl/strings/str_cat.h"

namespace meshgw::hcl {

std::string Diagnostic::ToString() const {
  std::string out = absl::StrCat(subject.StartString(), ": ",
                                 severity == Severity::kWarning ? "warning: " : "", summary);
  if (!detail.empty()) absl::StrAppend(&out, "; ", detail);
  return out;
}

bool Diagnostics::HasErrors() const {
  for (const auto& d : list_) {
    if (d.severity == Severity::kError) return true;
  }
  return false;
}

std::string Diagnostics::ToString() const {
  std::string out;
  for (const auto& d : list_) absl::StrAppend(&out, d.ToString(), "\n");
  return out;
}

absl::Status Diagnostics::ToStatus() const {
  std::string msg;
  for (const auto& d : list_) {
    if (d.severity != Severity::kError) continue;
    if (!msg.empty()) msg += "\n";
    msg += d.ToString();
  }
  return msg.empty() ? absl::OkStatus() : absl::InvalidArgumentError(msg);
}

}  // namespace meshgw::hcl
