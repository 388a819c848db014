// The xDS client: one incremental ADS stream to a control plane, kept up with jittered exponential
// backoff, delivering validated resources to its user (the gateway).
//
//   ClientOptions options;
//   options.target = "127.0.0.1:8510";
//   options.token = "s3cr3t";                       // sent as x-consul-token
//   options.node.set_id("mesh-gateway-dc1");
//   options.subscriptions = {{std::string(kClusterType), {}}, {std::string(kEndpointType), {}},
//                            {std::string(kSecretType), {}}, {std::string(kListenerType), {}}};
//   options.validate = MeshGatewayValidator();       // xds/validate.h, or your own
//   options.on_update = [&](const ClientUpdate& update) { return gateway.Apply(update); };
//   Client client(std::move(options));
//   client.Start();
//   ...
//   client.Stop();
//
// Behaviour:
//  - Each response is validated resource by resource; one bad resource NACKs the response with an
//    error_detail naming the resource and field, and nothing of it is applied.
//  - After a disconnect the client keeps every resource it had (the gateway keeps serving), waits
//    (0.5 s, then doubling with jitter up to 30 s; reset once a new stream delivers a message) and
//    reconnects with `initial_resource_versions`, so only what changed is sent again.
//
// Thread safety: Start, Stop, Resources and stats are safe from any thread. The callbacks run on
// the client's own thread, one at a time, and must not call back into the Client.
#ifndef MESHGW_XDS_CLIENT_H_
#define MESHGW_XDS_CLIENT_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "envoy/config/core/v3/core.pb.h"
#include "xds/backoff.h"
#include "xds/client_callbacks.h"
#include "xds/log.h"
#include "xds/resource.h"
#include "xds/stats.h"

namespace meshgw::xds {

namespace internal {
class DeltaClientStream;
}

struct ClientOptions {
  // host:port of the control plane.
  std::string target;
  // Null: plaintext.
  std::shared_ptr<grpc::ChannelCredentials> credentials;
  // Sent as the `x-consul-token` metadata when not empty.
  std::string token;
  // Sent on the first request of each stream; `id` is required by servers.
  envoy::config::core::v3::Node node;
  std::vector<Subscription> subscriptions;
  ResourceValidator validate;
  UpdateHandler on_update;
  // Null: StderrLogSink().
  LogSink log;
  // Null: RealClock::Get(). Must outlive the client.
  Clock* clock = nullptr;
  absl::Duration backoff_base = absl::Milliseconds(500);
  absl::Duration backoff_max = absl::Seconds(30);
  // 0: a random seed for the backoff jitter.
  uint64_t backoff_seed = 0;
};

class Client {
 public:
  explicit Client(ClientOptions options);
  ~Client();  // Stop()s.
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Start() begins connecting in the background. Calling it twice does nothing.
  void Start();

  // Stop() ends the stream and waits for the client's thread. Resources are kept.
  void Stop();

  // Resources(type_url) is a copy of the last good set of a type.
  ResourceMap Resources(absl::string_view type_url) const;

  // ResourceCount(type_url) is the size of the last good set of a type.
  size_t ResourceCount(absl::string_view type_url) const;

  const ClientStats& stats() const { return stats_; }

 private:
  void Run();

  ClientOptions options_;
  ClientStats stats_;
  std::shared_ptr<grpc::Channel> channel_;
  std::thread thread_;

  mutable absl::Mutex mu_;
  std::unique_ptr<internal::DeltaClientStream> state_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  bool started_ ABSL_GUARDED_BY(mu_) = false;
  grpc::ClientContext* context_ ABSL_GUARDED_BY(mu_) = nullptr;
};

}  // namespace meshgw::xds

#endif  // MESHGW_XDS_CLIENT_H_
