// DeltaServerStream: the server side of one incremental ADS stream, as a state machine without
// sockets or threads. The gRPC transport (server.cc) feeds it requests and snapshot updates and
// writes out the responses it returns; tests do the same with plain messages.
//
// Rules it implements (reference/xds.md §1.4):
//  - per type: wildcard ("*", or an empty first subscribe) and named subscriptions;
//    `initial_resource_versions` on the first request of a type; a named subscribe is always
//    answered, even if the client should already have the resource; a subscribed name that does
//    not exist is reported once in `removed_resources`.
//  - only changes are sent: the client's versions are tracked per resource (ACKed versions only).
//  - make-before-break: secrets, clusters, endpoints, filter configurations (ECDS), then
//    listeners (held while any of those is unacknowledged), then the removals of the others
//    (held while listeners are unacknowledged).
//  - NACK: logged with node, type, names and error, counted; the server keeps what the client has
//    (its last ACKed versions) and does not resend a rejected version (until the resource changes,
//    the client subscribes to it again, or a new stream starts). When a response of several
//    resources is rejected, its resources are retried one per response so that one bad resource
//    does not hold back the others.
//
// Thread safety: none; the caller serializes all calls.
#ifndef MESHGW_XDS_INTERNAL_DELTA_SERVER_STREAM_H_
#define MESHGW_XDS_INTERNAL_DELTA_SERVER_STREAM_H_

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "envoy/service/discovery/v3/discovery.pb.h"
#include "xds/log.h"
#include "xds/resource.h"
#include "xds/snapshot_cache.h"
#include "xds/stats.h"

namespace meshgw::xds::internal {

// One piece of an encoded response: bytes of its own, or a large payload sent from where the
// resource holds it (`shared` keeps it alive until the transport is done with it).
struct WirePiece {
  std::string owned;
  std::shared_ptr<const std::string> shared;

  absl::string_view bytes() const { return shared != nullptr ? *shared : owned; }
};

// One DeltaDiscoveryResponse to send. The resources are shared with the snapshot; Encode() writes
// the wire bytes by copying each resource's pre-encoded entry (no protobuf objects per stream);
// EncodePieces() writes the same bytes in pieces, leaving every body of at least
// `reference_from` bytes where it is, so that a megabyte listener pushed to twenty gateways is
// not copied twenty times; ToProto() builds the message (tests, logs).
struct OutgoingResponse {
  std::string type_url;
  std::string nonce;
  std::string system_version_info;
  std::vector<ResourcePtr> resources;
  std::vector<std::string> removed;

  std::string Encode() const;
  std::vector<WirePiece> EncodePieces(size_t reference_from) const;
  envoy::service::discovery::v3::DeltaDiscoveryResponse ToProto() const;
};

struct DeltaServerStreamOptions {
  LogSink log;
  ServerStats* stats = nullptr;  // may be null
  // A response holds at most about this many bytes of resources; more are split over several.
  size_t max_response_bytes = 1 << 20;
  // Names the stream in logs (the peer address).
  std::string peer;
};

class DeltaServerStream {
 public:
  using Request = envoy::service::discovery::v3::DeltaDiscoveryRequest;
  using Responses = std::vector<OutgoingResponse>;

  explicit DeltaServerStream(DeltaServerStreamOptions options);

  // OnRequest(request, out) handles a request (first of a type, ACK/NACK, or subscription change)
  // and appends the responses to send now, in order. An error ends the stream with it:
  // InvalidArgument for a request without type_url, or a first request without node.id.
  absl::Status OnRequest(const Request& request, Responses* out);

  // OnSnapshot(update, out) takes the node's new snapshot and appends the responses to send. A
  // cleared snapshot (null) changes nothing: the client keeps what it has.
  void OnSnapshot(const SnapshotUpdate& update, Responses* out);

  bool has_node() const { return has_node_; }
  const envoy::config::core::v3::Node& node() const { return node_; }

  // Versions the client is known to have (ACKed, or given in initial_resource_versions) for a
  // type; null if the type was never requested.
  const absl::flat_hash_map<std::string, std::string>* ClientVersions(
      absl::string_view type_url) const;

  // Responses sent and not yet ACKed or NACKed.
  size_t unacknowledged() const { return pending_.size(); }

 private:
  struct TypeState {
    bool subscribed = false;  // a request of this type was seen
    bool wildcard = false;
    absl::flat_hash_set<std::string> names;                    // named subscriptions
    absl::flat_hash_map<std::string, std::string> client_has;  // name → version
    absl::flat_hash_map<std::string, std::string> nacked;      // name → rejected version
    absl::flat_hash_set<std::string> reported_absent;          // named, absent, told so
    absl::flat_hash_set<std::string> isolate;                  // retry alone after a NACK
    absl::flat_hash_set<std::string> dirty;                    // to look at on the next flush
    bool full_scan = false;                                    // look at everything
    int inflight = 0;                                          // unacknowledged responses
  };
  struct Batch {
    std::string type_url;
    // The resources sent (their names and versions), shared with the snapshot rather than
    // copied: a new stream's batches hold tens of thousands.
    std::vector<ResourcePtr> upserts;
    std::vector<std::string> removals;
  };
  struct Work {
    std::vector<ResourcePtr> upserts;
    std::vector<std::string> removals;  // resources the client has that are gone
    std::vector<std::string> absent;    // named, never had, do not exist: said at once
  };

  void HandleAckOrNack(const Request& request);
  void Flush(Responses* out);
  Work Compute(const std::string& type_url, TypeState& state);
  void Emit(const std::string& type_url, TypeState& state, std::vector<ResourcePtr> upserts,
            std::vector<std::string> removals, Responses* out);
  bool Inflight(absl::string_view type_url) const;
  bool Wanted(const TypeState& state, const std::string& name) const;
  void Log(LogLevel level, absl::string_view line) const;

  DeltaServerStreamOptions options_;
  bool has_node_ = false;
  envoy::config::core::v3::Node node_;
  std::shared_ptr<const ResourceSnapshot> snapshot_;
  std::string snapshot_version_;
  std::map<std::string, TypeState, std::less<>> types_;
  absl::flat_hash_map<std::string, Batch> pending_;  // by nonce
  uint64_t next_nonce_ = 1;
};

}  // namespace meshgw::xds::internal

#endif  // MESHGW_XDS_INTERNAL_DELTA_SERVER_STREAM_H_
