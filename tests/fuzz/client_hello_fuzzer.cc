// libFuzzer target for the gateway's ClientHello parser. The input is fed whole, then again cut
// into pieces whose sizes come from the input's own bytes; under ASan/UBSan nothing may crash or
// read out of bounds, and:
//   - the outcome (state, reason, SNI, ALPN, versions) does not depend on how the bytes arrive;
//   - a parser never takes more than it is given, and once done, `consumed()` is exactly the
//     prefix of the input it took (what would be replayed upstream);
//   - bytes_wanted() is non-zero exactly while more data is needed;
//   - a done hello's SNI passes the DNS name rules and is lower case, and routing it through a
//     small mesh-gateway table works.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "gateway/route/sni_route_table.h"
#include "gateway/tls/client_hello.h"

namespace meshgw::gateway::tls {
namespace {

[[noreturn]] void Fail(const char* what) {
  std::fprintf(stderr, "invariant broken: %s\n", what);
  std::abort();
}

struct Outcome {
  HelloParseState state;
  HelloError error;
  size_t consumed;
  std::string sni;
  std::string alpn;
  uint16_t max_version;
};

Outcome Summarize(const ClientHelloParser& p, size_t consumed) {
  Outcome o{p.state(), p.error(), consumed, "", "", 0};
  if (p.state() == HelloParseState::kDone) {
    o.sni = std::string(p.hello().server_name());
    for (std::string_view a : p.hello().alpn()) o.alpn.append(a).push_back('\0');
    o.max_version = p.hello().max_version();
  }
  return o;
}

void Check(const ClientHelloParser& p, const uint8_t* data, size_t taken) {
  if ((p.bytes_wanted() > 0) != (p.state() == HelloParseState::kNeedMoreData)) {
    Fail("bytes_wanted disagrees with the state");
  }
  if (p.state() != HelloParseState::kDone) return;
  auto c = p.consumed();
  if (c.size() != taken || std::string_view(reinterpret_cast<const char*>(c.data()), c.size()) !=
                               std::string_view(reinterpret_cast<const char*>(data), taken)) {
    Fail("consumed() is not the prefix taken");
  }
  std::string_view sni = p.hello().server_name();
  if (!sni.empty() && !IsValidHostName(sni)) Fail("invalid SNI accepted");
  for (char ch : sni) {
    if (ch >= 'A' && ch <= 'Z') Fail("SNI not lower-cased");
  }
}

const route::SniRouteTable& Table() {
  static const auto* table =
      new std::shared_ptr<const route::SniRouteTable>(*route::SniRouteTable::Build({
          {.name = "exported", .server_names = {"api.default.default.p.external.td.consul"}},
          {.name = "remote", .server_names = {"*.dc2.internal.td.consul"}},
          {.name = "h2 only", .server_names = {"*.consul"}, .application_protocols = {"h2"}},
          {.name = "sni_cluster"},
      }));
  return **table;
}

}  // namespace
}  // namespace meshgw::gateway::tls

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace meshgw::gateway::tls;
  const ClientHelloParser::Limits limits{.max_hello_size = 16 * 1024, .initial_buffer_size = 64};

  ClientHelloParser whole(limits);
  auto r = whole.Feed(absl::MakeConstSpan(data, size));
  if (r.consumed > size) Fail("took more than given");
  Check(whole, data, r.consumed);
  const Outcome a = Summarize(whole, r.consumed);

  // Piece sizes: 1..8 bytes, cycling over the input's bytes.
  ClientHelloParser pieces(limits);
  size_t off = 0, taken = 0;
  for (size_t k = 0; off < size && pieces.state() == HelloParseState::kNeedMoreData; ++k) {
    size_t n = std::min<size_t>(size - off, 1 + data[k % size] % 8);
    auto fr = pieces.Feed(absl::MakeConstSpan(data + off, n));
    if (fr.consumed > n) Fail("took more than given");
    if (fr.state == HelloParseState::kNeedMoreData && fr.consumed != n) Fail("stopped early");
    taken += fr.consumed;
    off += n;
  }
  Check(pieces, data, taken);
  const Outcome b = Summarize(pieces, taken);
  if (a.state != b.state || a.error != b.error || a.sni != b.sni || a.alpn != b.alpn ||
      a.max_version != b.max_version) {
    Fail("outcome depends on how the bytes arrive");
  }
  if (a.state == HelloParseState::kDone && a.consumed != b.consumed) Fail("consumed differs");
  if ((a.state == HelloParseState::kDone) != whole.status().ok()) Fail("status disagrees");

  if (a.state == HelloParseState::kDone) {
    std::string_view alpn[8];
    size_t n = 0;
    for (std::string_view p : whole.hello().alpn()) {
      if (n < 8) alpn[n++] = p;
    }
    (void)Table().Lookup(whole.hello().server_name(), absl::MakeConstSpan(alpn, n));
  }
  return 0;
}
