// Incremental TLS ClientHello parser: the gateway's "peek" before routing by SNI.
//
// A connection on the mesh port feeds the bytes it reads into a `ClientHelloParser` until the
// parser answers kDone (route on `hello().server_name()` and ALPN, then replay `consumed()`
// upstream for passthrough, or hand it to the TLS terminator) or kError (close the connection and
// count `HelloErrorName(error())` under "handshake failures by reason").
//
//   ClientHelloParser parser(ClientHelloParser::Limits{.max_hello_size = 16 * 1024});
//   for (;;) {
//     auto [state, used] = parser.Feed(bytes);   // `used` <= bytes.size()
//     if (state == HelloParseState::kDone) break;  // bytes past `used` belong to the next stage
//     if (state == HelloParseState::kError) return parser.status();
//     ... read at most parser.bytes_wanted() more bytes ...
//   }
//
// What it accepts: one ClientHello handshake message carried in one or more TLS handshake records
// (content type 22), cut across reads in any way, ending exactly at a record boundary (nothing
// else may follow it in the same record: in TLS 1.3 a key change follows the hello, and in 1.2 the
// client waits for the server). It consumes only the bytes of those records, never beyond, so the
// caller may read greedily and keep what follows.
//
// Memory: nothing is allocated until the first record header is complete; then the buffer is sized
// to what the record headers announce (at least `initial_buffer_size`), so an idle connection holds
// no buffer and a typical ~0.5 KiB hello one small one. A hello fragmented over several records
// needs a second, contiguous copy of the handshake message (in the same buffer). The buffer never
// exceeds 2 * max_hello_size. No exceptions; nothing else is allocated.
//
// Slow hellos: the parser has no clock. The connection owns the ClientHello timeout (a client that
// sends 3 bytes and stalls stays kNeedMoreData forever here).
//
// Thread-safety: a parser belongs to one connection and needs external synchronization; the views
// it returns stay valid until it is destroyed.
#ifndef MESHGW_GATEWAY_TLS_CLIENT_HELLO_H_
#define MESHGW_GATEWAY_TLS_CLIENT_HELLO_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "absl/status/status.h"
#include "absl/types/span.h"

namespace meshgw::gateway::tls {

// Why a ClientHello was rejected. Each value is counted on its own, so keep them distinct and keep
// `HelloErrorName` (the metric label) stable.
enum class HelloError : uint8_t {
  kNone = 0,
  kNotTls,                 // first byte is no TLS content type (plain HTTP, garbage)
  kSslV2Hello,             // an SSL 2.0-style (0x80 ...) ClientHello
  kUnexpectedRecordType,   // a TLS record, but not handshake (alert, application data, ...)
  kBadRecordVersion,       // record layer version major is not 3
  kBadRecordLength,        // a record of length 0 or over 2^14
  kNotClientHello,         // the first handshake message is not a ClientHello
  kHelloTooLarge,          // hello (record headers included) above Limits::max_hello_size
  kTrailingData,           // the record holding the end of the hello carries more bytes
  kTruncatedHello,         // the message ends inside legacy_version or random
  kBadLegacyVersion,       // legacy_version major is not 3
  kBadSessionId,           // session id longer than 32 bytes or past the end
  kBadCipherSuites,        // cipher suite list empty, odd, or past the end
  kBadCompressionMethods,  // compression methods empty or past the end
  kBadExtensionsLength,    // extensions block length disagrees with the message
  kTruncatedExtension,     // an extension header or body runs past the extensions block
  kDuplicateExtension,     // server_name, ALPN or supported_versions given twice
  kBadServerName,          // server_name extension malformed (lengths, empty list)
  kDuplicateServerName,    // two host_name entries in the server_name list
  kInvalidServerName,      // host_name is not a DNS name (bad characters, empty label, IP...)
  kBadAlpn,                // ALPN extension malformed (lengths, empty list or protocol)
  kBadSupportedVersions,   // supported_versions malformed (lengths, odd, empty)
};
// The number of HelloError values, to size per-reason counter arrays.
inline constexpr size_t kHelloErrorCount =
    static_cast<size_t>(HelloError::kBadSupportedVersions) + 1;

// IsValidHostName reports whether `name` is a DNS name as accepted in SNI host_name: LDH labels
// (plus '_') of 1..63 bytes, at most 253 bytes, no empty label, no hyphen at a label's edge, a last
// label not all digits (no IP literals). IsValidHostName("web.dc1.internal.td") is true;
// IsValidHostName("10.0.0.1") and IsValidHostName("a..b") are false. Case is not checked.
bool IsValidHostName(std::string_view name);

// HelloErrorName returns the stable snake_case label of `e`, e.g. "sslv2_hello" for kSslV2Hello.
std::string_view HelloErrorName(HelloError e);

enum class HelloParseState : uint8_t { kNeedMoreData, kDone, kError };

// Protocol version numbers as they appear on the wire.
inline constexpr uint16_t kTls10 = 0x0301;
inline constexpr uint16_t kTls11 = 0x0302;
inline constexpr uint16_t kTls12 = 0x0303;
inline constexpr uint16_t kTls13 = 0x0304;

// A wire list of length-prefixed items, iterated in place (no copies).
// `AlpnList` iterates ALPN protocol names (1-byte length prefix each); the bytes were validated.
class AlpnList {
 public:
  class Iterator {
   public:
    std::string_view operator*() const {
      return std::string_view(reinterpret_cast<const char*>(p_ + 1), *p_);
    }
    Iterator& operator++() {
      p_ += 1 + *p_;
      return *this;
    }
    bool operator==(const Iterator& o) const { return p_ == o.p_; }

   private:
    friend class AlpnList;
    explicit Iterator(const uint8_t* p) : p_(p) {}
    const uint8_t* p_;
  };
  AlpnList() = default;
  explicit AlpnList(absl::Span<const uint8_t> wire) : wire_(wire) {}
  Iterator begin() const { return Iterator(wire_.data()); }
  Iterator end() const { return Iterator(wire_.data() + wire_.size()); }
  bool empty() const { return wire_.empty(); }
  // The protocol_name_list bytes as on the wire (without its 2-byte length).
  absl::Span<const uint8_t> wire() const { return wire_; }

 private:
  absl::Span<const uint8_t> wire_;
};

// `VersionList` iterates the 2-byte versions of supported_versions, in client order.
class VersionList {
 public:
  VersionList() = default;
  explicit VersionList(absl::Span<const uint8_t> wire) : wire_(wire) {}
  size_t size() const { return wire_.size() / 2; }
  bool empty() const { return wire_.empty(); }
  uint16_t operator[](size_t i) const {
    return static_cast<uint16_t>(wire_[2 * i] << 8 | wire_[2 * i + 1]);
  }

 private:
  absl::Span<const uint8_t> wire_;
};

// What routing needs from a parsed ClientHello. Views point into the parser.
class ClientHello {
 public:
  // server_name returns the SNI host_name lower-cased ("web.default.dc1.internal.td.consul"),
  // or "" when the client sent none.
  std::string_view server_name() const { return std::string_view(sni_, sni_len_); }
  bool has_server_name() const { return sni_len_ > 0; }
  // alpn returns the offered ALPN protocols in client order (empty when no ALPN extension).
  const AlpnList& alpn() const { return alpn_; }
  bool has_alpn() const { return !alpn_.empty(); }
  // legacy_version returns ClientHello.legacy_version (0x0303 for any TLS 1.2+ client).
  uint16_t legacy_version() const { return legacy_version_; }
  // supported_versions returns the supported_versions extension's list (empty when absent).
  const VersionList& supported_versions() const { return versions_; }
  // max_version returns the highest version offered: the largest non-GREASE entry of
  // supported_versions, or legacy_version without that extension. 0x0304 for a TLS 1.3 client.
  uint16_t max_version() const;

 private:
  friend class ClientHelloParser;
  char sni_[256] = {};  // a DNS name is at most 253 characters; lower-cased copy lives here
  uint16_t sni_len_ = 0;
  uint16_t legacy_version_ = 0;
  AlpnList alpn_;
  VersionList versions_;
};

class ClientHelloParser {
 public:
  struct Limits {
    // The whole hello as it arrives (record headers included) may not exceed this.
    size_t max_hello_size = 16 * 1024;
    // The smallest buffer allocated once the first record header is known. A buffer is sized to
    // the announced record, so this only matters for hellos fragmented into many small records.
    size_t initial_buffer_size = 512;
  };
  struct FeedResult {
    HelloParseState state;
    size_t consumed;  // bytes taken from this Feed's input
  };

  ClientHelloParser() : ClientHelloParser(Limits{}) {}
  explicit ClientHelloParser(Limits limits);
  ClientHelloParser(const ClientHelloParser&) = delete;
  ClientHelloParser& operator=(const ClientHelloParser&) = delete;

  // Feed takes bytes as they arrive and takes only those belonging to the hello's records. Once
  // the state is kDone or kError, further calls consume nothing and repeat the state.
  FeedResult Feed(absl::Span<const uint8_t> data);
  FeedResult Feed(std::string_view data) {
    return Feed(
        absl::Span<const uint8_t>(reinterpret_cast<const uint8_t*>(data.data()), data.size()));
  }

  HelloParseState state() const { return state_; }
  // error returns why parsing failed (kNone unless state() is kError).
  HelloError error() const { return error_; }
  // status returns OK, or the error as an absl::Status naming the reason and where, e.g.
  // INVALID_ARGUMENT "client hello: bad_cipher_suites at hello byte 78". kHelloTooLarge is
  // RESOURCE_EXHAUSTED. While more data is needed it is UNAVAILABLE.
  absl::Status status() const;
  // bytes_wanted returns how many more bytes are needed before the parser can progress (a lower
  // bound of what is left); 0 once done or failed. A caller reading exactly this much never reads
  // past the hello.
  size_t bytes_wanted() const;

  // hello returns the parsed fields; valid only in state kDone.
  const ClientHello& hello() const { return hello_; }
  // consumed returns, after kDone, the hello's records exactly as received, to replay upstream on
  // passthrough. Before that: the records begun so far (a partial record header is not included).
  absl::Span<const uint8_t> consumed() const;
  // buffer_capacity returns the bytes currently allocated (for tests and memory accounting).
  size_t buffer_capacity() const { return cap_; }

 private:
  HelloParseState Fail(HelloError e, size_t offset);
  void Reserve(size_t need);
  HelloParseState OnRecordHeader();
  HelloParseState OnHandshakeHeader();
  HelloParseState Finish();
  HelloParseState ParseMessage(const uint8_t* m, size_t n);
  HelloParseState ParseServerName(const uint8_t* b, size_t len, size_t at);
  HelloParseState FailInMessage(HelloError e, size_t offset);

  Limits limits_;
  HelloParseState state_ = HelloParseState::kNeedMoreData;
  HelloError error_ = HelloError::kNone;
  size_t error_offset_ = 0;
  bool error_in_message_ = false;  // error_offset_ counts handshake message bytes, not wire bytes

  std::unique_ptr<uint8_t[]> buf_;  // raw records [0, raw_len_), then the defragmented message
  size_t cap_ = 0;
  size_t raw_len_ = 0;

  uint8_t header_[5] = {};  // the record header being read
  size_t header_len_ = 0;
  size_t record_left_ = 0;  // body bytes of the current record still to come
  bool in_body_ = false;
  size_t records_ = 0;

  uint8_t hs_header_[4] = {};  // the handshake header, which may itself be split over records
  size_t msg_seen_ = 0;        // handshake message bytes received
  size_t msg_total_ = 0;       // 4 + body length, once known (0 before)

  ClientHello hello_;
};

}  // namespace meshgw::gateway::tls

#endif  // MESHGW_GATEWAY_TLS_CLIENT_HELLO_H_
