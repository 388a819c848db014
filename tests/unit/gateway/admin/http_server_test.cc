#include "gateway/admin/http_server.h"

#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gtest/gtest.h"
#include "tests/unit/gateway/admin/raw_http_client.h"

namespace meshgw::admin {
namespace {

using test_client::Exchange;
using test_client::RawClient;
using test_client::Wire;

// A handler that shows what the server parsed.
HttpResponse Echo(const HttpRequest& r) {
  std::vector<std::string> q;
  for (const auto& [k, v] : r.query) q.push_back(absl::StrCat(k, "=", v));
  HttpResponse out;
  out.body =
      absl::StrCat(r.method, " ", r.path, " [", absl::StrJoin(q, ";"),
                   "] ua=", std::string(r.Header("user-agent").value_or("-")), " body=", r.body);
  return out;
}

class HttpServerTest : public ::testing::Test {
 protected:
  void StartServer(HttpServerOptions options = {}) {
    server_ = std::make_unique<HttpServer>(options);
    server_->Handle("GET", "/echo", Echo);
    server_->Handle("POST", "/echo", Echo);
    server_->Handle("GET", "/ready",
                    [](const HttpRequest&) { return HttpResponse::Text(200, "LIVE"); });
    server_->Handle("POST", "/drain_listeners",
                    [](const HttpRequest&) { return HttpResponse::Text(200, "OK"); });
    absl::Status s = server_->Start("127.0.0.1:0");
    ASSERT_TRUE(s.ok()) << s;
    ASSERT_NE(server_->port(), 0);
  }
  std::unique_ptr<HttpServer> server_;
};

TEST_F(HttpServerTest, GetWithQueryParameters) {
  StartServer();
  EXPECT_EQ(Exchange(server_->port(),
                     "GET /echo?format=json&resource=a%20b+c HTTP/1.1\r\nHost: x\r\n"
                     "User-Agent: t/1\r\n\r\n"),
            Wire("HTTP/1.1 200 OK", "GET /echo [format=json;resource=a b c] ua=t/1 body="));
}

TEST_F(HttpServerTest, PostWithBodyInPieces) {
  StartServer();
  RawClient c(server_->port());
  ASSERT_TRUE(c.connected());
  ASSERT_TRUE(c.Send("POST /echo HTTP/1.1\r\nContent-Le"));
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  ASSERT_TRUE(c.Send("ngth: 11\r\n\r\nhello"));
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  ASSERT_TRUE(c.Send(" world"));
  const std::string response = c.ReadToEof(std::chrono::seconds(5));
  EXPECT_EQ(response, Wire("HTTP/1.1 200 OK", "POST /echo [] ua=- body=hello world"));
}

TEST_F(HttpServerTest, RequestSentByteByByte) {
  StartServer();
  RawClient c(server_->port());
  ASSERT_TRUE(c.connected());
  // Every split point, including inside the CRLF CRLF that ends the head.
  for (char ch : std::string("GET /echo?a=1 HTTP/1.1\r\nUser-Agent: slow\r\n\r\n")) {
    ASSERT_TRUE(c.Send(std::string_view(&ch, 1)));
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  EXPECT_EQ(c.ReadToEof(std::chrono::seconds(5)),
            Wire("HTTP/1.1 200 OK", "GET /echo [a=1] ua=slow body="));
}

TEST_F(HttpServerTest, ConcurrentClientsAllAnswered) {
  StartServer();
  constexpr int kThreads = 6;
  constexpr int kRequests = 25;
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kRequests; ++i) {
        const std::string target = absl::StrCat("/echo?t=", t, "&i=", i);
        const std::string response =
            Exchange(server_->port(), absl::StrCat("GET ", target, " HTTP/1.1\r\n\r\n"));
        if (response ==
            Wire("HTTP/1.1 200 OK", absl::StrCat("GET /echo [t=", t, ";i=", i, "] ua=- body="))) {
          ok.fetch_add(1);
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(ok.load(), kThreads * kRequests);
}

TEST_F(HttpServerTest, NotFoundAndMethodNotAllowed) {
  StartServer();
  EXPECT_EQ(Exchange(server_->port(), "GET /nope HTTP/1.1\r\n\r\n"),
            Wire("HTTP/1.1 404 Not Found", "no handler for path /nope\n"));
  EXPECT_EQ(Exchange(server_->port(), "DELETE /echo HTTP/1.1\r\n\r\n"),
            Wire("HTTP/1.1 405 Method Not Allowed", "method DELETE not allowed on /echo\n",
                 "Allow: GET, HEAD, POST\r\n"));
  EXPECT_EQ(Exchange(server_->port(), "GET /drain_listeners HTTP/1.1\r\n\r\n").substr(0, 35),
            "HTTP/1.1 405 Method Not Allowed\r\nCo");
}

TEST_F(HttpServerTest, HeadIsAnsweredByGetWithoutBody) {
  StartServer();
  // The GET response's head, Content-Length included, and no body.
  const std::string get = Wire("HTTP/1.1 200 OK", "LIVE\n");
  EXPECT_EQ(Exchange(server_->port(), "HEAD /ready HTTP/1.1\r\n\r\n"),
            get.substr(0, get.size() - 5));
  EXPECT_EQ(get.substr(get.size() - 9), "\r\n\r\nLIVE\n");
}

TEST_F(HttpServerTest, OversizeBodyGets413BeforeItIsSent) {
  StartServer({.max_body_bytes = 1000});
  RawClient c(server_->port());
  ASSERT_TRUE(c.connected());
  ASSERT_TRUE(c.Send("POST /echo HTTP/1.1\r\nContent-Length: 10000000\r\n\r\n"));
  ASSERT_TRUE(c.Send(std::string(4000, 'x')));  // part of the body, unread by the server
  EXPECT_EQ(c.ReadToEof(std::chrono::seconds(5)),
            Wire("HTTP/1.1 413 Content Too Large",
                 "request body of 10000000 bytes is over the limit of 1000\n"));
}

TEST_F(HttpServerTest, OversizeHeadGets431) {
  StartServer({.max_head_bytes = 1024});
  const std::string response =
      Exchange(server_->port(),
               absl::StrCat("GET /echo HTTP/1.1\r\nX-Big: ", std::string(2000, 'a'), "\r\n\r\n"));
  EXPECT_EQ(response,
            Wire("HTTP/1.1 431 Request Header Fields Too Large", "request head over 1024 bytes\n"));
}

TEST_F(HttpServerTest, MalformedRequestGets400) {
  StartServer();
  EXPECT_EQ(Exchange(server_->port(), "HELLO\r\n\r\n"),
            Wire("HTTP/1.1 400 Bad Request",
                 "bad request: request line \"HELLO\" is not METHOD TARGET VERSION\n"));
}

TEST_F(HttpServerTest, SlowRequestIsCutByTimeout) {
  StartServer({.request_timeout = absl::Milliseconds(200)});
  RawClient c(server_->port());
  ASSERT_TRUE(c.connected());
  ASSERT_TRUE(c.Send("GET /echo HTTP/1.1\r\nHost: x\r\n"));  // never finishes the head
  const auto start = std::chrono::steady_clock::now();
  bool timed_out = false;
  const std::string response = c.ReadToEof(std::chrono::seconds(5), &timed_out);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_FALSE(timed_out);
  EXPECT_EQ(response, Wire("HTTP/1.1 408 Request Timeout", "request not received in time\n"));
  EXPECT_GE(elapsed, std::chrono::milliseconds(150));
  EXPECT_LT(elapsed, std::chrono::seconds(4));  // generous: the machine is shared
}

TEST_F(HttpServerTest, ExpectContinueIsHonoured) {
  StartServer();
  RawClient c(server_->port());
  ASSERT_TRUE(c.connected());
  ASSERT_TRUE(c.Send("POST /echo HTTP/1.1\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n"));
  // The interim response arrives before any body byte is sent.
  EXPECT_EQ(c.ReadUntil("\r\n\r\n", std::chrono::seconds(5)), "HTTP/1.1 100 Continue\r\n\r\n");
  ASSERT_TRUE(c.Send("abc"));
  EXPECT_EQ(c.ReadToEof(std::chrono::seconds(5)),
            Wire("HTTP/1.1 200 OK", "POST /echo [] ua=- body=abc"));
}

TEST_F(HttpServerTest, ConnectionsOverTheLimitGet503) {
  StartServer({.max_connections = 1});
  RawClient idle(server_->port());  // holds the only slot without sending anything
  ASSERT_TRUE(idle.connected());
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  const std::string response = Exchange(server_->port(), "GET /ready HTTP/1.1\r\n\r\n");
  EXPECT_EQ(response.substr(0, response.find("\r\n")), "HTTP/1.1 503 Service Unavailable");
  EXPECT_NE(response.find("\r\n\r\ntoo many connections to this server\n"), std::string::npos);
}

TEST_F(HttpServerTest, StopClosesIdleConnectionsAndTheListener) {
  StartServer();
  const uint16_t port = server_->port();
  RawClient idle(port);
  ASSERT_TRUE(idle.connected());
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  const auto start = std::chrono::steady_clock::now();
  server_->Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(1));
  EXPECT_EQ(server_->port(), 0);
  bool timed_out = true;
  EXPECT_EQ(idle.ReadToEof(std::chrono::seconds(2), &timed_out), "");
  EXPECT_FALSE(timed_out);
  RawClient after(port);
  EXPECT_FALSE(after.connected());
  server_->Stop();  // idempotent
  // And it can start again.
  ASSERT_TRUE(server_->Start("127.0.0.1:0").ok());
  EXPECT_EQ(Exchange(server_->port(), "GET /ready HTTP/1.1\r\n\r\n"),
            Wire("HTTP/1.1 200 OK", "LIVE\n"));
}

TEST_F(HttpServerTest, HandlerThatThrowsGets500) {
  StartServer();
  server_->Handle("GET", "/boom",
                  [](const HttpRequest&) -> HttpResponse { throw std::runtime_error("boom"); });
  EXPECT_EQ(Exchange(server_->port(), "GET /boom HTTP/1.1\r\n\r\n"),
            Wire("HTTP/1.1 500 Internal Server Error", "handler failed: boom\n"));
  // The server goes on serving.
  EXPECT_EQ(Exchange(server_->port(), "GET /ready HTTP/1.1\r\n\r\n"),
            Wire("HTTP/1.1 200 OK", "LIVE\n"));
}

TEST(HttpServer, AddressErrorsNameTheServerAndAddress) {
  HttpServer server({.name = "admin"});
  absl::Status s = server.Start("127.0.0.1");
  EXPECT_EQ(s.message(), "admin address \"127.0.0.1\": expected host:port");
  s = server.Start("127.0.0.1:70000");
  EXPECT_EQ(s.message(),
            "admin address \"127.0.0.1:70000\": port \"70000\" is not a number from 0 to 65535");
  s = server.Start("example.com:19000");
  EXPECT_EQ(s.message(),
            "admin address \"example.com:19000\": host \"example.com\" is not an IP address");
  s = server.Start("::1:19000");
  EXPECT_EQ(s.message(),
            "admin address \"::1:19000\": an IPv6 host must be in brackets: [::1]:19000");

  HttpServer first({.name = "metrics"});
  ASSERT_TRUE(first.Start("127.0.0.1:0").ok());
  const std::string taken = absl::StrCat("127.0.0.1:", first.port());
  s = server.Start(taken);
  EXPECT_EQ(s.message(),
            absl::StrCat("admin address \"", taken, "\": bind: Address already in use"));
  EXPECT_EQ(first.Start("127.0.0.1:0").message(), "metrics server: already started");
}

TEST(ParseHttpAddress, Forms) {
  absl::StatusOr<HttpAddress> a = ParseHttpAddress("localhost:19000");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->host, "127.0.0.1");
  EXPECT_EQ(a->port, 19000);
  a = ParseHttpAddress("[::1]:0");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->host, "::1");
  EXPECT_EQ(a->port, 0);
  EXPECT_EQ(ParseHttpAddress(":80").status().message(),
            "address \":80\": empty host (use 0.0.0.0 for every interface)");
}

// Runs a command and returns its standard output; fails the test if it exits non-zero.
std::string RunCommand(const std::string& command) {
  FILE* p = popen(command.c_str(), "r");
  EXPECT_NE(p, nullptr) << command;
  if (!p) return "";
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), p)) > 0) out.append(buf, n);
  const int status = pclose(p);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
      << command << " exited with status " << status << ", output: " << out;
  return out;
}

TEST_F(HttpServerTest, CurlGetAndPost) {
  // curl is a declared test dependency: its absence is a failure, not a skip.
  ASSERT_EQ(system("command -v curl >/dev/null 2>&1"), 0)
      << "curl is not installed: install it (third_party/packages.tsv)";
  StartServer();
  const std::string base = absl::StrCat("http://127.0.0.1:", server_->port());
  EXPECT_EQ(RunCommand(absl::StrCat("curl -sS --max-time 5 -A curl-test '", base,
                                    "/echo?resource=dynamic_listeners&mask=a%2Cb'")),
            "GET /echo [resource=dynamic_listeners;mask=a,b] ua=curl-test body=");
  EXPECT_EQ(RunCommand(absl::StrCat("curl -sS --max-time 5 -A c --data-binary 'x=1&y=2' '", base,
                                    "/echo'")),
            "POST /echo [] ua=c body=x=1&y=2");
  // A body large enough for curl to send "Expect: 100-continue".
  EXPECT_EQ(RunCommand(absl::StrCat("head -c 200000 /dev/zero | tr '\\0' z | curl -sS "
                                    "--max-time 5 -A c --data-binary @- '",
                                    base, "/echo' | wc -c")),
            absl::StrCat(std::string("POST /echo [] ua=c body=").size() + 200000, "\n"));
  EXPECT_EQ(RunCommand(absl::StrCat("curl -sS --max-time 5 -o /dev/null -w '%{http_code}' '", base,
                                    "/missing'")),
            "404");
  EXPECT_EQ(RunCommand(absl::StrCat("curl -sS --max-time 5 -X POST -o /dev/null -w "
                                    "'%{http_code}' '",
                                    base, "/ready'")),
            "405");
}

}  // namespace
}  // namespace meshgw::admin
