// The functions snapshot.h declares: address parsing, lookups and the filter-chain accessors.
#include "gateway/config/snapshot.h"

#include <arpa/inet.h>

#include <cstring>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace meshgw::gateway::config {

std::string SocketAddress::ToString() const {
  if (host.find(':') != std::string::npos) return absl::StrCat("[", host, "]:", port);
  return absl::StrCat(host, ":", port);
}

absl::StatusOr<SocketAddress> ParseSocketAddress(std::string_view host, uint32_t port) {
  if (port > 65535) {
    return absl::InvalidArgumentError(absl::StrCat("port ", port, " is out of range (0-65535)"));
  }
  SocketAddress out;
  out.host = std::string(host);
  out.port = static_cast<uint16_t>(port);
  // inet_pton needs a NUL-terminated string; `out.host` is one.
  in_addr v4;
  in6_addr v6;
  if (!out.host.empty() && out.host.find('\0') == std::string::npos &&
      inet_pton(AF_INET, out.host.c_str(), &v4) == 1) {
    sockaddr_in sin = {};
    sin.sin_family = AF_INET;
    sin.sin_port = htons(out.port);
    sin.sin_addr = v4;
    std::memcpy(&out.storage, &sin, sizeof(sin));
    out.length = sizeof(sin);
    return out;
  }
  if (!out.host.empty() && out.host.find('\0') == std::string::npos &&
      inet_pton(AF_INET6, out.host.c_str(), &v6) == 1) {
    sockaddr_in6 sin6 = {};
    sin6.sin6_family = AF_INET6;
    sin6.sin6_port = htons(out.port);
    sin6.sin6_addr = v6;
    std::memcpy(&out.storage, &sin6, sizeof(sin6));
    out.length = sizeof(sin6);
    return out;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("address \"", absl::CEscape(out.host), "\" is not an IP literal"));
}

absl::StatusOr<SocketAddress> ParseHostPort(std::string_view host_port_in) {
  const absl::string_view host_port(host_port_in.data(), host_port_in.size());
  absl::string_view host;
  absl::string_view port;
  if (!host_port.empty() && host_port.front() == '[') {
    size_t close = host_port.find(']');
    if (close == absl::string_view::npos || close + 1 >= host_port.size() ||
        host_port[close + 1] != ':') {
      return absl::InvalidArgumentError(absl::StrCat(
          "\"", absl::CEscape(host_port), "\" is not \"[ipv6]:port\" (e.g. \"[::1]:8443\")"));
    }
    host = host_port.substr(1, close - 1);
    port = host_port.substr(close + 2);
  } else {
    size_t colon = host_port.rfind(':');
    if (colon == absl::string_view::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat("\"", absl::CEscape(host_port),
                       "\" has no port (want \"host:port\", e.g. \"127.0.0.1:8443\")"));
    }
    host = host_port.substr(0, colon);
    port = host_port.substr(colon + 1);
    if (host.find(':') != absl::string_view::npos) {
      return absl::InvalidArgumentError(absl::StrCat(
          "\"", absl::CEscape(host_port), "\": an IPv6 address needs brackets (\"[::1]:8443\")"));
    }
  }
  uint32_t port_value = 0;
  if (port.empty() || port.size() > 5 ||
      port.find_first_not_of("0123456789") != std::string::npos ||
      !absl::SimpleAtoi(port, &port_value) || port_value > 65535) {
    return absl::InvalidArgumentError(absl::StrCat("\"", absl::CEscape(host_port), "\": port \"",
                                                   absl::CEscape(port), "\" is not 0-65535"));
  }
  return ParseSocketAddress(std::string_view(host.data(), host.size()), port_value);
}

std::string_view HealthStatusName(HealthStatus s) {
  switch (s) {
    case HealthStatus::kUnknown:
      return "UNKNOWN";
    case HealthStatus::kHealthy:
      return "HEALTHY";
    case HealthStatus::kUnhealthy:
      return "UNHEALTHY";
    case HealthStatus::kDraining:
      return "DRAINING";
    case HealthStatus::kTimeout:
      return "TIMEOUT";
    case HealthStatus::kDegraded:
      return "DEGRADED";
  }
  return "UNKNOWN";
}

const RbacFilter* FilterChain::rbac() const {
  for (const NetworkFilter& f : filters) {
    if (const auto* r = std::get_if<RbacFilter>(&f)) return r;
  }
  return nullptr;
}

const RbacFilter* Snapshot::RbacFor(const FilterChain& chain) const {
  const RbacFilter* own = chain.rbac();
  if (own == nullptr || !own->discovered) return own;
  auto it = extension_configs.find(own->config_name);
  return it == extension_configs.end() ? own : it->second.get();
}

const ConnectionLimitFilter* FilterChain::connection_limit() const {
  for (const NetworkFilter& f : filters) {
    if (const auto* c = std::get_if<ConnectionLimitFilter>(&f)) return c;
  }
  return nullptr;
}

bool FilterChain::sni_cluster() const {
  for (const NetworkFilter& f : filters) {
    if (std::holds_alternative<SniClusterFilter>(f)) return true;
  }
  return false;
}

const FilterChain* Listener::ChainFor(std::string_view sni, absl::Span<const std::string_view> alpn,
                                      route::TransportProtocol transport) const {
  if (routes != nullptr) {
    int index = routes->LookupIndex(sni, alpn, transport);
    if (index >= 0 && static_cast<size_t>(index) < chains.size()) return &chains[index];
  }
  return default_chain ? &*default_chain : nullptr;
}

const UpstreamTls* Cluster::TlsFor(const Endpoint& endpoint) const {
  const int32_t i = endpoint.transport_socket_match;
  if (i >= 0 && static_cast<size_t>(i) < transport_socket_matches.size()) {
    const std::optional<UpstreamTls>& matched = transport_socket_matches[i].tls;
    return matched.has_value() ? &*matched : nullptr;
  }
  return tls.has_value() ? &*tls : nullptr;
}

const Listener* Snapshot::FindListener(std::string_view name) const {
  auto it = listeners.find(name);
  return it == listeners.end() ? nullptr : it->second.get();
}

const Cluster* Snapshot::FindCluster(std::string_view name) const {
  auto it = clusters.find(name);
  return it == clusters.end() ? nullptr : it->second.get();
}

}  // namespace meshgw::gateway::config
