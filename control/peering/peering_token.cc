#include "control/peering/peering_token.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cctype>
#include <charconv>
#include <utility>

#include "absl/strings/escaping.h"
#include "control/model/internal/cat.h"
#include "nlohmann/json.hpp"

namespace meshgw::control {

using internal::Cat;

namespace {

constexpr std::string_view kWhere = "peering token";

absl::Status Bad(std::string_view why) {
  return absl::InvalidArgumentError(Cat(kWhere, ": ", why));
}

// Standard base64 with padding, strictly: Go's base64.StdEncoding rejects what this rejects, and
// a precise offset helps with a token mangled by a terminal or a shell.
absl::StatusOr<std::string> DecodeStdBase64(std::string_view in) {
  if (in.size() % 4 != 0) {
    return Bad(Cat("not standard base64: length ", in.size(),
                   " is not a multiple of 4 (is the token cut short?)"));
  }
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  std::string out;
  out.reserve(in.size() / 4 * 3);
  for (size_t i = 0; i < in.size(); i += 4) {
    int v[4];
    int pad = 0;
    for (size_t j = 0; j < 4; ++j) {
      char c = in[i + j];
      if (c == '=') {
        // Padding only at the very end, at most two, and nothing after it.
        if (i + 4 != in.size() || j < 2) {
          return Bad(Cat("not standard base64: '=' at offset ", i + j, " before the end"));
        }
        ++pad;
        v[j] = 0;
        continue;
      }
      if (pad > 0) return Bad(Cat("not standard base64: data after '=' at offset ", i + j));
      v[j] = value(c);
      if (v[j] < 0) {
        std::string shown = std::isprint(static_cast<unsigned char>(c))
                                ? Cat("'", std::string(1, c), "'")
                                : Cat("byte 0x", absl::Hex(static_cast<unsigned char>(c)));
        return Bad(Cat("not standard base64: ", shown, " at offset ", i + j,
                       c == '-' || c == '_' ? " (URL-safe base64 is not a Consul token)" : ""));
      }
    }
    uint32_t n = (static_cast<uint32_t>(v[0]) << 18) | (static_cast<uint32_t>(v[1]) << 12) |
                 (static_cast<uint32_t>(v[2]) << 6) | static_cast<uint32_t>(v[3]);
    out += static_cast<char>((n >> 16) & 0xFF);
    if (pad < 2) out += static_cast<char>((n >> 8) & 0xFF);
    if (pad < 1) out += static_cast<char>(n & 0xFF);
  }
  return out;
}

std::string TypeName(const nlohmann::json& j) { return j.type_name(); }

// A list of strings or null (Go's nil slice); missing is empty.
absl::Status ReadStringList(const nlohmann::json& obj, const char* key,
                            std::vector<std::string>* out) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return absl::OkStatus();
  if (!it->is_array()) {
    return Bad(Cat("field \"", key, "\" must be a list of strings or null, got ", TypeName(*it)));
  }
  for (size_t i = 0; i < it->size(); ++i) {
    const nlohmann::json& e = (*it)[i];
    if (!e.is_string()) {
      return Bad(Cat("field \"", key, "\"[", i, "] must be a string, got ", TypeName(e)));
    }
    out->push_back(e.get<std::string>());
  }
  return absl::OkStatus();
}

absl::Status ReadString(const nlohmann::json& obj, std::string_view where, const char* key,
                        std::string* out) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return absl::OkStatus();
  if (!it->is_string()) {
    return Bad(Cat("field \"", where, key, "\" must be a string, got ", TypeName(*it)));
  }
  *out = it->get<std::string>();
  return absl::OkStatus();
}

bool ParsesAsCertificate(const std::string& pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  if (bio == nullptr) return false;
  X509* x = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  ERR_clear_error();
  if (x == nullptr) return false;
  X509_free(x);
  return true;
}

nlohmann::ordered_json ListOrNull(const std::vector<std::string>& v) {
  if (v.empty()) return nullptr;
  return nlohmann::ordered_json(v);
}

}  // namespace

absl::StatusOr<ServerHostPort> ParseServerAddress(std::string_view address) {
  auto bad = [&](std::string_view why) {
    return absl::InvalidArgumentError(Cat("address \"", address, "\": ", why));
  };
  ServerHostPort out;
  std::string_view port;
  if (!address.empty() && address.front() == '[') {
    size_t close = address.find(']');
    if (close == std::string_view::npos) return bad("'[' without ']'");
    out.host = std::string(address.substr(1, close - 1));
    if (close + 1 >= address.size() || address[close + 1] != ':') return bad("no port");
    port = address.substr(close + 2);
  } else {
    size_t colon = address.rfind(':');
    if (colon == std::string_view::npos) return bad("no port (want host:port)");
    if (address.find(':') != colon) return bad("an IPv6 address needs brackets: [addr]:port");
    out.host = std::string(address.substr(0, colon));
    port = address.substr(colon + 1);
  }
  if (out.host.empty()) return bad("empty host");
  int p = 0;
  auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), p);
  if (port.empty() || ec != std::errc() || ptr != port.data() + port.size()) {
    return bad(Cat("port \"", port, "\" is not a number"));
  }
  if (p < 1 || p > 65535) return bad(Cat("port ", p, " out of range 1-65535"));
  out.port = p;
  return out;
}

std::string PeeringTokenCodec::Encode(const PeeringToken& token) {
  std::vector<std::string> ca = token.ca;
  for (std::string& pem : ca) {
    if (!pem.empty() && pem.back() != '\n') pem += '\n';
  }
  nlohmann::ordered_json remote;
  remote["Partition"] = token.remote.partition;
  remote["Datacenter"] = token.remote.datacenter;
  if (token.remote.locality.has_value()) {
    nlohmann::ordered_json loc = nlohmann::ordered_json::object();
    if (!token.remote.locality->region.empty()) loc["Region"] = token.remote.locality->region;
    if (!token.remote.locality->zone.empty()) loc["Zone"] = token.remote.locality->zone;
    remote["Locality"] = loc;
  } else {
    remote["Locality"] = nullptr;
  }
  nlohmann::ordered_json j;
  j["CA"] = ListOrNull(ca);
  j["ManualServerAddresses"] = ListOrNull(token.manual_server_addresses);
  j["ServerAddresses"] = ListOrNull(token.server_addresses);
  j["ServerName"] = token.server_name;
  j["PeerID"] = token.peer_id;
  j["EstablishmentSecret"] = token.establishment_secret;
  j["Remote"] = remote;
  return absl::Base64Escape(j.dump());
}

absl::StatusOr<PeeringToken> PeeringTokenCodec::Decode(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) {
    text.remove_prefix(1);
  }
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
    text.remove_suffix(1);
  }
  if (text.empty()) return Bad("empty");
  absl::StatusOr<std::string> raw = DecodeStdBase64(text);
  if (!raw.ok()) return raw.status();
  nlohmann::json j = nlohmann::json::parse(*raw, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Bad("the base64 does not hold JSON");
  if (!j.is_object()) return Bad(Cat("JSON must be an object, got ", TypeName(j)));

  PeeringToken t;
  absl::Status s = ReadStringList(j, "CA", &t.ca);
  if (s.ok()) s = ReadStringList(j, "ManualServerAddresses", &t.manual_server_addresses);
  if (s.ok()) s = ReadStringList(j, "ServerAddresses", &t.server_addresses);
  if (s.ok()) s = ReadString(j, "", "ServerName", &t.server_name);
  if (s.ok()) s = ReadString(j, "", "PeerID", &t.peer_id);
  if (s.ok()) s = ReadString(j, "", "EstablishmentSecret", &t.establishment_secret);
  if (!s.ok()) return s;
  if (auto it = j.find("Remote"); it != j.end() && !it->is_null()) {
    if (!it->is_object())
      return Bad(Cat("field \"Remote\" must be an object, got ", TypeName(*it)));
    s = ReadString(*it, "Remote.", "Partition", &t.remote.partition);
    if (s.ok()) s = ReadString(*it, "Remote.", "Datacenter", &t.remote.datacenter);
    if (!s.ok()) return s;
    if (auto loc = it->find("Locality"); loc != it->end() && !loc->is_null()) {
      if (!loc->is_object()) {
        return Bad(
            Cat("field \"Remote.Locality\" must be an object or null, got ", TypeName(*loc)));
      }
      PeeringTokenLocality l;
      s = ReadString(*loc, "Remote.Locality.", "Region", &l.region);
      if (s.ok()) s = ReadString(*loc, "Remote.Locality.", "Zone", &l.zone);
      if (!s.ok()) return s;
      t.remote.locality = l;
    }
  }

  // Consul's validatePeeringToken, in its order.
  if (t.ca.empty()) return Bad("field \"CA\" is empty (the acceptor's roots are required)");
  for (size_t i = 0; i < t.ca.size(); ++i) {
    if (!ParsesAsCertificate(t.ca[i])) {
      return Bad(Cat("field \"CA\"[", i, "] is not a PEM certificate"));
    }
  }
  if (t.server_addresses.empty() && t.manual_server_addresses.empty()) {
    return Bad("field \"ServerAddresses\" is empty (nowhere to dial)");
  }
  for (const char* key : {"ServerAddresses", "ManualServerAddresses"}) {
    const std::vector<std::string>& list =
        std::string_view(key) == "ServerAddresses" ? t.server_addresses : t.manual_server_addresses;
    for (size_t i = 0; i < list.size(); ++i) {
      absl::StatusOr<ServerHostPort> hp = ParseServerAddress(list[i]);
      if (!hp.ok()) return Bad(Cat("field \"", key, "\"[", i, "]: ", hp.status().message()));
    }
  }
  if (t.server_name.empty()) return Bad("field \"ServerName\" is empty");
  if (t.peer_id.empty()) return Bad("field \"PeerID\" is empty");
  return t;
}

}  // namespace meshgw::control
