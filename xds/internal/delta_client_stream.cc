#include "xds/internal/delta_client_stream.h"

#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace meshgw::xds::internal {

DeltaClientStream::DeltaClientStream(DeltaClientStreamOptions options)
    : options_(std::move(options)) {
  for (const Subscription& subscription : options_.subscriptions) {
    types_[subscription.type_url].subscription = subscription;
  }
}

void DeltaClientStream::Log(LogLevel level, absl::string_view line) const {
  if (options_.log) options_.log(level, line);
}

const ResourceMap& DeltaClientStream::Resources(absl::string_view type_url) const {
  static const ResourceMap* empty = new ResourceMap();
  auto it = types_.find(type_url);
  return it == types_.end() ? *empty : it->second.resources;
}

std::vector<DeltaClientStream::Request> DeltaClientStream::StartStream() {
  received_on_stream_ = false;
  std::vector<Request> requests;
  // Make-before-break order on the first requests too: the server answers in request order.
  std::vector<std::string> order;
  for (absl::string_view type : kResourceTypes) {
    if (types_.contains(type)) order.emplace_back(type);
  }
  for (const auto& [type_url, state] : types_) {
    if (std::find(order.begin(), order.end(), type_url) == order.end()) order.push_back(type_url);
  }
  for (const std::string& type_url : order) {
    const TypeState& state = types_[type_url];
    Request& request = requests.emplace_back();
    if (requests.size() == 1) *request.mutable_node() = options_.node;
    request.set_type_url(type_url);
    // A wildcard subscription names nothing (the form every server understands).
    for (const std::string& name : state.subscription.names) {
      request.add_resource_names_subscribe(name);
    }
    for (const auto& [name, resource] : state.resources) {
      (*request.mutable_initial_resource_versions())[name] = resource->version;
    }
  }
  if (options_.stats) options_.stats->streams_started++;
  return requests;
}

void DeltaClientStream::OnStreamEnd() { received_on_stream_ = false; }

DeltaClientStream::Request DeltaClientStream::Nack(const Response& response, std::string message) {
  if (options_.stats) options_.stats->nacks++;
  Log(LogLevel::kWarning, absl::StrCat("NACK ", ShortTypeName(response.type_url()), " nonce ",
                                       response.nonce(), ": ", message));
  Request request;
  request.set_type_url(response.type_url());
  request.set_response_nonce(response.nonce());
  request.mutable_error_detail()->set_code(3);  // INVALID_ARGUMENT
  request.mutable_error_detail()->set_message(std::move(message));
  return request;
}

DeltaClientStream::Request DeltaClientStream::OnResponse(Response response) {
  received_on_stream_ = true;
  if (options_.stats) options_.stats->responses++;
  auto type_it = types_.find(response.type_url());
  if (type_it == types_.end()) {
    return Nack(response, absl::StrCat("response of type \"", response.type_url(),
                                       "\", which this client did not subscribe to"));
  }
  TypeState& state = type_it->second;
  const absl::string_view type_name = ShortTypeName(response.type_url());

  std::vector<std::string> errors;
  absl::flat_hash_set<absl::string_view> seen;
  seen.reserve(response.resources_size() + response.removed_resources_size());
  for (int i = 0; i < response.resources_size(); ++i) {
    const auto& resource = response.resources(i);
    if (resource.name().empty()) {
      errors.push_back(absl::StrCat("resources[", i, "]: no name"));
      continue;
    }
    if (!seen.insert(resource.name()).second) {
      errors.push_back(
          absl::StrCat(type_name, " \"", resource.name(), "\": named twice in one response"));
      continue;
    }
    if (!resource.has_resource()) continue;  // a TTL heartbeat: nothing to apply
    if (resource.resource().type_url() != response.type_url()) {
      errors.push_back(absl::StrCat(type_name, " \"", resource.name(), "\": resource of type \"",
                                    resource.resource().type_url(), "\" in a response of type \"",
                                    response.type_url(), "\""));
      continue;
    }
    if (options_.validate) {
      absl::Status status =
          options_.validate(response.type_url(), resource.name(), resource.resource());
      if (!status.ok()) {
        errors.push_back(absl::StrCat(type_name, " \"", resource.name(), "\": ", status.message()));
      }
    }
  }
  for (const std::string& name : response.removed_resources()) {
    if (!seen.insert(name).second) {
      errors.push_back(absl::StrCat(type_name, " \"", name,
                                    "\": both updated (or removed twice) in one response"));
    }
  }
  if (!errors.empty()) return Nack(response, absl::StrJoin(errors, "; "));

  // Apply, remembering what to put back if the user rejects the whole change. Names, versions and
  // bodies are moved out of the response; `previous` views names held by `upserted` (reserved, so
  // never moved) or by the response.
  std::vector<std::pair<absl::string_view, ResourcePtr>> previous;
  std::vector<std::string> upserted;
  std::vector<std::string> removed;
  upserted.reserve(response.resources_size());
  previous.reserve(response.resources_size() + response.removed_resources_size());
  for (auto& resource : *response.mutable_resources()) {
    if (!resource.has_resource()) continue;
    auto stored = std::make_shared<Resource>();
    stored->name.swap(*resource.mutable_name());
    stored->version.swap(*resource.mutable_version());
    stored->body.Swap(resource.mutable_resource());
    const std::string& name = upserted.emplace_back(stored->name);
    auto [it, inserted] = state.resources.try_emplace(name);
    previous.emplace_back(name, inserted ? nullptr : std::move(it->second));
    it->second = std::move(stored);
  }
  for (const std::string& name : response.removed_resources()) {
    auto it = state.resources.find(name);
    if (it == state.resources.end()) continue;
    previous.emplace_back(name, std::move(it->second));
    state.resources.erase(it);
    removed.push_back(name);
  }
  if (options_.on_update) {
    absl::Status status =
        options_.on_update(ClientUpdate{response.type_url(), state.resources, upserted, removed});
    if (!status.ok()) {
      for (auto it = previous.rbegin(); it != previous.rend(); ++it) {
        if (it->second == nullptr) {
          state.resources.erase(it->first);
        } else {
          state.resources.insert_or_assign(std::string(it->first), it->second);
        }
      }
      return Nack(response, std::string(status.message()));
    }
  }
  if (options_.stats) options_.stats->acks++;
  Log(LogLevel::kDebug, absl::StrCat("ACK ", type_name, " nonce ", response.nonce(), ": ",
                                     upserted.size(), " updated, ", removed.size(), " removed"));
  Request ack;
  ack.set_type_url(response.type_url());
  ack.set_response_nonce(response.nonce());
  return ack;
}

}  // namespace meshgw::xds::internal
