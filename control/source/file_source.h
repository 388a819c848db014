// The file source: a folder of HCL files (the control component's embedded default, in place of
// a Consul cluster) read into a `Model`, and re-read when the files change.
//
// Each `.hcl` file under the folder (recursively; names starting with "." are skipped) holds one
// of:
//   - a Consul config entry exactly as `consul config write` accepts it: `Kind = "..."` at the top,
//     keys in CamelCase or snake_case, nested structures as blocks or as values;
//   - Consul agent service definitions: `service { ... }` blocks (or `services = [...]`),
//     including `kind = "mesh-gateway"` with `tagged_addresses`;
//   - a Consul ACL policy (top-level rules such as `mesh = "write"`, `service_prefix "" {...}`,
//     like the walkthrough's mesh-acl.hcl): recognised by its shape and skipped (listed in
//     `skipped()`), since ACLs are Consul's business, not the model's.
// Anything else is an error; other file names (`.json`, `.hcl.json`) are not read. Every error is
// "file:line:col: summary; detail": syntax, unknown fields (with "Did you mean"), wrong types,
// Consul's rules (model/validate.h), an unknown kind, and the same entry kind and name (or service
// ID) defined twice, naming both places.
//
//   FileSourceOptions options;
//   options.directory = "configs/dc2";
//   options.local.datacenter = "gcp-dc2";
//   FileSource files(options);
//   absl::StatusOr<bool> changed = files.Reload();  // first call: loads
//   if (!changed.ok()) LOG(ERROR) << changed.status();  // the previous model keeps serving
//   Model m = files.model();
//
// Thread-safety: a FileSource is used by one thread at a time (the control loop); the Models it
// hands out are immutable and may be shared freely.
#ifndef MESHGW_CONTROL_SOURCE_FILE_SOURCE_H_
#define MESHGW_CONTROL_SOURCE_FILE_SOURCE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "control/model/config_entry.h"
#include "control/model/model.h"
#include "control/model/service.h"

namespace meshgw::control {

// What one HCL file holds, validated and normalised.
struct ConfigFileContents {
  std::optional<ConfigEntry> entry;         // a config entry file
  std::vector<ServiceDefinition> services;  // a service definition file
  // Non-empty when the file is recognised but holds nothing for the model, and why
  // ("ACL policy: ...").
  std::string skipped_reason;
};

// ParseConfigFile reads one file's text (`filename` is used in messages and origins). Errors:
// InvalidArgument, one "file:line:col: summary; detail" per line.
absl::StatusOr<ConfigFileContents> ParseConfigFile(std::string_view filename, std::string text);

struct FileSourceOptions {
  std::string directory;
  LocalSettings local;  // copied into every Model
};

struct SkippedFile {
  std::string path;
  std::string reason;

  friend bool operator==(const SkippedFile&, const SkippedFile&) = default;
};

class FileSource {
 public:
  explicit FileSource(FileSourceOptions options);

  // Reload re-reads the folder when a file was added, removed or changed (size or modification
  // time, in nanoseconds; an edit keeping both is not seen, ForceReload reads anyway) since the
  // last attempt, and builds a new model from all of them. Returns true when it
  // built a new model, false when nothing changed since the last attempt (successful or not).
  // On any error the model stays the last good one and the error (every problem, one per line)
  // is returned, and kept in last_error() until a reload succeeds. The first call always loads.
  absl::StatusOr<bool> Reload();
  // ForceReload re-reads even when nothing seems to have changed.
  absl::StatusOr<bool> ForceReload();

  // The last good model (empty, with the local settings, before the first good load). Entries
  // unchanged by a reload keep their pointers (see DiffModels).
  const Model& model() const { return model_; }
  // The files of the last good load that were recognised and skipped.
  const std::vector<SkippedFile>& skipped() const { return skipped_; }
  // The error of the last attempt, OK after a good one.
  const absl::Status& last_error() const { return last_error_; }
  // The files of the last good load, in the order they were read.
  const std::vector<std::string>& files() const { return files_; }

 private:
  struct FileStamp {
    std::string path;
    uintmax_t size = 0;
    int64_t mtime_ns = 0;
    friend bool operator==(const FileStamp&, const FileStamp&) = default;
  };
  absl::StatusOr<std::vector<FileStamp>> Scan() const;
  absl::StatusOr<bool> Load(std::vector<FileStamp> stamps);

  FileSourceOptions options_;
  Model model_;
  std::vector<SkippedFile> skipped_;
  std::vector<std::string> files_;
  absl::Status last_error_;
  std::optional<std::vector<FileStamp>> attempted_;  // the stamps of the last attempt
};

}  // namespace meshgw::control

#endif  // MESHGW_CONTROL_SOURCE_FILE_SOURCE_H_
