#include "demo/fake_service/fake_service.h"

#include <ifaddrs.h>
#include <netinet/in.h>

#include <chrono>
#include <cstdlib>
#include <map>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "boost/asio/co_spawn.hpp"
#include "boost/asio/detached.hpp"
#include "boost/asio/ip/tcp.hpp"
#include "boost/asio/redirect_error.hpp"
#include "boost/asio/steady_timer.hpp"
#include "boost/asio/use_awaitable.hpp"
#include "boost/beast/core/flat_buffer.hpp"
#include "boost/beast/core/tcp_stream.hpp"
#include "boost/beast/http.hpp"
#include "common/log.h"
#include "nlohmann/json.hpp"

namespace meshgw::demo {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Json = nlohmann::json;

// Bounds that keep a slow or hostile peer from holding the service: requests are small, idle
// keep-alive connections are closed, an upstream's answer is bounded.
constexpr size_t kMaxRequestBody = 64 * 1024;
constexpr size_t kMaxUpstreamBody = 4 * 1024 * 1024;
constexpr auto kIdleTimeout = std::chrono::seconds(60);

// fake-service's layout ("2006-01-02T15:04:05.000000"), in UTC.
std::string TimestampText(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E6S", t, absl::UTCTimeZone());
}

std::string Dump(const Json& j) {
  // replace: a non-UTF-8 byte from an upstream must not throw.
  return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

// "host:port" or "[v6]:port" -> host, port.
absl::Status SplitHostPort(absl::string_view text, std::string& host, uint16_t& port) {
  size_t colon = text.rfind(':');
  if (colon == absl::string_view::npos) return absl::InvalidArgumentError("expected host:port");
  absl::string_view h = text.substr(0, colon);
  if (absl::ConsumePrefix(&h, "[") && !absl::ConsumeSuffix(&h, "]")) {
    return absl::InvalidArgumentError("unclosed [ in the host");
  }
  if (h.empty()) return absl::InvalidArgumentError("empty host");
  uint32_t p = 0;
  if (!absl::SimpleAtoi(text.substr(colon + 1), &p) || p > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("port \"", text.substr(colon + 1), "\" is not a number from 0 to 65535"));
  }
  host = std::string(h);
  port = static_cast<uint16_t>(p);
  return absl::OkStatus();
}

// The host's own non-loopback IPv4 addresses, like fake-service's ip_addresses.
std::vector<std::string> InterfaceAddresses() {
  std::vector<std::string> out;
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return out;
  for (ifaddrs* a = list; a != nullptr; a = a->ifa_next) {
    if (a->ifa_addr == nullptr || a->ifa_addr->sa_family != AF_INET) continue;
    auto* in = reinterpret_cast<sockaddr_in*>(a->ifa_addr);
    asio::ip::address_v4 v4(ntohl(in->sin_addr.s_addr));
    if (v4.is_loopback()) continue;
    out.push_back(v4.to_string());
  }
  freeifaddrs(list);
  return out;
}

}  // namespace

absl::StatusOr<UpstreamUri> ParseUpstreamUri(absl::string_view uri) {
  absl::string_view rest = uri;
  auto fail = [&](absl::string_view why) {
    return absl::InvalidArgumentError(absl::StrCat("\"", uri, "\": ", why));
  };
  if (!absl::ConsumePrefix(&rest, "http://")) {
    return fail("only http://host:port[/path] is supported");
  }
  UpstreamUri out;
  out.uri = std::string(uri);
  size_t slash = rest.find('/');
  absl::string_view authority = rest.substr(0, slash);
  out.target = slash == absl::string_view::npos ? "/" : std::string(rest.substr(slash));
  if (authority.empty()) return fail("no host");
  bool has_port = authority.rfind(':') != absl::string_view::npos &&
                  (authority.front() != '[' || authority.back() != ']');
  if (has_port) {
    if (absl::Status s = SplitHostPort(authority, out.host, out.port); !s.ok()) {
      return fail(s.message());
    }
    if (out.port == 0) return fail("port 0");
  } else {
    absl::string_view h = authority;
    absl::ConsumePrefix(&h, "[");
    absl::ConsumeSuffix(&h, "]");
    out.host = std::string(h);
    out.port = 80;
  }
  return out;
}

absl::StatusOr<FakeServiceConfig> FakeServiceConfig::FromEnv(
    const std::function<const char*(const char*)>& getenv) {
  FakeServiceConfig c;
  auto get = [&](const char* name) -> absl::string_view {
    const char* v = getenv(name);
    return v == nullptr ? absl::string_view() : absl::string_view(v);
  };
  if (absl::string_view v = get("NAME"); !v.empty()) c.name = std::string(v);
  if (absl::string_view v = get("MESSAGE"); !v.empty()) c.message = std::string(v);
  if (absl::string_view v = get("LISTEN_ADDR"); !v.empty()) {
    if (absl::Status s = SplitHostPort(v, c.listen_host, c.listen_port); !s.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("LISTEN_ADDR \"", v, "\": ", s.message()));
    }
  }
  if (absl::string_view v = get("UPSTREAM_URIS"); !v.empty()) {
    int index = 0;
    for (absl::string_view part : absl::StrSplit(v, ',')) {
      part = absl::StripAsciiWhitespace(part);
      if (part.empty()) {
        ++index;
        continue;
      }
      absl::StatusOr<UpstreamUri> u = ParseUpstreamUri(part);
      if (!u.ok()) {
        return absl::InvalidArgumentError(
            absl::StrCat("UPSTREAM_URIS[", index, "] ", u.status().message()));
      }
      c.upstreams.push_back(*std::move(u));
      ++index;
    }
  }
  if (absl::string_view v = get("TIMEOUT"); !v.empty()) {
    absl::Duration d;
    if (!absl::ParseDuration(v, &d) || d <= absl::ZeroDuration()) {
      return absl::InvalidArgumentError(
          absl::StrCat("TIMEOUT \"", v, "\": expected a positive duration such as 30s or 500ms"));
    }
    c.timeout = d;
  }
  return c;
}

struct FakeService::State : std::enable_shared_from_this<FakeService::State> {
  State(asio::io_context& io, FakeServiceConfig config)
      : io(io), config(std::move(config)), acceptor(io) {}

  asio::io_context& io;
  const FakeServiceConfig config;
  tcp::acceptor acceptor;
  std::vector<std::string> interface_addresses;
  // Every open socket (served connections and upstream calls), so that Stop ends them all.
  std::map<uint64_t, std::shared_ptr<beast::tcp_stream>> open;
  uint64_t next_id = 0;
  bool stopped = false;

  uint64_t Track(std::shared_ptr<beast::tcp_stream> s) {
    open.emplace(next_id, std::move(s));
    return next_id++;
  }

  asio::awaitable<void> AcceptLoop();
  asio::awaitable<void> Serve(tcp::socket socket);
  asio::awaitable<Json> CallUpstream(const UpstreamUri& up);
  asio::awaitable<http::response<http::string_body>> Handle(
      const http::request<http::string_body>& req, const std::string& local_ip);
};

asio::awaitable<void> FakeService::State::AcceptLoop() {
  auto self = shared_from_this();
  asio::steady_timer backoff(io);
  while (!stopped) {
    boost::system::error_code ec;
    tcp::socket socket =
        co_await acceptor.async_accept(asio::redirect_error(asio::use_awaitable, ec));
    if (stopped || ec == asio::error::operation_aborted) co_return;
    if (ec) {
      // EMFILE and friends: wait instead of spinning.
      Log(LogLevel::kWarn, "accept failed", {{"error", ec.message()}});
      backoff.expires_after(std::chrono::milliseconds(100));
      co_await backoff.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      continue;
    }
    asio::co_spawn(io, self->Serve(std::move(socket)), asio::detached);
  }
}

asio::awaitable<void> FakeService::State::Serve(tcp::socket socket) {
  auto self = shared_from_this();
  boost::system::error_code ec;
  tcp::endpoint local = socket.local_endpoint(ec);
  std::string local_ip = ec ? std::string() : local.address().to_string();
  auto stream = std::make_shared<beast::tcp_stream>(std::move(socket));
  uint64_t id = Track(stream);
  beast::flat_buffer buffer;
  while (!stopped) {
    http::request_parser<http::string_body> parser;
    parser.body_limit(kMaxRequestBody);
    stream->expires_after(kIdleTimeout);
    co_await http::async_read(*stream, buffer, parser,
                              asio::redirect_error(asio::use_awaitable, ec));
    if (ec) break;  // closed, idle, or a malformed request: nothing to answer
    http::request<http::string_body> req = parser.release();
    http::response<http::string_body> res = co_await Handle(req, local_ip);
    res.keep_alive(req.keep_alive());
    res.prepare_payload();
    stream->expires_after(kIdleTimeout);
    co_await http::async_write(*stream, res, asio::redirect_error(asio::use_awaitable, ec));
    if (ec || !res.keep_alive()) break;
  }
  stream->socket().shutdown(tcp::socket::shutdown_both, ec);
  stream->socket().close(ec);
  open.erase(id);
}

asio::awaitable<http::response<http::string_body>> FakeService::State::Handle(
    const http::request<http::string_body>& req, const std::string& local_ip) {
  http::response<http::string_body> res;
  res.version(req.version());
  res.set(http::field::server, "meshgw-fake-service");
  std::string target(req.target().data(), req.target().size());
  std::string path = target.substr(0, target.find('?'));
  if (path == "/health" || path == "/ready") {
    res.result(http::status::ok);
    res.set(http::field::content_type, "text/plain");
    res.body() = "OK";
    co_return res;
  }

  absl::Time start = absl::Now();
  Json body = Json::object();
  body["name"] = config.name;
  body["uri"] = target;
  body["type"] = "HTTP";
  Json ips = Json::array();
  if (!local_ip.empty()) ips.push_back(local_ip);
  for (const std::string& a : interface_addresses) {
    if (a != local_ip) ips.push_back(a);
  }
  body["ip_addresses"] = std::move(ips);
  int code = 200;
  if (!config.upstreams.empty()) {
    Json calls = Json::object();
    // One after the other, like fake-service's default of one upstream worker.
    for (const UpstreamUri& up : config.upstreams) {
      Json call = co_await CallUpstream(up);
      if (call.contains("error")) code = 500;
      calls[up.uri] = std::move(call);
    }
    body["upstream_calls"] = std::move(calls);
  }
  absl::Time end = absl::Now();
  body["start_time"] = TimestampText(start);
  body["end_time"] = TimestampText(end);
  body["duration"] = absl::FormatDuration(end - start);
  body["body"] = config.message;
  body["code"] = code;

  res.result(static_cast<unsigned>(code));
  res.set(http::field::content_type, "application/json");
  res.body() = Dump(body) + "\n";
  Log(code == 200 ? LogLevel::kInfo : LogLevel::kWarn, "request",
      {{"method", std::string_view(req.method_string().data(), req.method_string().size())},
       {"uri", target},
       {"code", code},
       {"duration", absl::FormatDuration(end - start)}});
  co_return res;
}

asio::awaitable<Json> FakeService::State::CallUpstream(const UpstreamUri& up) {
  auto self = shared_from_this();
  Json result = Json::object();
  absl::Time start = absl::Now();
  auto fail = [&](int code, std::string error) {
    result["uri"] = up.uri;
    result["code"] = code;
    result["error"] = std::move(error);
    result["duration"] = absl::FormatDuration(absl::Now() - start);
    Log(LogLevel::kWarn, "upstream call failed",
        {{"uri", up.uri}, {"code", code}, {"error", result["error"].get<std::string>()}});
    return result;
  };
  auto timeout_ms = std::chrono::milliseconds(absl::ToInt64Milliseconds(config.timeout));
  boost::system::error_code ec;

  // Resolve (an IP literal needs no resolver), bounded by the same timeout.
  std::vector<tcp::endpoint> endpoints;
  asio::ip::address literal = asio::ip::make_address(up.host, ec);
  if (!ec) {
    endpoints.emplace_back(literal, up.port);
  } else {
    auto resolver = std::make_shared<tcp::resolver>(io);
    asio::steady_timer guard(io);
    guard.expires_after(timeout_ms);
    guard.async_wait([resolver](boost::system::error_code e) {
      if (!e) resolver->cancel();
    });
    auto results = co_await resolver->async_resolve(up.host, std::to_string(up.port),
                                                    asio::redirect_error(asio::use_awaitable, ec));
    guard.cancel();
    if (ec) co_return fail(-1, absl::StrCat("resolve ", up.host, ": ", ec.message()));
    for (const auto& r : results) endpoints.push_back(r.endpoint());
  }

  auto stream = std::make_shared<beast::tcp_stream>(io);
  uint64_t id = Track(stream);
  // One deadline for connect, request and answer: beast's timer covers every operation started
  // until it expires.
  stream->expires_after(timeout_ms);
  co_await stream->async_connect(endpoints, asio::redirect_error(asio::use_awaitable, ec));
  auto finish = [&] {
    stream->socket().close(ec);
    open.erase(id);
  };
  auto describe = [&](absl::string_view step) {
    if (ec == beast::error::timeout) {
      return absl::StrCat(step, ": timed out after ", absl::FormatDuration(config.timeout));
    }
    return absl::StrCat(step, ": ", ec.message());
  };
  if (ec) {
    std::string why = describe(absl::StrCat("connect ", up.host, ":", up.port));
    finish();
    co_return fail(-1, why);
  }
  http::request<http::empty_body> req(http::verb::get, up.target, 11);
  req.set(http::field::host, absl::StrCat(up.host, ":", up.port));
  req.set(http::field::user_agent, "meshgw-fake-service");
  req.keep_alive(false);
  co_await http::async_write(*stream, req, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) {
    std::string why = describe("send request");
    finish();
    co_return fail(-1, why);
  }
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(kMaxUpstreamBody);
  co_await http::async_read(*stream, buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) {
    std::string why = describe("read answer");
    finish();
    co_return fail(-1, why);
  }
  finish();
  http::response<http::string_body> res = parser.release();
  int status = static_cast<int>(res.result_int());
  Json answer = Json::parse(res.body(), nullptr, /*allow_exceptions=*/false);
  if (answer.is_object()) {
    result = std::move(answer);
  } else {
    result["body"] = res.body();
  }
  result["uri"] = up.uri;
  result["code"] = status;
  if (status < 200 || status > 299) {
    co_return fail(status, absl::StrCat("upstream answered ", status));
  }
  co_return result;
}

FakeService::FakeService(asio::io_context& io, FakeServiceConfig config)
    : state_(std::make_shared<State>(io, std::move(config))) {}

FakeService::~FakeService() { Stop(); }

absl::Status FakeService::Start() {
  State& s = *state_;
  std::string where = absl::StrCat(s.config.listen_host, ":", s.config.listen_port);
  boost::system::error_code ec;
  asio::ip::address addr = asio::ip::make_address(s.config.listen_host, ec);
  if (ec) return absl::InvalidArgumentError(absl::StrCat(where, ": not an IP address"));
  tcp::endpoint ep(addr, s.config.listen_port);
  s.acceptor.open(ep.protocol(), ec);
  if (!ec) s.acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) s.acceptor.bind(ep, ec);
  if (!ec) s.acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    absl::Status error = absl::UnavailableError(absl::StrCat(where, ": ", ec.message()));
    s.acceptor.close(ec);
    return error;
  }
  s.interface_addresses = InterfaceAddresses();
  asio::co_spawn(s.io, s.AcceptLoop(), asio::detached);
  return absl::OkStatus();
}

uint16_t FakeService::port() const {
  boost::system::error_code ec;
  tcp::endpoint ep = state_->acceptor.local_endpoint(ec);
  return ec ? 0 : ep.port();
}

void FakeService::Stop() {
  State& s = *state_;
  if (s.stopped) return;
  s.stopped = true;
  boost::system::error_code ec;
  s.acceptor.close(ec);
  for (auto& [id, stream] : s.open) {
    stream->socket().shutdown(tcp::socket::shutdown_both, ec);
    stream->socket().close(ec);
  }
}

}  // namespace meshgw::demo
