// DeltaClientStream: the client side of an incremental ADS stream, as a state machine without
// sockets or threads. The gRPC transport (client.cc) sends what StartStream and OnResponse return.
//
//  - StartStream(): one request per subscribed type; `node` on the first; on a reconnect,
//    `initial_resource_versions` lists every resource kept from before, so the server sends only
//    what changed.
//  - OnResponse(): every resource goes through the validator; any error NACKs the whole response
//    with an error_detail naming the resource and field, and nothing changes. Otherwise the change
//    is applied, the update handler is told, and the response is ACKed.
//  - The last good set survives OnStreamEnd(): it is what the gateway keeps serving.
//
// Thread safety: none; the caller serializes all calls.
#ifndef MESHGW_XDS_INTERNAL_DELTA_CLIENT_STREAM_H_
#define MESHGW_XDS_INTERNAL_DELTA_CLIENT_STREAM_H_

#include <map>
#include <string>
#include <vector>

#include "envoy/config/core/v3/core.pb.h"
#include "envoy/service/discovery/v3/discovery.pb.h"
#include "xds/client_callbacks.h"
#include "xds/log.h"
#include "xds/resource.h"
#include "xds/stats.h"

namespace meshgw::xds::internal {

struct DeltaClientStreamOptions {
  envoy::config::core::v3::Node node;
  std::vector<Subscription> subscriptions;
  ResourceValidator validate;  // null: accept everything
  UpdateHandler on_update;     // null: nothing to tell
  LogSink log;
  ClientStats* stats = nullptr;
};

class DeltaClientStream {
 public:
  using Request = envoy::service::discovery::v3::DeltaDiscoveryRequest;
  using Response = envoy::service::discovery::v3::DeltaDiscoveryResponse;

  explicit DeltaClientStream(DeltaClientStreamOptions options);

  // StartStream() begins a new stream and returns its first requests, one per type.
  std::vector<Request> StartStream();

  // OnResponse(response) validates and applies a response; returns the ACK or NACK to send. The
  // applied resources' bodies are moved out of `response`, not copied (a mesh listener can be
  // megabytes).
  Request OnResponse(Response response);

  // OnStreamEnd() notes that the stream is gone; resources are kept.
  void OnStreamEnd();

  // Resources(type_url) is the last good set of a type.
  const ResourceMap& Resources(absl::string_view type_url) const;

  // received_on_stream() is true once the current stream delivered a response.
  bool received_on_stream() const { return received_on_stream_; }

 private:
  struct TypeState {
    Subscription subscription;
    ResourceMap resources;
  };

  Request Nack(const Response& response, std::string message);
  void Log(LogLevel level, absl::string_view line) const;

  DeltaClientStreamOptions options_;
  std::map<std::string, TypeState, std::less<>> types_;
  bool received_on_stream_ = false;
};

}  // namespace meshgw::xds::internal

#endif  // MESHGW_XDS_INTERNAL_DELTA_CLIENT_STREAM_H_
