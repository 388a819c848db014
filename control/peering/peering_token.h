// Consul's peering token: what `peering generate-token` prints on the acceptor and `peering
// establish -peering-token` takes on the dialer. The token is standard padded base64
// (Go's base64.StdEncoding) of JSON whose keys are the Go field names of Consul's
// `structs.PeeringToken` (reference/consul.md §2.5), so tokens pass between meshgw and Consul
// in both directions:
//
//   {"CA":["-----BEGIN CERTIFICATE-----\n...\n-----END CERTIFICATE-----\n"],
//    "ManualServerAddresses":null,"ServerAddresses":["127.0.1.2:8443"],
//    "ServerName":"server.gcp-dc1.peering.<td>","PeerID":"<uuid>",
//    "EstablishmentSecret":"<uuid>",
//    "Remote":{"Partition":"default","Datacenter":"gcp-dc1","Locality":null}}
//
//   PeeringToken token;
//   token.ca = {root_pem};
//   token.server_addresses = {"127.0.1.2:8443"};
//   ...
//   std::string text = PeeringTokenCodec::Encode(token);
//   absl::StatusOr<PeeringToken> back = PeeringTokenCodec::Decode(text);  // == token
//
// Encoding writes empty lists as `null` (Go's nil slices) and ends every CA PEM with a newline.
// Decoding accepts older tokens (Consul 1.13: only CA, ServerAddresses, ServerName, PeerID),
// ignores unknown keys, and rejects anything else with an error naming the field and why:
//   Decode("abc") -> InvalidArgument("peering token: not standard base64: length 3 is not a
//                    multiple of 4 (is the token cut short?)")
//
// Thread-safety: pure functions over plain values.
#ifndef MESHGW_CONTROL_PEERING_PEERING_TOKEN_H_
#define MESHGW_CONTROL_PEERING_PEERING_TOKEN_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace meshgw::control {

struct PeeringTokenLocality {
  std::string region;
  std::string zone;

  friend bool operator==(const PeeringTokenLocality&, const PeeringTokenLocality&) = default;
};

struct PeeringTokenRemote {
  std::string partition;
  std::string datacenter;
  std::optional<PeeringTokenLocality> locality;  // null when absent

  friend bool operator==(const PeeringTokenRemote&, const PeeringTokenRemote&) = default;
};

struct PeeringToken {
  std::vector<std::string> ca;  // PEM roots of the acceptor
  // Addresses given to generate-token (`-server-external-addresses`); when set, the dialer
  // dials only these.
  std::vector<std::string> manual_server_addresses;
  std::vector<std::string> server_addresses;  // "host:port"
  std::string server_name;                    // "server.<dc>.peering.<td>"
  std::string peer_id;                        // the acceptor's ID of the peering
  std::string establishment_secret;           // one-time; empty in Consul 1.13 tokens
  PeeringTokenRemote remote;

  friend bool operator==(const PeeringToken&, const PeeringToken&) = default;
};

class PeeringTokenCodec {
 public:
  // Encode(token): base64 of the JSON, keys in Go's field order.
  static std::string Encode(const PeeringToken& token);
  // Decode(text): the token, or InvalidArgument saying what is wrong. Surrounding white space
  // (a pasted token) is ignored. Required as Consul requires them: at least one CA that parses
  // as an X.509 PEM certificate, at least one server address (ServerAddresses or
  // ManualServerAddresses) of the form host:port, ServerName and PeerID.
  static absl::StatusOr<PeeringToken> Decode(std::string_view text);
};

// ParseServerAddress("127.0.0.1:8503") == {"127.0.0.1", 8503}; "[::1]:8503" gives "::1". Errors
// name the address and what is wrong ("no port", "port 70000 out of range").
struct ServerHostPort {
  std::string host;
  int port = 0;
};
absl::StatusOr<ServerHostPort> ParseServerAddress(std::string_view address);

}  // namespace meshgw::control

#endif  // MESHGW_CONTROL_PEERING_PEERING_TOKEN_H_
