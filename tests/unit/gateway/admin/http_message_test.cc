#include "gateway/admin/http_message.h"

#include "gtest/gtest.h"

namespace meshgw::admin {
namespace {

TEST(ParseRequestHead, RequestLineQueryAndHeaders) {
  HttpRequest r;
  std::optional<HttpResponse> error = ParseRequestHead(
      "GET /config%5Fdump?resource=dynamic_listeners&mask=a+b%2Cc&flag&&x= HTTP/1.1\r\n"
      "Host: 127.0.0.1:19000\r\n"
      "X-Thing:   spaced value \t\r\n"
      "\r\n",
      r);
  ASSERT_FALSE(error) << error->body;
  EXPECT_EQ(r.method, "GET");
  EXPECT_EQ(r.path, "/config_dump");
  EXPECT_EQ(r.target, "/config%5Fdump?resource=dynamic_listeners&mask=a+b%2Cc&flag&&x=");
  const std::vector<std::pair<std::string, std::string>> query = {
      {"resource", "dynamic_listeners"}, {"mask", "a b,c"}, {"flag", ""}, {"x", ""}};
  EXPECT_EQ(r.query, query);
  EXPECT_EQ(r.Query("mask"), "a b,c");
  EXPECT_EQ(r.Query("missing"), std::nullopt);
  const std::vector<std::pair<std::string, std::string>> headers = {{"host", "127.0.0.1:19000"},
                                                                    {"x-thing", "spaced value"}};
  EXPECT_EQ(r.headers, headers);
  EXPECT_EQ(r.Header("X-THING"), "spaced value");
}

TEST(ParseRequestHead, BareLineFeedsAndHttp10) {
  HttpRequest r;
  ASSERT_FALSE(ParseRequestHead("POST /healthcheck/fail HTTP/1.0\nContent-Length: 0\n\n", r));
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.path, "/healthcheck/fail");
  EXPECT_EQ(r.Header("content-length"), "0");
}

struct BadHead {
  std::string head;
  int status;
  std::string body;
};

TEST(ParseRequestHead, RejectsWithStatusAndReason) {
  const std::vector<BadHead> cases = {
      {"\r\n\r\n", 400, "bad request: empty request\n"},
      {"GET /\r\n\r\n", 400, "bad request: request line \"GET /\" is not METHOD TARGET VERSION\n"},
      {"GET  / HTTP/1.1\r\n\r\n", 400,
       "bad request: request line \"GET  / HTTP/1.1\" is not METHOD TARGET VERSION\n"},
      {"G(T / HTTP/1.1\r\n\r\n", 400, "bad request: method \"G(T\" is not a token\n"},
      {"GET / HTTP/2.0\r\n\r\n", 505,
       "HTTP version \"HTTP/2.0\" not supported (HTTP/1.0 and 1.1 are)\n"},
      {"GET / SPDY\r\n\r\n", 400, "bad request: \"SPDY\" is not an HTTP version\n"},
      {"GET http://x/ HTTP/1.1\r\n\r\n", 400,
       "bad request: target \"http://x/\" is not an absolute path\n"},
      {"GET /a%zz HTTP/1.1\r\n\r\n", 400, "bad request: bad percent-escape in path \"/a%zz\"\n"},
      {"GET /a%2 HTTP/1.1\r\n\r\n", 400, "bad request: bad percent-escape in path \"/a%2\"\n"},
      {"GET /a%00 HTTP/1.1\r\n\r\n", 400, "bad request: bad percent-escape in path \"/a%00\"\n"},
      {"GET /?k=%G1 HTTP/1.1\r\n\r\n", 400,
       "bad request: bad percent-escape in query parameter \"k=%G1\"\n"},
      {"GET / HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n", 400,
       "bad request: obsolete line folding at header line 3\n"},
      {"GET / HTTP/1.1\r\nNoColon\r\n\r\n", 400,
       "bad request: header line 2 \"NoColon\" is not NAME: VALUE\n"},
      {"GET / HTTP/1.1\r\nBad Name: v\r\n\r\n", 400,
       "bad request: header line 2 \"Bad Name: v\" is not NAME: VALUE\n"},
      {"GET / HTTP/1.1\r\nA: b\rc\r\n\r\n", 400, "bad request: bare CR in the request head\n"},
      {std::string("GET / HTTP/1.1\r\nA: \0\r\n\r\n", 23), 400,
       "bad request: NUL byte in the request head\n"},
  };
  for (const BadHead& c : cases) {
    HttpRequest r;
    std::optional<HttpResponse> error = ParseRequestHead(c.head, r);
    ASSERT_TRUE(error) << c.head;
    EXPECT_EQ(error->status, c.status) << c.head;
    EXPECT_EQ(error->body, c.body) << c.head;
  }
}

TEST(FindHeadEnd, CrlfAndBareLf) {
  EXPECT_EQ(FindHeadEnd("GET / HTTP/1.1\r\nA: b\r\n\r\nbody"), 24u);
  EXPECT_EQ(FindHeadEnd("GET / HTTP/1.1\nA: b\n\nbody"), 21u);
  EXPECT_EQ(FindHeadEnd("GET / HTTP/1.1\r\nA: b\r\n\r"), std::nullopt);
  EXPECT_EQ(FindHeadEnd("GET / HTTP/1.1\r\n"), std::nullopt);
  // Searching from where the last search stopped (minus 3) finds a split terminator.
  EXPECT_EQ(FindHeadEnd("GET / HTTP/1.1\r\n\r\n", 13), 18u);
}

TEST(BodyLength, LengthsAndErrors) {
  HttpRequest r;
  size_t n = 99;
  EXPECT_FALSE(BodyLength(r, 100, n));
  EXPECT_EQ(n, 0u);
  r.headers = {{"content-length", "100"}};
  EXPECT_FALSE(BodyLength(r, 100, n));
  EXPECT_EQ(n, 100u);
  r.headers = {{"content-length", "101"}};
  std::optional<HttpResponse> e = BodyLength(r, 100, n);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->status, 413);
  EXPECT_EQ(e->body, "request body of 101 bytes is over the limit of 100\n");
  r.headers = {{"content-length", "5"}, {"content-length", "6"}};
  e = BodyLength(r, 100, n);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->status, 400);
  EXPECT_EQ(e->body, "bad request: two different Content-Length values\n");
  r.headers = {{"content-length", "5"}, {"content-length", "5"}};
  EXPECT_FALSE(BodyLength(r, 100, n));
  r.headers = {{"content-length", "-1"}};
  e = BodyLength(r, 100, n);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->body, "bad request: Content-Length \"-1\" is not a number\n");
  r.headers = {{"content-length", "99999999999999999999999"}};
  e = BodyLength(r, 100, n);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->status, 400);
  r.headers = {{"transfer-encoding", "chunked"}};
  e = BodyLength(r, 100, n);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->status, 501);
}

TEST(SerializeResponse, HeadersAndInjectionStripped) {
  HttpResponse r = HttpResponse::Text(405, "nope");
  r.headers.emplace_back("Allow", "GET, POST\r\nX-Injected: 1");
  EXPECT_EQ(SerializeResponse(r),
            "HTTP/1.1 405 Method Not Allowed\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n"
            "Content-Length: 5\r\n"
            "Allow: GET, POSTX-Injected: 1\r\n"
            "Connection: close\r\n"
            "\r\n"
            "nope\n");
}

}  // namespace
}  // namespace meshgw::admin
