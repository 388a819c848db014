// A small HTTP/1.1 server on its own thread, for the gateway's admin and metrics addresses.
//
//   admin::HttpServer server({.name = "admin"});
//   server.Handle("GET", "/ready", [](const admin::HttpRequest&) {
//     return admin::HttpResponse::Text(200, "LIVE");
//   });
//   absl::Status s = server.Start("127.0.0.1:19000");  // "127.0.0.1:0": any free port
//   ... server.port() ...
//   server.Stop();                                      // also done by the destructor
//
// One request per connection: the response carries "Connection: close". A request whose path has
// no handler gets 404, a known path with another method 405 (with Allow); HEAD is answered by the
// GET handler, without the body. A request head over
// `max_head_bytes` gets 431, a body over `max_body_bytes` 413 (before the body is read), a request
// not complete within `request_timeout` 408, then the connection is closed; past
// `max_connections` open connections a new one gets 503. `Expect: 100-continue` is honoured.
//
// Thread-safety: Handle, Start, Stop and port may be called from any thread, except that a
// handler must not call Stop (Stop joins the thread the handler runs on). Handlers run one at a
// time on the server's thread (named after `name`), so they need no locking among themselves,
// but must be quick and must synchronize with the data they read.
#ifndef MESHGW_GATEWAY_ADMIN_HTTP_SERVER_H_
#define MESHGW_GATEWAY_ADMIN_HTTP_SERVER_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "gateway/admin/http_message.h"

namespace meshgw::admin {

using HttpHandler = std::function<HttpResponse(const HttpRequest&)>;

struct HttpServerOptions {
  std::string name = "http";  // names the server in errors: "admin address ...: ..."
  size_t max_head_bytes = 16 * 1024;
  size_t max_body_bytes = 1024 * 1024;
  absl::Duration request_timeout = absl::Seconds(10);  // from accept to the whole request read
  absl::Duration write_timeout = absl::Seconds(10);
  size_t max_connections = 64;
};

// A listening address "host:port": an IPv4 literal, "[IPv6]" or "localhost", and a port 0-65535.
struct HttpAddress {
  std::string host;  // as an IP literal
  uint16_t port = 0;
};
// ParseHttpAddress("127.0.0.1:19000") == {"127.0.0.1", 19000}; errors say what is wrong with
// which address.
absl::StatusOr<HttpAddress> ParseHttpAddress(std::string_view address);

class HttpServer {
 public:
  explicit HttpServer(HttpServerOptions options = {});
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Routes `method` requests for exactly `path` (no query) to `handler`; replaces an earlier one.
  void Handle(std::string method, std::string path, HttpHandler handler);

  // Binds and listens on `address`, then serves on a new thread. Errors (a bad address, bind
  // failure) name the server and the address. Fails if already started.
  absl::Status Start(std::string_view address);
  // The bound port (useful after starting on port 0); 0 before Start.
  uint16_t port() const { return port_.load(std::memory_order_acquire); }
  // Closes the listener and every connection, and joins the thread. Idempotent.
  void Stop();

 private:
  class Connection;
  struct Impl;

  // The response to a complete request: the handler's, or 404/405.
  HttpResponse Dispatch(const HttpRequest& request);

  const HttpServerOptions options_;
  absl::Mutex mu_;
  std::map<std::string, std::map<std::string, HttpHandler>, std::less<>> routes_
      ABSL_GUARDED_BY(mu_);
  absl::Mutex lifecycle_mu_;  // serializes Start and Stop
  std::unique_ptr<Impl> impl_ ABSL_GUARDED_BY(lifecycle_mu_);
  std::thread thread_;
  std::atomic<uint16_t> port_{0};
};

}  // namespace meshgw::admin

#endif  // MESHGW_GATEWAY_ADMIN_HTTP_SERVER_H_
