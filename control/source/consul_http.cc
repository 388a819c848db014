#include "control/source/consul_http.h"

#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <cctype>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <utility>
#include <variant>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "boost/asio/co_spawn.hpp"
#include "boost/asio/io_context.hpp"
#include "boost/asio/ip/address.hpp"
#include "boost/asio/ip/tcp.hpp"
#include "boost/asio/local/stream_protocol.hpp"
#include "boost/asio/redirect_error.hpp"
#include "boost/asio/ssl.hpp"
#include "boost/asio/use_awaitable.hpp"
#include "boost/beast/core.hpp"
#include "boost/beast/http.hpp"
#include "boost/beast/ssl.hpp"
#include "common/file.h"
#include "control/model/internal/cat.h"

// GCC 12 with -fsanitize=address at -O1 and above reports Asio's recycling allocator (awaitable
// frames: operator new in thread_info_base, freed through its cache) as a mismatched
// new/delete pair; it is a false positive of the inlined coroutine frames.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

namespace meshgw::control {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using internal::Cat;

namespace {

// Go's strconv.ParseBool, which the Consul API client uses for its boolean variables.
std::optional<bool> ParseGoBool(std::string_view v) {
  for (std::string_view t : {"1", "t", "T", "TRUE", "true", "True"}) {
    if (v == t) return true;
  }
  for (std::string_view f : {"0", "f", "F", "FALSE", "false", "False"}) {
    if (v == f) return false;
  }
  return std::nullopt;
}

bool IsIpAddress(const std::string& host) {
  boost::system::error_code ec;
  asio::ip::make_address(host, ec);
  return !ec;
}

std::string StripBrackets(std::string_view host) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    return std::string(host.substr(1, host.size() - 2));
  }
  return std::string(host);
}

}  // namespace

absl::Status ConsulHttpConfig::ParseAddress(std::string_view addr) {
  std::string_view rest = addr;
  std::optional<Scheme> explicit_scheme;
  if (rest.starts_with("unix://")) {
    scheme = Scheme::kUnix;
    unix_path = std::string(rest.substr(7));
    if (unix_path.empty()) {
      return absl::InvalidArgumentError(
          Cat("CONSUL_HTTP_ADDR: \"", addr, "\" names no socket path (unix:///path/to/socket)"));
    }
    return absl::OkStatus();
  }
  if (rest.starts_with("http://")) {
    explicit_scheme = Scheme::kHttp;
    rest.remove_prefix(7);
  } else if (rest.starts_with("https://")) {
    explicit_scheme = Scheme::kHttps;
    rest.remove_prefix(8);
  } else if (rest.find("://") != std::string_view::npos) {
    return absl::InvalidArgumentError(
        Cat("CONSUL_HTTP_ADDR: \"", addr,
            "\": unsupported scheme; use host:port, http://, https:// or unix://"));
  }
  std::string_view hostport = rest;
  path_prefix.clear();
  if (size_t slash = rest.find('/'); slash != std::string_view::npos) {
    hostport = rest.substr(0, slash);
    std::string_view prefix = rest.substr(slash);
    while (!prefix.empty() && prefix.back() == '/') prefix.remove_suffix(1);
    path_prefix = std::string(prefix);
  }
  if (hostport.empty()) {
    return absl::InvalidArgumentError(Cat("CONSUL_HTTP_ADDR: \"", addr, "\" has no host"));
  }
  std::string_view host_part = hostport;
  std::string_view port_part;
  if (hostport.front() == '[') {  // [::1]:8500
    size_t close = hostport.find(']');
    if (close == std::string_view::npos) {
      return absl::InvalidArgumentError(
          Cat("CONSUL_HTTP_ADDR: \"", addr, "\": unterminated IPv6 address"));
    }
    host_part = hostport.substr(0, close + 1);
    std::string_view after = hostport.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') {
        return absl::InvalidArgumentError(
            Cat("CONSUL_HTTP_ADDR: \"", addr, "\": expected :port after the IPv6 address"));
      }
      port_part = after.substr(1);
    }
  } else if (size_t colon = hostport.rfind(':'); colon != std::string_view::npos) {
    host_part = hostport.substr(0, colon);
    port_part = hostport.substr(colon + 1);
  }
  Scheme s = explicit_scheme.value_or(scheme == Scheme::kHttps ? Scheme::kHttps : Scheme::kHttp);
  int p = s == Scheme::kHttps ? 443 : 80;
  if (!explicit_scheme.has_value() && port_part.empty()) p = 8500;
  if (!port_part.empty()) {
    if (!absl::SimpleAtoi(absl::string_view(port_part.data(), port_part.size()), &p) || p < 1 ||
        p > 65535) {
      return absl::InvalidArgumentError(
          Cat("CONSUL_HTTP_ADDR: \"", addr, "\": port \"", port_part, "\" is not in 1..65535"));
    }
  }
  if (host_part.empty()) {
    return absl::InvalidArgumentError(Cat("CONSUL_HTTP_ADDR: \"", addr, "\" has no host"));
  }
  scheme = s;
  host = StripBrackets(host_part);
  port = p;
  return absl::OkStatus();
}

std::string ConsulHttpConfig::BaseUrl() const {
  if (scheme == Scheme::kUnix) return Cat("unix://", unix_path);
  std::string h = host.find(':') != std::string::npos ? Cat("[", host, "]") : host;
  return Cat(scheme == Scheme::kHttps ? "https://" : "http://", h, ":", port, path_prefix);
}

absl::StatusOr<ConsulHttpConfig> ConsulHttpConfig::FromEnvironment(
    const std::function<std::optional<std::string>(std::string_view)>& lookup) {
  ConsulHttpConfig c;
  auto get = [&](std::string_view name) -> std::string {
    std::optional<std::string> v = lookup(name);
    return v.has_value() ? *v : std::string();
  };
  auto get_bool = [&](std::string_view name, bool* out) -> absl::Status {
    std::string v = get(name);
    if (v.empty()) return absl::OkStatus();
    std::optional<bool> b = ParseGoBool(v);
    if (!b.has_value()) {
      return absl::InvalidArgumentError(
          Cat(name, ": \"", v, "\" is not a bool (use true or false, 1 or 0)"));
    }
    *out = *b;
    return absl::OkStatus();
  };

  bool ssl = false;
  bool ssl_set = !get("CONSUL_HTTP_SSL").empty();
  if (absl::Status s = get_bool("CONSUL_HTTP_SSL", &ssl); !s.ok()) return s;
  if (ssl) c.scheme = Scheme::kHttps;
  std::string addr = get("CONSUL_HTTP_ADDR");
  if (!addr.empty()) {
    if (absl::Status s = c.ParseAddress(addr); !s.ok()) return s;
    // CONSUL_HTTP_SSL=true upgrades a bare host:port; an explicit scheme is what it says.
    if (ssl_set && ssl && c.scheme == Scheme::kHttp && addr.find("://") == std::string::npos) {
      c.scheme = Scheme::kHttps;
    }
  }
  if (c.scheme == Scheme::kHttps && addr.empty()) c.port = 8500;

  c.token = get("CONSUL_HTTP_TOKEN");
  if (std::string file = get("CONSUL_HTTP_TOKEN_FILE"); !file.empty()) {
    absl::StatusOr<std::string> text = ReadFile(file);
    if (!text.ok()) {
      return absl::InvalidArgumentError(Cat("CONSUL_HTTP_TOKEN_FILE: ", text.status().message()));
    }
    std::string token(absl::StripAsciiWhitespace(*text));
    if (token.empty()) {
      return absl::InvalidArgumentError(Cat("CONSUL_HTTP_TOKEN_FILE: ", file, " is empty"));
    }
    c.token = std::move(token);
  }
  if (absl::Status s = get_bool("CONSUL_HTTP_SSL_VERIFY", &c.tls_verify); !s.ok()) return s;
  c.ca_file = get("CONSUL_CACERT");
  c.ca_path = get("CONSUL_CAPATH");
  c.client_cert_file = get("CONSUL_CLIENT_CERT");
  c.client_key_file = get("CONSUL_CLIENT_KEY");
  if (c.client_cert_file.empty() != c.client_key_file.empty()) {
    return absl::InvalidArgumentError(
        c.client_cert_file.empty()
            ? "CONSUL_CLIENT_KEY is set without CONSUL_CLIENT_CERT; set both or neither"
            : "CONSUL_CLIENT_CERT is set without CONSUL_CLIENT_KEY; set both or neither");
  }
  c.tls_server_name = get("CONSUL_TLS_SERVER_NAME");
  return c;
}

absl::StatusOr<ConsulHttpConfig> ConsulHttpConfig::FromEnv() {
  return FromEnvironment([](std::string_view name) -> std::optional<std::string> {
    const char* v = std::getenv(std::string(name).c_str());
    if (v == nullptr) return std::nullopt;
    return std::string(v);
  });
}

std::string ConsulHttpResponse::Header(std::string_view name) const {
  auto it = headers.find(absl::AsciiStrToLower(absl::string_view(name.data(), name.size())));
  return it == headers.end() ? std::string() : it->second;
}

std::string EscapePathSegment(std::string_view segment) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char ch : segment) {
    if (std::isalnum(ch) || ch == '-' || ch == '_' || ch == '.' || ch == '~') {
      out.push_back(static_cast<char>(ch));
    } else {
      out.push_back('%');
      out.push_back(kHex[ch >> 4]);
      out.push_back(kHex[ch & 15]);
    }
  }
  return out;
}

// ---- TLS ----------------------------------------------------------------------------------------

class ConsulTlsContext {
 public:
  ConsulTlsContext() : ctx(asio::ssl::context::tls_client) {}
  asio::ssl::context ctx;
};

absl::StatusOr<std::shared_ptr<ConsulTlsContext>> MakeConsulTlsContext(
    const ConsulHttpConfig& config) {
  auto tls = std::make_shared<ConsulTlsContext>();
  boost::system::error_code ec;
  auto ssl_error = [&]() {
    std::string detail = ec.message();
    return detail;
  };
  tls->ctx.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                           asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                           asio::ssl::context::no_tlsv1_1,
                       ec);
  tls->ctx.set_verify_mode(config.tls_verify ? asio::ssl::verify_peer : asio::ssl::verify_none, ec);
  if (!config.ca_file.empty()) {
    tls->ctx.load_verify_file(config.ca_file, ec);
    if (ec) {
      return absl::InvalidArgumentError(
          Cat("CONSUL_CACERT: ", config.ca_file, ": cannot load CA certificates: ", ssl_error()));
    }
  }
  if (!config.ca_path.empty()) {
    tls->ctx.add_verify_path(config.ca_path, ec);
    if (ec) {
      return absl::InvalidArgumentError(Cat("CONSUL_CAPATH: ", config.ca_path, ": ", ssl_error()));
    }
  }
  if (config.ca_file.empty() && config.ca_path.empty()) {
    tls->ctx.set_default_verify_paths(ec);
  }
  if (!config.client_cert_file.empty()) {
    tls->ctx.use_certificate_chain_file(config.client_cert_file, ec);
    if (ec) {
      return absl::InvalidArgumentError(Cat("CONSUL_CLIENT_CERT: ", config.client_cert_file,
                                            ": cannot load the certificate: ", ssl_error()));
    }
    tls->ctx.use_private_key_file(config.client_key_file, asio::ssl::context::pem, ec);
    if (ec) {
      return absl::InvalidArgumentError(Cat("CONSUL_CLIENT_KEY: ", config.client_key_file,
                                            ": cannot load the key: ", ssl_error()));
    }
    if (SSL_CTX_check_private_key(tls->ctx.native_handle()) != 1) {
      return absl::InvalidArgumentError(Cat("CONSUL_CLIENT_KEY: ", config.client_key_file,
                                            " does not match CONSUL_CLIENT_CERT ",
                                            config.client_cert_file));
    }
  }
  return tls;
}

// ---- the connection -----------------------------------------------------------------------------

namespace {

using TcpStream = beast::tcp_stream;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;
using UnixStream = beast::basic_stream<asio::local::stream_protocol>;
using AnyStream = std::variant<TcpStream, TlsStream, UnixStream>;
using Deadline = std::chrono::steady_clock::time_point;

template <class Stream>
asio::awaitable<beast::error_code> Exchange(Stream& stream, http::request<http::string_body>& req,
                                            http::response_parser<http::string_body>& parser,
                                            beast::flat_buffer& buffer, Deadline deadline) {
  beast::error_code ec;
  beast::get_lowest_layer(stream).expires_at(deadline);
  co_await http::async_write(stream, req, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return ec;
  co_await http::async_read(stream, buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
  co_return ec;
}

}  // namespace

struct ConsulHttpConnection::Impl {
  asio::any_io_executor executor;
  ConsulHttpConfig config;
  std::shared_ptr<ConsulTlsContext> tls;
  std::optional<AnyStream> stream;
  beast::flat_buffer buffer;
  bool closed = false;
  bool cancel_requested = false;

  // CloseSocket aborts pending operations (they complete with operation_aborted) without
  // destroying the stream they run on.
  void CloseSocket() {
    if (stream.has_value()) {
      std::visit(
          [](auto& s) {
            beast::error_code ignored;
            beast::get_lowest_layer(s).socket().close(ignored);
          },
          *stream);
    }
  }
  // Reset drops the connection; only when no operation is pending on it.
  void Reset() {
    CloseSocket();
    stream.reset();
    buffer.clear();
  }

  std::string Url(std::string_view target) const { return Cat(config.BaseUrl(), target); }

  absl::Status MapError(const beast::error_code& ec, std::string_view step) const {
    if (cancel_requested) return absl::CancelledError(Cat(step, ": cancelled"));
    if (ec == beast::error::timeout) {
      return absl::DeadlineExceededError(Cat(step, ": timed out"));
    }
    return absl::UnavailableError(Cat(step, ": ", ec.message()));
  }

  asio::awaitable<absl::Status> Connect(Deadline deadline) {
    beast::error_code ec;
    Deadline connect_deadline =
        std::min(deadline, std::chrono::steady_clock::now() +
                               absl::ToChronoNanoseconds(config.connect_timeout));
    if (config.scheme == ConsulHttpConfig::Scheme::kUnix) {
      UnixStream& s =
          std::get<UnixStream>(stream.emplace(std::in_place_type<UnixStream>, executor));
      s.expires_at(connect_deadline);
      co_await s.async_connect(asio::local::stream_protocol::endpoint(config.unix_path),
                               asio::redirect_error(asio::use_awaitable, ec));
      if (ec) co_return MapError(ec, Cat("connect ", config.unix_path));
      co_return absl::OkStatus();
    }
    asio::ip::tcp::resolver resolver(executor);
    auto endpoints = co_await resolver.async_resolve(config.host, std::to_string(config.port),
                                                     asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return MapError(ec, Cat("resolve ", config.host));
    if (cancel_requested) co_return absl::CancelledError("cancelled");
    if (config.scheme == ConsulHttpConfig::Scheme::kHttp) {
      TcpStream& s = std::get<TcpStream>(stream.emplace(std::in_place_type<TcpStream>, executor));
      s.expires_at(connect_deadline);
      co_await s.async_connect(endpoints, asio::redirect_error(asio::use_awaitable, ec));
      if (ec) co_return MapError(ec, Cat("connect ", config.host, ":", config.port));
      s.socket().set_option(asio::ip::tcp::no_delay(true), ec);
      co_return absl::OkStatus();
    }
    TlsStream& s =
        std::get<TlsStream>(stream.emplace(std::in_place_type<TlsStream>, executor, tls->ctx));
    beast::get_lowest_layer(s).expires_at(connect_deadline);
    co_await beast::get_lowest_layer(s).async_connect(
        endpoints, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return MapError(ec, Cat("connect ", config.host, ":", config.port));
    const std::string& name = config.tls_server_name.empty() ? config.host : config.tls_server_name;
    SSL* ssl = s.native_handle();
    if (IsIpAddress(name)) {
      if (config.tls_verify) X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), name.c_str());
    } else {
      SSL_set_tlsext_host_name(ssl, name.c_str());
      if (config.tls_verify) SSL_set1_host(ssl, name.c_str());
    }
    co_await s.async_handshake(asio::ssl::stream_base::client,
                               asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      std::string detail = ec.message();
      long verify = SSL_get_verify_result(ssl);
      if (verify != X509_V_OK) {
        detail =
            Cat(detail, " (certificate verification: ", X509_verify_cert_error_string(verify), ")");
      }
      if (cancel_requested) co_return absl::CancelledError("cancelled");
      if (ec == beast::error::timeout)
        co_return absl::DeadlineExceededError("TLS handshake timed out");
      co_return absl::UnavailableError(Cat("TLS handshake with ", name, ": ", detail));
    }
    co_return absl::OkStatus();
  }
};

ConsulHttpConnection::ConsulHttpConnection(asio::any_io_executor executor, ConsulHttpConfig config,
                                           std::shared_ptr<ConsulTlsContext> tls)
    : impl_(std::make_unique<Impl>()) {
  impl_->executor = std::move(executor);
  impl_->config = std::move(config);
  impl_->tls = std::move(tls);
}

ConsulHttpConnection::~ConsulHttpConnection() { impl_->Reset(); }

void ConsulHttpConnection::Close() {
  impl_->cancel_requested = true;
  impl_->closed = true;
  impl_->CloseSocket();
}

asio::awaitable<absl::StatusOr<ConsulHttpResponse>> ConsulHttpConnection::Request(
    std::string method, std::string target, std::string body, absl::Duration timeout) {
  Impl& s = *impl_;
  std::string what = Cat(method, " ", s.Url(target));
  if (s.closed) co_return absl::CancelledError(Cat(what, ": connection closed"));
  if (s.config.scheme == ConsulHttpConfig::Scheme::kHttps && s.tls == nullptr) {
    co_return absl::FailedPreconditionError(Cat(what, ": no TLS context"));
  }
  Deadline deadline = std::chrono::steady_clock::now() + absl::ToChronoNanoseconds(timeout);

  http::request<http::string_body> req;
  req.method_string(method);
  req.target(Cat(s.config.path_prefix, target));
  req.version(11);
  req.set(http::field::host, s.config.scheme == ConsulHttpConfig::Scheme::kUnix
                                 ? std::string("localhost")
                                 : Cat(s.config.host, ":", s.config.port));
  req.set(http::field::user_agent, "meshgw-control");
  req.set(http::field::accept, "application/json");
  if (!s.config.token.empty()) req.set("X-Consul-Token", s.config.token);
  if (!body.empty() || method == "PUT" || method == "POST") {
    req.set(http::field::content_type, "application/json");
    req.body() = std::move(body);
    req.prepare_payload();
  }

  // A kept-alive connection may have been closed by the server while idle: one fresh retry.
  for (int attempt = 0; attempt < 2; ++attempt) {
    bool reused = s.stream.has_value();
    if (!reused) {
      absl::Status connected = co_await s.Connect(deadline);
      if (!connected.ok()) {
        s.Reset();
        if (s.closed) co_return absl::CancelledError(Cat(what, ": cancelled"));
        co_return absl::Status(connected.code(), Cat(what, ": ", connected.message()));
      }
    }
    http::response_parser<http::string_body> parser;
    parser.body_limit(256u << 20);
    parser.header_limit(1u << 20);
    beast::error_code ec = co_await std::visit(
        [&](auto& stream) { return Exchange(stream, req, parser, s.buffer, deadline); }, *s.stream);
    if (ec) {
      s.Reset();
      bool stale = reused && !parser.got_some() &&
                   (ec == http::error::end_of_stream || ec == asio::error::eof ||
                    ec == asio::error::connection_reset || ec == asio::error::broken_pipe);
      if (stale && !s.closed) continue;
      absl::Status st = s.MapError(ec, what);
      co_return st;
    }
    ConsulHttpResponse out;
    http::response<http::string_body> res = parser.release();
    out.status = static_cast<int>(res.result_int());
    for (const auto& field : res) {
      std::string_view n(field.name_string().data(), field.name_string().size());
      std::string_view v(field.value().data(), field.value().size());
      out.headers[absl::AsciiStrToLower(absl::string_view(n.data(), n.size()))] = std::string(v);
    }
    if (!res.keep_alive()) s.Reset();
    out.body = std::move(res.body());
    co_return out;
  }
  co_return absl::UnavailableError(Cat(what, ": connection closed by the server"));
}

absl::StatusOr<ConsulHttpResponse> ConsulHttpRequest(const ConsulHttpConfig& config,
                                                     std::string method, std::string target,
                                                     std::string body, absl::Duration timeout) {
  std::shared_ptr<ConsulTlsContext> tls;
  if (config.scheme == ConsulHttpConfig::Scheme::kHttps) {
    absl::StatusOr<std::shared_ptr<ConsulTlsContext>> made = MakeConsulTlsContext(config);
    if (!made.ok()) return made.status();
    tls = *std::move(made);
  }
  asio::io_context ioc;
  ConsulHttpConnection connection(ioc.get_executor(), config, tls);
  absl::StatusOr<ConsulHttpResponse> result = absl::UnknownError("request did not complete");
  asio::co_spawn(ioc,
                 connection.Request(std::move(method), std::move(target), std::move(body), timeout),
                 [&](std::exception_ptr e, absl::StatusOr<ConsulHttpResponse> r) {
                   if (e) {
                     result = absl::InternalError("request failed with an exception");
                   } else {
                     result = std::move(r);
                   }
                 });
  ioc.run();
  return result;
}

}  // namespace meshgw::control
