#include "control/source/consul_json.h"

#include <algorithm>
#include <cctype>
#include <optional>
#include <set>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "common/log.h"
#include "control/model/internal/cat.h"
#include "control/source/file_source.h"
#include "nlohmann/json.hpp"

namespace meshgw::control {

using internal::Cat;
using nlohmann::json;

namespace {

std::string Describe(const json& v) {
  std::string text = v.dump();
  if (text.size() > 60) text = text.substr(0, 57) + "...";
  return text;
}

// Reads typed fields out of parsed JSON, recording the first type error with its path.
class FieldReader {
 public:
  explicit FieldReader(std::string_view endpoint) : endpoint_(endpoint) {}

  const absl::Status& status() const { return status_; }
  bool ok() const { return status_.ok(); }

  void Fail(std::string_view path, std::string_view problem) {
    if (!status_.ok()) return;
    status_ = absl::InvalidArgumentError(Cat(endpoint_, ": ", path, ": ", problem));
  }

  // The member `key` of `obj`, or null when absent or JSON null.
  static const json* Member(const json& obj, std::string_view key) {
    if (!obj.is_object()) return nullptr;
    auto it = obj.find(std::string(key));
    if (it == obj.end() || it->is_null()) return nullptr;
    return &*it;
  }
  // Like Member, matching the key without case (Consul's docs print some keys in lower case).
  static const json* MemberAnyCase(const json& obj, std::string_view key) {
    if (const json* exact = Member(obj, key)) return exact;
    if (!obj.is_object()) return nullptr;
    for (auto it = obj.begin(); it != obj.end(); ++it) {
      if (absl::EqualsIgnoreCase(it.key(), absl::string_view(key.data(), key.size())) &&
          !it->is_null()) {
        return &*it;
      }
    }
    return nullptr;
  }

  std::string Str(const json& obj, std::string_view key, std::string_view path,
                  bool any_case = false) {
    const json* v = any_case ? MemberAnyCase(obj, key) : Member(obj, key);
    if (v == nullptr) return "";
    if (!v->is_string()) {
      Fail(Join(path, key), Cat("expected a string, got ", Describe(*v)));
      return "";
    }
    return v->get<std::string>();
  }
  int64_t Int(const json& obj, std::string_view key, std::string_view path, bool any_case = false) {
    const json* v = any_case ? MemberAnyCase(obj, key) : Member(obj, key);
    if (v == nullptr) return 0;
    if (!v->is_number_integer()) {
      Fail(Join(path, key), Cat("expected a number, got ", Describe(*v)));
      return 0;
    }
    return v->get<int64_t>();
  }
  int Port(const json& obj, std::string_view key, std::string_view path, bool any_case = false) {
    int64_t p = Int(obj, key, path, any_case);
    if (p < 0 || p > 65535) {
      Fail(Join(path, key), Cat("port ", p, " is not in 0..65535"));
      return 0;
    }
    return static_cast<int>(p);
  }
  bool Bool(const json& obj, std::string_view key, std::string_view path) {
    const json* v = Member(obj, key);
    if (v == nullptr) return false;
    if (!v->is_boolean()) {
      Fail(Join(path, key), Cat("expected true or false, got ", Describe(*v)));
      return false;
    }
    return v->get<bool>();
  }
  std::vector<std::string> StrList(const json& obj, std::string_view key, std::string_view path) {
    std::vector<std::string> out;
    const json* v = Member(obj, key);
    if (v == nullptr) return out;
    if (!v->is_array()) {
      Fail(Join(path, key), Cat("expected a list of strings, got ", Describe(*v)));
      return out;
    }
    for (size_t i = 0; i < v->size(); ++i) {
      if (!(*v)[i].is_string()) {
        Fail(Cat(Join(path, key), "[", i, "]"), Cat("expected a string, got ", Describe((*v)[i])));
        return out;
      }
      out.push_back((*v)[i].get<std::string>());
    }
    return out;
  }
  std::map<std::string, std::string> StrMap(const json& obj, std::string_view key,
                                            std::string_view path) {
    std::map<std::string, std::string> out;
    const json* v = Member(obj, key);
    if (v == nullptr) return out;
    if (!v->is_object()) {
      Fail(Join(path, key), Cat("expected an object of strings, got ", Describe(*v)));
      return out;
    }
    for (auto it = v->begin(); it != v->end(); ++it) {
      if (!it->is_string()) {
        Fail(Cat(Join(path, key), ".", it.key()), Cat("expected a string, got ", Describe(*it)));
        return out;
      }
      out[it.key()] = it->get<std::string>();
    }
    return out;
  }
  // An object member: null when absent; an error when present and not an object.
  const json* Obj(const json& obj, std::string_view key, std::string_view path) {
    const json* v = Member(obj, key);
    if (v == nullptr) return nullptr;
    if (!v->is_object()) {
      Fail(Join(path, key), Cat("expected an object, got ", Describe(*v)));
      return nullptr;
    }
    return v;
  }
  const json* Arr(const json& obj, std::string_view key, std::string_view path) {
    const json* v = Member(obj, key);
    if (v == nullptr) return nullptr;
    if (!v->is_array()) {
      Fail(Join(path, key), Cat("expected a list, got ", Describe(*v)));
      return nullptr;
    }
    return v;
  }
  absl::Time Time(const json& obj, std::string_view key, std::string_view path) {
    std::string text = Str(obj, key, path);
    if (text.empty()) return absl::InfinitePast();
    absl::Time t;
    std::string err;
    if (!absl::ParseTime(absl::RFC3339_full, text, &t, &err)) {
      Fail(Join(path, key), Cat("\"", text, "\" is not an RFC 3339 time: ", err));
      return absl::InfinitePast();
    }
    return t;
  }

  static std::string Join(std::string_view path, std::string_view key) {
    return path.empty() ? std::string(key) : Cat(path, ".", key);
  }

 private:
  std::string endpoint_;
  absl::Status status_;
};

absl::StatusOr<json> ParseBody(std::string_view endpoint, std::string_view body) {
  json doc = json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) {
    return absl::InvalidArgumentError(Cat(endpoint, ": the response is not valid JSON"));
  }
  return doc;
}

// ---- config entries: JSON → HCL native syntax, read by the file source's decoder
// ------------------

bool IsIdentifier(std::string_view s) {
  if (s.empty() || !(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_')) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
  });
}

// Writes a config entry's JSON as HCL native syntax, one top-level field per line, and remembers
// where each object key starts (line, column) so that a diagnostic can be traced to its field.
class HclWriter {
 public:
  std::string text;
  std::map<std::pair<int, int>, json::json_pointer> keys;

  void TopLevel(const std::string& key, const json& value) {
    Key(key, json::json_pointer("/" + Escape(key)), /*quoted=*/false);
    text += " = ";
    Value(value, json::json_pointer("/" + Escape(key)));
    text += "\n";
    ++line_;
    line_start_ = text.size();
  }

  void RawLine(const std::string& line) {
    text += line;
    text += "\n";
    ++line_;
    line_start_ = text.size();
  }

 private:
  static std::string Escape(const std::string& key) {
    std::string out;
    for (char c : key) {
      if (c == '~') {
        out += "~0";
      } else if (c == '/') {
        out += "~1";
      } else {
        out.push_back(c);
      }
    }
    return out;
  }

  void Key(const std::string& key, const json::json_pointer& where, bool quoted) {
    int col = static_cast<int>(text.size() - line_start_) + 1;
    keys.emplace(std::make_pair(line_, col), where);
    keys.emplace(std::make_pair(line_, col + 1), where);  // inside the quote
    if (quoted) {
      String(key);
    } else {
      text += key;
    }
  }

  // A JSON string as an HCL quoted template: JSON escapes (ASCII only, so columns are bytes) are
  // valid HCL escapes, and "${"/"%{" are doubled so they stay literal.
  void String(const std::string& s) {
    std::string quoted = json(s).dump(-1, ' ', /*ensure_ascii=*/true);
    for (size_t i = 0; i < quoted.size(); ++i) {
      char c = quoted[i];
      if ((c == '$' || c == '%') && i + 1 < quoted.size() && quoted[i + 1] == '{') {
        text.push_back(c);
      }
      text.push_back(c);
    }
  }

  void Value(const json& v, const json::json_pointer& where) {
    switch (v.type()) {
      case json::value_t::object: {
        text += "{";
        bool first = true;
        for (auto it = v.begin(); it != v.end(); ++it) {
          if (it->is_null()) continue;
          if (!first) text += ", ";
          first = false;
          Key(it.key(), where / it.key(), /*quoted=*/true);
          text += " = ";
          Value(*it, where / it.key());
        }
        text += "}";
        return;
      }
      case json::value_t::array: {
        text += "[";
        for (size_t i = 0; i < v.size(); ++i) {
          if (i > 0) text += ", ";
          Value(v[i], where / i);
        }
        text += "]";
        return;
      }
      case json::value_t::string:
        String(v.get<std::string>());
        return;
      default:
        text += v.dump();  // numbers, booleans
        return;
    }
  }

  int line_ = 1;
  size_t line_start_ = 0;
};

// Consul's read-only and deprecated fields that `consul config write` would not take.
void DropReadOnlyFields(json& entry) {
  for (const char* key : {"CreateIndex", "ModifyIndex", "Hash"}) entry.erase(key);
  if (auto it = entry.find("Sources"); it != entry.end() && it->is_array()) {
    for (json& source : *it) {
      if (!source.is_object()) continue;
      for (const char* key : {"LegacyID", "LegacyMeta", "LegacyCreateTime", "LegacyUpdateTime"}) {
        source.erase(key);
      }
    }
  }
}

struct Diag {
  int line = 0, col = 0;
  std::string text;  // "summary; detail"
};

// Splits "where:L:C: summary; detail" lines (ParseConfigFile's message) into parts; a line
// without a position keeps line 0.
std::vector<Diag> SplitDiagnostics(std::string_view where, std::string_view message) {
  std::vector<Diag> out;
  size_t pos = 0;
  while (pos < message.size()) {
    size_t eol = message.find('\n', pos);
    std::string_view line =
        message.substr(pos, eol == std::string_view::npos ? std::string_view::npos : eol - pos);
    pos = eol == std::string_view::npos ? message.size() : eol + 1;
    Diag d;
    d.text = std::string(line);
    if (line.starts_with(where)) {
      std::string_view rest = line.substr(where.size());
      int numbers[2] = {0, 0};
      int found = 0;
      while (found < 2 && rest.size() > 1 && rest[0] == ':' &&
             std::isdigit(static_cast<unsigned char>(rest[1]))) {
        size_t k = 1;
        int n = 0;
        while (k < rest.size() && std::isdigit(static_cast<unsigned char>(rest[k]))) {
          n = n * 10 + (rest[k] - '0');
          ++k;
        }
        numbers[found++] = n;
        rest = rest.substr(k);
      }
      if (found == 2) {
        d.line = numbers[0];
        d.col = numbers[1];
      }
      if (rest.starts_with(": ")) rest.remove_prefix(2);
      d.text = std::string(rest);
    }
    out.push_back(std::move(d));
  }
  return out;
}

absl::StatusOr<ConfigEntry> DecodeOneEntry(std::string_view endpoint, ConfigEntryKind kind,
                                           size_t index, json entry) {
  std::string where = Cat(endpoint, "[", index, "]");
  if (!entry.is_object()) {
    return absl::InvalidArgumentError(
        Cat(where, ": expected a config entry object, got ", Describe(entry)));
  }
  if (auto it = entry.find("Name"); it != entry.end() && it->is_string()) {
    where = Cat(endpoint, "/", it->get<std::string>());
  }
  if (auto it = entry.find("Kind"); it != entry.end()) {
    if (!it->is_string() || *it != std::string(ConfigEntryKindName(kind))) {
      return absl::InvalidArgumentError(
          Cat(where, ": Kind: expected \"", ConfigEntryKindName(kind), "\", got ", Describe(*it)));
    }
  }
  entry.erase("Kind");
  DropReadOnlyFields(entry);
  for (auto it = entry.begin(); it != entry.end(); ++it) {
    if (!IsIdentifier(it.key())) {
      return absl::InvalidArgumentError(
          Cat(where, ": field ", json(it.key()).dump(), " is not a Consul field name"));
    }
  }
  // Consul returns fields meshgw does not model (Expose, EnvoyExtensions, RateLimits, ...): a
  // mirror ignores them rather than refusing the entry. Everything else is an error.
  std::vector<std::string> ignored;
  for (int round = 0; round < 8; ++round) {
    HclWriter w;
    w.RawLine(Cat("Kind = \"", ConfigEntryKindName(kind), "\""));
    for (auto it = entry.begin(); it != entry.end(); ++it) {
      if (!it->is_null()) w.TopLevel(it.key(), *it);
    }
    absl::StatusOr<ConfigFileContents> parsed = ParseConfigFile(where, w.text);
    if (parsed.ok()) {
      if (!parsed->entry.has_value()) {
        return absl::InvalidArgumentError(Cat(where, ": not a config entry"));
      }
      ConfigEntry e = *std::move(parsed->entry);
      SetEntryOrigin(e, Cat(endpoint, "/", EntryName(e)));
      if (!ignored.empty()) {
        MESHGW_LOG(LogLevel::kDebug, "consul: fields meshgw does not model were ignored",
                   {"entry", where}, {"fields", absl::StrJoin(ignored, ",")});
      }
      return e;
    }
    std::string message(parsed.status().message());
    std::vector<Diag> diags = SplitDiagnostics(where, message);
    std::vector<json::json_pointer> unknown;
    std::string errors;
    for (const Diag& d : diags) {
      auto k = w.keys.find({d.line, d.col});
      if (d.text.starts_with("Unsupported argument;") && k != w.keys.end()) {
        unknown.push_back(k->second);
        continue;
      }
      std::string field;
      if (k != w.keys.end()) field = Cat(k->second.to_string().substr(1), ": ");
      if (!errors.empty()) errors += "\n";
      errors += Cat(where, ": ", field, d.text);
    }
    if (!errors.empty()) return absl::InvalidArgumentError(errors);
    if (unknown.empty()) break;
    for (const json::json_pointer& p : unknown) {
      ignored.push_back(p.to_string());
      json& parent = entry.at(p.parent_pointer());
      if (parent.is_object()) parent.erase(p.back());
    }
  }

  return absl::InvalidArgumentError(Cat(where, ": could not be decoded"));
}

InstanceHealth HealthOfStatus(std::string_view status) {
  if (status == "maintenance") return InstanceHealth::kMaintenance;
  if (status == "critical") return InstanceHealth::kCritical;
  if (status == "warning") return InstanceHealth::kWarning;
  return InstanceHealth::kPassing;
}

ServiceAddress DecodeServiceAddress(FieldReader& r, const json& v, std::string_view path) {
  ServiceAddress a;
  a.address = r.Str(v, "Address", path, /*any_case=*/true);
  a.port = r.Port(v, "Port", path, /*any_case=*/true);
  return a;
}

std::optional<ServiceProxy> DecodeProxy(FieldReader& r, const json& svc, std::string_view path) {
  const json* p = r.Obj(svc, "Proxy", path);
  if (p == nullptr) return std::nullopt;
  std::string pp = FieldReader::Join(path, "Proxy");
  ServiceProxy proxy;
  proxy.destination_service_name = r.Str(*p, "DestinationServiceName", pp);
  proxy.local_service_address = r.Str(*p, "LocalServiceAddress", pp);
  proxy.local_service_port = r.Port(*p, "LocalServicePort", pp);
  proxy.mode = r.Str(*p, "Mode", pp);
  if (const json* c = r.Obj(*p, "Config", pp)) proxy.config = *c;
  if (const json* mg = r.Obj(*p, "MeshGateway", pp)) {
    proxy.mesh_gateway.mode = r.Str(*mg, "Mode", Cat(pp, ".MeshGateway"));
  }
  if (const json* ups = r.Arr(*p, "Upstreams", pp)) {
    for (size_t i = 0; i < ups->size(); ++i) {
      const json& u = (*ups)[i];
      std::string up = Cat(pp, ".Upstreams[", i, "]");
      if (!u.is_object()) {
        r.Fail(up, Cat("expected an object, got ", Describe(u)));
        break;
      }
      ServiceUpstream out;
      out.destination_name = r.Str(u, "DestinationName", up);
      out.destination_namespace = r.Str(u, "DestinationNamespace", up);
      out.destination_partition = r.Str(u, "DestinationPartition", up);
      out.destination_peer = r.Str(u, "DestinationPeer", up);
      out.destination_type = r.Str(u, "DestinationType", up);
      out.datacenter = r.Str(u, "Datacenter", up);
      out.local_bind_address = r.Str(u, "LocalBindAddress", up);
      out.local_bind_port = r.Port(u, "LocalBindPort", up);
      if (const json* mg = r.Obj(u, "MeshGateway", up)) {
        out.mesh_gateway.mode = r.Str(*mg, "Mode", Cat(up, ".MeshGateway"));
      }
      if (const json* c = r.Obj(u, "Config", up)) out.config = *c;
      proxy.upstreams.push_back(std::move(out));
    }
  }
  return proxy;
}

}  // namespace

absl::StatusOr<std::vector<ConfigEntry>> DecodeConfigEntryList(std::string_view endpoint,
                                                               ConfigEntryKind kind,
                                                               std::string_view body) {
  absl::StatusOr<json> doc = ParseBody(endpoint, body);
  if (!doc.ok()) return doc.status();
  std::vector<ConfigEntry> out;
  if (doc->is_null()) return out;
  if (!doc->is_array()) {
    return absl::InvalidArgumentError(
        Cat(endpoint, ": expected a list of config entries, got ", Describe(*doc)));
  }
  std::set<std::string> names;
  for (size_t i = 0; i < doc->size(); ++i) {
    absl::StatusOr<ConfigEntry> e = DecodeOneEntry(endpoint, kind, i, std::move((*doc)[i]));
    if (!e.ok()) return e.status();
    if (!names.insert(EntryName(*e)).second) {
      return absl::InvalidArgumentError(
          Cat(endpoint, "[", i, "].Name: \"", EntryName(*e), "\" is listed twice"));
    }
    out.push_back(*std::move(e));
  }
  return out;
}

InstanceHealth WorstCheckHealth(const std::vector<nlohmann::json>& checks) {
  InstanceHealth worst = InstanceHealth::kPassing;
  for (const json& c : checks) {
    const json* status = FieldReader::Member(c, "Status");
    if (status == nullptr || !status->is_string()) continue;
    InstanceHealth h = HealthOfStatus(status->get<std::string>());
    if (static_cast<int>(h) > static_cast<int>(worst)) worst = h;
  }
  return worst;
}

absl::StatusOr<std::vector<ConsulServiceInstance>> DecodeHealthServiceList(
    std::string_view endpoint, std::string_view body) {
  absl::StatusOr<json> doc = ParseBody(endpoint, body);
  if (!doc.ok()) return doc.status();
  std::vector<ConsulServiceInstance> out;
  if (doc->is_null()) return out;
  if (!doc->is_array()) {
    return absl::InvalidArgumentError(
        Cat(endpoint, ": expected a list of service instances, got ", Describe(*doc)));
  }
  FieldReader r(endpoint);
  for (size_t i = 0; i < doc->size() && r.ok(); ++i) {
    const json& item = (*doc)[i];
    std::string path = Cat("[", i, "]");
    if (!item.is_object()) {
      r.Fail(path, Cat("expected an object, got ", Describe(item)));
      break;
    }
    ConsulServiceInstance inst;
    const json* node = r.Obj(item, "Node", path);
    std::string np = Cat(path, ".Node");
    if (node != nullptr) {
      inst.node = r.Str(*node, "Node", np);
      inst.node_address = r.Str(*node, "Address", np);
      inst.datacenter = r.Str(*node, "Datacenter", np);
    }
    const json* svc = r.Obj(item, "Service", path);
    std::string sp = Cat(path, ".Service");
    if (svc == nullptr) {
      if (r.ok()) r.Fail(sp, "missing");
      break;
    }
    ServiceDefinition& s = inst.service;
    s.id = r.Str(*svc, "ID", sp);
    s.name = r.Str(*svc, "Service", sp);
    if (s.name.empty() && r.ok()) r.Fail(Cat(sp, ".Service"), "missing the service name");
    s.kind = r.Str(*svc, "Kind", sp);
    s.tags = r.StrList(*svc, "Tags", sp);
    s.address = r.Str(*svc, "Address", sp);
    if (s.address.empty()) s.address = inst.node_address;
    s.port = r.Port(*svc, "Port", sp);
    s.meta = r.StrMap(*svc, "Meta", sp);
    s.ns = r.Str(*svc, "Namespace", sp);
    s.partition = r.Str(*svc, "Partition", sp);
    s.enable_tag_override = r.Bool(*svc, "EnableTagOverride", sp);
    inst.peer_name = r.Str(*svc, "PeerName", sp);
    if (const json* tagged = r.Obj(*svc, "TaggedAddresses", sp)) {
      for (auto it = tagged->begin(); it != tagged->end(); ++it) {
        std::string tp = Cat(sp, ".TaggedAddresses.", it.key());
        if (!it->is_object()) {
          r.Fail(tp, Cat("expected {Address, Port}, got ", Describe(*it)));
          break;
        }
        s.tagged_addresses[it.key()] = DecodeServiceAddress(r, *it, tp);
      }
    }
    if (const json* w = r.Obj(*svc, "Weights", sp)) {
      ServiceWeights weights;
      weights.passing = static_cast<int>(r.Int(*w, "Passing", Cat(sp, ".Weights")));
      weights.warning = static_cast<int>(r.Int(*w, "Warning", Cat(sp, ".Weights")));
      s.weights = weights;
    }
    s.proxy = DecodeProxy(r, *svc, sp);
    if (const json* connect = r.Obj(*svc, "Connect", sp)) {
      std::string cp = Cat(sp, ".Connect");
      ServiceConnect c;
      c.native = r.Bool(*connect, "Native", cp);
      s.connect = c;
      if (const json* pm = r.Obj(*connect, "PeerMeta", cp)) {
        std::string pmp = Cat(cp, ".PeerMeta");
        inst.peer_sni = r.StrList(*pm, "SNI", pmp);
        inst.peer_spiffe_ids = r.StrList(*pm, "SpiffeID", pmp);
        inst.peer_protocol = r.Str(*pm, "Protocol", pmp);
      }
    }
    if (const json* checks = r.Arr(item, "Checks", path)) {
      for (size_t k = 0; k < checks->size(); ++k) {
        const json& c = (*checks)[k];
        std::string cp = Cat(path, ".Checks[", k, "]");
        if (!c.is_object()) {
          r.Fail(cp, Cat("expected an object, got ", Describe(c)));
          break;
        }
        std::string status = r.Str(c, "Status", cp);
        if (status != "passing" && status != "warning" && status != "critical" &&
            status != "maintenance" && r.ok()) {
          r.Fail(Cat(cp, ".Status"),
                 Cat("\"", status, "\" is not passing, warning, critical or maintenance"));
          break;
        }
        json kept = json::object();
        for (const char* key : {"CheckID", "Name", "Status", "ServiceID", "Output"}) {
          if (const json* v = FieldReader::Member(c, key)) kept[key] = *v;
        }
        s.checks.push_back(std::move(kept));
      }
    }
    inst.health = WorstCheckHealth(s.checks);
    s.origin = Cat(endpoint, "#", inst.node, "/", s.EffectiveId());
    out.push_back(std::move(inst));
  }
  if (!r.ok()) return r.status();
  return out;
}

std::optional<ImportedService> ImportedServiceFromInstances(
    std::string_view service, const std::vector<ConsulServiceInstance>& instances) {
  if (instances.empty()) return std::nullopt;
  ImportedService out;
  out.name = std::string(service);
  for (const ConsulServiceInstance& inst : instances) {
    if (!inst.peer_sni.empty() || !inst.peer_spiffe_ids.empty() || !inst.peer_protocol.empty()) {
      out.sni = inst.peer_sni;
      out.spiffe_ids = inst.peer_spiffe_ids;
      if (!inst.peer_protocol.empty()) out.protocol = inst.peer_protocol;
      if (!inst.service.ns.empty()) out.ns = inst.service.ns;
      if (!inst.service.partition.empty()) out.partition = inst.service.partition;
      break;
    }
  }
  auto healthy = [](InstanceHealth h) {
    return h == InstanceHealth::kPassing || h == InstanceHealth::kWarning;
  };
  bool any_healthy = std::any_of(instances.begin(), instances.end(),
                                 [&](const ConsulServiceInstance& i) { return healthy(i.health); });
  InstanceHealth best = InstanceHealth::kMaintenance;
  for (const ConsulServiceInstance& inst : instances) {
    if (any_healthy && !healthy(inst.health)) continue;
    if (static_cast<int>(inst.health) < static_cast<int>(best)) best = inst.health;
    ServiceAddress gw;
    if (auto it = inst.service.tagged_addresses.find("wan");
        it != inst.service.tagged_addresses.end() && !it->second.address.empty()) {
      gw = it->second;
    } else {
      gw = ServiceAddress{inst.service.address, inst.service.port};
    }
    if (std::find(out.gateways.begin(), out.gateways.end(), gw) == out.gateways.end()) {
      out.gateways.push_back(std::move(gw));
    }
  }
  out.health = best;
  return out;
}

absl::StatusOr<std::map<std::string, std::vector<std::string>>> DecodeCatalogServices(
    std::string_view endpoint, std::string_view body) {
  absl::StatusOr<json> doc = ParseBody(endpoint, body);
  if (!doc.ok()) return doc.status();
  std::map<std::string, std::vector<std::string>> out;
  if (doc->is_null()) return out;
  if (!doc->is_object()) {
    return absl::InvalidArgumentError(
        Cat(endpoint, ": expected an object {service: [tags]}, got ", Describe(*doc)));
  }
  FieldReader r(endpoint);
  for (auto it = doc->begin(); it != doc->end() && r.ok(); ++it) {
    out[it.key()] = r.StrList(*doc, it.key(), "");
  }
  if (!r.ok()) return r.status();
  return out;
}

absl::StatusOr<PeeringSet> DecodePeeringList(std::string_view endpoint, std::string_view body) {
  absl::StatusOr<json> doc = ParseBody(endpoint, body);
  if (!doc.ok()) return doc.status();
  PeeringSet out;
  if (doc->is_null()) return out;
  if (!doc->is_array()) {
    return absl::InvalidArgumentError(
        Cat(endpoint, ": expected a list of peerings, got ", Describe(*doc)));
  }
  FieldReader r(endpoint);
  for (size_t i = 0; i < doc->size() && r.ok(); ++i) {
    const json& item = (*doc)[i];
    std::string path = Cat("[", i, "]");
    if (!item.is_object()) {
      r.Fail(path, Cat("expected an object, got ", Describe(item)));
      break;
    }
    Peering p;
    p.name = r.Str(item, "Name", path);
    if (p.name.empty() && r.ok()) r.Fail(Cat(path, ".Name"), "missing");
    p.id = r.Str(item, "ID", path);
    p.peer_id = r.Str(item, "PeerID", path);
    if (std::string partition = r.Str(item, "Partition", path); !partition.empty()) {
      p.partition = partition;
    }
    p.meta = r.StrMap(item, "Meta", path);
    std::string state = r.Str(item, "State", path);
    for (PeeringState s :
         {PeeringState::kPending, PeeringState::kEstablishing, PeeringState::kActive,
          PeeringState::kFailing, PeeringState::kDeleting, PeeringState::kTerminated}) {
      if (state == PeeringStateName(s)) p.state = s;
    }
    p.peer_ca_pems = r.StrList(item, "PeerCAPems", path);
    p.peer_server_name = r.Str(item, "PeerServerName", path);
    p.peer_server_addresses = r.StrList(item, "PeerServerAddresses", path);
    // "server.<dc>.peering.<td>"
    if (size_t at = p.peer_server_name.find(".peering.");
        p.peer_server_name.starts_with("server.") && at != std::string::npos) {
      p.peer_trust_domain = p.peer_server_name.substr(at + 9);
    }
    if (const json* remote = r.Obj(item, "Remote", path)) {
      p.peer_datacenter = r.Str(*remote, "Datacenter", Cat(path, ".Remote"));
      if (std::string partition = r.Str(*remote, "Partition", Cat(path, ".Remote"));
          !partition.empty()) {
        p.peer_partition = partition;
      }
    }
    if (const json* ss = r.Obj(item, "StreamStatus", path)) {
      std::string sp = Cat(path, ".StreamStatus");
      p.exported = r.StrList(*ss, "ExportedServices", sp);
      std::sort(p.exported.begin(), p.exported.end());
      p.last_heartbeat = r.Time(*ss, "LastHeartbeat", sp);
      p.last_receive = r.Time(*ss, "LastReceive", sp);
      p.last_send = r.Time(*ss, "LastSend", sp);
    }
    int64_t create = r.Int(item, "CreateIndex", path);
    int64_t modify = r.Int(item, "ModifyIndex", path);
    p.create_index = static_cast<uint64_t>(std::max<int64_t>(create, 0));
    p.modify_index = static_cast<uint64_t>(std::max<int64_t>(modify, 0));
    if (r.ok() && out.contains(p.name)) {
      r.Fail(Cat(path, ".Name"), Cat("\"", p.name, "\" is listed twice"));
    }
    std::string name = p.name;
    out.emplace(std::move(name), std::move(p));
  }
  if (!r.ok()) return r.status();
  return out;
}

absl::StatusOr<ConsulCaRoots> DecodeCaRoots(std::string_view endpoint, std::string_view body) {
  absl::StatusOr<json> doc = ParseBody(endpoint, body);
  if (!doc.ok()) return doc.status();
  if (!doc->is_object()) {
    return absl::InvalidArgumentError(
        Cat(endpoint, ": expected {ActiveRootID, TrustDomain, Roots}, got ", Describe(*doc)));
  }
  FieldReader r(endpoint);
  ConsulCaRoots out;
  out.trust_domain = r.Str(*doc, "TrustDomain", "");
  out.active_root_id = r.Str(*doc, "ActiveRootID", "");
  std::vector<std::string> others;
  if (const json* roots = r.Arr(*doc, "Roots", "")) {
    for (size_t i = 0; i < roots->size() && r.ok(); ++i) {
      const json& root = (*roots)[i];
      std::string path = Cat("Roots[", i, "]");
      if (!root.is_object()) {
        r.Fail(path, Cat("expected an object, got ", Describe(root)));
        break;
      }
      std::string pem = r.Str(root, "RootCert", path);
      if (pem.find("-----BEGIN CERTIFICATE-----") == std::string::npos && r.ok()) {
        r.Fail(Cat(path, ".RootCert"), "not a PEM certificate");
        break;
      }
      bool active = r.Bool(root, "Active", path) ||
                    (!out.active_root_id.empty() && r.Str(root, "ID", path) == out.active_root_id);
      if (active && out.root_pems.empty()) {
        out.root_pems.push_back(std::move(pem));
      } else {
        others.push_back(std::move(pem));
      }
    }
  }
  if (!r.ok()) return r.status();
  if (out.trust_domain.empty()) {
    return absl::InvalidArgumentError(Cat(endpoint, ": TrustDomain: missing"));
  }
  for (std::string& pem : others) out.root_pems.push_back(std::move(pem));
  return out;
}

absl::StatusOr<IssuedCert> DecodeLeafCert(std::string_view endpoint, std::string_view body) {
  absl::StatusOr<json> doc = ParseBody(endpoint, body);
  if (!doc.ok()) return doc.status();
  if (!doc->is_object()) {
    return absl::InvalidArgumentError(
        Cat(endpoint, ": expected a leaf certificate object, got ", Describe(*doc)));
  }
  FieldReader r(endpoint);
  IssuedCert out;
  out.cert_pem = r.Str(*doc, "CertPEM", "");
  out.private_key_pem = r.Str(*doc, "PrivateKeyPEM", "");
  out.serial_number = r.Str(*doc, "SerialNumber", "");
  out.spiffe_id = r.Str(*doc, "ServiceURI", "");
  out.common_name = r.Str(*doc, "Service", "");
  out.valid_after = r.Time(*doc, "ValidAfter", "");
  out.valid_before = r.Time(*doc, "ValidBefore", "");
  if (!r.ok()) return r.status();
  if (out.cert_pem.find("-----BEGIN CERTIFICATE-----") == std::string::npos) {
    return absl::InvalidArgumentError(Cat(endpoint, ": CertPEM: not a PEM certificate"));
  }
  if (out.private_key_pem.find("PRIVATE KEY-----") == std::string::npos) {
    return absl::InvalidArgumentError(Cat(endpoint, ": PrivateKeyPEM: not a PEM private key"));
  }
  if (out.valid_before == absl::InfinitePast() || out.valid_after == absl::InfinitePast()) {
    return absl::InvalidArgumentError(Cat(endpoint, ": ValidAfter/ValidBefore: missing"));
  }
  out.rotate_after = out.valid_after + (out.valid_before - out.valid_after) / 2;
  return out;
}

}  // namespace meshgw::control
