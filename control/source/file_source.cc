#include "control/source/file_source.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <system_error>
#include <utility>

#include "common/file.h"
#include "control/model/internal/cat.h"
#include "control/model/validate.h"
#include "control/source/internal/entry_schemas.h"
#include "control/source/internal/syntax_tree.h"
#include "hcl/decode/content.h"
#include "hcl/diagnostic.h"
#include "hcl/eval/eval.h"
#include "hcl/syntax/parser.h"

namespace meshgw::control {

namespace fs = std::filesystem;
using internal::Cat;
using source_internal::LocateFieldPath;
using source_internal::SameConsulName;

namespace {

// The top-level names of Consul's ACL rules language.
bool IsAclRuleName(std::string_view name) {
  static const std::set<std::string, std::less<>> kNames = {"acl",
                                                            "agent",
                                                            "agent_prefix",
                                                            "event",
                                                            "event_prefix",
                                                            "identity",
                                                            "identity_prefix",
                                                            "key",
                                                            "key_prefix",
                                                            "keyring",
                                                            "mesh",
                                                            "namespace",
                                                            "namespace_prefix",
                                                            "node",
                                                            "node_prefix",
                                                            "operator",
                                                            "partition",
                                                            "partition_prefix",
                                                            "peering",
                                                            "query",
                                                            "query_prefix",
                                                            "service",
                                                            "service_prefix",
                                                            "session",
                                                            "session_prefix"};
  return kNames.contains(name);
}

// A file's body is an ACL policy when everything at its top is an ACL rule and it has at least
// one; `service "name" { policy = ... }` (labeled) is a rule, `service { ... }` is not.
bool LooksLikeAclPolicy(const hcl::Body& body) {
  if (body.attributes.empty() && body.blocks.empty()) return false;
  for (const hcl::Attribute& a : body.attributes) {
    if (!IsAclRuleName(a.name)) return false;
  }
  for (const hcl::Block& b : body.blocks) {
    if (!IsAclRuleName(b.type) || b.labels.empty()) return false;
  }
  return true;
}

bool IsServiceFile(const hcl::Body& body) {
  for (const hcl::Attribute& a : body.attributes) {
    if (SameConsulName(a.name, "service") || SameConsulName(a.name, "services")) return true;
  }
  for (const hcl::Block& b : body.blocks) {
    if ((SameConsulName(b.type, "service") || SameConsulName(b.type, "services")) &&
        b.labels.empty()) {
      return true;
    }
  }
  return false;
}

// Where each decoded service definition was written, in the decoder's order: the `service`
// occurrences in source order, then the `services` ones; a list value counts per element.
struct ServiceSite {
  const hcl::Body* body = nullptr;  // block form
  const hcl::Expr* expr = nullptr;  // value form
  hcl::Range range;
};

std::vector<ServiceSite> ServiceSites(const hcl::Body& body) {
  std::vector<ServiceSite> out;
  for (std::string_view name : {"service", "services"}) {
    std::vector<std::pair<int, std::vector<ServiceSite>>> found;
    for (const hcl::Block& b : body.blocks) {
      if (SameConsulName(b.type, name)) {
        found.push_back({b.type_range.start.byte, {{b.body.get(), nullptr, b.DefRange()}}});
      }
    }
    for (const hcl::Attribute& a : body.attributes) {
      if (!SameConsulName(a.name, name)) continue;
      std::vector<ServiceSite> sites;
      const hcl::Expr* e = a.expr.get();
      if (e->kind == hcl::ExprKind::kTuple) {
        for (const hcl::ExprPtr& item : e->As<hcl::TupleExpr>().items) {
          sites.push_back({nullptr, item.get(), item->range});
        }
      } else {
        sites.push_back({nullptr, e, e->range});
      }
      found.push_back({a.name_range.start.byte, std::move(sites)});
    }
    std::stable_sort(found.begin(), found.end(),
                     [](const auto& x, const auto& y) { return x.first < y.first; });
    for (auto& [pos, sites] : found) out.insert(out.end(), sites.begin(), sites.end());
  }
  return out;
}

// One parsed file, with what duplicate checks need to point at.
struct LoadedFile {
  ConfigFileContents contents;
  hcl::Range entry_range;                  // the entry's Kind attribute
  std::vector<hcl::Range> service_ranges;  // one per service
};

void AddValidationErrors(const std::vector<ValidationError>& errors, std::string_view summary,
                         const std::function<hcl::Range(const std::string&)>& locate,
                         hcl::Diagnostics* diags) {
  for (const ValidationError& e : errors) {
    diags->AddError(std::string(summary),
                    e.path.empty() ? Cat(e.message, ".") : Cat(e.path, ": ", e.message, "."),
                    locate(e.path));
  }
}

void LoadEntry(const hcl::File& file, const hcl::Attribute& kind_attr, LoadedFile* out,
               hcl::Diagnostics* diags) {
  hcl::Diagnostics local;
  hcl::Value kind_value = hcl::Evaluate(*kind_attr.expr, nullptr, &local);
  if (local.HasErrors()) {
    diags->Append(local);
    return;
  }
  if (kind_value.is_null() || !kind_value.is_known() ||
      kind_value.type().kind() != hcl::Type::Kind::kString) {
    diags->AddError("Invalid config entry kind",
                    Cat("Kind must be a string such as \"service-intentions\", not ",
                        kind_value.is_known() ? kind_value.DebugString() : "an unknown value", "."),
                    kind_attr.expr->range);
    return;
  }
  const std::string& kind_name = kind_value.AsString();
  std::optional<ConfigEntryKind> kind = ParseConfigEntryKind(kind_name);
  if (!kind.has_value()) {
    std::string suggestion = hcl::NameSuggestion(kind_name, ConfigEntryKindNames());
    diags->AddError(
        "Unsupported config entry kind",
        Cat("meshgw reads the kinds exported-services, service-intentions, sameness-group, "
            "service-resolver, service-defaults, proxy-defaults, mesh, api-gateway and "
            "http-route, not ",
            hcl::QuoteName(kind_name), ".",
            suggestion.empty() ? "" : Cat(" Did you mean ", hcl::QuoteName(suggestion), "?")),
        kind_attr.expr->range);
    return;
  }
  std::shared_ptr<const hcl::SyntaxBody> body = hcl::NativeBody(*file.body);
  std::shared_ptr<const hcl::SyntaxBody> remain;
  hcl::BodySchema kind_schema{.attributes = {{kind_attr.name, false}}, .blocks = {}};
  body->PartialContent(kind_schema, &remain, &local);
  ConfigEntry entry = source_internal::DecodeConfigEntry(*kind, *remain, &local);
  if (local.HasErrors()) {
    diags->Append(local);
    return;
  }
  NormalizeConfigEntry(&entry);
  AddValidationErrors(
      ValidateConfigEntry(entry), "Invalid config entry",
      [&](const std::string& path) {
        return path.empty() ? kind_attr.src_range
                            : LocateFieldPath(*file.body, path, kind_attr.src_range);
      },
      &local);
  if (local.HasErrors()) {
    diags->Append(local);
    return;
  }
  out->entry_range = kind_attr.src_range;
  SetEntryOrigin(entry, kind_attr.src_range.StartString());
  out->contents.entry = std::move(entry);
}

void LoadServices(const hcl::File& file, LoadedFile* out, hcl::Diagnostics* diags) {
  hcl::Diagnostics local;
  source_internal::ServiceFile decoded =
      source_internal::DecodeServiceFile(*hcl::NativeBody(*file.body), &local);
  if (local.HasErrors()) {
    diags->Append(local);
    return;
  }
  std::vector<ServiceDefinition> all = std::move(decoded.service);
  for (ServiceDefinition& s : decoded.services) all.push_back(std::move(s));
  std::vector<ServiceSite> sites = ServiceSites(*file.body);
  for (size_t i = 0; i < all.size(); ++i) {
    ServiceSite site = i < sites.size() ? sites[i] : ServiceSite{file.body.get(), nullptr, {}};
    AddValidationErrors(
        ValidateServiceDefinition(all[i]), "Invalid service definition",
        [&](const std::string& path) {
          if (site.expr != nullptr) return LocateFieldPath(*site.expr, path);
          return LocateFieldPath(*site.body, path, site.range);
        },
        &local);
    all[i].origin = site.range.StartString();
    out->service_ranges.push_back(site.range);
  }
  if (local.HasErrors()) {
    diags->Append(local);
    return;
  }
  out->contents.services = std::move(all);
}

// Parses, decodes and validates one file; problems go to `diags`.
LoadedFile LoadFile(std::string_view filename, std::string text, hcl::Diagnostics* diags) {
  LoadedFile out;
  hcl::ParseResult parsed = hcl::ParseConfig(std::move(text), filename);
  if (parsed.diags.HasErrors()) {
    diags->Append(parsed.diags);
    return out;
  }
  hcl::File& file = *parsed.file;
  source_internal::InlineOpaqueBlocks(file.body.get());
  source_internal::NormalizeAcronymKeys(file.body.get());

  for (const hcl::Attribute& a : file.body->attributes) {
    if (a.name == "Kind" || a.name == "kind") {
      LoadEntry(file, a, &out, diags);
      return out;
    }
  }
  if (IsServiceFile(*file.body)) {
    for (hcl::Block& b : file.body->blocks) {
      if (SameConsulName(b.type, "service") || SameConsulName(b.type, "services")) {
        source_internal::SingleCheckAsList(b.body.get());
      }
    }
    LoadServices(file, &out, diags);
    return out;
  }
  if (LooksLikeAclPolicy(*file.body)) {
    out.contents.skipped_reason =
        "ACL policy (rules for `consul acl policy create`), not a config entry";
    return out;
  }
  diags->AddError("Unrecognized file",
                  "Expected a Consul config entry (Kind = \"...\" at the top), service "
                  "definitions (service { ... }) or an ACL policy.",
                  hcl::Range{file.filename, {}, {}});
  return out;
}

}  // namespace

absl::StatusOr<ConfigFileContents> ParseConfigFile(std::string_view filename, std::string text) {
  hcl::Diagnostics diags;
  LoadedFile f = LoadFile(hcl::InternFilename(filename), std::move(text), &diags);
  if (diags.HasErrors()) return diags.ToStatus();
  return std::move(f.contents);
}

FileSource::FileSource(FileSourceOptions options)
    : options_(std::move(options)), model_(options_.local) {}

absl::StatusOr<std::vector<FileSource::FileStamp>> FileSource::Scan() const {
  std::error_code ec;
  if (!fs::is_directory(options_.directory, ec)) {
    return absl::NotFoundError(Cat(options_.directory, ": not a directory"));
  }
  std::vector<FileStamp> out;
  fs::recursive_directory_iterator it(options_.directory,
                                      fs::directory_options::follow_directory_symlink, ec);
  for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    const fs::path& p = it->path();
    std::string name = p.filename().string();
    if (name.starts_with(".")) {
      if (it->is_directory(ec)) it.disable_recursion_pending();
      continue;
    }
    if (!it->is_regular_file(ec) || p.extension() != ".hcl") continue;
    FileStamp s;
    s.path = p.string();
    s.size = it->file_size(ec);
    auto mtime = it->last_write_time(ec);
    s.mtime_ns =
        std::chrono::duration_cast<std::chrono::nanoseconds>(mtime.time_since_epoch()).count();
    out.push_back(std::move(s));
  }
  if (ec) return absl::UnavailableError(Cat(options_.directory, ": ", ec.message()));
  std::sort(out.begin(), out.end(),
            [](const FileStamp& a, const FileStamp& b) { return a.path < b.path; });
  return out;
}

absl::StatusOr<bool> FileSource::Reload() {
  absl::StatusOr<std::vector<FileStamp>> stamps = Scan();
  if (!stamps.ok()) {
    last_error_ = stamps.status();
    return stamps.status();
  }
  if (attempted_.has_value() && *attempted_ == *stamps) return false;
  return Load(*std::move(stamps));
}

absl::StatusOr<bool> FileSource::ForceReload() {
  absl::StatusOr<std::vector<FileStamp>> stamps = Scan();
  if (!stamps.ok()) {
    last_error_ = stamps.status();
    return stamps.status();
  }
  return Load(*std::move(stamps));
}

absl::StatusOr<bool> FileSource::Load(std::vector<FileStamp> stamps) {
  attempted_ = stamps;
  hcl::Diagnostics diags;
  Model::Builder builder{Model(options_.local)};
  builder.ReuseUnchangedFrom(model_);
  std::vector<SkippedFile> skipped;
  std::vector<std::string> files;
  std::map<EntryKey, hcl::Range> entry_sites;
  std::map<std::string, hcl::Range, std::less<>> service_sites;

  for (const FileStamp& stamp : stamps) {
    absl::StatusOr<std::string> text = ReadFile(stamp.path);
    if (!text.ok()) {
      diags.AddError("Unreadable file", std::string(text.status().message()),
                     hcl::Range{hcl::InternFilename(stamp.path), {}, {}});
      continue;
    }
    files.push_back(stamp.path);
    LoadedFile f = LoadFile(hcl::InternFilename(stamp.path), *std::move(text), &diags);
    if (!f.contents.skipped_reason.empty()) {
      skipped.push_back({stamp.path, f.contents.skipped_reason});
    }
    if (f.contents.entry.has_value()) {
      EntryKey key{KindOf(*f.contents.entry), EntryName(*f.contents.entry)};
      auto [it, inserted] = entry_sites.try_emplace(key, f.entry_range);
      if (!inserted) {
        diags.AddError("Duplicate config entry",
                       Cat(ConfigEntryKindName(key.kind), " ", hcl::QuoteName(key.name),
                           " is also defined at ", it->second.StartString(),
                           "; each kind and name may be defined once."),
                       f.entry_range);
      } else {
        builder.Put(*std::move(f.contents.entry));
      }
    }
    for (size_t i = 0; i < f.contents.services.size(); ++i) {
      ServiceDefinition& s = f.contents.services[i];
      std::string id = s.EffectiveId();
      auto [it, inserted] = service_sites.try_emplace(id, f.service_ranges[i]);
      if (!inserted) {
        diags.AddError("Duplicate service definition",
                       Cat("service ID ", hcl::QuoteName(id), " is also defined at ",
                           it->second.StartString(), "; give each instance its own ID."),
                       f.service_ranges[i]);
      } else {
        builder.PutService(std::move(s));
      }
    }
  }
  if (diags.HasErrors()) {
    last_error_ = diags.ToStatus();
    return last_error_;
  }
  model_ = std::move(builder).Build();
  skipped_ = std::move(skipped);
  files_ = std::move(files);
  last_error_ = absl::OkStatus();
  return true;
}

}  // namespace meshgw::control
