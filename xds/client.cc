#include "xds/client.h"

#include <random>
#include <utility>

#include "absl/strings/str_cat.h"
#include "envoy/service/discovery/v3/discovery.grpc.pb.h"
#include "xds/internal/delta_client_stream.h"
#include "xds/internal/proto_types.h"

namespace meshgw::xds {

using envoy::service::discovery::v3::AggregatedDiscoveryService;
using envoy::service::discovery::v3::DeltaDiscoveryRequest;
using envoy::service::discovery::v3::DeltaDiscoveryResponse;

Client::Client(ClientOptions options) : options_(std::move(options)) {
  internal::LinkProtoTypes();
  if (!options_.log) options_.log = StderrLogSink();
  if (options_.clock == nullptr) options_.clock = RealClock::Get();
  if (options_.backoff_seed == 0) options_.backoff_seed = std::random_device()();
  internal::DeltaClientStreamOptions stream_options;
  stream_options.node = options_.node;
  stream_options.subscriptions = options_.subscriptions;
  stream_options.validate = options_.validate;
  stream_options.on_update = options_.on_update;
  stream_options.log = options_.log;
  stream_options.stats = &stats_;
  state_ = std::make_unique<internal::DeltaClientStream>(std::move(stream_options));
  grpc::ChannelArguments args;
  // A full configuration can be large; the server splits it, but do not cap what arrives.
  args.SetMaxReceiveMessageSize(-1);
  channel_ = grpc::CreateCustomChannel(
      options_.target,
      options_.credentials ? options_.credentials : grpc::InsecureChannelCredentials(), args);
}

Client::~Client() { Stop(); }

void Client::Start() {
  absl::MutexLock lock(&mu_);
  if (started_) return;
  started_ = true;
  stopping_ = false;
  thread_ = std::thread([this] { Run(); });
}

void Client::Stop() {
  {
    absl::MutexLock lock(&mu_);
    if (!started_) return;
    stopping_ = true;
    if (context_ != nullptr) context_->TryCancel();
  }
  thread_.join();
  absl::MutexLock lock(&mu_);
  started_ = false;
}

ResourceMap Client::Resources(absl::string_view type_url) const {
  absl::MutexLock lock(&mu_);
  return state_->Resources(type_url);
}

size_t Client::ResourceCount(absl::string_view type_url) const {
  absl::MutexLock lock(&mu_);
  return state_->Resources(type_url).size();
}

void Client::Run() {
  auto stub = AggregatedDiscoveryService::NewStub(channel_);
  JitteredBackoff backoff(options_.backoff_base, options_.backoff_max, options_.backoff_seed);
  while (true) {
    grpc::ClientContext context;
    if (!options_.token.empty()) context.AddMetadata("x-consul-token", options_.token);
    std::vector<DeltaDiscoveryRequest> first;
    {
      absl::MutexLock lock(&mu_);
      if (stopping_) return;
      context_ = &context;
      first = state_->StartStream();
    }
    auto stream = stub->DeltaAggregatedResources(&context);
    bool writable = true;
    for (const DeltaDiscoveryRequest& request : first) {
      if (!stream->Write(request)) {
        writable = false;
        break;
      }
    }
    DeltaDiscoveryResponse response;
    while (writable && stream->Read(&response)) {
      DeltaDiscoveryRequest reply;
      {
        absl::MutexLock lock(&mu_);
        if (!stats_.connected.exchange(true)) {
          backoff.Reset();
          options_.log(LogLevel::kInfo, absl::StrCat("connected to ", options_.target));
        }
        reply = state_->OnResponse(std::move(response));  // leaves `response` empty
      }
      if (!stream->Write(reply)) break;
    }
    stream->WritesDone();
    grpc::Status status = stream->Finish();
    absl::MutexLock lock(&mu_);
    context_ = nullptr;
    state_->OnStreamEnd();
    const bool was_connected = stats_.connected.exchange(false);
    if (stopping_) return;
    const absl::Duration delay = backoff.Next();
    options_.log(
        was_connected ? LogLevel::kWarning : LogLevel::kInfo,
        absl::StrCat("stream to ", options_.target, " ended: ", status.error_code(), " ",
                     status.error_message(), "; keeping the last good configuration; retrying in ",
                     absl::FormatDuration(delay)));
    options_.clock->WaitUntil(&mu_, &stopping_, options_.clock->Now() + delay);
    if (stopping_) return;
  }
}

}  // namespace meshgw::xds
