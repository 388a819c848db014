#include "control/cli/cli.h"

#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/file.h"
#include "meshgw/control/v1/control.grpc.pb.h"

namespace meshgw::control::cli {
namespace {

using json = nlohmann::json;
namespace pb = ::meshgw::control::v1;

constexpr int kExitOk = 0;
constexpr int kExitError = 1;
constexpr int kExitDenied = 2;

std::string Str(const json& j, const char* key) {
  if (!j.is_object()) return "";
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return "";
  if (it->is_string()) return it->get<std::string>();
  return it->dump();
}

size_t Count(const json& j, const char* key) {
  if (!j.is_object()) return 0;
  auto it = j.find(key);
  return it != j.end() && it->is_array() ? it->size() : 0;
}

// What every command shares: output format, the agent's address and token.
struct Common {
  bool json_format = false;
  std::string address;
  std::string token;
};

const std::vector<FlagSpec> kCommonFlags = {{"format"}, {"control-addr"}, {"token"}};

// One command: its name, flags, minimum/maximum positional arguments and body.
struct Command {
  std::vector<std::string> path;  // {"peering", "list"}
  std::vector<FlagSpec> flags;
  std::string synopsis;
  std::function<int(const ParsedFlags&, const Common&, std::ostream&, std::ostream&)> run;
};

class Client {
 public:
  explicit Client(const Common& c)
      : address_(c.address),
        token_(c.token),
        stub_(pb::ControlApi::NewStub(
            grpc::CreateChannel(c.address, grpc::InsecureChannelCredentials()))) {}

  // Call(method, request, response): with the token and a deadline; the error as the user
  // should read it.
  template <typename Req, typename Resp>
  absl::Status Call(grpc::Status (pb::ControlApi::Stub::*method)(grpc::ClientContext*, const Req&,
                                                                 Resp*),
                    const Req& req, Resp* resp, absl::Duration timeout = absl::Seconds(30)) {
    grpc::ClientContext ctx;
    ctx.set_deadline(absl::ToChronoTime(absl::Now() + timeout));
    if (!token_.empty()) ctx.AddMetadata("x-consul-token", token_);
    grpc::Status s = (stub_.get()->*method)(&ctx, req, resp);
    if (s.ok()) return absl::OkStatus();
    if (s.error_code() == grpc::StatusCode::UNAVAILABLE ||
        s.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED) {
      return absl::UnavailableError(absl::StrCat("cannot reach the control agent at ", address_,
                                                 " (MESHGW_CONTROL_ADDR): ", s.error_message()));
    }
    return absl::Status(static_cast<absl::StatusCode>(s.error_code()), s.error_message());
  }

 private:
  std::string address_;
  std::string token_;
  std::unique_ptr<pb::ControlApi::Stub> stub_;
};

int Fail(std::ostream& err, const std::string& doing, const absl::Status& s) {
  err << "Error " << doing << ": " << s.message() << "\n";
  return kExitError;
}

absl::StatusOr<json> ParseJson(const std::string& text) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return absl::InternalError("the agent's answer is not JSON");
  return j;
}

// Prints the JSON answer (-format=json) or its human form.
int PrintJson(const std::string& text, const Common& c, std::ostream& out, std::ostream& err,
              const std::function<std::string(const json&)>& human) {
  absl::StatusOr<json> j = ParseJson(text);
  if (!j.ok()) return Fail(err, "reading the answer", j.status());
  out << (c.json_format || !human ? j->dump(4) + "\n" : human(*j));
  return kExitOk;
}

absl::Status NeedFlag(const ParsedFlags& f, const std::string& name) {
  if (!f.Get(name).empty()) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat("missing the required flag -", name));
}

std::vector<Command> Commands() {
  std::vector<Command> cmds;
  cmds.push_back({{"peering", "generate-token"},
                  {{"name"}, {"server-external-addresses"}},
                  "peering generate-token -name N [-server-external-addresses host:port,...]",
                  [](const ParsedFlags& f, const Common& c, std::ostream& out, std::ostream& err) {
                    if (absl::Status s = NeedFlag(f, "name"); !s.ok()) return Fail(err, "", s);
                    pb::GeneratePeeringTokenRequest req;
                    req.set_peer_name(f.Get("name"));
                    for (absl::string_view a : absl::StrSplit(f.Get("server-external-addresses"),
                                                              ',', absl::SkipWhitespace())) {
                      req.add_server_external_addresses(std::string(absl::StripAsciiWhitespace(a)));
                    }
                    pb::GeneratePeeringTokenResponse resp;
                    absl::Status s =
                        Client(c).Call(&pb::ControlApi::Stub::GeneratePeeringToken, req, &resp);
                    if (!s.ok()) return Fail(err, "generating peering token", s);
                    out << (c.json_format ? json{{"PeeringToken", resp.peering_token()}}.dump(4)
                                          : resp.peering_token())
                        << "\n";
                    return kExitOk;
                  }});
  cmds.push_back({{"peering", "establish"},
                  {{"name"}, {"peering-token"}},
                  "peering establish -name N -peering-token TOKEN",
                  [](const ParsedFlags& f, const Common& c, std::ostream& out, std::ostream& err) {
                    for (const char* flag : {"name", "peering-token"}) {
                      if (absl::Status s = NeedFlag(f, flag); !s.ok()) return Fail(err, "", s);
                    }
                    pb::EstablishPeeringRequest req;
                    req.set_peer_name(f.Get("name"));
                    req.set_peering_token(f.Get("peering-token"));
                    pb::EstablishPeeringResponse resp;
                    absl::Status s = Client(c).Call(&pb::ControlApi::Stub::EstablishPeering, req,
                                                    &resp, absl::Seconds(60));
                    if (!s.ok()) return Fail(err, "establishing peering", s);
                    out << "Successfully established peering connection with " << f.Get("name")
                        << "\n";
                    return kExitOk;
                  }});
  cmds.push_back({{"peering", "list"},
                  {},
                  "peering list",
                  [](const ParsedFlags&, const Common& c, std::ostream& out, std::ostream& err) {
                    pb::JsonResponse resp;
                    absl::Status s = Client(c).Call(&pb::ControlApi::Stub::ListPeerings,
                                                    pb::ListPeeringsRequest(), &resp);
                    if (!s.ok()) return Fail(err, "listing peerings", s);
                    return PrintJson(resp.json(), c, out, err, RenderPeeringList);
                  }});
  cmds.push_back({{"peering", "read"},
                  {{"name"}},
                  "peering read -name N   (or: peering read N)",
                  [](const ParsedFlags& f, const Common& c, std::ostream& out, std::ostream& err) {
                    std::string name = f.Get("name");
                    if (name.empty() && f.positional.size() == 1) name = f.positional[0];
                    if (name.empty()) {
                      return Fail(err, "",
                                  absl::InvalidArgumentError("missing the required flag -name"));
                    }
                    pb::ReadPeeringRequest req;
                    req.set_name(name);
                    pb::JsonResponse resp;
                    absl::Status s = Client(c).Call(&pb::ControlApi::Stub::ReadPeering, req, &resp);
                    if (!s.ok()) return Fail(err, "reading peering", s);
                    return PrintJson(resp.json(), c, out, err, RenderPeeringRead);
                  }});
  cmds.push_back(
      {{"peering", "delete"},
       {{"name"}},
       "peering delete -name N",
       [](const ParsedFlags& f, const Common& c, std::ostream& out, std::ostream& err) {
         std::string name = f.Get("name");
         if (name.empty() && f.positional.size() == 1) name = f.positional[0];
         if (name.empty()) {
           return Fail(err, "", absl::InvalidArgumentError("missing the required flag -name"));
         }
         pb::DeletePeeringRequest req;
         req.set_name(name);
         pb::DeletePeeringResponse resp;
         absl::Status s = Client(c).Call(&pb::ControlApi::Stub::DeletePeering, req, &resp);
         if (!s.ok()) return Fail(err, "deleting peering", s);
         out << "Successfully submitted peering connection, " << name << ", for deletion\n";
         return kExitOk;
       }});
  cmds.push_back({{"catalog", "services"},
                  {{"peer"}, {"tags", true}},
                  "catalog services [-peer P] [-tags]",
                  [](const ParsedFlags& f, const Common& c, std::ostream& out, std::ostream& err) {
                    pb::CatalogServicesRequest req;
                    req.set_peer(f.Get("peer"));
                    pb::JsonResponse resp;
                    absl::Status s =
                        Client(c).Call(&pb::ControlApi::Stub::CatalogServices, req, &resp);
                    if (!s.ok()) return Fail(err, "listing services", s);
                    const bool tags = f.Bool("tags");
                    return PrintJson(resp.json(), c, out, err, [tags](const json& j) {
                      return RenderCatalogServices(j, tags);
                    });
                  }});
  cmds.push_back({{"health", "service"},
                  {{"peer"}, {"passing", true}},
                  "health service NAME [-peer P] [-passing]",
                  [](const ParsedFlags& f, const Common& c, std::ostream& out, std::ostream& err) {
                    if (f.positional.size() != 1) {
                      return Fail(err, "", absl::InvalidArgumentError("give one service name"));
                    }
                    pb::HealthServiceRequest req;
                    req.set_service(f.positional[0]);
                    req.set_peer(f.Get("peer"));
                    req.set_passing(f.Bool("passing"));
                    pb::JsonResponse resp;
                    absl::Status s =
                        Client(c).Call(&pb::ControlApi::Stub::HealthService, req, &resp);
                    if (!s.ok()) return Fail(err, "reading health", s);
                    return PrintJson(resp.json(), c, out, err, RenderHealthService);
                  }});
  cmds.push_back({{"intention", "check"},
                  {{"source-peer"}},
                  "intention check SRC DST [-source-peer P]",
                  [](const ParsedFlags& f, const Common& c, std::ostream& out, std::ostream& err) {
                    if (f.positional.size() != 2) {
                      return Fail(err, "",
                                  absl::InvalidArgumentError("give the source and the destination: "
                                                             "intention check SRC DST"));
                    }
                    pb::IntentionCheckRequest req;
                    req.set_source(f.positional[0]);
                    req.set_destination(f.positional[1]);
                    req.set_source_peer(f.Get("source-peer"));
                    pb::IntentionCheckResponse resp;
                    absl::Status s =
                        Client(c).Call(&pb::ControlApi::Stub::IntentionCheck, req, &resp);
                    if (!s.ok()) return Fail(err, "checking intentions", s);
                    if (c.json_format) {
                      absl::StatusOr<json> j = ParseJson(resp.json());
                      out << (j.ok() ? j->dump(4) : resp.json()) << "\n";
                    } else {
                      out << (resp.allowed() ? "Allowed" : "Denied") << "\n";
                    }
                    return resp.allowed() ? kExitOk : kExitDenied;
                  }});
  cmds.push_back({{"config", "read"},
                  {{"kind"}, {"name"}},
                  "config read -kind K -name N",
                  [](const ParsedFlags& f, const Common& c, std::ostream& out, std::ostream& err) {
                    for (const char* flag : {"kind", "name"}) {
                      if (absl::Status s = NeedFlag(f, flag); !s.ok()) return Fail(err, "", s);
                    }
                    pb::ConfigReadRequest req;
                    req.set_kind(f.Get("kind"));
                    req.set_name(f.Get("name"));
                    pb::JsonResponse resp;
                    absl::Status s = Client(c).Call(&pb::ControlApi::Stub::ConfigRead, req, &resp);
                    if (!s.ok()) return Fail(err, "reading config entry", s);
                    return PrintJson(resp.json(), c, out, err,
                                     nullptr);  // JSON, as `consul config read`
                  }});
  cmds.push_back({{"config", "list"},
                  {{"kind"}},
                  "config list -kind K",
                  [](const ParsedFlags& f, const Common& c, std::ostream& out, std::ostream& err) {
                    if (absl::Status s = NeedFlag(f, "kind"); !s.ok()) return Fail(err, "", s);
                    pb::ConfigListRequest req;
                    req.set_kind(f.Get("kind"));
                    pb::JsonResponse resp;
                    absl::Status s = Client(c).Call(&pb::ControlApi::Stub::ConfigList, req, &resp);
                    if (!s.ok()) return Fail(err, "listing config entries", s);
                    return PrintJson(resp.json(), c, out, err, RenderConfigList);
                  }});
  cmds.push_back(
      {{"config", "write"},
       {},
       "config write FILE",
       [](const ParsedFlags& f, const Common& c, std::ostream& out, std::ostream& err) {
         if (f.positional.size() != 1) {
           return Fail(err, "", absl::InvalidArgumentError("give one file: config write FILE"));
         }
         const std::string& file = f.positional[0];
         absl::StatusOr<std::string> text = ReadFile(file);
         if (!text.ok()) {
           return Fail(err, "reading " + file,
                       absl::NotFoundError(absl::StrCat("cannot open ", text.status().message())));
         }
         pb::ConfigWriteRequest req;
         req.set_filename(file);
         req.set_content(*std::move(text));
         pb::ConfigWriteResponse resp;
         absl::Status s = Client(c).Call(&pb::ControlApi::Stub::ConfigWrite, req, &resp);
         if (!s.ok()) return Fail(err, "writing " + file, s);
         if (c.json_format) {
           out << json{{"Kind", resp.kind()}, {"Name", resp.name()}, {"Path", resp.path()}}.dump(4)
               << "\n";
         } else {
           out << resp.message() << "\n";
         }
         return kExitOk;
       }});
  cmds.push_back(
      {{"proxy-config"},
       {},
       "proxy-config NODE",
       [](const ParsedFlags& f, const Common& c, std::ostream& out, std::ostream& err) {
         if (f.positional.size() != 1) {
           return Fail(err, "",
                       absl::InvalidArgumentError("give the gateway's node ID: proxy-config NODE"));
         }
         pb::ProxyConfigRequest req;
         req.set_node(f.positional[0]);
         pb::JsonResponse resp;
         absl::Status s = Client(c).Call(&pb::ControlApi::Stub::ProxyConfig, req, &resp);
         if (!s.ok()) return Fail(err, "reading proxy config", s);
         return PrintJson(resp.json(), c, out, err, nullptr);
       }});
  cmds.push_back(
      {{"explain"},
       {{"sni"}, {"source"}, {"source-peer"}, {"destination"}, {"node"}},
       "explain -sni NAME | explain -source S [-source-peer P] -destination D  [-node NODE]",
       [](const ParsedFlags& f, const Common& c, std::ostream& out, std::ostream& err) {
         pb::ExplainRequest req;
         req.set_sni(f.Get("sni"));
         req.set_source(f.Get("source"));
         req.set_source_peer(f.Get("source-peer"));
         req.set_destination(f.Get("destination"));
         req.set_node(f.Get("node"));
         if (req.sni().empty() && (req.source().empty() || req.destination().empty())) {
           return Fail(
               err, "",
               absl::InvalidArgumentError("give -sni NAME, or -source S and -destination D"));
         }
         pb::JsonResponse resp;
         absl::Status s = Client(c).Call(&pb::ControlApi::Stub::Explain, req, &resp);
         if (!s.ok()) return Fail(err, "explaining", s);
         return PrintJson(resp.json(), c, out, err, RenderExplain);
       }});
  return cmds;
}

std::string Pad(const std::string& s, size_t width) {
  return s + std::string(width > s.size() ? width - s.size() : 0, ' ');
}

std::string Indented(const json& list) {
  std::string out;
  if (!list.is_array()) return out;
  for (const json& v : list)
    absl::StrAppend(&out, "    ", v.is_string() ? v.get<std::string>() : v.dump(), "\n");
  return out;
}

}  // namespace

CliEnvironment CliEnvironment::FromEnv() {
  CliEnvironment env;
  if (const char* a = std::getenv("MESHGW_CONTROL_ADDR"); a != nullptr && *a != '\0') {
    env.address = a;
  }
  if (const char* t = std::getenv("MESHGW_CONTROL_TOKEN"); t != nullptr) env.token = t;
  return env;
}

absl::StatusOr<ParsedFlags> ParseFlags(const std::vector<std::string>& args,
                                       const std::vector<FlagSpec>& spec) {
  ParsedFlags out;
  bool flags_done = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (flags_done || a.size() < 2 || a[0] != '-') {
      out.positional.push_back(a);
      continue;
    }
    if (a == "--") {
      flags_done = true;
      continue;
    }
    absl::string_view body = a;
    body.remove_prefix(absl::StartsWith(body, "--") ? 2 : 1);
    std::string name(body);
    std::optional<std::string> value;
    if (size_t eq = body.find('='); eq != absl::string_view::npos) {
      name = std::string(body.substr(0, eq));
      value = std::string(body.substr(eq + 1));
    }
    auto it =
        std::find_if(spec.begin(), spec.end(), [&](const FlagSpec& f) { return f.name == name; });
    if (it == spec.end()) {
      return absl::InvalidArgumentError(absl::StrCat("flag provided but not defined: -", name));
    }
    if (it->is_bool) {
      std::string v = value.value_or("true");
      if (v == "1" || v == "t" || v == "T" || v == "TRUE" || v == "True") v = "true";
      if (v == "0" || v == "f" || v == "F" || v == "FALSE" || v == "False") v = "false";
      if (v != "true" && v != "false") {
        return absl::InvalidArgumentError(
            absl::StrCat("invalid boolean value \"", *value, "\" for -", name));
      }
      out.values[name] = v;
      continue;
    }
    if (!value.has_value()) {
      if (i + 1 >= args.size()) {
        return absl::InvalidArgumentError(absl::StrCat("flag needs an argument: -", name));
      }
      value = args[++i];
    }
    out.values[name] = *value;
  }
  return out;
}

std::string RenderTable(const std::vector<std::string>& header,
                        const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> width(header.size(), 0);
  auto measure = [&](const std::vector<std::string>& row) {
    for (size_t i = 0; i < row.size() && i < width.size(); ++i) {
      width[i] = std::max(width[i], row[i].size());
    }
  };
  measure(header);
  for (const auto& r : rows) measure(r);
  std::string out;
  auto line = [&](const std::vector<std::string>& row) {
    std::string l;
    for (size_t i = 0; i < width.size(); ++i) {
      const std::string cell = i < row.size() ? row[i] : "";
      absl::StrAppend(&l, i + 1 == width.size() ? cell : Pad(cell, width[i]),
                      i + 1 == width.size() ? "" : "  ");
    }
    while (!l.empty() && l.back() == ' ') l.pop_back();
    absl::StrAppend(&out, l, "\n");
  };
  line(header);
  for (const auto& r : rows) line(r);
  return out;
}

std::string RenderPeeringList(const json& peerings) {
  if (!peerings.is_array() || peerings.empty()) return "There are no peering connections.\n";
  std::vector<std::vector<std::string>> rows;
  for (const json& p : peerings) {
    std::vector<std::string> meta;
    if (p.contains("Meta") && p["Meta"].is_object()) {
      for (const auto& [k, v] : p["Meta"].items()) {
        meta.push_back(absl::StrCat(k, "=", v.is_string() ? v.get<std::string>() : v.dump()));
      }
    }
    const json& ss = p.contains("StreamStatus") ? p["StreamStatus"] : json::object();
    rows.push_back({Str(p, "Name"), Str(p, "State"), std::to_string(Count(ss, "ImportedServices")),
                    std::to_string(Count(ss, "ExportedServices")), absl::StrJoin(meta, ",")});
  }
  return RenderTable({"Name", "State", "Imported Svcs", "Exported Svcs", "Meta"}, rows);
}

std::string RenderPeeringRead(const json& p) {
  std::string out;
  absl::StrAppend(&out, "Name:         ", Str(p, "Name"), "\n");
  absl::StrAppend(&out, "ID:           ", Str(p, "ID"), "\n");
  if (!Str(p, "Partition").empty()) {
    absl::StrAppend(&out, "Partition:    ", Str(p, "Partition"), "\n");
  }
  absl::StrAppend(&out, "State:        ", Str(p, "State"), "\n");
  if (p.contains("Meta") && p["Meta"].is_object() && !p["Meta"].empty()) {
    absl::StrAppend(&out, "Meta:\n");
    for (const auto& [k, v] : p["Meta"].items()) {
      absl::StrAppend(&out, "    ", k, "=", v.is_string() ? v.get<std::string>() : v.dump(), "\n");
    }
  }
  absl::StrAppend(&out, "\n");
  absl::StrAppend(&out, "Peer ID:               ", Str(p, "PeerID"), "\n");
  absl::StrAppend(&out, "Peer Server Name:      ", Str(p, "PeerServerName"), "\n");
  absl::StrAppend(&out, "Peer CA Pems:          ", Count(p, "PeerCAPems"), "\n");
  absl::StrAppend(&out, "Peer Server Addresses:\n",
                  Indented(p.value("PeerServerAddresses", json())));
  if (p.contains("Remote")) {
    absl::StrAppend(&out, "Peer Datacenter:       ", Str(p["Remote"], "Datacenter"), "\n");
  }
  if (!Str(p, "PeerTrustDomain").empty()) {
    absl::StrAppend(&out, "Peer Trust Domain:     ", Str(p, "PeerTrustDomain"), "\n");
  }
  absl::StrAppend(&out, "\n");
  const json& ss = p.contains("StreamStatus") ? p["StreamStatus"] : json::object();
  absl::StrAppend(&out, "Imported Services: ", Count(ss, "ImportedServices"), "\n");
  absl::StrAppend(&out, Indented(ss.value("ImportedServices", json())));
  absl::StrAppend(&out, "Exported Services: ", Count(ss, "ExportedServices"), "\n");
  absl::StrAppend(&out, Indented(ss.value("ExportedServices", json())));
  absl::StrAppend(&out, "\n");
  for (const char* k : {"LastHeartbeat", "LastReceive", "LastSend"}) {
    std::string v = Str(ss, k);
    if (!v.empty()) absl::StrAppend(&out, Pad(absl::StrCat(k, ":"), 15), v, "\n");
  }
  if (!Str(p, "LastError").empty())
    absl::StrAppend(&out, "Last Error:    ", Str(p, "LastError"), "\n");
  absl::StrAppend(&out, "\n");
  absl::StrAppend(&out, "Create Index: ", Str(p, "CreateIndex"), "\n");
  absl::StrAppend(&out, "Modify Index: ", Str(p, "ModifyIndex"), "\n");
  return out;
}

std::string RenderCatalogServices(const json& services, bool tags) {
  std::string out;
  if (!services.is_object()) return out;
  std::vector<std::string> names;
  for (const auto& [name, t] : services.items()) names.push_back(name);
  std::sort(names.begin(), names.end());
  if (!tags) {
    for (const std::string& n : names) absl::StrAppend(&out, n, "\n");
    return out;
  }
  std::vector<std::vector<std::string>> rows;
  for (const std::string& n : names) {
    std::vector<std::string> t;
    for (const json& v : services[n]) t.push_back(v.get<std::string>());
    rows.push_back({n, absl::StrJoin(t, ",")});
  }
  // Consul prints no header for `catalog services -tags`.
  std::string table = RenderTable({"", ""}, rows);
  return table.substr(table.find('\n') + 1);
}

std::string RenderHealthService(const json& instances) {
  if (!instances.is_array() || instances.empty()) return "No instances found.\n";
  std::vector<std::vector<std::string>> rows;
  for (const json& i : instances) {
    const json& node = i.value("Node", json::object());
    const json& svc = i.value("Service", json::object());
    std::string status = "passing";
    for (const json& c : i.value("Checks", json::array())) {
      const std::string s = Str(c, "Status");
      // Worst check wins, maintenance worst of all (as Consul's overall-check).
      auto rank = [](const std::string& x) {
        return x == "maintenance" ? 3 : x == "critical" ? 2 : x == "warning" ? 1 : 0;
      };
      if (rank(s) > rank(status)) status = s;
    }
    std::string sni;
    if (svc.contains("Connect") && svc["Connect"].contains("PeerMeta")) {
      const json& meta = svc["Connect"]["PeerMeta"];
      if (meta.contains("SNI") && meta["SNI"].is_array() && !meta["SNI"].empty()) {
        sni = meta["SNI"][0].get<std::string>();
      }
    }
    rows.push_back({Str(node, "Node"), Str(svc, "ID"), Str(svc, "Service"),
                    absl::StrCat(Str(svc, "Address"), ":", Str(svc, "Port")), status,
                    Str(svc, "PeerName"), sni});
  }
  bool any_peer = false;
  for (const auto& r : rows) any_peer = any_peer || !r[5].empty();
  if (!any_peer) {
    for (auto& r : rows) r.resize(5);
    return RenderTable({"Node", "ServiceID", "Service", "Address", "Status"}, rows);
  }
  return RenderTable({"Node", "ServiceID", "Service", "Address", "Status", "Peer", "SNI"}, rows);
}

std::string RenderConfigList(const json& entries) {
  std::string out;
  if (!entries.is_array()) return out;
  for (const json& e : entries) absl::StrAppend(&out, Str(e, "Name"), "\n");
  return out;
}

std::string RenderExplain(const json& e) {
  std::string out;
  if (e.contains("sni")) absl::StrAppend(&out, "SNI: ", Str(e, "sni"), "\n");
  if (e.contains("source")) {
    absl::StrAppend(&out, "Flow: ", Str(e, "source"),
                    e.contains("source_peer") ? absl::StrCat(" (peer ", Str(e, "source_peer"), ")")
                                              : std::string(),
                    " -> ", Str(e, "destination"), "\n");
  }
  if (e.contains("intention")) {
    const json& i = e["intention"];
    absl::StrAppend(&out, "Intention: ", i.value("Allowed", false) ? "Allowed" : "Denied", " (",
                    Str(i, "Reason"), ")\n");
  }
  absl::StrAppend(&out, "\nWhy:\n");
  for (const json& w : e.value("why", json::array())) {
    absl::StrAppend(&out, "  - ", w.is_string() ? w.get<std::string>() : w.dump(), "\n");
  }
  const json& gateways = e.contains("explain_sni") ? e["explain_sni"].value("gateways", json())
                                                   : e.value("gateways", json());
  std::vector<std::vector<std::string>> rows;
  if (gateways.is_array()) {
    for (const json& g : gateways) {
      const json& cl = g.value("cluster", json::object());
      for (const json& ep : cl.value("endpoints", json::array())) {
        rows.push_back({Str(g, "node"), Str(g, "chain"), Str(g, "mode"), Str(cl, "name"),
                        Str(ep, "address"), Str(ep, "priority"), Str(ep, "health")});
      }
      if (cl.value("endpoints", json::array()).empty()) {
        rows.push_back(
            {Str(g, "node"), Str(g, "chain"), Str(g, "mode"), Str(cl, "name"), "", "", ""});
      }
    }
  }
  if (e.contains("upstream")) {
    for (const json& g : e["upstream"].value("egress", json::array())) {
      const json& cl = g.value("cluster", json::object());
      for (const json& ep : cl.value("endpoints", json::array())) {
        rows.push_back({Str(g, "node"), Str(g, "listener"), "egress", Str(cl, "name"),
                        Str(ep, "address"), Str(ep, "priority"), Str(ep, "health")});
      }
    }
  }
  if (!rows.empty()) {
    absl::StrAppend(
        &out, "\n",
        RenderTable({"Gateway", "Chain", "Mode", "Cluster", "Endpoint", "Priority", "Health"},
                    rows));
  }
  return out;
}

std::string Usage() {
  std::string out =
      "Usage: meshgw-control <command> [flags]\n\n"
      "  agent -config FILE                 run the control agent\n";
  for (const Command& c : Commands()) absl::StrAppend(&out, "  ", c.synopsis, "\n");
  absl::StrAppend(&out,
                  "\nEvery command takes -format=json, -control-addr ADDR and -token T; the "
                  "defaults come from\nMESHGW_CONTROL_ADDR (127.0.0.1:8510) and "
                  "MESHGW_CONTROL_TOKEN.\n");
  return out;
}

int RunCli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err,
           const CliEnvironment& env) {
  if (args.empty() || args[0] == "help" || args[0] == "-h" || args[0] == "--help" ||
      args[0] == "-help") {
    (args.empty() ? err : out) << Usage();
    return args.empty() ? kExitError : kExitOk;
  }
  for (const Command& cmd : Commands()) {
    if (args.size() < cmd.path.size() ||
        !std::equal(cmd.path.begin(), cmd.path.end(), args.begin())) {
      continue;
    }
    std::vector<FlagSpec> spec = cmd.flags;
    spec.insert(spec.end(), kCommonFlags.begin(), kCommonFlags.end());
    std::vector<std::string> rest(args.begin() + cmd.path.size(), args.end());
    absl::StatusOr<ParsedFlags> flags = ParseFlags(rest, spec);
    const std::string command = absl::StrJoin(cmd.path, " ");
    if (!flags.ok()) {
      err << flags.status().message() << "\nUsage: meshgw-control " << cmd.synopsis << "\n";
      return kExitError;
    }
    Common common;
    const std::string format = flags->Get("format");
    if (format == "json") {
      common.json_format = true;
    } else if (!format.empty() && format != "pretty" && format != "table") {
      err << "-format: \"" << format << "\" is not one of pretty, json\n";
      return kExitError;
    }
    common.address = flags->Has("control-addr") ? flags->Get("control-addr") : env.address;
    common.token = flags->Has("token") ? flags->Get("token") : env.token;
    const bool takes_positional = command == "peering read" || command == "peering delete" ||
                                  command == "health service" || command == "intention check" ||
                                  command == "config write" || command == "proxy-config";
    if (!takes_positional && !flags->positional.empty()) {
      err << "unexpected argument \"" << flags->positional[0] << "\"\nUsage: meshgw-control "
          << cmd.synopsis << "\n";
      return kExitError;
    }
    return cmd.run(*flags, common, out, err);
  }
  err << "unknown command \""
      << absl::StrJoin(args.begin(), args.begin() + std::min<size_t>(args.size(), 2), " ")
      << "\"\n\n"
      << Usage();
  return kExitError;
}

}  // namespace meshgw::control::cli
