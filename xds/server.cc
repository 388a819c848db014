#include "xds/server.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/support/proto_buffer_reader.h>

#include <deque>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "xds/internal/delta_server_stream.h"
#include "xds/internal/proto_types.h"

namespace meshgw::xds {
namespace {

using envoy::service::discovery::v3::DeltaDiscoveryRequest;

constexpr absl::string_view kTokenHeader = "x-consul-token";

// Resource bodies at least this large are sent from the resource itself rather than copied into
// the response's bytes (below it, a slice of its own costs more than the copy).
constexpr size_t kReferenceBodiesFrom = 16 * 1024;

grpc::Status ToGrpcStatus(const absl::Status& status) {
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()), std::string(status.message()));
}

}  // namespace

StreamAuthenticator TokenSet(std::vector<std::string> tokens) {
  absl::flat_hash_set<std::string> set(tokens.begin(), tokens.end());
  return [set = std::move(set)](absl::string_view token,
                                const envoy::config::core::v3::Node&) -> absl::Status {
    if (token.empty()) return absl::PermissionDeniedError("no x-consul-token");
    if (!set.contains(token)) return absl::PermissionDeniedError("unknown token");
    return absl::OkStatus();
  };
}

// One DeltaAggregatedResources stream. Lives from DeltaAggregatedResources() to OnDone().
// Lock order: the cache's lock, then mu_ (watchers run under the cache's lock).
class AdsService::Stream : public grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer> {
 public:
  Stream(AdsService* service, grpc::CallbackServerContext* context)
      : service_(service), peer_(context->peer()), state_(MakeOptions(service, peer_)) {
    const auto& metadata = context->client_metadata();
    auto it = metadata.find(std::string(kTokenHeader));
    if (it != metadata.end()) token_.assign(it->second.data(), it->second.size());
    ServerStats& stats = service_->stats_;
    const int64_t active = ++stats.streams_active;
    stats.streams_total++;
    if (active > service_->options_.max_streams) {
      stats.streams_shed++;
      Log(LogLevel::kWarning,
          absl::StrCat("shedding a stream from ", peer_, ": ", active - 1,
                       " streams open, the limit is ", service_->options_.max_streams));
      absl::MutexLock lock(&mu_);
      FinishLocked(grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                                "this server has too many xDS streams open, please try another"));
      return;
    }
    StartRead(&read_buffer_);
  }

  void OnReadDone(bool ok) override {
    if (!ok) {
      absl::MutexLock lock(&mu_);
      FinishLocked(grpc::Status::OK);
      return;
    }
    bool start_watch = false;
    {
      absl::MutexLock lock(&mu_);
      if (finished_) return;
      request_.Clear();
      grpc::Status parsed =
          grpc::SerializationTraits<DeltaDiscoveryRequest>::Deserialize(&read_buffer_, &request_);
      if (!parsed.ok()) {
        FinishLocked(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                                  "cannot decode a DeltaDiscoveryRequest"));
        return;
      }
      if (!authenticated_) {
        const auto& node = request_.node();
        if (node.id().empty()) {
          FinishLocked(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                                    "the first DeltaDiscoveryRequest carries no node.id"));
          return;
        }
        if (service_->options_.authenticate) {
          absl::Status allowed = service_->options_.authenticate(token_, node);
          if (!allowed.ok()) {
            service_->stats_.streams_denied++;
            Log(LogLevel::kWarning,
                absl::StrCat("denied a stream of node \"", node.id(), "\" (cluster \"",
                             node.cluster(), "\") from ", peer_, ": ", allowed.message()));
            FinishLocked(grpc::Status(grpc::StatusCode::PERMISSION_DENIED,
                                      "the x-consul-token is not valid for this node"));
            return;
          }
        }
        authenticated_ = true;
        start_watch = true;
        node_id_ = node.id();
        Log(LogLevel::kInfo, absl::StrCat("stream of node \"", node_id_, "\" from ", peer_));
      }
      internal::DeltaServerStream::Responses out;
      absl::Status status = state_.OnRequest(request_, &out);
      if (!status.ok()) {
        Log(LogLevel::kWarning,
            absl::StrCat("ending the stream of node \"", node_id_, "\": ", status.ToString()));
        FinishLocked(ToGrpcStatus(status));
        return;
      }
      EnqueueLocked(&out);
    }
    if (start_watch) {
      // Calls OnSnapshot at once if the node has a snapshot.
      watch_id_ = service_->cache_->Watch(
          node_id_, [this](const SnapshotUpdate& update) { OnSnapshot(update); });
    }
    StartRead(&read_buffer_);
  }

  void OnWriteDone(bool ok) override {
    absl::MutexLock lock(&mu_);
    if (ok && !queue_.empty() && !finish_pending_) {
      StartNextWriteLocked();
      return;
    }
    writing_ = false;
    if (finish_pending_) {
      finish_pending_ = false;
      Finish(finish_status_);
    }
  }

  void OnDone() override {
    if (watch_id_ != 0) service_->cache_->CancelWatch(watch_id_);
    service_->stats_.streams_active--;
    if (authenticated_) {
      Log(LogLevel::kInfo,
          absl::StrCat("stream of node \"", node_id_, "\" from ", peer_, " closed"));
    }
    delete this;
  }

  void OnCancel() override {}

 private:
  static internal::DeltaServerStreamOptions MakeOptions(AdsService* service,
                                                        const std::string& peer) {
    internal::DeltaServerStreamOptions options;
    options.log = service->options_.log;
    options.stats = &service->stats_;
    options.max_response_bytes = service->options_.max_response_bytes;
    options.peer = peer;
    return options;
  }

  void Log(LogLevel level, absl::string_view line) { service_->options_.log(level, line); }

  void OnSnapshot(const SnapshotUpdate& update) {
    absl::MutexLock lock(&mu_);
    if (finished_) return;
    internal::DeltaServerStream::Responses out;
    state_.OnSnapshot(update, &out);
    EnqueueLocked(&out);
  }

  void EnqueueLocked(internal::DeltaServerStream::Responses* out)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (finished_) return;
    for (internal::OutgoingResponse& response : *out) queue_.push_back(std::move(response));
    if (!writing_ && !queue_.empty()) {
      writing_ = true;
      StartNextWriteLocked();
    }
  }

  // Encodes the next response only now, so that a large push costs the thread that set the
  // snapshot (which holds the cache's lock) one response per stream, not all of them.
  void StartNextWriteLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    // Each slice owns its piece: the small ones their bytes, a large body a reference to its
    // resource (shared with the snapshot and every other stream). No copy on the way to the
    // socket.
    std::vector<internal::WirePiece> pieces = queue_.front().EncodePieces(kReferenceBodiesFrom);
    queue_.pop_front();
    std::vector<grpc::Slice> slices;
    slices.reserve(pieces.size());
    for (internal::WirePiece& piece : pieces) {
      auto* owner = new internal::WirePiece(std::move(piece));
      const absl::string_view bytes = owner->bytes();
      slices.emplace_back(
          const_cast<char*>(bytes.data()), bytes.size(),
          [](void* p) { delete static_cast<internal::WirePiece*>(p); }, owner);
    }
    writing_buffer_ = grpc::ByteBuffer(slices.data(), slices.size());
    StartWrite(&writing_buffer_);
  }

  void FinishLocked(grpc::Status status) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (finished_) return;
    finished_ = true;
    if (writing_) {
      finish_pending_ = true;
      finish_status_ = std::move(status);
    } else {
      Finish(std::move(status));
    }
  }

  AdsService* const service_;
  const std::string peer_;
  std::string token_;
  grpc::ByteBuffer read_buffer_;  // owned by the pending read
  DeltaDiscoveryRequest request_;
  SnapshotCache::WatchId watch_id_ = 0;
  bool authenticated_ = false;  // written before the watch starts, read in OnDone
  std::string node_id_;

  absl::Mutex mu_;
  internal::DeltaServerStream state_ ABSL_GUARDED_BY(mu_);
  std::deque<internal::OutgoingResponse> queue_ ABSL_GUARDED_BY(mu_);  // not yet written
  grpc::ByteBuffer writing_buffer_ ABSL_GUARDED_BY(mu_);               // being written
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  bool finish_pending_ ABSL_GUARDED_BY(mu_) = false;
  grpc::Status finish_status_ ABSL_GUARDED_BY(mu_);
};

AdsService::AdsService(SnapshotCache* cache, ServerOptions options)
    : cache_(cache), options_(std::move(options)) {
  internal::LinkProtoTypes();
  if (!options_.log) options_.log = StderrLogSink();
}

AdsService::~AdsService() = default;

grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer>* AdsService::DeltaAggregatedResources(
    grpc::CallbackServerContext* context) {
  return new Stream(this, context);
}

absl::StatusOr<std::unique_ptr<Server>> Server::Start(SnapshotCache* cache, ServerOptions options) {
  std::unique_ptr<Server> server(new Server());
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  std::shared_ptr<grpc::ServerCredentials> credentials =
      options.credentials ? options.credentials : grpc::InsecureServerCredentials();
  const std::string address = options.address;
  server->service_ = std::make_unique<AdsService>(cache, std::move(options));
  grpc::ServerBuilder builder;
  builder.AddListeningPort(address, credentials, &server->port_);
  builder.RegisterService(server->service_.get());
  server->server_ = builder.BuildAndStart();
  if (server->server_ == nullptr || server->port_ == 0) {
    return absl::UnavailableError(absl::StrCat("cannot listen on ", address));
  }
  server->server_->GetHealthCheckService()->SetServingStatus(
      "envoy.service.discovery.v3.AggregatedDiscoveryService", true);
  return server;
}

void Server::Shutdown(absl::Duration deadline) {
  if (shut_down_) return;
  shut_down_ = true;
  server_->Shutdown(absl::ToChronoTime(absl::Now() + deadline));
  server_->Wait();
}

Server::~Server() {
  if (server_ != nullptr) Shutdown();
}

}  // namespace meshgw::xds
