// The conformance test's client side: meshgw's xDS client, with the mesh-gateway validator, against
// the Node test's Delta ADS server built on Envoy's official protos.
//
//   xds_conformance_client --target 127.0.0.1:PORT --node NODE_ID --token TOKEN
//
// Subscribes to clusters, endpoints, secrets and listeners (wildcard). For every accepted resource
// prints one JSON line {"type_url", "name", "version", "value": <base64>} where value is the
// resource re-encoded by meshgw's protos (dropping what they do not know). Logs (the NACKs among
// them) go to stderr. Runs until stdin closes.
#include <iostream>
#include <string>

#include "absl/strings/escaping.h"
#include "absl/synchronization/mutex.h"
#include "nlohmann/json.hpp"
#include "tests/conformance/xds/canonical.h"
#include "xds/client.h"
#include "xds/validate.h"

using meshgw::xds::conformance::Canonicalize;
using meshgw::xds::conformance::NewMessage;

namespace {

std::string Flag(int argc, char** argv, const std::string& name, const std::string& fallback) {
  for (int i = 1; i + 1 < argc; ++i) {
    if (argv[i] == "--" + name) return argv[i + 1];
  }
  return fallback;
}

}  // namespace

int main(int argc, char** argv) {
  meshgw::xds::ClientOptions options;
  options.target = Flag(argc, argv, "target", "127.0.0.1:8510");
  options.token = Flag(argc, argv, "token", "");
  options.node.set_id(Flag(argc, argv, "node", "gw-conformance"));
  options.node.set_cluster("mesh-gateway");
  for (absl::string_view type : meshgw::xds::kResourceTypes) {
    options.subscriptions.push_back({std::string(type), {}});
  }
  options.validate = meshgw::xds::MeshGatewayValidator();
  options.backoff_base = absl::Milliseconds(100);
  options.on_update = [](const meshgw::xds::ClientUpdate& update) -> absl::Status {
    for (const std::string& name : update.upserted) {
      const meshgw::xds::ResourcePtr& resource = update.resources.at(name);
      auto message = NewMessage(resource->body.type_url());
      if (message == nullptr || !message->ParseFromString(resource->body.value())) {
        return absl::InternalError("cannot decode " + name);
      }
      Canonicalize(message.get());
      nlohmann::json line = {{"type_url", std::string(update.type_url)},
                             {"name", name},
                             {"version", resource->version},
                             {"value", absl::Base64Escape(message->SerializeAsString())}};
      std::cout << line.dump() << std::endl;
    }
    for (const std::string& name : update.removed) {
      nlohmann::json line = {{"type_url", std::string(update.type_url)}, {"removed", name}};
      std::cout << line.dump() << std::endl;
    }
    return absl::OkStatus();
  };
  meshgw::xds::Client client(std::move(options));
  client.Start();
  std::string line;
  while (std::getline(std::cin, line)) {
  }
  client.Stop();
  return 0;
}
