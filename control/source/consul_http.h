// An HTTP/1.1 client for Consul's HTTP API, with Consul's client conventions (reference/consul.md
// §2.8): the address, token and TLS settings come from the same environment variables the
// `consul` CLI reads, and the token travels as `X-Consul-Token`.
//
//   absl::StatusOr<ConsulHttpConfig> config = ConsulHttpConfig::FromEnv();
//   if (!config.ok()) return config.status();  // "CONSUL_HTTP_SSL_VERIFY: \"maybe\" is not a bool"
//   absl::StatusOr<ConsulHttpResponse> r =
//       ConsulHttpRequest(*config, "GET", "/v1/catalog/services", "", absl::Seconds(10));
//   r->status == 200; r->Header("X-Consul-Index") == "42"
//
// Blocking queries run on an Asio io_context as C++20 coroutines, one keep-alive connection per
// watch (`ConsulHttpConnection`), so thousands of watches share one thread; `ConsulHttpRequest`
// is the synchronous form for one-off calls (CLI, leaf certificates, tests).
//
// Environment (`FromEnv`):
//   CONSUL_HTTP_ADDR        host:port (default 127.0.0.1:8500), `http://host:port`,
//                           `https://host:port` (TLS), `unix:///path/to/socket`; a path after
//                           host:port ("http://h:8500/consul") becomes a prefix of every request
//   CONSUL_HTTP_TOKEN       ACL token;  CONSUL_HTTP_TOKEN_FILE: a file holding it (wins)
//   CONSUL_HTTP_SSL         bool: use TLS with a bare host:port
//   CONSUL_HTTP_SSL_VERIFY  bool (default true): false skips verification of the server
//   CONSUL_CACERT           PEM file of the CAs that sign Consul's server certificate
//   CONSUL_CAPATH           a folder of PEM CA files (OpenSSL hashed names)
//   CONSUL_CLIENT_CERT, CONSUL_CLIENT_KEY   client certificate and key (both or neither)
//   CONSUL_TLS_SERVER_NAME  SNI and the name verified in the server certificate (default: host)
// Bools take Go's strconv.ParseBool spellings (1, t, T, TRUE, true, True, 0, f, F, ...). A bad
// value is an InvalidArgument naming the variable. Over a unix socket there is no TLS.
//
// Thread-safety: ConsulHttpConfig is a plain value. A ConsulHttpConnection is used by one
// coroutine at a time, on its executor; Close() must also run there. ConsulHttpRequest is
// reentrant.
#ifndef MESHGW_CONTROL_SOURCE_CONSUL_HTTP_H_
#define MESHGW_CONTROL_SOURCE_CONSUL_HTTP_H_

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "boost/asio/any_io_executor.hpp"
#include "boost/asio/awaitable.hpp"

namespace meshgw::control {

struct ConsulHttpConfig {
  enum class Scheme { kHttp, kHttps, kUnix };
  Scheme scheme = Scheme::kHttp;
  std::string host = "127.0.0.1";  // kHttp, kHttps
  int port = 8500;
  std::string unix_path;    // kUnix
  std::string path_prefix;  // "" or "/consul" (no trailing slash)

  std::string token;

  bool tls_verify = true;
  std::string ca_file;
  std::string ca_path;
  std::string client_cert_file;
  std::string client_key_file;
  std::string tls_server_name;  // "" means `host`

  absl::Duration connect_timeout = absl::Seconds(5);

  // FromEnv reads the variables above from the process environment.
  static absl::StatusOr<ConsulHttpConfig> FromEnv();
  // FromEnvironment is FromEnv with the lookup given (tests): `lookup(name)` is the variable's
  // value or nullopt when unset.
  static absl::StatusOr<ConsulHttpConfig> FromEnvironment(
      const std::function<std::optional<std::string>(std::string_view)>& lookup);
  // ParseAddress applies a CONSUL_HTTP_ADDR value to scheme, host, port, unix_path, path_prefix.
  absl::Status ParseAddress(std::string_view addr);

  // "https://127.0.0.1:8501", "unix:///run/consul.sock": for messages.
  std::string BaseUrl() const;
};

struct ConsulHttpResponse {
  int status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // names in lower case

  // Header("X-Consul-Index"): the value, "" when absent (names match in any case).
  std::string Header(std::string_view name) const;
};

// TLS settings made once per config and shared by its connections (the OpenSSL context).
class ConsulTlsContext;
absl::StatusOr<std::shared_ptr<ConsulTlsContext>> MakeConsulTlsContext(
    const ConsulHttpConfig& config);

// One keep-alive connection to Consul, (re)connected on demand. A failed request closes it; the
// next one reconnects.
class ConsulHttpConnection {
 public:
  // `tls` is required when config.scheme is kHttps (MakeConsulTlsContext), else ignored.
  ConsulHttpConnection(boost::asio::any_io_executor executor, ConsulHttpConfig config,
                       std::shared_ptr<ConsulTlsContext> tls);
  ~ConsulHttpConnection();
  ConsulHttpConnection(const ConsulHttpConnection&) = delete;
  ConsulHttpConnection& operator=(const ConsulHttpConnection&) = delete;

  // Request sends one request for `target` (path and query, without the prefix) and reads the
  // response; the whole exchange, connect included, is bounded by `timeout`. Any HTTP status is
  // a response; errors are transport failures: Unavailable (connect, TLS, reset), DeadlineExceeded
  // (timeout), Cancelled (Close), each starting "METHOD <url>: ".
  boost::asio::awaitable<absl::StatusOr<ConsulHttpResponse>> Request(std::string method,
                                                                     std::string target,
                                                                     std::string body,
                                                                     absl::Duration timeout);
  // Close aborts a request in flight (it completes with Cancelled) and closes the connection.
  void Close();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// ConsulHttpRequest runs one request to completion on a private io_context.
absl::StatusOr<ConsulHttpResponse> ConsulHttpRequest(const ConsulHttpConfig& config,
                                                     std::string method, std::string target,
                                                     std::string body, absl::Duration timeout);

// EscapePathSegment("a b/c") == "a%20b%2Fc": for service and peer names in URLs.
std::string EscapePathSegment(std::string_view segment);

}  // namespace meshgw::control

#endif  // MESHGW_CONTROL_SOURCE_CONSUL_HTTP_H_
