// Source positions and ranges of HCL text.
//
// A `Range` names its file by a `std::string_view` that stays valid for the life of the process:
// file names are interned (`InternFilename`) so that ranges can be copied freely into values,
// diagnostics and decoded structs that outlive the parsed file. Thread-safe.
#ifndef MESHGW_HCL_SOURCE_H_
#define MESHGW_HCL_SOURCE_H_

#include <string>
#include <string_view>

namespace meshgw::hcl {

// A position in a source file. Lines and columns count from 1; a column counts Unicode grapheme
// clusters like the official implementation does (a tab is one column); `byte` is the 0-based
// offset into the file.
struct Pos {
  int line = 1;
  int column = 1;
  int byte = 0;

  friend bool operator==(const Pos&, const Pos&) = default;
};

// A half-open byte range [start, end) in a named file.
struct Range {
  std::string_view filename;
  Pos start;
  Pos end;

  friend bool operator==(const Range&, const Range&) = default;

  // Range::Between returns the range covering both `a` and `b` (a must start first).
  static Range Between(const Range& a, const Range& b) { return Range{a.filename, a.start, b.end}; }

  // "file:line:col" of the start, the form every error message of the project leads with.
  std::string StartString() const;
  // "file:L:C-L:C" like the official implementation's Range.String().
  std::string ToString() const;
};

// InternFilename returns a view of a process-lifetime copy of `name` (the same view for the same
// name), so ranges never dangle.
std::string_view InternFilename(std::string_view name);

}  // namespace meshgw::hcl

#endif  // MESHGW_HCL_SOURCE_H_
