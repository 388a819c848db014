// meshgw-fake-service: the demo HTTP service of the two-datacenter sandbox, shaped like
// nicholasjackson/fake-service (the image the walkthrough's demo jobs run). It answers every
// request with JSON naming itself and carrying the answers of its upstreams, so one request to
// front-service shows which public-api and private-api instances served it, across the peering.
//
//   NAME=front-service MESSAGE=hi LISTEN_ADDR=127.0.1.20:9090
//     UPSTREAM_URIS=http://127.0.1.2:9191,http://127.0.1.2:9192 meshgw-fake-service
//
//   GET /        -> 200 {"name":"front-service","uri":"/","type":"HTTP","ip_addresses":[...],
//                        "start_time":"...","end_time":"...","duration":"1.2ms","body":"hi",
//                        "upstream_calls":{"http://127.0.1.2:9191":{"name":"Public_API@gcp-dc2",
//                        ...,"code":200}},"code":200}
//   GET /health  -> 200 "OK"
//
// An upstream's JSON answer is nested under its URI with "code" set to its HTTP status (a non-JSON
// answer is kept as "body"). An upstream that fails (connect error, timeout, a non-2xx answer) is
// recorded with "code" (its HTTP status, or -1 when there was no answer) and "error"; the caller's
// own code is then 500, as fake-service answers when an upstream call fails.
//
// Configuration (environment, as fake-service): NAME ("Service"), MESSAGE ("Hello World"),
// LISTEN_ADDR ("0.0.0.0:9090"), UPSTREAM_URIS (comma separated http://host:port[/path]), TIMEOUT
// (per upstream call, a Go-style duration, default "30s"). Bad values are errors naming the
// variable.
//
// Thread-safety: a FakeService lives on one io_context; Start/Stop are called from the thread that
// runs it (or before it runs).
#ifndef MESHGW_DEMO_FAKE_SERVICE_FAKE_SERVICE_H_
#define MESHGW_DEMO_FAKE_SERVICE_FAKE_SERVICE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "boost/asio/io_context.hpp"

namespace meshgw::demo {

// One entry of UPSTREAM_URIS: "http://127.0.1.2:9191/path".
struct UpstreamUri {
  std::string uri;     // as written (the key of "upstream_calls")
  std::string host;    // "127.0.1.2" (a name is resolved at call time)
  uint16_t port = 80;  // 80 when absent
  std::string target;  // "/path", "/" when absent

  friend bool operator==(const UpstreamUri&, const UpstreamUri&) = default;
};

// ParseUpstreamUri("http://a:9090/x") == {"http://a:9090/x", "a", 9090, "/x"}. Only http.
absl::StatusOr<UpstreamUri> ParseUpstreamUri(absl::string_view uri);

struct FakeServiceConfig {
  std::string name = "Service";
  std::string message = "Hello World";
  std::string listen_host = "0.0.0.0";
  uint16_t listen_port = 9090;
  std::vector<UpstreamUri> upstreams;
  absl::Duration timeout = absl::Seconds(30);  // each upstream call, connect to last byte

  // FromEnv reads the variables above through `getenv` (std::getenv in main, a map in tests).
  // Errors are InvalidArgument naming the variable: `UPSTREAM_URIS[1] "ftp://x": ...`.
  static absl::StatusOr<FakeServiceConfig> FromEnv(
      const std::function<const char*(const char*)>& getenv);
};

class FakeService {
 public:
  FakeService(boost::asio::io_context& io, FakeServiceConfig config);
  ~FakeService();
  FakeService(const FakeService&) = delete;
  FakeService& operator=(const FakeService&) = delete;

  // Start binds LISTEN_ADDR (port 0: any; see port()) and starts accepting. The error names the
  // address ("127.0.1.20:9090: Address already in use").
  absl::Status Start();
  // The bound port, once started.
  uint16_t port() const;
  // Stop closes the listener and every open connection; the io_context then runs out of work.
  void Stop();

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace meshgw::demo

#endif  // MESHGW_DEMO_FAKE_SERVICE_FAKE_SERVICE_H_
