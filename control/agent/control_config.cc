#include "control/agent/control_config.h"

#include <cctype>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/file.h"
#include "hcl/decode/decode.h"
#include "hcl/diagnostic.h"
#include "hcl/eval/eval.h"

namespace meshgw::control::config_internal {

// An attribute's value and where it was written, so that checks made after decoding point at it.
template <typename T>
struct Located {
  T value{};
  hcl::Range range;
  bool set = false;
};

}  // namespace meshgw::control::config_internal

namespace meshgw::hcl::decode::decode_internal {
template <typename X>
struct ValueCodec<control::config_internal::Located<X>, void> {
  static std::string Name() { return ValueCodec<X>::Name(); }
  static bool Decode(const Node& n, std::string_view a, Env& e,
                     control::config_internal::Located<X>* out) {
    X x{};
    if (!ValueCodec<X>::Decode(n, a, e, &x)) return false;
    out->value = std::move(x);
    out->range = n.range;
    out->set = true;
    return true;
  }
};
}  // namespace meshgw::hcl::decode::decode_internal

namespace meshgw::control {
namespace {

using config_internal::Located;
namespace decode = hcl::decode;

struct RawGatewayToken {
  Located<std::string> token;
  Located<std::string> token_file;
  Located<std::vector<std::string>> nodes;
};

struct RawConsul {
  Located<std::string> address;
  Located<absl::Duration> wait;
  Located<absl::Duration> peering_poll_interval;
};

struct RawConfig {
  Located<std::string> datacenter;
  Located<std::string> partition;
  Located<std::string> cluster_id;
  Located<std::string> data_dir;
  Located<std::string> config_dir;
  Located<std::string> source;
  Located<std::string> grpc_address;
  Located<std::string> peering_address;
  std::vector<RawGatewayToken> gateway_tokens;
  Located<std::vector<std::string>> control_tokens;
  Located<std::string> log_level;
  Located<absl::Duration> poll_interval;
  Located<absl::Duration> leaf_cert_ttl;
  std::optional<RawConsul> consul;
};

const decode::Schema<RawConfig>& Schema() {
  static const auto* schema = [] {
    auto token = decode::Schema<RawGatewayToken>()
                     .Attr("token", &RawGatewayToken::token)
                     .Attr("token_file", &RawGatewayToken::token_file)
                     .Attr("nodes", &RawGatewayToken::nodes, decode::kRequired);
    auto consul = decode::Schema<RawConsul>()
                      .Attr("address", &RawConsul::address)
                      .Attr("wait", &RawConsul::wait)
                      .Attr("peering_poll_interval", &RawConsul::peering_poll_interval);
    return new decode::Schema<RawConfig>(
        decode::Schema<RawConfig>()
            .Attr("datacenter", &RawConfig::datacenter, decode::kRequired)
            .Attr("partition", &RawConfig::partition)
            .Attr("cluster_id", &RawConfig::cluster_id)
            .Attr("data_dir", &RawConfig::data_dir)
            .Attr("config_dir", &RawConfig::config_dir)
            .Attr("source", &RawConfig::source)
            .Attr("grpc_address", &RawConfig::grpc_address)
            .Attr("peering_address", &RawConfig::peering_address)
            .Block("gateway_tokens", &RawConfig::gateway_tokens, token)
            .Attr("control_tokens", &RawConfig::control_tokens)
            .Attr("log_level", &RawConfig::log_level)
            .Attr("poll_interval", &RawConfig::poll_interval)
            .Attr("leaf_cert_ttl", &RawConfig::leaf_cert_ttl)
            .Block("consul", &RawConfig::consul, consul));
  }();
  return *schema;
}

// Collects "field: problem" errors at positions, reported in file order.
class Errors {
 public:
  explicit Errors(std::string_view filename) { file_.filename = hcl::InternFilename(filename); }
  void Add(const hcl::Range& at, absl::string_view field, absl::string_view problem) {
    errors_.emplace_back(at.filename.empty() ? file_ : at, absl::StrCat(field, ": ", problem));
  }
  absl::Status ToStatus() const {
    auto sorted = errors_;
    std::stable_sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) {
      return a.first.start.byte < b.first.start.byte;
    });
    hcl::Diagnostics diags;
    for (auto& [range, message] : sorted) diags.AddError(message, "", range);
    return diags.ToStatus();
  }

 private:
  hcl::Range file_;
  std::vector<std::pair<hcl::Range, std::string>> errors_;
};

// A DNS label, as Consul requires of datacenter and partition names.
bool IsDnsLabel(const std::string& s) {
  if (s.empty() || s.size() > 63 || s.front() == '-' || s.back() == '-') return false;
  for (char c : s) {
    if (!(absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_')) {
      return false;
    }
  }
  return true;
}

std::string Resolve(const std::string& base_dir, const std::string& path) {
  if (path.empty()) return path;
  std::filesystem::path p(path);
  if (p.is_absolute()) return p.lexically_normal().string();
  return (std::filesystem::absolute(std::filesystem::path(base_dir) / p))
      .lexically_normal()
      .string();
}

}  // namespace

absl::StatusOr<std::pair<std::string, int>> SplitHostPort(std::string_view host_port_view) {
  const absl::string_view host_port(host_port_view.data(), host_port_view.size());
  absl::string_view host;
  absl::string_view port;
  if (!host_port.empty() && host_port.front() == '[') {
    size_t close = host_port.find(']');
    if (close == absl::string_view::npos || close + 1 >= host_port.size() ||
        host_port[close + 1] != ':') {
      return absl::InvalidArgumentError(
          absl::StrCat("\"", host_port, "\" is not host:port ([v6]:port for IPv6)"));
    }
    host = host_port.substr(1, close - 1);
    port = host_port.substr(close + 2);
  } else {
    size_t colon = host_port.rfind(':');
    if (colon == absl::string_view::npos || host_port.find(':') != colon) {
      return absl::InvalidArgumentError(
          absl::StrCat("\"", host_port, "\" is not host:port ([v6]:port for IPv6)"));
    }
    host = host_port.substr(0, colon);
    port = host_port.substr(colon + 1);
  }
  int port_number = 0;
  if (host.empty() || !absl::SimpleAtoi(port, &port_number) || port_number < 0 ||
      port_number > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("\"", host_port, "\" is not host:port with a port from 0 to 65535"));
  }
  return std::make_pair(std::string(host), port_number);
}

bool IsLoopbackAddress(std::string_view host_port) {
  absl::StatusOr<std::pair<std::string, int>> hp = SplitHostPort(host_port);
  if (!hp.ok()) return false;
  const std::string& host = hp->first;
  return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

absl::StatusOr<ControlConfig> ParseControlConfig(std::string_view filename, std::string text,
                                                 std::string_view base_dir_view) {
  const std::string base_dir(base_dir_view);
  hcl::EvalContext eval;
  eval.functions = hcl::StandardFunctions(base_dir.empty() ? "." : base_dir);
  absl::StatusOr<RawConfig> raw_or =
      decode::DecodeNative(std::move(text), filename, Schema(), &eval);
  if (!raw_or.ok()) return raw_or.status();
  const RawConfig& raw = *raw_or;

  Errors errors(filename);
  ControlConfig out;
  out.datacenter = raw.datacenter.value;
  if (!IsDnsLabel(out.datacenter)) {
    errors.Add(raw.datacenter.range, "datacenter",
               absl::StrCat("\"", out.datacenter,
                            "\" is not a valid name (letters, digits, '-', '_'; 1 to 63)"));
  }
  if (raw.partition.set) {
    out.partition = raw.partition.value;
    if (!IsDnsLabel(out.partition)) {
      errors.Add(raw.partition.range, "partition",
                 absl::StrCat("\"", out.partition, "\" is not a valid partition name"));
    }
  }
  if (raw.source.set) {
    if (raw.source.value == "file") {
      out.source = SourceKind::kFile;
    } else if (raw.source.value == "consul") {
      out.source = SourceKind::kConsul;
    } else {
      errors.Add(raw.source.range, "source",
                 absl::StrCat("\"", raw.source.value, "\" is not one of \"file\", \"consul\""));
    }
  }
  out.cluster_id = absl::AsciiStrToLower(raw.cluster_id.value);
  if (raw.cluster_id.set) {
    bool ok = !out.cluster_id.empty();
    for (char c : out.cluster_id) {
      if (!(absl::ascii_isxdigit(static_cast<unsigned char>(c)) || c == '-')) ok = false;
    }
    if (!ok) {
      errors.Add(raw.cluster_id.range, "cluster_id",
                 absl::StrCat("\"", raw.cluster_id.value,
                              "\" is not a cluster ID (a UUID such as "
                              "\"7f42f496-fbc7-8692-05ed-334aa5340c1e\")"));
    }
  } else if (out.source == SourceKind::kFile) {
    errors.Add(hcl::Range{}, "cluster_id",
               "required with source = \"file\" (the trust domain is <cluster_id>.consul)");
  }
  out.data_dir = Resolve(base_dir, raw.data_dir.value);
  if (raw.config_dir.set) {
    if (raw.config_dir.value.empty()) {
      errors.Add(raw.config_dir.range, "config_dir", "empty folder name");
    }
    out.config_dir = Resolve(base_dir, raw.config_dir.value);
  } else if (out.source == SourceKind::kFile) {
    errors.Add(hcl::Range{}, "config_dir",
               "required with source = \"file\" (the folder of config entries and services)");
  }
  if (raw.grpc_address.set) out.grpc_address = raw.grpc_address.value;
  if (raw.peering_address.set) out.peering_address = raw.peering_address.value;
  for (const auto& [located, field, value] :
       {std::tuple{&raw.grpc_address, "grpc_address", out.grpc_address},
        std::tuple{&raw.peering_address, "peering_address", out.peering_address}}) {
    if (absl::StatusOr<std::pair<std::string, int>> hp = SplitHostPort(value); !hp.ok()) {
      errors.Add(located->range, field, hp.status().message());
    }
  }
  if (out.grpc_address == out.peering_address) {
    errors.Add(raw.peering_address.range, "peering_address",
               absl::StrCat("the same as grpc_address (", out.grpc_address,
                            "); the peering port is a separate TLS listener"));
  }
  for (const RawGatewayToken& t : raw.gateway_tokens) {
    GatewayToken token;
    const hcl::Range& at = t.nodes.range;
    token.origin = absl::StrCat(std::string(at.filename), ":", at.start.line, ":", at.start.column);
    if (t.token.set == t.token_file.set) {
      errors.Add(t.token.set ? t.token_file.range : at, "gateway_tokens",
                 "set exactly one of token and token_file");
    } else if (t.token.set) {
      token.token = t.token.value;
      if (token.token.empty()) errors.Add(t.token.range, "gateway_tokens.token", "empty");
    } else {
      const std::string path = Resolve(base_dir, t.token_file.value);
      absl::StatusOr<std::string> data = ReadFile(path);
      if (!data.ok()) {
        errors.Add(t.token_file.range, "gateway_tokens.token_file",
                   absl::StrCat("cannot read ", data.status().message()));
      } else {
        token.token = std::string(absl::StripAsciiWhitespace(*data));
        if (token.token.empty()) {
          errors.Add(t.token_file.range, "gateway_tokens.token_file",
                     absl::StrCat(path, " is empty"));
        }
      }
    }
    if (t.nodes.value.empty()) {
      errors.Add(t.nodes.range, "gateway_tokens.nodes",
                 "empty; name the gateway node IDs this token may serve, or \"*\"");
    }
    for (const std::string& n : t.nodes.value) {
      if (n.empty()) errors.Add(t.nodes.range, "gateway_tokens.nodes", "an empty node ID");
    }
    token.nodes = t.nodes.value;
    out.gateway_tokens.push_back(std::move(token));
  }
  for (const std::string& t : raw.control_tokens.value) {
    if (t.empty()) errors.Add(raw.control_tokens.range, "control_tokens", "an empty token");
  }
  out.control_tokens = raw.control_tokens.value;
  if (out.control_tokens.empty() && !IsLoopbackAddress(out.grpc_address)) {
    errors.Add(raw.grpc_address.range, "grpc_address",
               absl::StrCat(out.grpc_address,
                            " is not a loopback address: set control_tokens so that the control "
                            "API is not open to the network"));
  }
  if (raw.log_level.set) {
    const std::string level = absl::AsciiStrToLower(raw.log_level.value);
    if (level != "debug" && level != "info" && level != "warn" && level != "error") {
      errors.Add(
          raw.log_level.range, "log_level",
          absl::StrCat("\"", raw.log_level.value, "\" is not one of debug, info, warn, error"));
    }
    out.log_level = level;
  }
  if (raw.poll_interval.set) {
    if (raw.poll_interval.value < absl::Milliseconds(10)) {
      errors.Add(raw.poll_interval.range, "poll_interval", "must be at least 10ms");
    }
    out.poll_interval = raw.poll_interval.value;
  }
  if (raw.leaf_cert_ttl.set) {
    if (raw.leaf_cert_ttl.value < absl::Minutes(2) ||
        raw.leaf_cert_ttl.value > absl::Hours(24 * 365)) {
      errors.Add(raw.leaf_cert_ttl.range, "leaf_cert_ttl", "must be from 2m to 8760h");
    }
    out.leaf_cert_ttl = raw.leaf_cert_ttl.value;
  }
  if (raw.consul.has_value()) {
    const RawConsul& c = *raw.consul;
    if (out.source != SourceKind::kConsul) {
      errors.Add(c.address.set ? c.address.range : raw.source.range, "consul",
                 "set only with source = \"consul\"");
    }
    out.consul_address = c.address.value;
    if (c.wait.set) {
      if (c.wait.value < absl::Seconds(1) || c.wait.value > absl::Minutes(10)) {
        errors.Add(c.wait.range, "consul.wait", "must be from 1s to 10m (Consul's maximum)");
      }
      out.consul_wait = c.wait.value;
    }
    if (c.peering_poll_interval.set) {
      if (c.peering_poll_interval.value < absl::Milliseconds(100)) {
        errors.Add(c.peering_poll_interval.range, "consul.peering_poll_interval",
                   "must be at least 100ms");
      }
      out.consul_peering_poll_interval = c.peering_poll_interval.value;
    }
  }
  if (absl::Status s = errors.ToStatus(); !s.ok()) return s;
  return out;
}

absl::StatusOr<ControlConfig> LoadControlConfig(const std::string& path) {
  absl::StatusOr<std::string> text = ReadFile(path);
  if (!text.ok()) {
    return absl::NotFoundError(
        absl::StrCat("cannot read the control config ", text.status().message()));
  }
  std::string dir = std::filesystem::path(path).parent_path().string();
  if (dir.empty()) dir = ".";
  return ParseControlConfig(path, std::move(*text), dir);
}

}  // namespace meshgw::control
