// The conformance test's server side: meshgw's xDS server, serving what the Node test asks for.
//
//   xds_conformance_server --token TOKEN --node NODE_ID
//
// Prints "listening <port>" on stdout. Then reads commands on stdin, one per line:
//   load <file.json>   {"resources": [{"type_url": ..., "value": <base64>}, ...]}: each resource,
//                      encoded by the Node test with Envoy's official protos, is decoded with
//                      meshgw's protos (dropping what they do not know) and the set becomes the
//                      node's snapshot. Prints "loaded <count>".
// Logs go to stderr. Ends at the end of stdin.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "absl/strings/escaping.h"
#include "nlohmann/json.hpp"
#include "tests/conformance/xds/canonical.h"
#include "xds/server.h"

using meshgw::xds::conformance::Canonicalize;
using meshgw::xds::conformance::NewMessage;

namespace {

std::string Flag(int argc, char** argv, const std::string& name, const std::string& fallback) {
  for (int i = 1; i + 1 < argc; ++i) {
    if (argv[i] == "--" + name) return argv[i + 1];
  }
  return fallback;
}

bool Load(const std::string& path, meshgw::xds::ResourceSnapshot* snapshot, std::string* error) {
  std::ifstream in(path);
  if (!in) {
    *error = "cannot read " + path;
    return false;
  }
  nlohmann::json doc = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.contains("resources")) {
    *error = path + ": not a {\"resources\": [...]} document";
    return false;
  }
  for (const auto& entry : doc["resources"]) {
    const std::string type_url = entry.value("type_url", "");
    std::string bytes;
    if (!absl::Base64Unescape(entry.value("value", ""), &bytes)) {
      *error = "bad base64";
      return false;
    }
    auto message = NewMessage(type_url);
    if (message == nullptr || !message->ParseFromString(bytes)) {
      *error = "cannot decode a " + type_url;
      return false;
    }
    Canonicalize(message.get());
    absl::Status status = snapshot->Add(*message);
    if (!status.ok()) {
      *error = status.ToString();
      return false;
    }
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  meshgw::xds::SnapshotCache cache;
  meshgw::xds::ServerOptions options;
  options.address = "127.0.0.1:0";
  options.authenticate = meshgw::xds::TokenSet({Flag(argc, argv, "token", "conformance")});
  const std::string node = Flag(argc, argv, "node", "gw-conformance");
  auto server = meshgw::xds::Server::Start(&cache, options);
  if (!server.ok()) {
    std::cerr << server.status() << "\n";
    return 1;
  }
  std::cout << "listening " << (*server)->port() << std::endl;
  std::string line;
  while (std::getline(std::cin, line)) {
    if (line.rfind("load ", 0) == 0) {
      auto snapshot = std::make_shared<meshgw::xds::ResourceSnapshot>();
      std::string error;
      if (!Load(line.substr(5), snapshot.get(), &error)) {
        std::cout << "error " << error << std::endl;
        continue;
      }
      cache.SetSnapshot(node, snapshot);
      std::cout << "loaded " << snapshot->size() << std::endl;
    } else if (!line.empty()) {
      std::cout << "error unknown command" << std::endl;
    }
  }
  (*server)->Shutdown(absl::Milliseconds(200));
  return 0;
}
