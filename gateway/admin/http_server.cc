#include "gateway/admin/http_server.h"

#include <pthread.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <exception>
#include <set>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "boost/asio/buffer.hpp"
#include "boost/asio/io_context.hpp"
#include "boost/asio/ip/tcp.hpp"
#include "boost/asio/post.hpp"
#include "boost/asio/steady_timer.hpp"
#include "boost/asio/write.hpp"

namespace meshgw::admin {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using boost::system::error_code;

absl::string_view AV(std::string_view s) { return absl::string_view(s.data(), s.size()); }

std::chrono::steady_clock::duration ToChrono(absl::Duration d) {
  return std::chrono::duration_cast<std::chrono::steady_clock::duration>(
      absl::ToChronoNanoseconds(d));
}

// After the response, the server reads and discards what the client still sends for this long,
// so that closing with unread data does not reset the connection before the client has read
// the response (a 413 sent before the body arrived).
constexpr absl::Duration kLingerTime = absl::Milliseconds(500);
// A failed accept (out of descriptors) is retried after this pause instead of spinning.
constexpr absl::Duration kAcceptRetry = absl::Milliseconds(100);

std::string FormatEndpoint(const tcp::endpoint& ep) {
  const asio::ip::address a = ep.address();
  return a.is_v6() ? absl::StrCat("[", a.to_string(), "]:", ep.port())
                   : absl::StrCat(a.to_string(), ":", ep.port());
}

}  // namespace

absl::StatusOr<HttpAddress> ParseHttpAddress(std::string_view address) {
  const auto error = [&](std::string_view why) {
    return absl::InvalidArgumentError(absl::StrCat("address \"", AV(address), "\": ", AV(why)));
  };
  const size_t colon = address.rfind(':');
  if (colon == std::string_view::npos) return error("expected host:port");
  std::string_view host = address.substr(0, colon);
  const std::string_view port_text = address.substr(colon + 1);
  if (!host.empty() && host.front() == '[') {
    if (host.back() != ']') return error("IPv6 host without a closing ']'");
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string_view::npos) {
    return error("an IPv6 host must be in brackets: [::1]:19000");
  }
  if (host.empty()) return error("empty host (use 0.0.0.0 for every interface)");
  uint32_t port = 0;
  auto [ptr, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (port_text.empty() || ec != std::errc() || ptr != port_text.data() + port_text.size() ||
      port > 65535) {
    return error(absl::StrCat("port \"", AV(port_text), "\" is not a number from 0 to 65535"));
  }
  HttpAddress out;
  out.port = static_cast<uint16_t>(port);
  if (host == "localhost") {
    out.host = "127.0.0.1";
    return out;
  }
  error_code ec2;
  const asio::ip::address ip = asio::ip::make_address(std::string(host), ec2);
  if (ec2) return error(absl::StrCat("host \"", AV(host), "\" is not an IP address"));
  out.host = ip.to_string();
  return out;
}

// The listener, the event loop and the open connections; lives from Start to Stop.
struct HttpServer::Impl {
  // Declared before io_context: connections deregister here when the loop's handlers go.
  std::set<Connection*> connections;
  asio::io_context ioc{1};
  tcp::acceptor acceptor{ioc};
  asio::steady_timer accept_retry{ioc};
  bool stopping = false;

  void Accept(HttpServer* server);
};

// One connection: read a request (head, then body), answer, linger, close. All of it runs on the
// server's thread; the object lives as long as an operation of it is pending.
class HttpServer::Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(HttpServer* server, Impl* impl, tcp::socket socket)
      : server_(server), impl_(impl), socket_(std::move(socket)), timer_(impl->ioc) {
    impl_->connections.insert(this);
  }
  ~Connection() { impl_->connections.erase(this); }

  void Start(bool overloaded) {
    error_code ec;
    const tcp::endpoint peer = socket_.remote_endpoint(ec);
    if (!ec) request_.remote = FormatEndpoint(peer);
    if (overloaded) {
      Respond(HttpResponse::Text(503, "too many connections to this server"));
      return;
    }
    ArmTimer(server_->options_.request_timeout);
    ReadMore();
  }

  void Close() {
    state_ = State::kClosed;
    timer_.cancel();
    error_code ec;
    socket_.close(ec);
  }

 private:
  enum class State { kReading, kWriting, kLingering, kClosed };

  void ArmTimer(absl::Duration d) {
    const uint64_t generation = ++timer_generation_;
    timer_.expires_after(ToChrono(d));
    timer_.async_wait([self = shared_from_this(), generation](const error_code& ec) {
      // A re-armed timer may still deliver the old expiry: only the latest arming counts.
      if (ec || generation != self->timer_generation_) return;
      self->OnTimeout();
    });
  }

  void OnTimeout() {
    if (state_ == State::kReading) {
      Respond(HttpResponse::Text(408, "request not received in time"));
    } else {
      Close();
    }
  }

  void ReadMore() {
    read_pending_ = true;
    socket_.async_read_some(asio::buffer(chunk_),
                            [self = shared_from_this()](const error_code& ec, size_t n) {
                              self->read_pending_ = false;
                              self->OnRead(ec, n);
                            });
  }

  void OnRead(const error_code& ec, size_t n) {
    if (state_ == State::kLingering) {
      // Discard until the client closes or the linger time ends. An aborted read is the one
      // cancelled when the response started: read again.
      if (!ec || ec == asio::error::operation_aborted) {
        ReadMore();
      } else {
        Close();
      }
      return;
    }
    if (state_ != State::kReading) return;
    if (ec) {
      Close();  // the client went away before sending a whole request
      return;
    }
    buffer_.append(chunk_, n);
    if (!head_end_) {
      const size_t from = searched_ > 3 ? searched_ - 3 : 0;
      head_end_ = FindHeadEnd(buffer_, from).value_or(0);
      searched_ = buffer_.size();
      if (!head_end_) {
        if (buffer_.size() > server_->options_.max_head_bytes) {
          Respond(HttpResponse::Text(
              431, absl::StrCat("request head over ", server_->options_.max_head_bytes, " bytes")));
          return;
        }
        ReadMore();
        return;
      }
      if (head_end_ > server_->options_.max_head_bytes) {
        Respond(HttpResponse::Text(
            431, absl::StrCat("request head over ", server_->options_.max_head_bytes, " bytes")));
        return;
      }
      if (std::optional<HttpResponse> error =
              ParseRequestHead(std::string_view(buffer_).substr(0, head_end_), request_)) {
        Respond(*std::move(error));
        return;
      }
      if (std::optional<HttpResponse> error =
              BodyLength(request_, server_->options_.max_body_bytes, body_length_)) {
        Respond(*std::move(error));
        return;
      }
    }
    if (buffer_.size() - head_end_ >= body_length_) {
      request_.body = buffer_.substr(head_end_, body_length_);
      head_only_ = request_.method == "HEAD";
      Respond(server_->Dispatch(request_));
      return;
    }
    std::optional<std::string_view> expect = request_.Header("expect");
    if (expect && !continue_sent_ && absl::EqualsIgnoreCase(AV(*expect), "100-continue")) {
      continue_sent_ = true;
      asio::async_write(socket_, asio::buffer(kContinue),
                        [self = shared_from_this()](const error_code& ec, size_t) {
                          if (self->state_ != State::kReading) return;
                          if (ec) {
                            self->Close();
                          } else {
                            self->ReadMore();
                          }
                        });
      return;
    }
    ReadMore();
  }

  void Respond(HttpResponse response) {
    state_ = State::kWriting;
    if (read_pending_) {
      error_code ec;
      socket_.cancel(ec);  // the read's handler sees kWriting and returns
    }
    out_ = SerializeResponse(response, head_only_);
    ArmTimer(server_->options_.write_timeout);
    asio::async_write(socket_, asio::buffer(out_),
                      [self = shared_from_this()](const error_code& ec, size_t) {
                        if (self->state_ != State::kWriting) return;
                        if (ec) {
                          self->Close();
                          return;
                        }
                        self->Linger();
                      });
  }

  void Linger() {
    state_ = State::kLingering;
    error_code ec;
    socket_.shutdown(tcp::socket::shutdown_send, ec);
    if (ec) {
      Close();
      return;
    }
    ArmTimer(kLingerTime);
    if (!read_pending_) ReadMore();
  }

  static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";

  HttpServer* const server_;
  Impl* const impl_;
  tcp::socket socket_;
  asio::steady_timer timer_;
  uint64_t timer_generation_ = 0;
  State state_ = State::kReading;
  bool read_pending_ = false;
  bool continue_sent_ = false;
  bool head_only_ = false;
  char chunk_[4096];
  std::string buffer_;
  size_t searched_ = 0;
  size_t head_end_ = 0;  // 0 until the head is complete
  size_t body_length_ = 0;
  HttpRequest request_;
  std::string out_;
};

// Accepts until the acceptor closes; each connection is started, or refused with 503 when the
// server already has its maximum.
void HttpServer::Impl::Accept(HttpServer* server) {
  acceptor.async_accept([this, server](const error_code& ec, tcp::socket socket) {
    if (stopping || ec == asio::error::operation_aborted) return;
    if (ec) {
      // Out of descriptors or a transient error: retry later rather than spin.
      accept_retry.expires_after(ToChrono(kAcceptRetry));
      accept_retry.async_wait([this, server](const error_code& wait_ec) {
        if (!wait_ec && !stopping) Accept(server);
      });
      return;
    }
    const bool full = connections.size() >= server->options_.max_connections;
    std::make_shared<Connection>(server, this, std::move(socket))->Start(full);
    Accept(server);
  });
}

HttpServer::HttpServer(HttpServerOptions options) : options_(std::move(options)) {}

HttpServer::~HttpServer() { Stop(); }

void HttpServer::Handle(std::string method, std::string path, HttpHandler handler) {
  absl::MutexLock lock(&mu_);
  routes_[std::move(path)][std::move(method)] = std::move(handler);
}

HttpResponse HttpServer::Dispatch(const HttpRequest& request) {
  HttpHandler handler;
  {
    absl::MutexLock lock(&mu_);
    auto path = routes_.find(request.path);
    if (path == routes_.end()) {
      return HttpResponse::Text(404, absl::StrCat("no handler for path ", request.path));
    }
    auto method = path->second.find(request.method == "HEAD" ? "GET" : request.method);
    if (method == path->second.end()) {
      std::vector<std::string> allowed;
      for (const auto& [m, h] : path->second) {
        if (m == "GET") allowed.push_back("HEAD");
        allowed.push_back(m);
      }
      std::sort(allowed.begin(), allowed.end());
      HttpResponse r = HttpResponse::Text(
          405, absl::StrCat("method ", request.method, " not allowed on ", request.path));
      r.headers.emplace_back("Allow", absl::StrJoin(allowed, ", "));
      return r;
    }
    handler = method->second;
  }
  try {
    return handler(request);
  } catch (const std::exception& e) {
    return HttpResponse::Text(500, absl::StrCat("handler failed: ", e.what()));
  } catch (...) {
    return HttpResponse::Text(500, "handler failed");
  }
}

absl::Status HttpServer::Start(std::string_view address) {
  absl::MutexLock lifecycle(&lifecycle_mu_);
  if (impl_) {
    return absl::FailedPreconditionError(absl::StrCat(options_.name, " server: already started"));
  }
  absl::StatusOr<HttpAddress> parsed = ParseHttpAddress(address);
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(options_.name, " ", parsed.status().message()));
  }
  auto impl = std::make_unique<Impl>();
  error_code ec;
  const tcp::endpoint endpoint(asio::ip::make_address(parsed->host), parsed->port);
  const std::string where = absl::StrCat(options_.name, " address \"", AV(address), "\"");
  impl->acceptor.open(endpoint.protocol(), ec);
  if (!ec) impl->acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (ec) return absl::InternalError(absl::StrCat(where, ": socket: ", ec.message()));
  impl->acceptor.bind(endpoint, ec);
  if (ec) return absl::UnavailableError(absl::StrCat(where, ": bind: ", ec.message()));
  impl->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return absl::UnavailableError(absl::StrCat(where, ": listen: ", ec.message()));
  const tcp::endpoint local = impl->acceptor.local_endpoint(ec);
  if (ec) return absl::InternalError(absl::StrCat(where, ": getsockname: ", ec.message()));

  Impl* raw = impl.get();
  raw->Accept(this);
  impl_ = std::move(impl);
  port_.store(local.port(), std::memory_order_release);
  thread_ = std::thread([raw, name = options_.name.substr(0, 15)] {
    pthread_setname_np(pthread_self(), name.c_str());  // shows in top -H and gdb
    raw->ioc.run();
  });
  return absl::OkStatus();
}

void HttpServer::Stop() {
  absl::MutexLock lifecycle(&lifecycle_mu_);
  if (!impl_) return;
  Impl* raw = impl_.get();
  asio::post(raw->ioc, [raw] {
    raw->stopping = true;
    error_code ec;
    raw->acceptor.close(ec);
    raw->accept_retry.cancel();
    // Close() may drop the last reference to a connection only when its handlers run, so the
    // set is not changed while we walk a copy of it.
    const std::vector<Connection*> open(raw->connections.begin(), raw->connections.end());
    for (Connection* c : open) c->Close();
  });
  // With the listener, timers and sockets closed, every handler completes and run() returns.
  thread_.join();
  impl_.reset();
  port_.store(0, std::memory_order_release);
}

}  // namespace meshgw::admin
