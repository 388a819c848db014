// The xDS server: incremental ADS (DeltaAggregatedResources) over gRPC, serving what a
// SnapshotCache holds for each node.
//
//   SnapshotCache cache;
//   cache.SetSnapshot("mesh-gateway-dc1", snapshot);
//   ServerOptions options;
//   options.address = "127.0.0.1:8510";
//   options.authenticate = TokenSet({"s3cr3t"});
//   absl::StatusOr<std::unique_ptr<Server>> server = Server::Start(&cache, options);
//   ...  // cache.SetSnapshot(...) again: every stream of the node gets what changed
//   (*server)->Shutdown();
//
// Each stream runs DeltaServerStream (internal/delta_server_stream.h) for its protocol rules. A
// stream's token comes from the `x-consul-token` metadata and is checked against the node id of
// its first request: an unknown token ends the stream with PERMISSION_DENIED (logged with the node
// and the peer). Above `max_streams`, new streams end at once with RESOURCE_EXHAUSTED.
// StreamAggregatedResources (state of the world) answers UNIMPLEMENTED. The gRPC server built by
// Server also serves grpc.health.v1.Health and server reflection.
//
// To put the ADS service on a gRPC server of your own (beside other services), register an
// AdsService with your grpc::ServerBuilder instead of using Server.
//
// Thread safety: Server and AdsService are safe for concurrent use; stats can be read any time.
#ifndef MESHGW_XDS_SERVER_H_
#define MESHGW_XDS_SERVER_H_

#include <grpcpp/grpcpp.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "envoy/config/core/v3/core.pb.h"
#include "envoy/service/discovery/v3/discovery.grpc.pb.h"
#include "xds/log.h"
#include "xds/snapshot_cache.h"
#include "xds/stats.h"

namespace meshgw::xds {

// Decides whether `token` may open a stream for `node`. OK to accept; any error refuses the
// stream with PERMISSION_DENIED (the message is logged, not sent).
using StreamAuthenticator =
    std::function<absl::Status(absl::string_view token, const envoy::config::core::v3::Node& node)>;

// TokenSet(tokens) accepts a stream whose token is one of `tokens`.
StreamAuthenticator TokenSet(std::vector<std::string> tokens);

struct ServerOptions {
  // host:port to listen on; port 0 picks a free port (see Server::port()).
  std::string address = "127.0.0.1:0";
  // Null: plaintext.
  std::shared_ptr<grpc::ServerCredentials> credentials;
  // Streams open at once; more are shed with RESOURCE_EXHAUSTED.
  int max_streams = 1024;
  // Null: every stream is accepted.
  StreamAuthenticator authenticate;
  // Null: StderrLogSink().
  LogSink log;
  // A response carries at most about this many bytes of resources (clients' default gRPC limit
  // is 4 MiB per message); more are split over several responses.
  size_t max_response_bytes = 1 << 20;
};

// The ADS service. DeltaAggregatedResources is served as raw bytes: each resource is encoded once
// (Resource::wire_head, the payload, Resource::wire_tail) and copied into the responses of every
// stream, with no protobuf objects built per stream.
class AdsService final
    : public envoy::service::discovery::v3::AggregatedDiscoveryService::
          WithRawCallbackMethod_DeltaAggregatedResources<
              envoy::service::discovery::v3::AggregatedDiscoveryService::
                  WithCallbackMethod_StreamAggregatedResources<
                      envoy::service::discovery::v3::AggregatedDiscoveryService::Service>> {
 public:
  AdsService(SnapshotCache* cache, ServerOptions options);
  ~AdsService() override;

  grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer>* DeltaAggregatedResources(
      grpc::CallbackServerContext* context) override;

  const ServerStats& stats() const { return stats_; }

 private:
  class Stream;
  friend class Stream;

  SnapshotCache* cache_;
  ServerOptions options_;
  ServerStats stats_;
};

class Server {
 public:
  // Start(cache, options) listens and serves until Shutdown. `cache` must outlive the Server.
  // Unavailable if the address cannot be bound.
  static absl::StatusOr<std::unique_ptr<Server>> Start(SnapshotCache* cache, ServerOptions options);
  ~Server();

  // The port bound (useful with port 0).
  int port() const { return port_; }

  // Shutdown(deadline) stops accepting, cancels open streams after `deadline` and waits for them.
  void Shutdown(absl::Duration deadline = absl::Seconds(1));

  const ServerStats& stats() const { return service_->stats(); }

 private:
  Server() = default;
  std::unique_ptr<AdsService> service_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
  bool shut_down_ = false;
};

}  // namespace meshgw::xds

#endif  // MESHGW_XDS_SERVER_H_
