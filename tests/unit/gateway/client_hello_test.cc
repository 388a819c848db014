// ClientHelloParser: real hellos recorded at test time from `openssl s_client` and `curl` (fed
// whole, byte by byte, cut at every offset, re-framed into many records), and a malformed corpus
// where each input fails with its exact reason.
#include "gateway/tls/client_hello.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <new>
#include <set>
#include <string>
#include <vector>

#include "gateway/tls/testing/client_hello_builder.h"
#include "gtest/gtest.h"
#include "tests/unit/gateway/testing/count_allocations.h"

namespace meshgw::gateway::tls {
namespace {

using testing::BuildClientHello;
using testing::FrameRecords;
using testing::HelloSpec;

std::string AsString(absl::Span<const uint8_t> s) {
  return std::string(reinterpret_cast<const char*>(s.data()), s.size());
}

std::vector<std::string> Alpn(const ClientHello& h) {
  std::vector<std::string> out;
  for (std::string_view p : h.alpn()) out.emplace_back(p);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Recording real hellos: a loopback listener on 127.0.0.1:0; the client connects, sends its
// ClientHello and waits for a ServerHello that never comes, so everything that arrives before a
// quiet period is exactly the hello (the framing is not taken from the parser under test).

std::string FindInPath(const std::string& tool) {
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/bin:/bin";
  size_t start = 0;
  while (start <= dirs.size()) {
    size_t end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    std::string candidate = dirs.substr(start, end - start) + "/" + tool;
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
    start = end + 1;
  }
  return "";
}

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Record runs `argv` (each "{port}" replaced by the listener's port) and returns the bytes it sent.
std::string Record(std::vector<std::string> argv) {
  std::string tool = FindInPath(argv[0]);
  if (tool.empty()) {
    ADD_FAILURE() << argv[0] << " is not installed: the recorded-hello tests need it";
    return "";
  }
  int lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  if (lfd < 0 || bind(lfd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      listen(lfd, 4) != 0 || getsockname(lfd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ADD_FAILURE() << "cannot listen on 127.0.0.1:0";
    if (lfd >= 0) close(lfd);
    return "";
  }
  const std::string port = std::to_string(ntohs(addr.sin_port));
  for (std::string& a : argv) {
    for (size_t at; (at = a.find("{port}")) != std::string::npos;) a.replace(at, 6, port);
  }
  std::vector<char*> cargv;
  for (std::string& a : argv) cargv.push_back(a.data());
  cargv.push_back(nullptr);

  pid_t pid = fork();
  if (pid == 0) {
    int devnull = open("/dev/null", O_RDWR);
    dup2(devnull, 0);
    dup2(devnull, 1);
    dup2(devnull, 2);
    execv(tool.c_str(), cargv.data());
    _exit(127);
  }
  std::string got;
  pollfd pl{lfd, POLLIN, 0};
  if (poll(&pl, 1, 10000) == 1) {
    int cfd = accept4(lfd, nullptr, nullptr, SOCK_CLOEXEC);
    // Up to 10 s for the first byte, then read until 300 ms pass in silence (bounded: 64 KiB).
    const int64_t deadline = NowMs() + 10000;
    while (cfd >= 0 && got.size() < 65536) {
      pollfd pc{cfd, POLLIN, 0};
      int wait = got.empty() ? static_cast<int>(std::max<int64_t>(0, deadline - NowMs())) : 300;
      if (poll(&pc, 1, wait) != 1) break;
      char buf[4096];
      ssize_t n = read(cfd, buf, sizeof(buf));
      if (n <= 0) break;
      got.append(buf, static_cast<size_t>(n));
    }
    if (cfd >= 0) close(cfd);
  }
  close(lfd);
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  if (got.empty()) ADD_FAILURE() << argv[0] << " sent nothing to 127.0.0.1:" << port;
  return got;
}

struct RecordedCase {
  std::string name;
  std::vector<std::string> argv;
  std::string sni;
  std::vector<std::string> alpn;
  uint16_t max_version;
};

const char kHost[] = "web.default.dc1.internal.11111111-2222-3333-4444-555555555555.consul";
const char kPeered[] =
    "Private-API.default.default.gcp-dc1-default.external.11111111-2222-3333-4444-555555555555."
    "consul";

std::vector<RecordedCase> Cases() {
  const std::string resolve = std::string(kHost) + ":{port}:127.0.0.1";
  const std::string url = std::string("https://") + kHost + ":{port}/";
  std::string peered_lower = kPeered;
  for (char& c : peered_lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return {
      {"openssl_tls13_sni_alpn",
       {"openssl", "s_client", "-connect", "127.0.0.1:{port}", "-tls1_3", "-servername", kHost,
        "-alpn", "h2,http/1.1"},
       kHost,
       {"h2", "http/1.1"},
       kTls13},
      {"openssl_tls13_bare",
       {"openssl", "s_client", "-connect", "127.0.0.1:{port}", "-tls1_3", "-noservername"},
       "",
       {},
       kTls13},
      {"openssl_tls12_sni_alpn_mixed_case",
       {"openssl", "s_client", "-connect", "127.0.0.1:{port}", "-tls1_2", "-servername", kPeered,
        "-alpn", "http/1.1"},
       peered_lower,
       {"http/1.1"},
       kTls12},
      {"openssl_tls12_bare",
       {"openssl", "s_client", "-connect", "127.0.0.1:{port}", "-tls1_2", "-noservername"},
       "",
       {},
       kTls12},
      {"curl_default",
       {"curl", "-sk", "--noproxy", "*", "--max-time", "5", "--resolve", resolve, url},
       kHost,
       {"h2", "http/1.1"},
       kTls13},
      {"curl_tls12_http11",
       {"curl", "-sk", "--noproxy", "*", "--max-time", "5", "--tlsv1.2", "--tls-max", "1.2",
        "--http1.1", "--resolve", resolve, url},
       kHost,
       {"http/1.1"},
       kTls12},
      {"curl_ip_no_alpn",
       {"curl", "-sk", "--noproxy", "*", "--max-time", "5", "--no-alpn",
        "https://127.0.0.1:{port}/"},
       "",
       {},
       kTls13},
  };
}

void ExpectHello(const ClientHelloParser& p, const RecordedCase& c, const std::string& wire) {
  ASSERT_EQ(p.state(), HelloParseState::kDone) << c.name << ": " << p.status();
  EXPECT_TRUE(p.status().ok());
  EXPECT_EQ(p.hello().server_name(), c.sni) << c.name;
  EXPECT_EQ(p.hello().has_server_name(), !c.sni.empty()) << c.name;
  EXPECT_EQ(Alpn(p.hello()), c.alpn) << c.name;
  EXPECT_EQ(p.hello().legacy_version(), kTls12) << c.name;
  EXPECT_EQ(p.hello().max_version(), c.max_version) << c.name;
  EXPECT_EQ(p.hello().supported_versions().empty(), c.max_version < kTls13) << c.name;
  EXPECT_EQ(AsString(p.consumed()), wire) << c.name;
  EXPECT_EQ(p.bytes_wanted(), 0u);
}

class RecordedHelloTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    recordings_ = new std::vector<std::pair<RecordedCase, std::string>>();
    for (RecordedCase& c : Cases()) {
      std::string wire = Record(c.argv);
      recordings_->emplace_back(std::move(c), std::move(wire));
    }
  }
  static void TearDownTestSuite() { delete recordings_; }
  static std::vector<std::pair<RecordedCase, std::string>>* recordings_;
};
std::vector<std::pair<RecordedCase, std::string>>* RecordedHelloTest::recordings_ = nullptr;

TEST_F(RecordedHelloTest, ToolsAreInstalledAndSentHellos) {
  for (const auto& [c, wire] : *recordings_) {
    EXPECT_GE(wire.size(), 100u) << c.name;
    EXPECT_EQ(wire[0], '\x16') << c.name;
  }
}

TEST_F(RecordedHelloTest, Whole) {
  for (const auto& [c, wire] : *recordings_) {
    ClientHelloParser p;
    auto r = p.Feed(wire);
    EXPECT_EQ(r.consumed, wire.size()) << c.name;
    ExpectHello(p, c, wire);
    // One exact-size allocation for a one-record hello.
    EXPECT_EQ(p.buffer_capacity(), std::max<size_t>(512, wire.size())) << c.name;
    const long before = allocations.load();
    {
      ClientHelloParser q;
      q.Feed(wire);
      ASSERT_EQ(q.state(), HelloParseState::kDone);
    }
    EXPECT_EQ(allocations.load() - before, 1) << c.name << ": only the buffer";
  }
}

TEST_F(RecordedHelloTest, StopsAtTheEndOfTheHello) {
  for (const auto& [c, wire] : *recordings_) {
    ClientHelloParser p;
    // A TLS 1.3 client may follow its hello with change_cipher_spec and early data.
    auto r = p.Feed(wire + std::string("\x14\x03\x03\x00\x01\x01", 6) + "early");
    EXPECT_EQ(r.state, HelloParseState::kDone) << c.name;
    EXPECT_EQ(r.consumed, wire.size()) << c.name;
    ExpectHello(p, c, wire);
    EXPECT_EQ(p.Feed("more").consumed, 0u);
  }
}

TEST_F(RecordedHelloTest, ByteByByte) {
  for (const auto& [c, wire] : *recordings_) {
    ClientHelloParser p;
    for (size_t i = 0; i < wire.size(); ++i) {
      ASSERT_EQ(p.state(), HelloParseState::kNeedMoreData) << c.name << " at " << i;
      ASSERT_GT(p.bytes_wanted(), 0u);
      auto r = p.Feed(std::string_view(wire).substr(i, 1));
      ASSERT_EQ(r.consumed, 1u);
      if (i + 1 < wire.size()) {
        ASSERT_EQ(r.state, HelloParseState::kNeedMoreData);
      }
      if (i < 4) {
        EXPECT_EQ(p.buffer_capacity(), 0u) << "no buffer before a record header";
      }
    }
    ExpectHello(p, c, wire);
  }
}

TEST_F(RecordedHelloTest, CutAtEveryOffset) {
  for (const auto& [c, wire] : *recordings_) {
    for (size_t cut = 0; cut <= wire.size(); ++cut) {
      ClientHelloParser p;
      auto a = p.Feed(std::string_view(wire).substr(0, cut));
      ASSERT_EQ(a.consumed, cut);
      if (cut < wire.size()) {
        ASSERT_EQ(a.state, HelloParseState::kNeedMoreData) << c.name << " cut " << cut;
        auto b = p.Feed(std::string_view(wire).substr(cut));
        ASSERT_EQ(b.consumed, wire.size() - cut);
      }
      ExpectHello(p, c, wire);
    }
  }
}

TEST_F(RecordedHelloTest, ReframedIntoManyRecords) {
  for (const auto& [c, wire] : *recordings_) {
    ASSERT_GE(wire.size(), 5u);
    const std::string message = wire.substr(5);  // the recordings are one record each
    ASSERT_EQ(
        static_cast<size_t>(static_cast<uint8_t>(wire[3]) << 8 | static_cast<uint8_t>(wire[4])),
        message.size());
    for (size_t record_size : {1, 2, 3, 4, 5, 7, 64, 100, 256, 511}) {
      const std::string framed = FrameRecords(message, record_size);
      ClientHelloParser whole;
      whole.Feed(framed);
      ExpectHello(whole, c, framed);
      ClientHelloParser bytewise;
      for (size_t i = 0; i < framed.size(); ++i)
        bytewise.Feed(std::string_view(framed).substr(i, 1));
      ExpectHello(bytewise, c, framed);
      EXPECT_LE(bytewise.buffer_capacity(), 2 * 16384u);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Malformed corpus.

struct Outcome {
  HelloParseState state;
  HelloError error;
};

Outcome Parse(std::string_view wire, ClientHelloParser::Limits limits = {}) {
  ClientHelloParser p(limits);
  p.Feed(wire);
  return {p.state(), p.error()};
}

void ExpectError(std::string_view wire, HelloError want, const std::string& what,
                 ClientHelloParser::Limits limits = {}) {
  // Whole and byte by byte: the reason may not depend on how the bytes arrive.
  ClientHelloParser whole(limits);
  whole.Feed(wire);
  EXPECT_EQ(whole.state(), HelloParseState::kError) << what;
  EXPECT_EQ(HelloErrorName(whole.error()), HelloErrorName(want)) << what << ": " << whole.status();
  ClientHelloParser bytewise(limits);
  for (size_t i = 0; i < wire.size() && bytewise.state() == HelloParseState::kNeedMoreData; ++i) {
    bytewise.Feed(wire.substr(i, 1));
  }
  EXPECT_EQ(HelloErrorName(bytewise.error()), HelloErrorName(want)) << what << " (byte by byte)";
}

HelloSpec FullSpec() {
  HelloSpec s;
  s.server_name = "api.default.default.dc2-peer.external.td.consul";
  s.alpn = {"h2", "http/1.1"};
  s.supported_versions = {0x0304, 0x0303};
  s.extra_extensions.push_back({10, std::string("\x00\x02\x00\x1d", 4)});
  return s;
}

std::string WithLengths(std::string message) {
  const size_t body = message.size() - 4;
  message[1] = static_cast<char>(body >> 16);
  message[2] = static_cast<char>(body >> 8);
  message[3] = static_cast<char>(body);
  return FrameRecords(message);
}

TEST(ClientHelloMalformed, BuilderHelloParses) {
  ClientHelloParser p;
  p.Feed(FrameRecords(BuildClientHello(FullSpec()).message));
  ASSERT_EQ(p.state(), HelloParseState::kDone) << p.status();
  EXPECT_EQ(p.hello().server_name(), "api.default.default.dc2-peer.external.td.consul");
  EXPECT_EQ(Alpn(p.hello()), (std::vector<std::string>{"h2", "http/1.1"}));
  EXPECT_EQ(p.hello().max_version(), kTls13);
}

// The message cut at every length, with the handshake and record lengths telling the truth: the
// reason names the field the cut falls in.
TEST(ClientHelloMalformed, TruncatedAtEveryLength) {
  const auto layout = BuildClientHello(FullSpec());
  for (size_t n = 4; n < layout.message.size(); ++n) {
    const std::string wire = WithLengths(layout.message.substr(0, n));
    HelloError want;
    if (n < 4 + 2 + 32) {
      want = HelloError::kTruncatedHello;
    } else if (n < layout.suites_at) {
      want = HelloError::kBadSessionId;
    } else if (n < layout.compression_at) {
      want = HelloError::kBadCipherSuites;
    } else if (n < layout.extensions_at) {
      want = HelloError::kBadCompressionMethods;
    } else if (n == layout.extensions_at) {
      EXPECT_EQ(Parse(wire).state, HelloParseState::kDone) << "no extensions block is legal";
      continue;
    } else {
      want = HelloError::kBadExtensionsLength;
    }
    ExpectError(wire, want, "cut at " + std::to_string(n));
  }
}

// Cut inside the extensions with the extensions block length also telling the truth: a cut on an
// extension boundary is a valid hello, any other a truncated extension.
TEST(ClientHelloMalformed, TruncatedExtensionAtEveryLength) {
  const auto layout = BuildClientHello(FullSpec());
  const std::string& m = layout.message;
  std::set<size_t> boundaries;
  for (size_t p = layout.extensions_at + 2; p <= m.size();) {
    boundaries.insert(p);
    if (p + 4 > m.size()) break;
    p += 4 + (static_cast<uint8_t>(m[p + 2]) << 8 | static_cast<uint8_t>(m[p + 3]));
  }
  ASSERT_EQ(boundaries.size(), 5u);  // before each of the 4 extensions, and the end
  for (size_t n = layout.extensions_at + 2; n < m.size(); ++n) {
    std::string cut = m.substr(0, n);
    const size_t ext_len = n - layout.extensions_at - 2;
    cut[layout.extensions_at] = static_cast<char>(ext_len >> 8);
    cut[layout.extensions_at + 1] = static_cast<char>(ext_len);
    const std::string wire = WithLengths(cut);
    if (boundaries.count(n)) {
      EXPECT_EQ(Parse(wire).state, HelloParseState::kDone) << n;
    } else {
      Outcome o = Parse(wire);
      // A cut inside the server_name, ALPN or supported_versions body leaves that extension
      // shorter than announced: still a truncated extension, since its header says more.
      EXPECT_EQ(HelloErrorName(o.error), HelloErrorName(HelloError::kTruncatedExtension)) << n;
    }
  }
}

TEST(ClientHelloMalformed, RecordLayer) {
  const std::string good = FrameRecords(BuildClientHello(FullSpec()).message);
  auto with = [&](size_t at, char c) {
    std::string w = good;
    w[at] = c;
    return w;
  };
  ExpectError("GET / HTTP/1.1\r\nHost: x\r\n\r\n", HelloError::kNotTls, "http");
  ExpectError(with(0, '\x17'), HelloError::kUnexpectedRecordType, "application data");
  ExpectError(with(0, '\x15'), HelloError::kUnexpectedRecordType, "alert");
  ExpectError(with(0, '\x14'), HelloError::kUnexpectedRecordType, "change cipher spec");
  ExpectError(with(0, '\x00'), HelloError::kNotTls, "type 0");
  ExpectError(
      std::string("\x80\x2e\x01\x03\x01\x00\x15\x00\x00\x00\x10", 11) + std::string(37, 'x'),
      HelloError::kSslV2Hello, "sslv2");
  ExpectError(std::string("\x80\x2e\x05\x03\x01\x00", 6), HelloError::kNotTls, "high bit garbage");
  ExpectError(with(1, '\x02'), HelloError::kBadRecordVersion, "record version 2.x");
  ExpectError(with(1, '\x04'), HelloError::kBadRecordVersion, "record version 4.x");
  std::string zero = good;
  zero[3] = zero[4] = 0;
  ExpectError(zero, HelloError::kBadRecordLength, "record length 0");
  std::string huge = good;
  huge[3] = '\x40';
  huge[4] = '\x01';
  ExpectError(huge, HelloError::kBadRecordLength, "record length 2^14+1");
  ExpectError(with(5, '\x02'), HelloError::kNotClientHello, "server hello");
}

TEST(ClientHelloMalformed, HandshakeAndRecordLengthsDisagree) {
  const std::string m = BuildClientHello(FullSpec()).message;
  // The record holds more than the message: bytes after the hello in its record.
  ExpectError(FrameRecords(m + "x"), HelloError::kTrailingData, "record longer than the hello");
  // The message claims one byte more than its record: the parser waits for the next record...
  std::string claims_more = m;
  claims_more[3] = static_cast<char>(static_cast<uint8_t>(claims_more[3]) + 1);
  std::string wire = FrameRecords(claims_more);
  EXPECT_EQ(Parse(wire).state, HelloParseState::kNeedMoreData);
  // ...which must be a handshake record...
  ExpectError(wire + std::string("\x17\x03\x03\x00\x01x", 6), HelloError::kUnexpectedRecordType,
              "interleaved application data");
  // ...no longer than what is missing.
  ExpectError(wire + std::string("\x16\x03\x03\x00\x02xy", 7), HelloError::kTrailingData,
              "second record overruns the hello");
  ClientHelloParser p;
  p.Feed(wire + std::string("\x16\x03\x03\x00\x01x", 6));
  // Complete, but the extensions block no longer spans the message to its end.
  EXPECT_EQ(p.error(), HelloError::kBadExtensionsLength);
}

TEST(ClientHelloMalformed, FixedFields) {
  const auto layout = BuildClientHello(FullSpec());
  auto with = [&](size_t at, std::string_view bytes) {
    std::string m = layout.message;
    m.replace(at, bytes.size(), bytes);
    return FrameRecords(m);
  };
  ExpectError(with(4, "\x02\x00"), HelloError::kBadLegacyVersion, "legacy version 2.0");
  ExpectError(with(layout.session_id_at, "\x21"), HelloError::kBadSessionId, "session id 33");
  HelloSpec odd = FullSpec();
  odd.cipher_suites.clear();
  auto no_suites = BuildClientHello(odd);
  ExpectError(FrameRecords(no_suites.message), HelloError::kBadCipherSuites, "no cipher suites");
  std::string odd_suites = layout.message;
  odd_suites[layout.suites_at + 1] = static_cast<char>(odd_suites[layout.suites_at + 1] - 1);
  ExpectError(WithLengths(odd_suites), HelloError::kBadCipherSuites, "odd cipher suites");
  HelloSpec no_comp = FullSpec();
  no_comp.compression_methods.clear();
  ExpectError(FrameRecords(BuildClientHello(no_comp).message), HelloError::kBadCompressionMethods,
              "no compression methods");
  for (int delta : {-1, 1}) {
    std::string m = layout.message;
    m[layout.extensions_at + 1] = static_cast<char>(m[layout.extensions_at + 1] + delta);
    ExpectError(FrameRecords(m), HelloError::kBadExtensionsLength,
                "extensions length " + std::to_string(delta));
  }
  // An extension claiming more than the block holds.
  HelloSpec s = FullSpec();
  s.extra_extensions.push_back({0xff01, "x"});
  std::string m = BuildClientHello(s).message;
  m[m.size() - 2] = 2;  // renegotiation_info length 1 -> 2
  ExpectError(FrameRecords(m), HelloError::kTruncatedExtension, "extension overruns");
}

TEST(ClientHelloMalformed, Extensions) {
  auto spec_with = [](std::vector<std::pair<uint16_t, std::string>> extra) {
    HelloSpec s;
    s.extra_extensions = std::move(extra);
    return FrameRecords(BuildClientHello(s).message);
  };
  using testing::AlpnBody;
  using testing::ServerNameBody;
  using testing::SupportedVersionsBody;
  ExpectError(spec_with({{0, ServerNameBody("a.td")}, {0, ServerNameBody("b.td")}}),
              HelloError::kDuplicateExtension, "two SNI extensions");
  ExpectError(spec_with({{16, AlpnBody({"h2"})}, {16, AlpnBody({"h2"})}}),
              HelloError::kDuplicateExtension, "two ALPN extensions");
  ExpectError(
      spec_with({{43, SupportedVersionsBody({kTls13})}, {43, SupportedVersionsBody({kTls13})}}),
      HelloError::kDuplicateExtension, "two supported_versions");
  // Two host_name entries in one list.
  std::string two_hosts = std::string("\x00\x0e", 2) +
                          std::string(
                              "\x00\x00\x04"
                              "a.td",
                              7) +
                          std::string(
                              "\x00\x00\x04"
                              "b.td",
                              7);
  ExpectError(spec_with({{0, two_hosts}}), HelloError::kDuplicateServerName, "two host names");
  ExpectError(spec_with({{0, ""}}), HelloError::kBadServerName, "empty SNI body");
  ExpectError(spec_with({{0, std::string("\x00\x00", 2)}}), HelloError::kBadServerName,
              "empty SNI list");
  std::string short_list = ServerNameBody("a.td");
  short_list[1] = static_cast<char>(short_list[1] - 1);
  ExpectError(spec_with({{0, short_list}}), HelloError::kBadServerName, "SNI list length");
  std::string long_name = ServerNameBody("a.td");
  long_name[4] = static_cast<char>(long_name[4] + 1);
  ExpectError(spec_with({{0, long_name}}), HelloError::kBadServerName, "host name length");
  for (const char* bad : {"exa mple.td", "a..b", "trailing.dot.", ".lead", "-x.td", "x-.td",
                          "10.0.0.1", "[::1]", "a.td:8443", "caf\xc3\xa9.td", "a/b.td"}) {
    ExpectError(spec_with({{0, ServerNameBody(bad)}}), HelloError::kInvalidServerName, bad);
  }
  ExpectError(spec_with({{0, ServerNameBody(std::string(64, 'a') + ".td")}}),
              HelloError::kInvalidServerName, "64-byte label");
  std::string name253;
  while (name253.size() < 253) name253 += name253.empty() ? "a" : ".a";
  ASSERT_EQ(name253.size(), 253u);
  EXPECT_EQ(Parse(spec_with({{0, ServerNameBody(name253)}})).state, HelloParseState::kDone);
  ExpectError(spec_with({{0, ServerNameBody(name253 + "b")}}), HelloError::kInvalidServerName,
              "254 bytes");
  ExpectError(spec_with({{16, std::string("\x00\x00", 2)}}), HelloError::kBadAlpn, "empty list");
  ExpectError(spec_with({{16, std::string("\x00\x04\x02h2", 5)}}), HelloError::kBadAlpn,
              "list length");
  ExpectError(spec_with({{16, std::string("\x00\x04\x02h2\x00", 6)}}), HelloError::kBadAlpn,
              "empty protocol");
  ExpectError(spec_with({{16, std::string("\x00\x03\x03h2", 5)}}), HelloError::kBadAlpn,
              "protocol overruns list");
  ExpectError(spec_with({{43, std::string("\x03\x03\x04\x03", 4)}}),
              HelloError::kBadSupportedVersions, "odd list");
  ExpectError(spec_with({{43, std::string("\x00", 1)}}), HelloError::kBadSupportedVersions,
              "empty list");
  ExpectError(spec_with({{43, std::string("\x04\x03\x04", 3)}}), HelloError::kBadSupportedVersions,
              "list overruns");
}

TEST(ClientHelloParse, HostNameIsLowerCasedAndOtherNameTypesSkipped) {
  HelloSpec s;
  std::string body = std::string("\x00\x13", 2) + std::string("\x01\x00\x03xyz", 6) +
                     std::string("\x00\x00\x0aWeb.A_b.TD", 13);
  s.extra_extensions = {{0, body}};
  ClientHelloParser p;
  p.Feed(FrameRecords(BuildClientHello(s).message));
  ASSERT_EQ(p.state(), HelloParseState::kDone) << p.status();
  EXPECT_EQ(p.hello().server_name(), "web.a_b.td");
}

TEST(ClientHelloParse, VersionsIgnoreGreaseAndOldHellos) {
  HelloSpec s;
  s.supported_versions = {0x2a2a, kTls13, kTls12};
  ClientHelloParser p;
  p.Feed(FrameRecords(BuildClientHello(s).message));
  ASSERT_EQ(p.state(), HelloParseState::kDone);
  EXPECT_EQ(p.hello().max_version(), kTls13);
  EXPECT_EQ(p.hello().supported_versions().size(), 3u);
  EXPECT_EQ(p.hello().supported_versions()[0], 0x2a2a);

  HelloSpec old;
  old.legacy_version = kTls10;
  old.omit_extensions = true;
  ClientHelloParser q;
  q.Feed(FrameRecords(BuildClientHello(old).message, 16384, 0x0300));
  ASSERT_EQ(q.state(), HelloParseState::kDone) << q.status();
  EXPECT_EQ(q.hello().max_version(), kTls10);
  EXPECT_FALSE(q.hello().has_server_name());
  EXPECT_FALSE(q.hello().has_alpn());
}

TEST(ClientHelloLimits, Oversize) {
  // The handshake header announces 20,000 bytes: rejected after 9 bytes, with no big buffer.
  ClientHelloParser p;
  auto r = p.Feed(std::string("\x16\x03\x01\x01\x00\x01\x00\x4e\x20", 9) + std::string(300, 'x'));
  EXPECT_EQ(r.state, HelloParseState::kError);
  EXPECT_EQ(r.consumed, 9u);
  EXPECT_EQ(p.error(), HelloError::kHelloTooLarge);
  EXPECT_EQ(p.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(p.buffer_capacity(), 512u);
  // A full-size record cannot fit a 16 KiB limit with its header: rejected on the header alone.
  ClientHelloParser q;
  r = q.Feed(std::string("\x16\x03\x01\x40\x00\x01", 6));
  EXPECT_EQ(r.consumed, 5u);
  EXPECT_EQ(q.error(), HelloError::kHelloTooLarge);
  EXPECT_EQ(q.buffer_capacity(), 0u);

  // A real 17 KiB hello in two records: too large by default, fine under a larger limit.
  HelloSpec big = FullSpec();
  big.extra_extensions.push_back({21, std::string(17000, '\0')});
  const std::string wire = FrameRecords(BuildClientHello(big).message);
  ExpectError(wire, HelloError::kHelloTooLarge, "17 KiB hello");
  ClientHelloParser roomy(ClientHelloParser::Limits{.max_hello_size = 32768});
  roomy.Feed(wire);
  EXPECT_EQ(roomy.state(), HelloParseState::kDone) << roomy.status();
  EXPECT_LE(roomy.buffer_capacity(), 2 * 32768u);

  // The limit counts wire bytes, record headers included.
  const std::string one = testing::BrowserLikeHello("a.td");
  EXPECT_EQ(Parse(one, {.max_hello_size = one.size()}).state, HelloParseState::kDone);
  ExpectError(one, HelloError::kHelloTooLarge, "one byte over", {.max_hello_size = one.size() - 1});
  const std::string tiny_records = FrameRecords(one.substr(5), 1);
  ExpectError(tiny_records, HelloError::kHelloTooLarge, "1-byte records",
              {.max_hello_size = tiny_records.size() - 1});
  EXPECT_EQ(Parse(tiny_records, {.max_hello_size = tiny_records.size()}).state,
            HelloParseState::kDone);
}

TEST(ClientHelloApi, StatusAndNames) {
  std::set<std::string_view> names;
  for (size_t e = 0; e < kHelloErrorCount; ++e) {
    std::string_view name = HelloErrorName(static_cast<HelloError>(e));
    EXPECT_NE(name, "unknown");
    EXPECT_TRUE(names.insert(name).second) << name;
  }
  ClientHelloParser p;
  EXPECT_EQ(p.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(p.bytes_wanted(), 5u);
  p.Feed("\x16\x03");
  EXPECT_EQ(p.bytes_wanted(), 3u);
  p.Feed(std::string("\x01\x00\x10", 3));
  EXPECT_EQ(p.bytes_wanted(), 16u);

  const auto layout = BuildClientHello(FullSpec());
  std::string m = layout.message;
  m[layout.session_id_at] = 40;
  ClientHelloParser q;
  q.Feed(FrameRecords(m));
  EXPECT_EQ(q.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(q.status().message(), "client hello: bad_session_id at handshake message byte 38");
  ClientHelloParser h;
  h.Feed("GET / HTTP/1.1\r\n");
  EXPECT_EQ(h.status().message(), "client hello: not_tls at byte 0");
}

}  // namespace
}  // namespace meshgw::gateway::tls
