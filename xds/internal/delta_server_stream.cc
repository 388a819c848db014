#include "xds/internal/delta_server_stream.h"

#include <algorithm>
#include <cstdint>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "xds/internal/wire.h"

namespace meshgw::xds::internal {
namespace {

bool IsKnownType(absl::string_view type_url) {
  return std::find(kResourceTypes.begin(), kResourceTypes.end(), type_url) != kResourceTypes.end();
}

// At most this many names in a log line.
std::string NameList(const std::vector<std::string>& names) {
  constexpr size_t kMax = 10;
  if (names.size() <= kMax) return absl::StrCat("[", absl::StrJoin(names, ", "), "]");
  std::vector<std::string> head(names.begin(), names.begin() + kMax);
  return absl::StrCat("[", absl::StrJoin(head, ", "), ", ... ", names.size() - kMax, " more]");
}

}  // namespace

std::vector<WirePiece> OutgoingResponse::EncodePieces(size_t reference_from) const {
  // The size of each owned piece, to reserve it at once: appending a megabyte of small resources
  // to a growing string would copy it again at every doubling. A field header is at most 16 bytes.
  constexpr size_t kHeader = 16;
  std::vector<size_t> owned_sizes(1, kHeader + system_version_info.size());
  for (const ResourcePtr& resource : resources) {
    if (resource->PayloadSize() < reference_from) {
      owned_sizes.back() += resource->WireSize();
    } else {
      owned_sizes.back() += resource->wire_head.size();
      if (resource->shared_payload != nullptr) owned_sizes.back() += resource->body.value().size();
      owned_sizes.push_back(resource->payload_tail.size() + resource->wire_tail.size());
    }
  }
  owned_sizes.back() += 2 * kHeader + type_url.size() + nonce.size();
  for (const std::string& name : removed) owned_sizes.back() += kHeader + name.size();

  std::vector<WirePiece> pieces;
  pieces.reserve(2 * owned_sizes.size() - 1);
  size_t segment = 0;
  std::string current;
  current.reserve(owned_sizes[segment++]);
  // DeltaDiscoveryResponse: system_version_info = 1, resources = 2, type_url = 4, nonce = 5,
  // removed_resources = 6.
  if (!system_version_info.empty()) AppendBytesField(1, system_version_info, &current);
  for (const ResourcePtr& resource : resources) {
    if (resource->PayloadSize() < reference_from) {
      resource->AppendWire(&current);
      continue;
    }
    current.append(resource->wire_head);
    std::shared_ptr<const std::string> large;  // aliases the resource, which keeps it alive
    std::string after;
    after.reserve(owned_sizes[segment++]);
    if (resource->shared_payload != nullptr) {
      current.append(resource->body.value());
      large = resource->shared_payload;
      after.append(resource->payload_tail);
    } else {
      large = std::shared_ptr<const std::string>(resource, &resource->body.value());
    }
    after.append(resource->wire_tail);
    pieces.push_back(WirePiece{std::move(current), nullptr});
    pieces.push_back(WirePiece{{}, std::move(large)});
    current = std::move(after);
  }
  AppendBytesField(4, type_url, &current);
  AppendBytesField(5, nonce, &current);
  for (const std::string& name : removed) AppendBytesField(6, name, &current);
  pieces.push_back(WirePiece{std::move(current), nullptr});
  return pieces;
}

std::string OutgoingResponse::Encode() const {
  // With nothing referenced, the whole response is one owned piece.
  return std::move(EncodePieces(SIZE_MAX).front().owned);
}

envoy::service::discovery::v3::DeltaDiscoveryResponse OutgoingResponse::ToProto() const {
  envoy::service::discovery::v3::DeltaDiscoveryResponse response;
  response.set_system_version_info(system_version_info);
  response.set_type_url(type_url);
  response.set_nonce(nonce);
  for (const ResourcePtr& resource : resources) {
    auto* entry = response.add_resources();
    entry->set_name(resource->name);
    entry->set_version(resource->version);
    *entry->mutable_resource() = resource->Packed();
  }
  for (const std::string& name : removed) response.add_removed_resources(name);
  return response;
}

DeltaServerStream::DeltaServerStream(DeltaServerStreamOptions options)
    : options_(std::move(options)) {}

void DeltaServerStream::Log(LogLevel level, absl::string_view line) const {
  if (options_.log) options_.log(level, line);
}

const absl::flat_hash_map<std::string, std::string>* DeltaServerStream::ClientVersions(
    absl::string_view type_url) const {
  auto it = types_.find(type_url);
  return it == types_.end() ? nullptr : &it->second.client_has;
}

bool DeltaServerStream::Inflight(absl::string_view type_url) const {
  auto it = types_.find(type_url);
  return it != types_.end() && it->second.inflight > 0;
}

bool DeltaServerStream::Wanted(const TypeState& state, const std::string& name) const {
  return state.wildcard || state.names.contains(name);
}

absl::Status DeltaServerStream::OnRequest(const Request& request, Responses* out) {
  if (options_.stats) options_.stats->requests++;
  if (request.type_url().empty()) {
    return absl::InvalidArgumentError("DeltaDiscoveryRequest without type_url");
  }
  if (!has_node_) {
    if (request.node().id().empty()) {
      return absl::InvalidArgumentError("the first DeltaDiscoveryRequest carries no node.id");
    }
    node_ = request.node();
    has_node_ = true;
  }
  if (!request.response_nonce().empty()) HandleAckOrNack(request);

  TypeState& state = types_[request.type_url()];
  const bool first = !state.subscribed;
  if (first) {
    state.subscribed = true;
    state.full_scan = true;
    // Legacy wildcard: a first request that names nothing.
    if (request.resource_names_subscribe().empty()) state.wildcard = true;
    for (const auto& [name, version] : request.initial_resource_versions()) {
      state.client_has[name] = version;
    }
  }
  for (const std::string& name : request.resource_names_subscribe()) {
    if (name == "*") {
      if (!state.wildcard) state.full_scan = true;
      state.wildcard = true;
      continue;
    }
    state.names.insert(name);
    state.dirty.insert(name);
    if (!first) {
      // A named subscribe is answered even if the client should have the resource already.
      state.client_has.erase(name);
      state.reported_absent.erase(name);
    }
  }
  for (const std::string& name : request.resource_names_unsubscribe()) {
    if (name == "*") {
      state.wildcard = false;
      state.full_scan = true;
      continue;
    }
    state.names.erase(name);
    if (!state.wildcard) {
      state.client_has.erase(name);
      state.nacked.erase(name);
      state.isolate.erase(name);
      state.dirty.erase(name);
    }
    state.reported_absent.erase(name);
  }
  // Names the client says it has but is no longer subscribed to are forgotten at the next scan.
  Flush(out);
  return absl::OkStatus();
}

void DeltaServerStream::HandleAckOrNack(const Request& request) {
  auto it = pending_.find(request.response_nonce());
  if (it == pending_.end() || it->second.type_url != request.type_url()) {
    // A stale or unknown nonce: the subscription changes in the request still count.
    Log(LogLevel::kDebug, absl::StrCat("node ", node_.id(), ": ", ShortTypeName(request.type_url()),
                                       " request with unknown nonce ", request.response_nonce()));
    return;
  }
  Batch batch = std::move(it->second);
  pending_.erase(it);
  TypeState& state = types_[batch.type_url];
  state.inflight--;
  if (!request.has_error_detail()) {
    if (options_.stats) options_.stats->acks++;
    for (const ResourcePtr& resource : batch.upserts) {
      const std::string& name = resource->name;
      if (!state.isolate.empty()) state.isolate.erase(name);
      if (!state.nacked.empty()) state.nacked.erase(name);
      if (Wanted(state, name)) state.client_has[name] = resource->version;
    }
    for (std::string& name : batch.removals) {
      state.client_has.erase(name);
      if (state.names.contains(name)) state.reported_absent.insert(std::move(name));
    }
    return;
  }
  if (options_.stats) options_.stats->nacks++;
  std::vector<std::string> names;
  for (const ResourcePtr& resource : batch.upserts) names.push_back(resource->name);
  for (const std::string& name : batch.removals) names.push_back(absl::StrCat("-", name));
  Log(LogLevel::kWarning,
      absl::StrCat("NACK from node \"", node_.id(), "\" (", options_.peer, ") for ",
                   ShortTypeName(batch.type_url), " ", NameList(names), " nonce ",
                   request.response_nonce(), ": code ", request.error_detail().code(), ": ",
                   request.error_detail().message(),
                   "; the client keeps its last accepted version"));
  if (batch.upserts.size() == 1) {
    const Resource& resource = *batch.upserts.front();
    state.isolate.erase(resource.name);
    state.nacked[resource.name] = resource.version;
  } else {
    // Which resource was bad is not known: retry each alone.
    for (const ResourcePtr& resource : batch.upserts) {
      state.isolate.insert(resource->name);
      state.dirty.insert(resource->name);
    }
  }
}

void DeltaServerStream::OnSnapshot(const SnapshotUpdate& update, Responses* out) {
  if (update.snapshot == nullptr) return;
  const bool incremental =
      snapshot_ != nullptr && update.previous == snapshot_ && update.delta != nullptr;
  snapshot_ = update.snapshot;
  snapshot_version_ = update.version;
  for (auto& [type_url, state] : types_) {
    if (!incremental) {
      state.full_scan = true;
      continue;
    }
    auto changed = update.delta->changed.find(type_url);
    if (changed == update.delta->changed.end()) continue;
    for (const std::string& name : changed->second) {
      if (Wanted(state, name) || state.client_has.contains(name)) state.dirty.insert(name);
    }
  }
  Flush(out);
}

DeltaServerStream::Work DeltaServerStream::Compute(const std::string& type_url, TypeState& state) {
  Work work;
  const ResourceView resources = snapshot_->Resources(type_url);
  // A wanted resource that exists: sent unless the client has, or rejected, this version. (The
  // emptiness checks spare a hash of the name per resource on a new stream.)
  auto offer = [&](const std::string& name, const ResourcePtr& resource) {
    const std::string& version = resource->version;
    if (!state.client_has.empty()) {
      auto has = state.client_has.find(name);
      if (has != state.client_has.end() && has->second == version) return;
    }
    if (!state.nacked.empty()) {
      auto nacked = state.nacked.find(name);
      if (nacked != state.nacked.end() && nacked->second == version) return;
    }
    work.upserts.push_back(resource);
  };
  auto consider = [&](const std::string& name) {
    const bool wanted = Wanted(state, name);
    const ResourcePtr* resource = nullptr;
    if (wanted) {
      auto it = resources.find(name);
      if (it != resources.end()) resource = &it->second;
    }
    if (resource != nullptr) {
      offer(name, *resource);
    } else if (wanted) {
      if (state.client_has.contains(name)) {
        work.removals.push_back(name);
      } else if (state.names.contains(name) && !state.reported_absent.contains(name)) {
        work.absent.push_back(name);
      }
    } else {
      state.client_has.erase(name);
    }
  };
  if (state.full_scan) {
    if (state.wildcard) {
      work.upserts.reserve(resources.size());
      for (const auto& [name, resource] : resources) offer(name, resource);
    }
    for (const std::string& name : state.names) {
      if (!(state.wildcard && resources.contains(name))) consider(name);
    }
    std::vector<std::string> others;
    for (const auto& [name, version] : state.client_has) {
      if (!state.names.contains(name) && !(state.wildcard && resources.contains(name))) {
        others.push_back(name);
      }
    }
    for (const std::string& name : others) consider(name);
  } else {
    for (const std::string& name : state.dirty) consider(name);
  }
  state.full_scan = false;
  state.dirty.clear();
  return work;
}

void DeltaServerStream::Emit(const std::string& type_url, TypeState& state,
                             std::vector<ResourcePtr> upserts, std::vector<std::string> removals,
                             Responses* out) {
  if (upserts.empty() && removals.empty()) return;
  // Resources to retry alone go first, one per response.
  std::vector<ResourcePtr> grouped;
  std::vector<std::vector<ResourcePtr>> chunks;
  for (ResourcePtr& resource : upserts) {
    if (!state.isolate.empty() && state.isolate.contains(resource->name)) {
      chunks.push_back({std::move(resource)});
    } else {
      grouped.push_back(std::move(resource));
    }
  }
  // A full scan yields them in name order already.
  auto by_name = [](const ResourcePtr& a, const ResourcePtr& b) { return a->name < b->name; };
  if (!std::is_sorted(grouped.begin(), grouped.end(), by_name)) {
    std::sort(grouped.begin(), grouped.end(), by_name);
  }
  size_t bytes = 0;
  bool open_chunk = false;
  for (ResourcePtr& resource : grouped) {
    const size_t size = resource->WireSize();
    if (!open_chunk || (bytes + size > options_.max_response_bytes && !chunks.back().empty())) {
      chunks.emplace_back();
      open_chunk = true;
      bytes = 0;
    }
    chunks.back().push_back(std::move(resource));
    bytes += size;
  }
  if (chunks.empty()) chunks.emplace_back();  // removals only
  std::sort(removals.begin(), removals.end());
  for (size_t i = 0; i < chunks.size(); ++i) {
    OutgoingResponse& response = out->emplace_back();
    std::string nonce = absl::StrCat(next_nonce_++);
    response.type_url = type_url;
    response.nonce = nonce;
    response.system_version_info = snapshot_version_;
    Batch& batch = pending_[nonce];
    batch.type_url = type_url;
    batch.upserts = chunks[i];
    response.resources = std::move(chunks[i]);
    if (i + 1 == chunks.size()) {
      response.removed = removals;
      batch.removals = std::move(removals);
    }
    state.inflight++;
    if (options_.stats) {
      options_.stats->responses++;
      options_.stats->resources_sent += batch.upserts.size();
      options_.stats->removals_sent += batch.removals.size();
    }
  }
}

void DeltaServerStream::Flush(Responses* out) {
  if (snapshot_ == nullptr) return;
  // Secrets first: a cluster or listener that names a certificate is only valid once the client
  // has it (our client rejects a dangling reference rather than warming), then clusters, their
  // endpoints, filter configurations, other types, and listeners last.
  const std::string secrets(kSecretType), clusters(kClusterType), listeners(kListenerType);
  std::vector<std::string> order = {secrets, clusters, std::string(kEndpointType),
                                    std::string(kExtensionConfigType)};
  for (const auto& [type_url, state] : types_) {
    if (!IsKnownType(type_url)) order.push_back(type_url);
  }
  order.push_back(listeners);

  // Phase 1: upserts of every type in order; clusters once secrets are acknowledged; listeners
  // with their removals, once secrets, clusters and endpoints are acknowledged.
  std::vector<std::pair<std::string, std::vector<std::string>>> deferred_removals;  // in order
  bool listeners_waiting = false;
  bool clusters_waiting = false;  // endpoints follow their clusters
  for (const std::string& type_url : order) {
    auto it = types_.find(type_url);
    if (it == types_.end() || !it->second.subscribed) continue;
    TypeState& state = it->second;
    const bool has_work = state.full_scan || !state.dirty.empty();
    if (type_url == clusters && has_work && Inflight(kSecretType)) {
      clusters_waiting = true;
      continue;
    }
    if (type_url == kEndpointType && has_work && clusters_waiting) continue;
    if (type_url == listeners) {
      if (Inflight(kSecretType) || Inflight(kClusterType) || Inflight(kEndpointType) ||
          Inflight(kExtensionConfigType) || state.inflight > 0) {
        listeners_waiting = has_work || state.inflight > 0;
        continue;
      }
      Work work = Compute(type_url, state);
      work.removals.insert(work.removals.end(), work.absent.begin(), work.absent.end());
      Emit(type_url, state, std::move(work.upserts), std::move(work.removals), out);
      listeners_waiting = state.inflight > 0;
      continue;
    }
    if (state.inflight > 0 || !has_work) continue;
    Work work = Compute(type_url, state);
    Emit(type_url, state, std::move(work.upserts), std::move(work.absent), out);
    if (!work.removals.empty()) deferred_removals.emplace_back(type_url, std::move(work.removals));
  }
  // Phase 2: removals of clusters, endpoints, secrets and filter configurations, after listeners
  // no longer need them (and secrets after clusters no longer do).
  for (auto& [type_url, removals] : deferred_removals) {
    TypeState& state = types_[type_url];
    if (listeners_waiting || state.inflight > 0 ||
        (type_url == secrets && Inflight(kClusterType))) {
      for (std::string& name : removals) state.dirty.insert(std::move(name));
      continue;
    }
    Emit(type_url, state, {}, std::move(removals), out);
  }
}

}  // namespace meshgw::xds::internal
