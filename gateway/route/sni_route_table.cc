#include "gateway/route/sni_route_table.h"

#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "gateway/tls/client_hello.h"

namespace meshgw::gateway::route {
namespace {

// Debian's Abseil has its own string_view type; std::string_view does not convert implicitly.
absl::string_view AV(std::string_view s) { return absl::string_view(s.data(), s.size()); }

std::string Describe(std::string_view server_name, std::string_view transport,
                     std::string_view alpn) {
  return absl::StrCat("server name \"", AV(server_name.empty() ? "(any)" : server_name),
                      "\", transport protocol \"", AV(transport.empty() ? "(any)" : transport),
                      "\", ALPN \"", AV(alpn.empty() ? "(any)" : alpn), "\"");
}

}  // namespace

absl::StatusOr<std::shared_ptr<const SniRouteTable>> SniRouteTable::Build(
    std::vector<FilterChainSpec> chains) {
  std::shared_ptr<SniRouteTable> table(new SniRouteTable());
  table->chains_ = std::move(chains);
  size_t min_wildcard = 0;
  for (size_t i = 0; i < table->chains_.size(); ++i) {
    FilterChainSpec& chain = table->chains_[i];
    const int index = static_cast<int>(i);
    const std::string where = absl::StrCat("filter chain ", i, " \"", chain.name, "\"");

    if (!chain.transport_protocol.empty() && chain.transport_protocol != "tls" &&
        chain.transport_protocol != "raw_buffer") {
      return absl::InvalidArgumentError(absl::StrCat(where, ": transport protocol \"",
                                                     chain.transport_protocol,
                                                     "\" is neither \"tls\" nor \"raw_buffer\""));
    }
    for (const std::string& alpn : chain.application_protocols) {
      if (alpn.empty() || alpn.size() > 255) {
        return absl::InvalidArgumentError(
            absl::StrCat(where, ": an ALPN protocol must be 1 to 255 bytes"));
      }
    }

    // Every (server name, transport, ALPN) this chain claims, checked against earlier claims.
    auto claim = [&](NameLevel& level, std::string_view name) -> absl::Status {
      AlpnLevel& alpn_level = chain.transport_protocol == "tls"          ? level.tls
                              : chain.transport_protocol == "raw_buffer" ? level.raw_buffer
                                                                         : level.any;
      alpn_level.used = true;
      auto duplicate = [&](int other, std::string_view alpn) {
        std::string what = Describe(name, chain.transport_protocol, alpn);
        return absl::InvalidArgumentError(
            other == index
                ? absl::StrCat(where, " lists the same match twice: ", what)
                : absl::StrCat("filter chains ", other, " \"", table->chains_[other].name,
                               "\" and ", i, " \"", chain.name, "\" both match ", what));
      };
      if (chain.application_protocols.empty()) {
        if (alpn_level.any >= 0) return duplicate(alpn_level.any, "");
        alpn_level.any = index;
        return absl::OkStatus();
      }
      for (const std::string& alpn : chain.application_protocols) {
        for (const auto& [proto, other] : alpn_level.by_protocol) {
          if (proto == alpn) return duplicate(other, alpn);
        }
        alpn_level.by_protocol.emplace_back(alpn, index);
      }
      return absl::OkStatus();
    };

    if (chain.server_names.empty()) {
      table->has_no_name_ = true;
      if (absl::Status s = claim(table->no_name_, ""); !s.ok()) return s;
      continue;
    }
    for (std::string& server_name : chain.server_names) {
      absl::AsciiStrToLower(&server_name);
      const bool wildcard =
          server_name.size() > 2 && server_name[0] == '*' && server_name[1] == '.';
      std::string_view host = wildcard ? std::string_view(server_name).substr(2) : server_name;
      // A wildcard's suffix may be a bare TLD ("*.consul"), and an all-digits last label there is
      // still no IP literal, so only the dots and characters need the host name rules.
      if (!tls::IsValidHostName(host) &&
          !(wildcard && tls::IsValidHostName(absl::StrCat(AV(host), ".x")))) {
        return absl::InvalidArgumentError(absl::StrCat(
            where, ": server name \"", server_name,
            "\" is neither a DNS name nor \"*.\" followed by one (no partial wildcards)"));
      }
      NameLevel* level;
      if (wildcard) {
        std::string key(server_name.substr(1));  // ".suffix"
        if (min_wildcard == 0 || key.size() < min_wildcard) min_wildcard = key.size();
        level = &table->wildcard_[key];
      } else {
        level = &table->exact_[server_name];
      }
      if (absl::Status s = claim(*level, server_name); !s.ok()) return s;
    }
  }
  table->min_wildcard_len_ = min_wildcard;
  return std::shared_ptr<const SniRouteTable>(std::move(table));
}

int SniRouteTable::Select(const NameLevel& level, absl::Span<const std::string_view> alpn,
                          TransportProtocol transport) const {
  const AlpnLevel* chosen = transport == TransportProtocol::kTls ? &level.tls : &level.raw_buffer;
  if (!chosen->used) chosen = &level.any;
  if (!chosen->used) return -1;
  for (std::string_view offered : alpn) {
    for (const auto& [proto, index] : chosen->by_protocol) {
      if (proto == offered) return index;
    }
  }
  return chosen->any;
}

int SniRouteTable::LookupIndex(std::string_view sni, absl::Span<const std::string_view> alpn,
                               TransportProtocol transport) const {
  if (!sni.empty()) {
    if (auto it = exact_.find(AV(sni)); it != exact_.end())
      return Select(it->second, alpn, transport);
    if (!wildcard_.empty()) {
      // Longest suffix first: ".b.c.td" of "a.b.c.td", then ".c.td", then ".td".
      for (size_t pos = sni.find('.');
           pos != std::string_view::npos && sni.size() - pos >= min_wildcard_len_;
           pos = sni.find('.', pos + 1)) {
        if (auto it = wildcard_.find(AV(sni.substr(pos))); it != wildcard_.end()) {
          return Select(it->second, alpn, transport);
        }
      }
    }
  }
  return has_no_name_ ? Select(no_name_, alpn, transport) : -1;
}

const FilterChainSpec* SniRouteTable::Lookup(std::string_view sni,
                                             absl::Span<const std::string_view> alpn,
                                             TransportProtocol transport) const {
  int index = LookupIndex(sni, alpn, transport);
  return index < 0 ? nullptr : &chains_[index];
}

}  // namespace meshgw::gateway::route
