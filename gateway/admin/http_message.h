// HTTP/1.1 messages of the admin server: the request a handler receives, the response it returns,
// and the parsing of a request head (request line and headers) into an HttpRequest.
//
//   HttpRequest req;
//   std::optional<HttpResponse> error =
//       ParseRequestHead("GET /stats?format=json HTTP/1.1\r\nHost: x\r\n\r\n", req);
//   // !error; req.method == "GET", req.path == "/stats", *req.Query("format") == "json",
//   // *req.Header("host") == "x"
//
// The parser is strict where leniency would be ambiguous (two different Content-Length values,
// obsolete header folding, a bad percent-escape, a NUL anywhere) and answers with the status a
// client can act on (400, 501, 505), with a body naming what was wrong.
//
// Thread-safety: plain values and a pure function; no shared state.
#ifndef MESHGW_GATEWAY_ADMIN_HTTP_MESSAGE_H_
#define MESHGW_GATEWAY_ADMIN_HTTP_MESSAGE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace meshgw::admin {

struct HttpRequest {
  std::string method;  // "GET", case preserved (methods are case-sensitive)
  std::string path;    // percent-decoded, without the query: "/config_dump"
  std::string target;  // as received: "/config_dump?resource=dynamic_listeners"
  // Query parameters in order, percent-decoded ('+' is a space); "a&b=" gives {a,""},{b,""}.
  std::vector<std::pair<std::string, std::string>> query;
  // Header fields in order, names lower-cased, values trimmed of surrounding blanks.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string remote;  // the peer's address, "127.0.0.1:43122"

  // The first value of query parameter `name`, if present.
  std::optional<std::string_view> Query(std::string_view name) const;
  // The first value of header `name` (any case), if present.
  std::optional<std::string_view> Header(std::string_view name) const;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
  // Extra header fields ("Allow", "Cache-Control"); CR and LF are dropped from names and values.
  std::vector<std::pair<std::string, std::string>> headers;

  // A plain-text response whose body is `message` and a newline.
  static HttpResponse Text(int status, std::string_view message);
};

// The reason phrase of a status ("Not Found"); "Unknown" for codes the server never sends.
std::string_view HttpReason(int status);

// The response as bytes on the wire, with Content-Type, Content-Length and Connection: close.
// `head_only` (the answer to HEAD) leaves the body out but keeps its Content-Length.
std::string SerializeResponse(const HttpResponse& response, bool head_only = false);

// Parses a request head: the request line and header fields, each line ended by CRLF (a bare LF
// is accepted), up to and including the empty line. On success fills `request` (all but body
// and remote) and returns nullopt; otherwise returns the error response to send.
std::optional<HttpResponse> ParseRequestHead(std::string_view head, HttpRequest& request);

// Where the head ends in `data` (the offset just past the empty line), or nullopt if the empty
// line has not arrived yet. `from` lets a caller skip what it already searched.
std::optional<size_t> FindHeadEnd(std::string_view data, size_t from = 0);

// The body length announced by `request`'s headers: 0 without Content-Length. An error response
// for Transfer-Encoding (501: the admin API takes no chunked bodies), a malformed or conflicting
// Content-Length (400), or one above `max_body` (413).
std::optional<HttpResponse> BodyLength(const HttpRequest& request, size_t max_body, size_t& length);

// Percent-decodes `in` ('+' as a space when `plus_is_space`); false on a bad escape or a NUL.
bool PercentDecode(std::string_view in, bool plus_is_space, std::string& out);

}  // namespace meshgw::admin

#endif  // MESHGW_GATEWAY_ADMIN_HTTP_MESSAGE_H_
