#include "gateway/proxy/active_config.h"

#include <unistd.h>

#include "absl/container/flat_hash_map.h"
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

bool SameMatcher(const config::StringMatcher& a, const config::StringMatcher& b) {
  return a.kind() == b.kind() && a.pattern() == b.pattern() && a.ignore_case() == b.ignore_case();
}

bool SameParams(const config::TlsParameters& a, const config::TlsParameters& b) {
  return a.min_version == b.min_version && a.max_version == b.max_version &&
         a.cipher_suites == b.cipher_suites && a.ecdh_curves == b.ecdh_curves;
}

bool SameTrust(const std::optional<config::TrustBundle>& a,
               const std::optional<config::TrustBundle>& b) {
  if (a.has_value() != b.has_value()) return false;
  if (!a.has_value()) return true;
  if (a->name != b->name || a->trusted_ca_pem != b->trusted_ca_pem ||
      a->accept_untrusted != b->accept_untrusted || a->version != b->version ||
      a->match_sans.size() != b->match_sans.size()) {
    return false;
  }
  for (size_t i = 0; i < a->match_sans.size(); ++i) {
    if (a->match_sans[i].type != b->match_sans[i].type ||
        !SameMatcher(a->match_sans[i].matcher, b->match_sans[i].matcher)) {
      return false;
    }
  }
  return true;
}

// Whether two chains' TLS settings make the same server context: everything TlsKey hashes,
// compared in full (a hash match alone never shares a context), and the names its errors quote.
bool SameServerTls(const config::DownstreamTls& a, const config::DownstreamTls& b) {
  return a.certificate.name == b.certificate.name &&
         a.certificate.certificate_chain_pem == b.certificate.certificate_chain_pem &&
         a.certificate.private_key_pem == b.certificate.private_key_pem &&
         SameTrust(a.trust, b.trust) &&
         a.require_client_certificate == b.require_client_certificate &&
         SameParams(a.params, b.params) && a.alpn == b.alpn &&
         a.session_tickets == b.session_tickets && a.session_timeout == b.session_timeout;
}

// The server contexts of one build, by TlsKey: chains with the same TLS settings share one (a
// mesh listener's terminating chains all present the gateway's leaf and most trust the same
// bundle: 5,000 chains, one context, instead of 5,000 contexts of about 23 KB each).
class ServerContextsOfBuild {
 public:
  std::shared_ptr<tls::ServerTlsContext> Find(uint64_t key,
                                              const config::DownstreamTls& tls) const {
    auto it = made_.find(key);
    if (it == made_.end()) return nullptr;
    for (const auto& [settings, context] : it->second) {
      if (SameServerTls(*settings, tls)) return context;
    }
    return nullptr;
  }
  // Keeps `context` for these settings unless one is kept already.
  void Keep(uint64_t key, const config::DownstreamTls* tls,
            std::shared_ptr<tls::ServerTlsContext> context) {
    if (Find(key, *tls) == nullptr) made_[key].emplace_back(tls, std::move(context));
  }

 private:
  absl::flat_hash_map<
      uint64_t,
      std::vector<std::pair<const config::DownstreamTls*, std::shared_ptr<tls::ServerTlsContext>>>>
      made_;
};

// The previous runtimes of a listener's chains, by chain name: built once per listener (a mesh
// listener has a chain per exported service; a scan per chain was quadratic).
class PreviousChains {
 public:
  PreviousChains(const ActiveConfig* previous, std::string_view listener) {
    if (previous == nullptr) return;
    auto it = previous->listeners.find(std::string(listener));
    if (it == previous->listeners.end()) return;
    runtime_ = it->second.get();
    by_name_.reserve(runtime_->chains.size());
    for (const ChainRuntime& c : runtime_->chains) by_name_.emplace(c.chain->name, &c);
  }

  // The listener's previous runtime; null when it is new.
  const ListenerRuntime* runtime() const { return runtime_; }

  const ChainRuntime* Find(const config::FilterChain& chain, bool is_default) const {
    if (runtime_ == nullptr) return nullptr;
    if (is_default) return runtime_->default_chain.get();
    auto it = by_name_.find(chain.name);
    return it == by_name_.end() ? nullptr : it->second;
  }

 private:
  const ListenerRuntime* runtime_ = nullptr;
  absl::flat_hash_map<std::string_view, const ChainRuntime*> by_name_;
};

// Counters labelled with the chain's name.
void FetchChainCounters(const config::FilterChain& chain, GatewayMetrics* metrics,
                        ChainRuntime& out) {
  if (metrics == nullptr) return;
  out.authz_allowed = metrics->authz().Get({chain.name, "allow"});
  out.authz_denied = metrics->authz().Get({chain.name, "deny"});
  out.connections = metrics->route_connections().Get({chain.name});
}

absl::Status BuildChain(const config::Listener& listener, const config::FilterChain& chain,
                        const ChainRuntime* previous, const BuildOptions& options,
                        ServerContextsOfBuild& contexts, ChainRuntime& out) {
  out.chain = &chain;
  out.active = previous != nullptr ? previous->active : std::make_shared<std::atomic<uint64_t>>(0);
  if (chain.tls.has_value()) {
    out.tls_key = TlsKey(*chain.tls);
    // The chain's previous context first (its sessions stay resumable), then one this build made
    // for the same settings, else a new one.
    if (previous != nullptr && previous->server_tls != nullptr &&
        previous->tls_key == out.tls_key && previous->chain->tls.has_value() &&
        SameServerTls(*previous->chain->tls, *chain.tls)) {
      out.server_tls = previous->server_tls;
    } else if (auto made = contexts.Find(out.tls_key, *chain.tls); made != nullptr) {
      out.server_tls = std::move(made);
    } else {
      auto ctx = tls::ServerTlsContext::Create(*chain.tls, options.chain_cache);
      if (!ctx.ok()) {
        return absl::InvalidArgumentError(absl::StrCat("Listener \"", listener.name, "\" chain \"",
                                                       chain.name, "\": ", ctx.status().message()));
      }
      out.server_tls = std::move(*ctx);
    }
    contexts.Keep(out.tls_key, &*chain.tls, out.server_tls);
  }
  FetchChainCounters(chain, options.metrics, out);
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
  const std::shared_ptr<const ClusterRuntime>* runtime = clusters.Find(name);
  return runtime == nullptr ? nullptr : runtime->get();
}

absl::StatusOr<std::shared_ptr<const ActiveConfig>> BuildActiveConfig(config::SnapshotPtr snapshot,
                                                                      const ActiveConfig* previous,
                                                                      const BuildOptions& options) {
  auto active = std::make_shared<ActiveConfig>();
  active->snapshot = snapshot;
  std::vector<std::shared_ptr<ListenerSockets>> opened;  // closed again if a later step fails
  ServerContextsOfBuild contexts;
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
    const PreviousChains previous_chains(previous, name);
    if (previous_chains.runtime() != nullptr && previous_chains.runtime()->listener == &listener) {
      // The very same listener (snapshots share what did not change): its chains are the same
      // objects, so their runtimes carry over as they are (contexts, counters, connection counts).
      const ListenerRuntime& prev = *previous_chains.runtime();
      runtime->chains = prev.chains;
      if (prev.default_chain != nullptr) {
        runtime->default_chain = std::make_unique<ChainRuntime>(*prev.default_chain);
      }
      if (options.metrics != nullptr) {  // the previous build may have had no metrics
        for (ChainRuntime& c : runtime->chains) {
          if (c.connections == nullptr) FetchChainCounters(*c.chain, options.metrics, c);
        }
        if (runtime->default_chain != nullptr && runtime->default_chain->connections == nullptr) {
          FetchChainCounters(*listener.default_chain, options.metrics, *runtime->default_chain);
        }
      }
    } else {
      // The previous contexts first: a chain with the settings of any previous chain (a chain
      // added to the listener, say) takes its context, whose sessions stay resumable.
      if (previous_chains.runtime() != nullptr) {
        for (const ChainRuntime& c : previous_chains.runtime()->chains) {
          if (c.server_tls != nullptr && c.chain->tls.has_value()) {
            contexts.Keep(c.tls_key, &*c.chain->tls, c.server_tls);
          }
        }
      }
      runtime->chains.resize(listener.chains.size());
      for (size_t i = 0; i < listener.chains.size(); ++i) {
        const ChainRuntime* prev = previous_chains.Find(listener.chains[i], false);
        if (absl::Status s = BuildChain(listener, listener.chains[i], prev, options, contexts,
                                        runtime->chains[i]);
            !s.ok()) {
          close_opened();
          return s;
        }
      }
      if (listener.default_chain.has_value()) {
        runtime->default_chain = std::make_unique<ChainRuntime>();
        const ChainRuntime* prev = previous_chains.Find(*listener.default_chain, true);
        if (absl::Status s = BuildChain(listener, *listener.default_chain, prev, options, contexts,
                                        *runtime->default_chain);
            !s.ok()) {
          close_opened();
          return s;
        }
      }
    }
    if (options.metrics != nullptr) {
      runtime->connections = options.metrics->listener_connections().Get({name});
      runtime->unknown_sni = options.metrics->listener_unknown_sni().Get({name});
    }
    active->listeners[name] = std::move(runtime);
  }

  // Only the clusters whose object differs from the previous snapshot's get a new runtime; the
  // others keep theirs (contexts, counters, and their state, which the registry keeps for the
  // same object). A previous config built without counters is no base for one with them.
  const bool carry_over = previous != nullptr && previous->snapshot != nullptr &&
                          (options.metrics == nullptr || previous->with_metrics);
  const SharedMap<std::shared_ptr<const config::Cluster>> none;
  if (carry_over) active->clusters = previous->clusters;
  active->with_metrics = options.metrics != nullptr;
  std::vector<std::pair<std::string, std::shared_ptr<ClusterRuntime>>> built;
  absl::Status failed;
  auto build = [&](const std::string& name,
                   const std::shared_ptr<const config::Cluster>& cluster) -> absl::Status {
    auto runtime = std::make_shared<ClusterRuntime>();
    if (cluster->tls.has_value()) {
      runtime->tls_key = TlsKey(*cluster->tls);
      const ClusterRuntime* prev = previous != nullptr ? previous->FindCluster(name) : nullptr;
      if (prev != nullptr && prev->client_tls != nullptr && prev->tls_key == runtime->tls_key) {
        runtime->client_tls = prev->client_tls;
      } else {
        auto ctx = tls::ClientTlsContext::Create(*cluster->tls);
        if (!ctx.ok()) {
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
    built.emplace_back(name, std::move(runtime));
    return absl::OkStatus();
  };
  SharedMap<std::shared_ptr<const config::Cluster>>::ForEachDifference(
      carry_over ? previous->snapshot->clusters : none, snapshot->clusters,
      [&](const std::string& name, const std::shared_ptr<const config::Cluster>*,
          const std::shared_ptr<const config::Cluster>* cluster) {
        if (!failed.ok()) return;
        if (cluster == nullptr || *cluster == nullptr) {
          active->clusters.erase(name);
          return;
        }
        failed = build(name, *cluster);
      });
  if (!failed.ok()) {
    close_opened();
    return failed;
  }
  // Nothing fails from here: the registry moves on to this snapshot only for a config that is
  // built, so that its states and the runtimes carried over stay the same objects.
  std::shared_ptr<const upstream::ClusterStateSet> states;
  if (options.cluster_states != nullptr) states = options.cluster_states->Update(*snapshot);
  for (auto& [name, runtime] : built) {
    if (states != nullptr) {
      if (const auto* state = states->clusters.Find(name)) runtime->state = *state;
    }
    if (runtime->state == nullptr) {
      runtime->state =
          upstream::ClusterState::Create(*snapshot->clusters.Find(name), options.workers);
    }
    active->clusters.insert_or_assign(name, std::move(runtime));
  }
  return std::shared_ptr<const ActiveConfig>(std::move(active));
}

}  // namespace meshgw::gateway::proxy
