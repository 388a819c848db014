#include "gateway/proxy/active_config.h"

#include <unistd.h>

#include "absl/hash/hash.h"
#include "absl/strings/str_cat.h"
#include "gateway/net/socket_util.h"
#include "gateway/proxy/gateway_metrics.h"

namespace meshgw::gateway::proxy {
namespace {

uint64_t HashParams(const config::TlsParameters& p) {
  return absl::HashOf(static_cast<int>(p.min_version), static_cast<int>(p.max_version),
                      p.cipher_suites, p.ecdh_curves);
}

uint64_t HashTrust(const std::optional<config::TrustBundle>& trust) {
  if (!trust.has_value()) return 0;
  std::vector<std::string> sans;
  for (const config::SanMatcher& m : trust->match_sans) {
    sans.push_back(absl::StrCat(static_cast<int>(m.type), m.matcher.DebugString()));
  }
  return absl::HashOf(trust->trusted_ca_pem, sans, trust->accept_untrusted, trust->version);
}

uint64_t TlsKey(const config::DownstreamTls& t) {
  return absl::HashOf(t.certificate.certificate_chain_pem, t.certificate.private_key_pem,
                      HashTrust(t.trust), t.require_client_certificate, HashParams(t.params),
                      t.alpn, t.session_tickets, absl::ToInt64Seconds(t.session_timeout));
}

uint64_t TlsKey(const config::UpstreamTls& t) {
  std::string cert, key;
  if (t.certificate.has_value()) {
    cert = t.certificate->certificate_chain_pem;
    key = t.certificate->private_key_pem;
  }
  return absl::HashOf(cert, key, HashTrust(t.trust), t.sni, HashParams(t.params), t.alpn);
}

// The previous runtime of the chain with this listener and chain name, if any.
const ChainRuntime* FindPreviousChain(const ActiveConfig* previous, std::string_view listener,
                                      const config::FilterChain& chain, bool is_default) {
  if (previous == nullptr) return nullptr;
  auto it = previous->listeners.find(std::string(listener));
  if (it == previous->listeners.end()) return nullptr;
  if (is_default) return it->second->default_chain.get();
  for (const ChainRuntime& c : it->second->chains) {
    if (c.chain->name == chain.name) return &c;
  }
  return nullptr;
}

absl::Status BuildChain(const config::Listener& listener, const config::FilterChain& chain,
                        const ChainRuntime* previous, const BuildOptions& options,
                        ChainRuntime& out) {
  out.chain = &chain;
  out.active = previous != nullptr ? previous->active : std::make_shared<std::atomic<uint64_t>>(0);
  if (chain.tls.has_value()) {
    out.tls_key = TlsKey(*chain.tls);
    if (previous != nullptr && previous->server_tls != nullptr &&
        previous->tls_key == out.tls_key) {
      out.server_tls = previous->server_tls;
    } else {
      auto ctx = tls::ServerTlsContext::Create(*chain.tls, options.chain_cache);
      if (!ctx.ok()) {
        return absl::InvalidArgumentError(absl::StrCat("Listener \"", listener.name, "\" chain \"",
                                                       chain.name, "\": ", ctx.status().message()));
      }
      out.server_tls = std::move(*ctx);
    }
  }
  if (options.metrics != nullptr) {
    GatewayMetrics& m = *options.metrics;
    out.authz_allowed = m.authz().Get({chain.name, "allow"});
    out.authz_denied = m.authz().Get({chain.name, "deny"});
    out.connections = m.route_connections().Get({chain.name});
  }
  return absl::OkStatus();
}

}  // namespace

const ChainRuntime* ListenerRuntime::ChainFor(const config::FilterChain* chain) const {
  if (default_chain != nullptr && default_chain->chain == chain) return default_chain.get();
  size_t i = static_cast<size_t>(chain - listener->chains.data());
  return i < chains.size() ? &chains[i] : nullptr;
}

tls::ClientTlsContext* ClusterRuntime::ClientTlsFor(const config::Endpoint& endpoint) const {
  const int32_t i = endpoint.transport_socket_match;
  if (i >= 0 && static_cast<size_t>(i) < match_tls.size()) return match_tls[i].get();
  return client_tls.get();
}

const ClusterRuntime* ActiveConfig::FindCluster(std::string_view name) const {
  auto it = clusters.find(absl::string_view(name.data(), name.size()));
  return it == clusters.end() ? nullptr : it->second.get();
}

absl::StatusOr<std::shared_ptr<const ActiveConfig>> BuildActiveConfig(config::SnapshotPtr snapshot,
                                                                      const ActiveConfig* previous,
                                                                      const BuildOptions& options) {
  auto active = std::make_shared<ActiveConfig>();
  active->snapshot = snapshot;
  std::vector<std::shared_ptr<ListenerSockets>> opened;  // closed again if a later step fails
  auto close_opened = [&opened] {
    for (auto& sockets : opened) {
      for (int fd : sockets->fds) close(fd);
    }
  };

  for (const auto& [name, listener_ptr] : snapshot->listeners) {
    const config::Listener& listener = *listener_ptr;
    auto runtime = std::make_unique<ListenerRuntime>();
    runtime->listener = &listener;
    // The same address keeps its sockets: not a single connection is refused by an update.
    if (previous != nullptr) {
      auto it = previous->listeners.find(name);
      if (it != previous->listeners.end() && it->second->sockets != nullptr &&
          it->second->sockets->address.ToString() == listener.address.ToString()) {
        runtime->sockets = it->second->sockets;
      }
    }
    if (runtime->sockets == nullptr) {
      auto sockets = std::make_shared<ListenerSockets>();
      sockets->address = listener.address;
      for (uint32_t w = 0; w < options.workers; ++w) {
        absl::StatusOr<int> fd = net::ListenReusePort(listener.address);
        if (!fd.ok()) {
          for (int open_fd : sockets->fds) close(open_fd);
          close_opened();
          return absl::UnavailableError(
              absl::StrCat("listener \"", name, "\": ", fd.status().message()));
        }
        sockets->fds.push_back(*fd);
      }
      opened.push_back(sockets);
      runtime->sockets = std::move(sockets);
    }
    runtime->chains.resize(listener.chains.size());
    for (size_t i = 0; i < listener.chains.size(); ++i) {
      const ChainRuntime* prev = FindPreviousChain(previous, name, listener.chains[i], false);
      if (absl::Status s =
              BuildChain(listener, listener.chains[i], prev, options, runtime->chains[i]);
          !s.ok()) {
        close_opened();
        return s;
      }
    }
    if (listener.default_chain.has_value()) {
      runtime->default_chain = std::make_unique<ChainRuntime>();
      const ChainRuntime* prev = FindPreviousChain(previous, name, *listener.default_chain, true);
      if (absl::Status s =
              BuildChain(listener, *listener.default_chain, prev, options, *runtime->default_chain);
          !s.ok()) {
        close_opened();
        return s;
      }
    }
    if (options.metrics != nullptr) {
      runtime->connections = options.metrics->listener_connections().Get({name});
      runtime->unknown_sni = options.metrics->listener_unknown_sni().Get({name});
    }
    active->listeners[name] = std::move(runtime);
  }

  std::shared_ptr<const upstream::ClusterStateSet> states;
  if (options.cluster_states != nullptr) states = options.cluster_states->Update(*snapshot);
  for (const auto& [name, cluster] : snapshot->clusters) {
    auto runtime = std::make_unique<ClusterRuntime>();
    if (states != nullptr) {
      auto it = states->clusters.find(name);
      if (it != states->clusters.end()) runtime->state = it->second;
    }
    if (runtime->state == nullptr) {
      runtime->state = upstream::ClusterState::Create(cluster, options.workers);
    }
    if (cluster->tls.has_value()) {
      runtime->tls_key = TlsKey(*cluster->tls);
      const ClusterRuntime* prev = previous != nullptr ? previous->FindCluster(name) : nullptr;
      if (prev != nullptr && prev->client_tls != nullptr && prev->tls_key == runtime->tls_key) {
        runtime->client_tls = prev->client_tls;
      } else {
        auto ctx = tls::ClientTlsContext::Create(*cluster->tls);
        if (!ctx.ok()) {
          close_opened();
          return absl::InvalidArgumentError(
              absl::StrCat("Cluster \"", name, "\": ", ctx.status().message()));
        }
        runtime->client_tls = std::move(*ctx);
      }
    }
    const ClusterRuntime* prev_cluster =
        previous != nullptr ? previous->FindCluster(name) : nullptr;
    for (size_t i = 0; i < cluster->transport_socket_matches.size(); ++i) {
      const config::TransportSocketMatch& match = cluster->transport_socket_matches[i];
      if (!match.tls.has_value()) {
        runtime->match_tls.push_back(nullptr);
        runtime->match_tls_keys.push_back(0);
        continue;
      }
      const uint64_t key = TlsKey(*match.tls);
      std::shared_ptr<tls::ClientTlsContext> reused;
      // Reuse a context with the same settings (session resumption survives the update).
      if (prev_cluster != nullptr) {
        for (size_t j = 0; j < prev_cluster->match_tls.size(); ++j) {
          if (prev_cluster->match_tls[j] != nullptr && prev_cluster->match_tls_keys[j] == key) {
            reused = prev_cluster->match_tls[j];
            break;
          }
        }
      }
      if (reused == nullptr) {
        auto ctx = tls::ClientTlsContext::Create(*match.tls);
        if (!ctx.ok()) {
          close_opened();
          return absl::InvalidArgumentError(
              absl::StrCat("Cluster \"", name, "\" transport_socket_matches \"", match.name,
                           "\": ", ctx.status().message()));
        }
        reused = std::move(*ctx);
      }
      runtime->match_tls.push_back(std::move(reused));
      runtime->match_tls_keys.push_back(key);
    }
    if (options.metrics != nullptr) {
      GatewayMetrics& m = *options.metrics;
      runtime->connect_failures = m.cluster_connect_failures().Get({name});
      runtime->connect_timeouts = m.cluster_connect_timeouts().Get({name});
      runtime->overflows = m.cluster_overflows().Get({name});
      runtime->no_healthy = m.cluster_no_healthy().Get({name});
    }
    active->clusters[name] = std::move(runtime);
  }
  return std::shared_ptr<const ActiveConfig>(std::move(active));
}

}  // namespace meshgw::gateway::proxy
