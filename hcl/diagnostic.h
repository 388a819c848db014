// Diagnostics: errors and warnings about HCL input, each naming where it is.
//
// Every problem found in a file (syntax, evaluation, decoding) is a `Diagnostic` with a summary,
// a detail sentence and the source range it is about. `Diagnostics` collects several, because the
// parser recovers and reports as many problems as the official implementation does.
// Not thread-safe; values are cheap to copy.
//
//   Diagnostics diags;
//   diags.AddError("Unsupported argument", "An argument named \"x\" is not expected here.", r);
//   if (diags.HasErrors()) return diags.ToStatus();   // "f.hcl:3:5: Unsupported argument; An ..."
#ifndef MESHGW_HCL_DIAGNOSTIC_H_
#define MESHGW_HCL_DIAGNOSTIC_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "hcl/source.h"

namespace meshgw::hcl {

enum class Severity { kError, kWarning };

struct Diagnostic {
  Severity severity = Severity::kError;
  std::string summary;           // short, e.g. "Missing newline after argument"
  std::string detail;            // a sentence or two saying what is wrong and what would be right
  Range subject;                 // what the diagnostic is about
  std::optional<Range> context;  // a larger range around the subject, when useful

  // "file:line:col: summary; detail" — the one-line form used in logs and Status messages.
  std::string ToString() const;
};

class Diagnostics {
 public:
  void Add(Diagnostic d) { list_.push_back(std::move(d)); }
  void AddError(std::string summary, std::string detail, const Range& subject) {
    list_.push_back(
        Diagnostic{Severity::kError, std::move(summary), std::move(detail), subject, std::nullopt});
  }
  void Append(const Diagnostics& other) {
    list_.insert(list_.end(), other.list_.begin(), other.list_.end());
  }

  bool HasErrors() const;
  bool empty() const { return list_.empty(); }
  size_t size() const { return list_.size(); }
  const Diagnostic& operator[](size_t i) const { return list_[i]; }
  auto begin() const { return list_.begin(); }
  auto end() const { return list_.end(); }

  // ToStatus: OK when there are no errors, else InvalidArgument whose message lists every error
  // (one per line, each "file:line:col: summary; detail").
  absl::Status ToStatus() const;
  // All diagnostics, one per line.
  std::string ToString() const;

 private:
  std::vector<Diagnostic> list_;
};

}  // namespace meshgw::hcl

#endif  // MESHGW_HCL_DIAGNOSTIC_H_
