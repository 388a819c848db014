#include "control/server/control_server.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/log.h"
#include "meshgw/control/v1/control.grpc.pb.h"

namespace meshgw::control {
namespace {

namespace pb = ::meshgw::control::v1;
using json = nlohmann::json;

constexpr absl::string_view kTokenHeader = "x-consul-token";

grpc::Status ToGrpc(const absl::Status& s) {
  return grpc::Status(static_cast<grpc::StatusCode>(s.code()), std::string(s.message()));
}

grpc::Status JsonReply(const absl::StatusOr<json>& value, pb::JsonResponse* out) {
  if (!value.ok()) return ToGrpc(value.status());
  out->set_json(value->dump());
  return grpc::Status::OK;
}

grpc::Status Required(absl::string_view flag, const std::string& value) {
  if (!value.empty()) return grpc::Status::OK;
  return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, absl::StrCat(flag, " is required"));
}

// The control API: each call checks the token, then asks the backend or computes from its state.
class ControlApiService final : public pb::ControlApi::Service {
 public:
  ControlApiService(ControlBackend* backend, std::vector<std::string> tokens)
      : backend_(backend), tokens_(std::move(tokens)) {}

  grpc::Status GeneratePeeringToken(grpc::ServerContext* ctx,
                                    const pb::GeneratePeeringTokenRequest* req,
                                    pb::GeneratePeeringTokenResponse* out) override {
    if (grpc::Status s = Authorize(ctx); !s.ok()) return s;
    if (grpc::Status s = Required("-name", req->peer_name()); !s.ok()) return s;
    std::vector<std::string> addrs(req->server_external_addresses().begin(),
                                   req->server_external_addresses().end());
    absl::StatusOr<std::string> token = backend_->GeneratePeeringToken(req->peer_name(), addrs);
    if (!token.ok()) return ToGrpc(token.status());
    Log(LogLevel::kInfo, "peering token generated", {{"peer", req->peer_name()}});
    out->set_peering_token(*token);
    return grpc::Status::OK;
  }

  grpc::Status EstablishPeering(grpc::ServerContext* ctx, const pb::EstablishPeeringRequest* req,
                                pb::EstablishPeeringResponse*) override {
    if (grpc::Status s = Authorize(ctx); !s.ok()) return s;
    if (grpc::Status s = Required("-name", req->peer_name()); !s.ok()) return s;
    if (grpc::Status s = Required("-peering-token", req->peering_token()); !s.ok()) return s;
    absl::Status s = backend_->EstablishPeering(req->peer_name(), req->peering_token());
    Log(s.ok() ? LogLevel::kInfo : LogLevel::kWarn, "peering establish",
        {{"peer", req->peer_name()}, {"status", s.ToString()}});
    return ToGrpc(s);
  }

  grpc::Status ListPeerings(grpc::ServerContext* ctx, const pb::ListPeeringsRequest*,
                            pb::JsonResponse* out) override {
    if (grpc::Status s = Authorize(ctx); !s.ok()) return s;
    json list = json::array();
    if (PeeringSetPtr set = backend_->CurrentPeerings()) {
      for (const auto& [name, p] : *set) list.push_back(PeeringJson(p));
    }
    return JsonReply(list, out);
  }

  grpc::Status ReadPeering(grpc::ServerContext* ctx, const pb::ReadPeeringRequest* req,
                           pb::JsonResponse* out) override {
    if (grpc::Status s = Authorize(ctx); !s.ok()) return s;
    if (grpc::Status s = Required("-name", req->name()); !s.ok()) return s;
    PeeringSetPtr set = backend_->CurrentPeerings();
    if (set != nullptr) {
      auto it = set->find(req->name());
      if (it != set->end()) return JsonReply(PeeringJson(it->second), out);
    }
    return grpc::Status(grpc::StatusCode::NOT_FOUND,
                        absl::StrCat("no peering named \"", req->name(), "\""));
  }

  grpc::Status DeletePeering(grpc::ServerContext* ctx, const pb::DeletePeeringRequest* req,
                             pb::DeletePeeringResponse*) override {
    if (grpc::Status s = Authorize(ctx); !s.ok()) return s;
    if (grpc::Status s = Required("-name", req->name()); !s.ok()) return s;
    absl::Status s = backend_->DeletePeering(req->name());
    Log(s.ok() ? LogLevel::kInfo : LogLevel::kWarn, "peering delete",
        {{"peer", req->name()}, {"status", s.ToString()}});
    return ToGrpc(s);
  }

  grpc::Status CatalogServices(grpc::ServerContext* ctx, const pb::CatalogServicesRequest* req,
                               pb::JsonResponse* out) override {
    if (grpc::Status s = Authorize(ctx); !s.ok()) return s;
    PeeringSetPtr peerings = backend_->CurrentPeerings();
    return JsonReply(CatalogServicesJson(backend_->CurrentModel(), peerings.get(), req->peer()),
                     out);
  }

  grpc::Status HealthService(grpc::ServerContext* ctx, const pb::HealthServiceRequest* req,
                             pb::JsonResponse* out) override {
    if (grpc::Status s = Authorize(ctx); !s.ok()) return s;
    if (grpc::Status s = Required("the service name", req->service()); !s.ok()) return s;
    PeeringSetPtr peerings = backend_->CurrentPeerings();
    return JsonReply(HealthServiceJson(backend_->CurrentModel(), peerings.get(), req->service(),
                                       req->peer(), req->passing()),
                     out);
  }

  grpc::Status IntentionCheck(grpc::ServerContext* ctx, const pb::IntentionCheckRequest* req,
                              pb::IntentionCheckResponse* out) override {
    if (grpc::Status s = Authorize(ctx); !s.ok()) return s;
    if (grpc::Status s = Required("the source", req->source()); !s.ok()) return s;
    if (grpc::Status s = Required("the destination", req->destination()); !s.ok()) return s;
    IntentionDecision d = CheckIntention(backend_->CurrentModel(),
                                         {req->source(), req->source_peer(), req->destination()});
    out->set_allowed(d.allowed);
    out->set_reason(d.reason);
    out->set_json(d.ToJson().dump());
    return grpc::Status::OK;
  }

  grpc::Status ConfigRead(grpc::ServerContext* ctx, const pb::ConfigReadRequest* req,
                          pb::JsonResponse* out) override {
    if (grpc::Status s = Authorize(ctx); !s.ok()) return s;
    absl::StatusOr<ConfigEntryKind> kind = Kind(req->kind());
    if (!kind.ok()) return ToGrpc(kind.status());
    if (grpc::Status s = Required("-name", req->name()); !s.ok()) return s;
    std::shared_ptr<const ConfigEntry> e = backend_->CurrentModel().Find(*kind, req->name());
    if (e == nullptr) {
      return grpc::Status(
          grpc::StatusCode::NOT_FOUND,
          absl::StrCat("config entry not found for \"", req->kind(), "\" / \"", req->name(), "\""));
    }
    return JsonReply(ConfigEntryJson(*e), out);
  }

  grpc::Status ConfigList(grpc::ServerContext* ctx, const pb::ConfigListRequest* req,
                          pb::JsonResponse* out) override {
    if (grpc::Status s = Authorize(ctx); !s.ok()) return s;
    absl::StatusOr<ConfigEntryKind> kind = Kind(req->kind());
    if (!kind.ok()) return ToGrpc(kind.status());
    json list = json::array();
    Model model = backend_->CurrentModel();
    for (const auto& [name, e] : model.Entries(*kind)) list.push_back(ConfigEntryJson(*e));
    return JsonReply(list, out);
  }

  grpc::Status ConfigWrite(grpc::ServerContext* ctx, const pb::ConfigWriteRequest* req,
                           pb::ConfigWriteResponse* out) override {
    if (grpc::Status s = Authorize(ctx); !s.ok()) return s;
    if (grpc::Status s = Required("the file name", req->filename()); !s.ok()) return s;
    absl::StatusOr<ConfigWriteResult> r = backend_->WriteConfig(req->filename(), req->content());
    if (!r.ok()) {
      Log(LogLevel::kWarn, "config write refused",
          {{"file", req->filename()}, {"error", r.status().message()}});
      return ToGrpc(r.status());
    }
    out->set_kind(r->kind);
    out->set_name(r->name);
    out->set_path(r->path);
    out->set_message(r->kind.empty()
                         ? absl::StrCat("Service definitions written: ", r->name)
                         : absl::StrCat("Config entry written: ", r->kind, "/", r->name));
    Log(LogLevel::kInfo, "config written", {{"path", r->path}, {"entry", out->message()}});
    return grpc::Status::OK;
  }

  grpc::Status ProxyConfig(grpc::ServerContext* ctx, const pb::ProxyConfigRequest* req,
                           pb::JsonResponse* out) override {
    if (grpc::Status s = Authorize(ctx); !s.ok()) return s;
    if (grpc::Status s = Required("the gateway node ID", req->node()); !s.ok()) return s;
    SnapshotsByNode snapshots = backend_->CurrentSnapshots();
    auto it = snapshots.find(req->node());
    if (it == snapshots.end() || it->second == nullptr) {
      std::string known;
      for (const auto& [node, snap] : snapshots)
        absl::StrAppend(&known, known.empty() ? "" : ", ", node);
      return grpc::Status(
          grpc::StatusCode::NOT_FOUND,
          absl::StrCat(
              "no gateway \"", req->node(), "\" (gateways: ",
              known.empty() ? "none; register a service with kind = \"mesh-gateway\"" : known,
              ")"));
    }
    return JsonReply(ProxyConfigJson(req->node(), *it->second), out);
  }

  grpc::Status Explain(grpc::ServerContext* ctx, const pb::ExplainRequest* req,
                       pb::JsonResponse* out) override {
    if (grpc::Status s = Authorize(ctx); !s.ok()) return s;
    SnapshotsByNode snapshots = backend_->CurrentSnapshots();
    if (!req->node().empty()) {
      auto it = snapshots.find(req->node());
      if (it == snapshots.end()) {
        return grpc::Status(grpc::StatusCode::NOT_FOUND,
                            absl::StrCat("no gateway \"", req->node(), "\""));
      }
      snapshots = SnapshotsByNode{{it->first, it->second}};
    }
    Model model = backend_->CurrentModel();
    PeeringSetPtr peerings = backend_->CurrentPeerings();
    if (!req->sni().empty()) {
      if (!req->source().empty() || !req->destination().empty()) {
        return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                            "-sni cannot be used with -source/-destination");
      }
      return JsonReply(ExplainSniJson(model, peerings.get(), snapshots, req->sni()), out);
    }
    if (req->source().empty() || req->destination().empty()) {
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                          "give -sni NAME, or -source S and -destination D");
    }
    return JsonReply(ExplainFlowJson(model, peerings.get(), snapshots,
                                     {req->source(), req->source_peer(), req->destination()}),
                     out);
  }

 private:
  grpc::Status Authorize(grpc::ServerContext* ctx) const {
    if (tokens_.empty()) return grpc::Status::OK;
    const auto& md = ctx->client_metadata();
    auto it = md.find(std::string(kTokenHeader));
    if (it == md.end()) {
      return grpc::Status(grpc::StatusCode::UNAUTHENTICATED,
                          "this agent requires a token: set MESHGW_CONTROL_TOKEN");
    }
    std::string token(it->second.data(), it->second.size());
    if (std::find(tokens_.begin(), tokens_.end(), token) == tokens_.end()) {
      Log(LogLevel::kWarn, "control API call with an unknown token", {{"peer", ctx->peer()}});
      return grpc::Status(grpc::StatusCode::UNAUTHENTICATED,
                          "the token (MESHGW_CONTROL_TOKEN) is not one of control_tokens");
    }
    return grpc::Status::OK;
  }

  static absl::StatusOr<ConfigEntryKind> Kind(const std::string& name) {
    if (name.empty()) return absl::InvalidArgumentError("-kind is required");
    std::optional<ConfigEntryKind> k = ParseConfigEntryKind(name);
    if (!k.has_value()) {
      std::string kinds;
      for (const std::string& n : ConfigEntryKindNames())
        absl::StrAppend(&kinds, kinds.empty() ? "" : ", ", n);
      return absl::InvalidArgumentError(
          absl::StrCat("-kind: unknown config entry kind \"", name, "\" (one of ", kinds, ")"));
    }
    return *k;
  }

  ControlBackend* backend_;
  std::vector<std::string> tokens_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<ControlServer>> ControlServer::Start(
    ControlServerOptions options, xds::SnapshotCache* cache, ControlBackend* backend,
    grpc::Service* peering_service) {
  std::unique_ptr<ControlServer> server(new ControlServer());
  grpc::EnableDefaultHealthCheckService(true);
  server->ads_ = std::make_unique<xds::AdsService>(cache, options.ads);
  server->control_api_ = std::make_unique<ControlApiService>(backend, options.control_tokens);
  {
    grpc::ServerBuilder builder;
    // Without this, gRPC binds with SO_REUSEPORT and a second agent would share the port.
    builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
    builder.AddListeningPort(options.grpc_address, grpc::InsecureServerCredentials(),
                             &server->grpc_port_);
    builder.RegisterService(server->ads_.get());
    builder.RegisterService(server->control_api_.get());
    server->grpc_server_ = builder.BuildAndStart();
    if (server->grpc_server_ == nullptr || server->grpc_port_ == 0) {
      return absl::UnavailableError(
          absl::StrCat("grpc_address: cannot listen on ", options.grpc_address));
    }
    auto* health = server->grpc_server_->GetHealthCheckService();
    health->SetServingStatus("envoy.service.discovery.v3.AggregatedDiscoveryService", true);
    health->SetServingStatus(std::string(kControlApiServiceName), true);
  }
  if (peering_service != nullptr && options.peering_credentials != nullptr) {
    grpc::ServerBuilder builder;
    builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
    builder.AddListeningPort(options.peering_address, options.peering_credentials,
                             &server->peering_port_);
    builder.RegisterService(peering_service);
    server->peering_server_ = builder.BuildAndStart();
    if (server->peering_server_ == nullptr || server->peering_port_ == 0) {
      server->Shutdown(absl::ZeroDuration());
      return absl::UnavailableError(
          absl::StrCat("peering_address: cannot listen on ", options.peering_address));
    }
  }
  return server;
}

const xds::ServerStats& ControlServer::ads_stats() const { return ads_->stats(); }

void ControlServer::Shutdown(absl::Duration deadline) {
  if (shut_down_) return;
  shut_down_ = true;
  const auto until = absl::ToChronoTime(absl::Now() + deadline);
  if (peering_server_ != nullptr) peering_server_->Shutdown(until);
  if (grpc_server_ != nullptr) grpc_server_->Shutdown(until);
  if (peering_server_ != nullptr) peering_server_->Wait();
  if (grpc_server_ != nullptr) grpc_server_->Wait();
}

ControlServer::~ControlServer() { Shutdown(); }

}  // namespace meshgw::control
