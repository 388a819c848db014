// SNI route table: picks the filter chain of the mesh listener for a connection, as Envoy's
// FilterChainMatch does for server_names, transport_protocol and application_protocols.
//
// Matching, one field after the other; at each step only the most specific chains survive and
// there is no falling back to a less specific step afterwards (Envoy's semantics):
//   1. server name: the exact name ("web.default.dc1.internal.td") first, then the longest `*.`
//      suffix wildcard ("*.dc1.internal.td" before "*.td"), then chains without server_names.
//      "*.td" does not match "td" itself.
//   2. transport protocol: chains naming it ("tls" / "raw_buffer") first, then chains without one.
//   3. ALPN: the first protocol the client offers (in its order) that some surviving chain lists,
//      then chains without application_protocols.
// Unknown SNI with no catch-all chain gives no match: the caller closes the connection and counts
// it; nothing is forwarded. A Consul mesh gateway's sni_cluster chain is a catch-all (no
// server_names) whose cluster is the SNI itself; that is the caller's business, not the table's.
//
//   auto table = SniRouteTable::Build({{.name = "exported~api", .server_names = {"api.x.td"}},
//                                      {.name = "sni_cluster"}});
//   (*table)->Lookup("api.x.td", {}) -> chain "exported~api"; Lookup("web.y.td", {}) ->
//   "sni_cluster"
//
// Build validates and rejects duplicate match definitions naming both chains. Lookup is
// O(length of the name) hash probes (one per label for the wildcard walk), allocation-free.
//
// Thread-safety: immutable after Build; Lookup is safe from any number of threads at once.
#ifndef MESHGW_GATEWAY_ROUTE_SNI_ROUTE_TABLE_H_
#define MESHGW_GATEWAY_ROUTE_SNI_ROUTE_TABLE_H_

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"

namespace meshgw::gateway::route {

// One filter chain's match, as configured (xDS FilterChainMatch, the fields the gateway uses).
struct FilterChainSpec {
  std::string name = {};                                // for errors and stats; need not be unique
  std::vector<std::string> server_names = {};           // exact or "*.suffix"; empty matches any
  std::string transport_protocol = {};                  // "", "tls" or "raw_buffer"
  std::vector<std::string> application_protocols = {};  // ALPN ids; empty matches any
};

enum class TransportProtocol : uint8_t { kTls, kRawBuffer };

class SniRouteTable {
 public:
  // Build validates `chains` and indexes them. Errors (INVALID_ARGUMENT) name the chain: a server
  // name that is neither a DNS name nor "*." + DNS name (partial wildcards like "*w.td" and a bare
  // "*" are invalid), an unknown transport protocol, an empty ALPN id, and two chains (or one
  // chain twice) matching the same (server name, transport protocol, ALPN) combination.
  // Server names are compared case-insensitively (stored lower-cased).
  static absl::StatusOr<std::shared_ptr<const SniRouteTable>> Build(
      std::vector<FilterChainSpec> chains);

  // Lookup returns the chain for a connection with lower-cased `sni` ("" without SNI), the
  // client's ALPN offer `alpn` in its order, over `transport`; nullptr when no chain matches.
  const FilterChainSpec* Lookup(std::string_view sni, absl::Span<const std::string_view> alpn,
                                TransportProtocol transport = TransportProtocol::kTls) const;

  // LookupIndex is Lookup returning the chain's index in Build's input, or -1.
  int LookupIndex(std::string_view sni, absl::Span<const std::string_view> alpn,
                  TransportProtocol transport = TransportProtocol::kTls) const;

  const std::vector<FilterChainSpec>& chains() const { return chains_; }

 private:
  // Chains surviving up to the ALPN step.
  struct AlpnLevel {
    std::vector<std::pair<std::string, int>> by_protocol;  // usually 0-3 entries: linear scan
    int any = -1;
    bool used = false;
  };
  // Chains surviving the server-name step, by transport protocol.
  struct NameLevel {
    AlpnLevel tls, raw_buffer, any;
  };

  SniRouteTable() = default;
  int Select(const NameLevel& level, absl::Span<const std::string_view> alpn,
             TransportProtocol transport) const;

  std::vector<FilterChainSpec> chains_;
  absl::flat_hash_map<std::string, NameLevel> exact_;
  // Keyed by the suffix with its leading dot: "*.dc2.internal.td" is ".dc2.internal.td".
  absl::flat_hash_map<std::string, NameLevel> wildcard_;
  size_t min_wildcard_len_ = 0;  // shortest key in wildcard_, to end the walk early
  NameLevel no_name_;
  bool has_no_name_ = false;
};

}  // namespace meshgw::gateway::route

#endif  // MESHGW_GATEWAY_ROUTE_SNI_ROUTE_TABLE_H_
