// Whole-file reads and crash-safe writes, for the small files the project keeps (config files,
// PEM certificates and keys, the peerings' state).
//
//   absl::StatusOr<std::string> text = ReadFile("control.hcl");
//   // NotFound "control.hcl: No such file or directory" when it cannot be opened
//   absl::Status s = WriteFileAtomically("data/peerings.json", json, 0600);
//
// Thread safety: the functions are safe to call from any thread; two writers of one path race
// (the last rename wins, never a torn file).
#ifndef MESHGW_COMMON_FILE_H_
#define MESHGW_COMMON_FILE_H_

#include <sys/types.h>

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace meshgw {

// ReadFile(path): the file's bytes. NotFound (or PermissionDenied) naming the path and the system's
// reason when it cannot be opened; DataLoss when a read fails half way.
absl::StatusOr<std::string> ReadFile(const std::string& path);

// WriteFileAtomically(path, data, mode): writes `path + ".tmp"` with `mode`, fsyncs it and renames
// it over `path`, so a reader sees the old file or the new one, never a part. Errors name the file.
absl::Status WriteFileAtomically(const std::string& path, std::string_view data,
                                 mode_t mode = 0600);

}  // namespace meshgw

#endif  // MESHGW_COMMON_FILE_H_
