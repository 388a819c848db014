#include "control/model/config_entry.h"

#include <array>

#include "control/model/service.h"

namespace meshgw::control {

namespace {

constexpr std::array<std::string_view, kNumConfigEntryKinds> kKindNames = {
    "exported-services", "service-intentions", "sameness-group", "service-resolver",
    "service-defaults",  "proxy-defaults",     "mesh",           "api-gateway",
    "http-route",
};

bool IsWildcard(const std::string& s) { return s == "*"; }

}  // namespace

std::string_view ConfigEntryKindName(ConfigEntryKind kind) {
  return kKindNames[static_cast<size_t>(kind)];
}

std::optional<ConfigEntryKind> ParseConfigEntryKind(std::string_view name) {
  for (size_t i = 0; i < kKindNames.size(); ++i) {
    if (kKindNames[i] == name) return static_cast<ConfigEntryKind>(i);
  }
  return std::nullopt;
}

const std::vector<std::string>& ConfigEntryKindNames() {
  static const auto* names = new std::vector<std::string>(kKindNames.begin(), kKindNames.end());
  return *names;
}

std::string_view IntentionActionName(IntentionAction action) {
  switch (action) {
    case IntentionAction::kAllow:
      return "allow";
    case IntentionAction::kDeny:
      return "deny";
    case IntentionAction::kUnset:
      break;
  }
  return "";
}

int IntentionPrecedence(const IntentionSource& source, const ServiceIntentions& destination) {
  // Consul's table: the destination's wildcards weigh more than the source's.
  int dst = IsWildcard(destination.ns) ? 0 : IsWildcard(destination.name) ? 1 : 2;
  int src = IsWildcard(source.ns) ? 0 : IsWildcard(source.name) ? 1 : 2;
  return dst * 3 + src + 1;
}

std::string ProxyDefaults::Protocol() const {
  auto it = config.find("protocol");
  if (it == config.end() || !it->is_string()) return "";
  return it->get<std::string>();
}

const std::string& EntryName(const ConfigEntry& e) {
  return std::visit([](const auto& x) -> const std::string& { return x.name; }, e);
}

const std::string& EntryOrigin(const ConfigEntry& e) {
  return std::visit([](const auto& x) -> const std::string& { return x.origin; }, e);
}

void SetEntryOrigin(ConfigEntry& e, std::string origin) {
  std::visit([&](auto& x) { x.origin = std::move(origin); }, e);
}

ServiceAddress ServiceDefinition::WanAddress() const {
  for (const char* tag : {"wan", "wan_ipv4"}) {
    auto it = tagged_addresses.find(tag);
    if (it != tagged_addresses.end() && !it->second.address.empty()) {
      return ServiceAddress{it->second.address, it->second.port != 0 ? it->second.port : port};
    }
  }
  return LanAddress();
}

ServiceAddress ServiceDefinition::LanAddress() const {
  for (const char* tag : {"lan", "lan_ipv4"}) {
    auto it = tagged_addresses.find(tag);
    if (it != tagged_addresses.end() && !it->second.address.empty()) {
      return ServiceAddress{it->second.address, it->second.port != 0 ? it->second.port : port};
    }
  }
  return ServiceAddress{address, port};
}

}  // namespace meshgw::control
