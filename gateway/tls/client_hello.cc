#include "gateway/tls/client_hello.h"

#include <algorithm>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace meshgw::gateway::tls {
namespace {

constexpr uint8_t kHandshakeRecord = 22;
constexpr uint8_t kClientHelloType = 1;
constexpr size_t kRecordHeaderSize = 5;
constexpr size_t kHandshakeHeaderSize = 4;
constexpr size_t kMaxRecordBody = 1 << 14;  // RFC 8446 5.1: TLSPlaintext.length <= 2^14
constexpr size_t kMaxHostNameLength = 253;

constexpr uint16_t kExtServerName = 0;
constexpr uint16_t kExtAlpn = 16;
constexpr uint16_t kExtSupportedVersions = 43;

uint16_t U16(const uint8_t* p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }

// GREASE values (RFC 8701) look like 0x?A?A with both bytes equal; they are never real versions.
bool IsGrease(uint16_t v) { return (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff); }

char Lower(uint8_t c) { return static_cast<char>(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c); }

// A DNS name as RFC 6066 allows in host_name: LDH labels (plus '_', which real service names
// carry) of 1..63 bytes, no empty label (so no trailing dot), no hyphen at a label's edge, and a
// last label that is not all digits, which rules out IPv4 literals (IPv6 ones fail on ':').
bool IsDnsName(const uint8_t* s, size_t n) {
  if (n == 0 || n > kMaxHostNameLength) return false;
  size_t label_start = 0;
  bool all_digits = true;
  for (size_t i = 0; i <= n; ++i) {
    if (i == n || s[i] == '.') {
      size_t len = i - label_start;
      if (len == 0 || len > 63) return false;
      if (s[label_start] == '-' || s[i - 1] == '-') return false;
      if (i == n && all_digits) return false;
      label_start = i + 1;
      all_digits = true;
      continue;
    }
    uint8_t c = s[i];
    bool digit = c >= '0' && c <= '9';
    bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    if (!digit && !alpha && c != '-' && c != '_') return false;
    all_digits = all_digits && digit;
  }
  return true;
}

}  // namespace

bool IsValidHostName(std::string_view name) {
  return IsDnsName(reinterpret_cast<const uint8_t*>(name.data()), name.size());
}

std::string_view HelloErrorName(HelloError e) {
  switch (e) {
    case HelloError::kNone:
      return "none";
    case HelloError::kNotTls:
      return "not_tls";
    case HelloError::kSslV2Hello:
      return "sslv2_hello";
    case HelloError::kUnexpectedRecordType:
      return "unexpected_record_type";
    case HelloError::kBadRecordVersion:
      return "bad_record_version";
    case HelloError::kBadRecordLength:
      return "bad_record_length";
    case HelloError::kNotClientHello:
      return "not_client_hello";
    case HelloError::kHelloTooLarge:
      return "hello_too_large";
    case HelloError::kTrailingData:
      return "trailing_data";
    case HelloError::kTruncatedHello:
      return "truncated_hello";
    case HelloError::kBadLegacyVersion:
      return "bad_legacy_version";
    case HelloError::kBadSessionId:
      return "bad_session_id";
    case HelloError::kBadCipherSuites:
      return "bad_cipher_suites";
    case HelloError::kBadCompressionMethods:
      return "bad_compression_methods";
    case HelloError::kBadExtensionsLength:
      return "bad_extensions_length";
    case HelloError::kTruncatedExtension:
      return "truncated_extension";
    case HelloError::kDuplicateExtension:
      return "duplicate_extension";
    case HelloError::kBadServerName:
      return "bad_server_name";
    case HelloError::kDuplicateServerName:
      return "duplicate_server_name";
    case HelloError::kInvalidServerName:
      return "invalid_server_name";
    case HelloError::kBadAlpn:
      return "bad_alpn";
    case HelloError::kBadSupportedVersions:
      return "bad_supported_versions";
  }
  return "unknown";
}

uint16_t ClientHello::max_version() const {
  uint16_t best = 0;
  for (size_t i = 0; i < versions_.size(); ++i) {
    uint16_t v = versions_[i];
    if (!IsGrease(v)) best = std::max(best, v);
  }
  return best != 0 ? best : legacy_version_;
}

ClientHelloParser::ClientHelloParser(Limits limits) : limits_(limits) {}

HelloParseState ClientHelloParser::Fail(HelloError e, size_t offset) {
  state_ = HelloParseState::kError;
  error_ = e;
  error_offset_ = offset;
  return state_;
}

HelloParseState ClientHelloParser::FailInMessage(HelloError e, size_t offset) {
  error_in_message_ = true;
  return Fail(e, offset);
}

absl::Status ClientHelloParser::status() const {
  switch (state_) {
    case HelloParseState::kDone:
      return absl::OkStatus();
    case HelloParseState::kNeedMoreData:
      return absl::UnavailableError("client hello: incomplete");
    case HelloParseState::kError:
      break;
  }
  std::string msg =
      absl::StrCat("client hello: ", std::string(HelloErrorName(error_)), " at ",
                   error_in_message_ ? "handshake message byte " : "byte ", error_offset_);
  if (error_ == HelloError::kHelloTooLarge) {
    return absl::ResourceExhaustedError(
        absl::StrCat(msg, " (limit ", limits_.max_hello_size, " bytes)"));
  }
  return absl::InvalidArgumentError(msg);
}

size_t ClientHelloParser::bytes_wanted() const {
  if (state_ != HelloParseState::kNeedMoreData) return 0;
  return in_body_ ? record_left_ : kRecordHeaderSize - header_len_;
}

absl::Span<const uint8_t> ClientHelloParser::consumed() const {
  return absl::Span<const uint8_t>(buf_.get(), raw_len_);
}

void ClientHelloParser::Reserve(size_t need) {
  if (need <= cap_) return;
  // Grow to what the records announce; doubling keeps many small records from copying
  // quadratically. Callers bound `need` by the hello limit (raw + one defragmented copy).
  size_t cap =
      std::max({need, limits_.initial_buffer_size, std::min(2 * cap_, 2 * limits_.max_hello_size)});
  std::unique_ptr<uint8_t[]> grown(new uint8_t[cap]);
  if (raw_len_ > 0) std::memcpy(grown.get(), buf_.get(), raw_len_);
  buf_ = std::move(grown);
  cap_ = cap;
}

ClientHelloParser::FeedResult ClientHelloParser::Feed(absl::Span<const uint8_t> data) {
  if (state_ != HelloParseState::kNeedMoreData) return {state_, 0};
  size_t used = 0;
  while (used < data.size()) {
    const uint8_t* src = data.data() + used;
    size_t avail = data.size() - used;
    if (!in_body_) {
      size_t take = std::min(kRecordHeaderSize - header_len_, avail);
      std::memcpy(header_ + header_len_, src, take);
      header_len_ += take;
      used += take;
      if (header_len_ < kRecordHeaderSize) break;
      if (OnRecordHeader() == HelloParseState::kError) return {state_, used};
      continue;
    }
    size_t take = std::min(record_left_, avail);
    const size_t before = msg_seen_;
    if (before < kHandshakeHeaderSize) {
      // Stop at the end of the handshake header, so a bad type or length is rejected before
      // taking any more of the input.
      take = std::min(take, kHandshakeHeaderSize - before);
      std::memcpy(hs_header_ + before, src, take);
    }
    std::memcpy(buf_.get() + raw_len_, src, take);
    msg_seen_ += take;
    raw_len_ += take;
    record_left_ -= take;
    used += take;
    if (before < kHandshakeHeaderSize && msg_seen_ >= kHandshakeHeaderSize &&
        OnHandshakeHeader() == HelloParseState::kError) {
      return {state_, used};
    }
    if (record_left_ == 0) {
      in_body_ = false;
      header_len_ = 0;
      if (msg_total_ != 0 && msg_seen_ == msg_total_) return {Finish(), used};
    }
  }
  return {state_, used};
}

HelloParseState ClientHelloParser::OnRecordHeader() {
  const uint8_t type = header_[0];
  if (records_ == 0 && type != kHandshakeRecord) {
    // SSL 2.0 record header: 2 bytes with the top bit set, then message type 1 (CLIENT-HELLO).
    if ((type & 0x80) != 0 && header_[2] == 0x01) return Fail(HelloError::kSslV2Hello, 0);
    // change_cipher_spec, alert, application_data, heartbeat: TLS, but not a hello.
    if (type >= 20 && type <= 24) return Fail(HelloError::kUnexpectedRecordType, 0);
    return Fail(HelloError::kNotTls, 0);
  }
  // A handshake message may not be interleaved with other record types (RFC 8446 5.1).
  if (type != kHandshakeRecord) return Fail(HelloError::kUnexpectedRecordType, raw_len_);
  if (header_[1] != 3) return Fail(HelloError::kBadRecordVersion, raw_len_ + 1);
  const size_t len = U16(header_ + 3);
  if (len == 0 || len > kMaxRecordBody) return Fail(HelloError::kBadRecordLength, raw_len_ + 3);
  if (raw_len_ + kRecordHeaderSize + len > limits_.max_hello_size) {
    return Fail(HelloError::kHelloTooLarge, raw_len_ + 3);
  }
  if (msg_total_ != 0 && msg_seen_ + len > msg_total_) {
    return Fail(HelloError::kTrailingData, raw_len_ + 3);
  }
  Reserve(raw_len_ + kRecordHeaderSize + len);
  std::memcpy(buf_.get() + raw_len_, header_, kRecordHeaderSize);
  raw_len_ += kRecordHeaderSize;
  record_left_ = len;
  in_body_ = true;
  ++records_;
  return state_;
}

HelloParseState ClientHelloParser::OnHandshakeHeader() {
  if (hs_header_[0] != kClientHelloType) return Fail(HelloError::kNotClientHello, 5);
  msg_total_ = kHandshakeHeaderSize +
               (size_t{hs_header_[1]} << 16 | size_t{hs_header_[2]} << 8 | hs_header_[3]);
  // Rejected as soon as the length is known, before buffering any of it: the rest of the message
  // needs at least this many more wire bytes.
  const size_t record_end = msg_seen_ + record_left_;  // where the current record ends
  const size_t min_wire =
      raw_len_ + record_left_ +
      (msg_total_ > record_end ? kRecordHeaderSize + msg_total_ - record_end : 0);
  if (min_wire > limits_.max_hello_size) return FailInMessage(HelloError::kHelloTooLarge, 1);
  if (record_end > msg_total_) return FailInMessage(HelloError::kTrailingData, 1);
  return state_;
}

HelloParseState ClientHelloParser::Finish() {
  if (records_ == 1) return ParseMessage(buf_.get() + kRecordHeaderSize, msg_total_);
  // Defragment: copy each record's body after the raw bytes, which stay untouched for replay.
  Reserve(raw_len_ + msg_total_);
  uint8_t* msg = buf_.get() + raw_len_;
  size_t out = 0;
  for (size_t off = 0; off < raw_len_;) {
    size_t len = U16(buf_.get() + off + 3);
    std::memcpy(msg + out, buf_.get() + off + kRecordHeaderSize, len);
    out += len;
    off += kRecordHeaderSize + len;
  }
  return ParseMessage(msg, msg_total_);
}

HelloParseState ClientHelloParser::ParseMessage(const uint8_t* m, size_t n) {
  size_t p = kHandshakeHeaderSize;
  if (n < p + 2 + 32) return FailInMessage(HelloError::kTruncatedHello, n);
  if (m[p] != 3) return FailInMessage(HelloError::kBadLegacyVersion, p);
  hello_.legacy_version_ = U16(m + p);
  p += 2 + 32;  // legacy_version, random

  if (p + 1 > n) return FailInMessage(HelloError::kBadSessionId, p);
  const size_t sid = m[p];
  if (sid > 32 || p + 1 + sid > n) return FailInMessage(HelloError::kBadSessionId, p);
  p += 1 + sid;

  if (p + 2 > n) return FailInMessage(HelloError::kBadCipherSuites, p);
  const size_t suites = U16(m + p);
  if (suites == 0 || suites % 2 != 0 || p + 2 + suites > n) {
    return FailInMessage(HelloError::kBadCipherSuites, p);
  }
  p += 2 + suites;

  if (p + 1 > n) return FailInMessage(HelloError::kBadCompressionMethods, p);
  const size_t methods = m[p];
  if (methods == 0 || p + 1 + methods > n) {
    return FailInMessage(HelloError::kBadCompressionMethods, p);
  }
  p += 1 + methods;

  if (p == n) return state_ = HelloParseState::kDone;  // no extensions: legal up to TLS 1.2
  if (p + 2 > n || p + 2 + U16(m + p) != n) {
    return FailInMessage(HelloError::kBadExtensionsLength, p);
  }
  p += 2;

  bool seen_sni = false, seen_alpn = false, seen_versions = false;
  while (p < n) {
    if (p + 4 > n) return FailInMessage(HelloError::kTruncatedExtension, p);
    const uint16_t type = U16(m + p);
    const size_t len = U16(m + p + 2);
    if (p + 4 + len > n) return FailInMessage(HelloError::kTruncatedExtension, p);
    const uint8_t* b = m + p + 4;
    const size_t at = p + 4;
    switch (type) {
      case kExtServerName:
        if (seen_sni) return FailInMessage(HelloError::kDuplicateExtension, p);
        seen_sni = true;
        if (ParseServerName(b, len, at) == HelloParseState::kError) return state_;
        break;
      case kExtAlpn: {
        if (seen_alpn) return FailInMessage(HelloError::kDuplicateExtension, p);
        seen_alpn = true;
        if (len < 2 || U16(b) + 2u != len || len < 4) {
          return FailInMessage(HelloError::kBadAlpn, at);
        }
        for (size_t q = 2; q < len; q += 1 + b[q]) {
          if (b[q] == 0 || q + 1 + b[q] > len) return FailInMessage(HelloError::kBadAlpn, at + q);
        }
        hello_.alpn_ = AlpnList(absl::Span<const uint8_t>(b + 2, len - 2));
        break;
      }
      case kExtSupportedVersions: {
        if (seen_versions) return FailInMessage(HelloError::kDuplicateExtension, p);
        seen_versions = true;
        if (len < 3 || b[0] + 1u != len || b[0] % 2 != 0) {
          return FailInMessage(HelloError::kBadSupportedVersions, at);
        }
        hello_.versions_ = VersionList(absl::Span<const uint8_t>(b + 1, len - 1));
        break;
      }
      default:
        break;
    }
    p += 4 + len;
  }
  return state_ = HelloParseState::kDone;
}

HelloParseState ClientHelloParser::ParseServerName(const uint8_t* b, size_t len, size_t at) {
  // ServerNameList: 2-byte length, then entries {name_type (1), length (2), name}.
  if (len < 2 || U16(b) + 2u != len || len == 2) {
    return FailInMessage(HelloError::kBadServerName, at);
  }
  bool have_host = false;
  for (size_t q = 2; q < len;) {
    if (q + 3 > len) return FailInMessage(HelloError::kBadServerName, at + q);
    const uint8_t name_type = b[q];
    const size_t name_len = U16(b + q + 1);
    if (q + 3 + name_len > len) return FailInMessage(HelloError::kBadServerName, at + q);
    const uint8_t* name = b + q + 3;
    if (name_type == 0) {  // host_name; other types are unknown and skipped (RFC 6066 3)
      if (have_host) return FailInMessage(HelloError::kDuplicateServerName, at + q);
      have_host = true;
      if (!IsDnsName(name, name_len)) {
        return FailInMessage(HelloError::kInvalidServerName, at + q + 3);
      }
      for (size_t i = 0; i < name_len; ++i) hello_.sni_[i] = Lower(name[i]);
      hello_.sni_len_ = static_cast<uint16_t>(name_len);
    }
    q += 3 + name_len;
  }
  return state_;
}

}  // namespace meshgw::gateway::tls
