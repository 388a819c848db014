#include "gateway/admin/http_message.h"

#include <algorithm>
#include <charconv>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace meshgw::admin {
namespace {

absl::string_view AV(std::string_view s) { return absl::string_view(s.data(), s.size()); }

// RFC 9110 token characters (method and field names).
bool IsTokenChar(char c) {
  if (absl::ascii_isalnum(static_cast<unsigned char>(c))) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool IsToken(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), IsTokenChar);
}

std::string_view TrimBlanks(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

HttpResponse BadRequest(std::string_view why) {
  return HttpResponse::Text(400, absl::StrCat("bad request: ", AV(why)));
}

std::string Sanitized(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c != '\r' && c != '\n') out += c;
  }
  return out;
}

}  // namespace

std::optional<std::string_view> HttpRequest::Query(std::string_view name) const {
  for (const auto& [k, v] : query) {
    if (k == name) return v;
  }
  return std::nullopt;
}

std::optional<std::string_view> HttpRequest::Header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (absl::EqualsIgnoreCase(AV(k), AV(name))) return v;
  }
  return std::nullopt;
}

HttpResponse HttpResponse::Text(int status, std::string_view message) {
  HttpResponse r;
  r.status = status;
  r.body = absl::StrCat(AV(message), "\n");
  return r;
}

std::string_view HttpReason(int status) {
  switch (status) {
    case 100:
      return "Continue";
    case 200:
      return "OK";
    case 204:
      return "No Content";
    case 400:
      return "Bad Request";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 411:
      return "Length Required";
    case 413:
      return "Content Too Large";
    case 414:
      return "URI Too Long";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 503:
      return "Service Unavailable";
    case 505:
      return "HTTP Version Not Supported";
  }
  return "Unknown";
}

std::string SerializeResponse(const HttpResponse& r, bool head_only) {
  std::string out = absl::StrCat("HTTP/1.1 ", r.status, " ", AV(HttpReason(r.status)),
                                 "\r\nContent-Type: ", Sanitized(r.content_type),
                                 "\r\nContent-Length: ", r.body.size(), "\r\n");
  for (const auto& [name, value] : r.headers) {
    absl::StrAppend(&out, Sanitized(name), ": ", Sanitized(value), "\r\n");
  }
  absl::StrAppend(&out, "Connection: close\r\n\r\n");
  if (!head_only) out += r.body;
  return out;
}

bool PercentDecode(std::string_view in, bool plus_is_space, std::string& out) {
  out.clear();
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size()) return false;
      const int hi = HexValue(in[i + 1]);
      const int lo = HexValue(in[i + 2]);
      if (hi < 0 || lo < 0) return false;
      c = static_cast<char>(hi * 16 + lo);
      i += 2;
    } else if (c == '+' && plus_is_space) {
      c = ' ';
    }
    if (c == '\0') return false;
    out += c;
  }
  return true;
}

std::optional<size_t> FindHeadEnd(std::string_view data, size_t from) {
  for (size_t i = from; i < data.size(); ++i) {
    if (data[i] != '\n') continue;
    if (i + 1 < data.size() && data[i + 1] == '\n') return i + 2;
    if (i + 2 < data.size() && data[i + 1] == '\r' && data[i + 2] == '\n') return i + 3;
  }
  return std::nullopt;
}

std::optional<HttpResponse> ParseRequestHead(std::string_view head, HttpRequest& request) {
  if (head.find('\0') != std::string_view::npos) return BadRequest("NUL byte in the request head");
  // Split into lines; each ends with LF, optionally preceded by CR.
  std::vector<std::string_view> lines;
  while (!head.empty()) {
    const size_t lf = head.find('\n');
    std::string_view line = head.substr(0, lf);
    head.remove_prefix(lf == std::string_view::npos ? head.size() : lf + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find('\r') != std::string_view::npos) return BadRequest("bare CR in the request head");
    lines.push_back(line);
  }
  while (!lines.empty() && lines.back().empty()) lines.pop_back();
  if (lines.empty()) return BadRequest("empty request");

  // Request line: method SP target SP version.
  const std::string_view line = lines[0];
  const size_t sp1 = line.find(' ');
  const size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos || line.find(' ', sp2 + 1) != std::string_view::npos) {
    return BadRequest(absl::StrCat("request line \"", AV(line), "\" is not METHOD TARGET VERSION"));
  }
  const std::string_view method = line.substr(0, sp1);
  const std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  const std::string_view version = line.substr(sp2 + 1);
  if (!IsToken(method))
    return BadRequest(absl::StrCat("method \"", AV(method), "\" is not a token"));
  if (version != "HTTP/1.1" && version != "HTTP/1.0") {
    if (absl::StartsWith(AV(version), "HTTP/")) {
      return HttpResponse::Text(505, absl::StrCat("HTTP version \"", AV(version),
                                                  "\" not supported (HTTP/1.0 and 1.1 are)"));
    }
    return BadRequest(absl::StrCat("\"", AV(version), "\" is not an HTTP version"));
  }
  if (target.empty() || target[0] != '/') {
    return BadRequest(absl::StrCat("target \"", AV(target), "\" is not an absolute path"));
  }
  request.method = std::string(method);
  request.target = std::string(target);
  const size_t qmark = target.find('?');
  if (!PercentDecode(target.substr(0, qmark), /*plus_is_space=*/false, request.path)) {
    return BadRequest(
        absl::StrCat("bad percent-escape in path \"", AV(target.substr(0, qmark)), "\""));
  }
  request.query.clear();
  if (qmark != std::string_view::npos) {
    std::string_view rest = target.substr(qmark + 1);
    const size_t hash = rest.find('#');
    if (hash != std::string_view::npos) rest = rest.substr(0, hash);
    while (!rest.empty()) {
      const size_t amp = rest.find('&');
      const std::string_view pair = rest.substr(0, amp);
      rest.remove_prefix(amp == std::string_view::npos ? rest.size() : amp + 1);
      if (pair.empty()) continue;
      const size_t eq = pair.find('=');
      std::string key, value;
      if (!PercentDecode(pair.substr(0, eq), true, key) ||
          (eq != std::string_view::npos && !PercentDecode(pair.substr(eq + 1), true, value))) {
        return BadRequest(absl::StrCat("bad percent-escape in query parameter \"", AV(pair), "\""));
      }
      request.query.emplace_back(std::move(key), std::move(value));
    }
  }

  request.headers.clear();
  for (size_t i = 1; i < lines.size(); ++i) {
    const std::string_view field = lines[i];
    if (field.empty()) return BadRequest("empty line inside the header section");
    if (field[0] == ' ' || field[0] == '\t') {
      return BadRequest(absl::StrCat("obsolete line folding at header line ", i + 1));
    }
    const size_t colon = field.find(':');
    const std::string_view name = field.substr(0, colon);
    if (colon == std::string_view::npos || !IsToken(name)) {
      return BadRequest(
          absl::StrCat("header line ", i + 1, " \"", AV(field), "\" is not NAME: VALUE"));
    }
    request.headers.emplace_back(absl::AsciiStrToLower(AV(name)),
                                 std::string(TrimBlanks(field.substr(colon + 1))));
  }
  return std::nullopt;
}

std::optional<HttpResponse> BodyLength(const HttpRequest& request, size_t max_body,
                                       size_t& length) {
  length = 0;
  if (request.Header("transfer-encoding")) {
    return HttpResponse::Text(501, "Transfer-Encoding is not supported: send a Content-Length");
  }
  std::optional<uint64_t> seen;
  for (const auto& [name, value] : request.headers) {
    if (name != "content-length") continue;
    uint64_t n = 0;
    const char* end = value.data() + value.size();
    auto [ptr, ec] = std::from_chars(value.data(), end, n);
    if (value.empty() || ec != std::errc() || ptr != end) {
      return BadRequest(absl::StrCat("Content-Length \"", value, "\" is not a number"));
    }
    if (seen && *seen != n) return BadRequest("two different Content-Length values");
    seen = n;
  }
  if (seen && *seen > max_body) {
    return HttpResponse::Text(
        413, absl::StrCat("request body of ", *seen, " bytes is over the limit of ", max_body));
  }
  length = seen.value_or(0);
  return std::nullopt;
}

}  // namespace meshgw::admin
