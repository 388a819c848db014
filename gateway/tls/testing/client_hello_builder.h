// Test-only: builds ClientHello messages and frames them into TLS records, for the parser's unit
// tests, its fuzzer's seeds and the micro-benchmark. Not for production code (it allocates
// freely). Thread-compatible (plain functions over values).
#ifndef MESHGW_GATEWAY_TLS_TESTING_CLIENT_HELLO_BUILDER_H_
#define MESHGW_GATEWAY_TLS_TESTING_CLIENT_HELLO_BUILDER_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace meshgw::gateway::tls::testing {

struct HelloSpec {
  uint16_t legacy_version = 0x0303;
  std::string session_id = std::string(32, '\x5a');
  std::vector<uint16_t> cipher_suites = {0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f};
  std::vector<uint8_t> compression_methods = {0};
  std::optional<std::string> server_name;
  std::vector<std::string> alpn;
  std::vector<uint16_t> supported_versions;
  // Extensions appended after the ones above, as (type, body).
  std::vector<std::pair<uint16_t, std::string>> extra_extensions;
  bool omit_extensions = false;  // no extensions block at all (a TLS 1.0-1.2 style hello)
};

// Byte offsets into the handshake message (4-byte handshake header included) of each field.
struct HelloLayout {
  std::string message;
  size_t session_id_at = 0;   // the session id length byte
  size_t suites_at = 0;       // the cipher suites length
  size_t compression_at = 0;  // the compression methods length byte
  size_t extensions_at = 0;   // the extensions block length (== message.size() without one)
};

inline void Put8(std::string& s, size_t v) { s.push_back(static_cast<char>(v & 0xff)); }
inline void Put16(std::string& s, size_t v) {
  Put8(s, v >> 8);
  Put8(s, v);
}
inline void Put24(std::string& s, size_t v) {
  Put8(s, v >> 16);
  Put16(s, v);
}
inline void PutExtension(std::string& s, uint16_t type, std::string_view body) {
  Put16(s, type);
  Put16(s, body.size());
  s.append(body);
}

// ServerNameBody returns a server_name extension body with one host_name entry.
inline std::string ServerNameBody(std::string_view host) {
  std::string b;
  Put16(b, host.size() + 3);
  Put8(b, 0);
  Put16(b, host.size());
  b.append(host);
  return b;
}

inline std::string AlpnBody(const std::vector<std::string>& protocols) {
  std::string list;
  for (const std::string& p : protocols) {
    Put8(list, p.size());
    list.append(p);
  }
  std::string b;
  Put16(b, list.size());
  return b + list;
}

inline std::string SupportedVersionsBody(const std::vector<uint16_t>& versions) {
  std::string b;
  Put8(b, versions.size() * 2);
  for (uint16_t v : versions) Put16(b, v);
  return b;
}

inline HelloLayout BuildClientHello(const HelloSpec& spec) {
  HelloLayout out;
  std::string body;
  Put16(body, spec.legacy_version);
  for (int i = 0; i < 32; ++i) Put8(body, 0x10 + i);  // random
  out.session_id_at = 4 + body.size();
  Put8(body, spec.session_id.size());
  body.append(spec.session_id);
  out.suites_at = 4 + body.size();
  Put16(body, spec.cipher_suites.size() * 2);
  for (uint16_t cs : spec.cipher_suites) Put16(body, cs);
  out.compression_at = 4 + body.size();
  Put8(body, spec.compression_methods.size());
  for (uint8_t m : spec.compression_methods) Put8(body, m);
  out.extensions_at = 4 + body.size();
  if (!spec.omit_extensions) {
    std::string ext;
    if (spec.server_name) PutExtension(ext, 0, ServerNameBody(*spec.server_name));
    if (!spec.alpn.empty()) PutExtension(ext, 16, AlpnBody(spec.alpn));
    if (!spec.supported_versions.empty()) {
      PutExtension(ext, 43, SupportedVersionsBody(spec.supported_versions));
    }
    for (const auto& [type, b] : spec.extra_extensions) PutExtension(ext, type, b);
    Put16(body, ext.size());
    body.append(ext);
  }
  Put8(out.message, 1);  // client_hello
  Put24(out.message, body.size());
  out.message.append(body);
  return out;
}

// FrameRecords splits a handshake message into handshake records of at most `record_size` bytes.
inline std::string FrameRecords(std::string_view message, size_t record_size = 16384,
                                uint16_t record_version = 0x0301) {
  std::string out;
  for (size_t off = 0; off < message.size(); off += record_size) {
    size_t n = std::min(record_size, message.size() - off);
    Put8(out, 22);
    Put16(out, record_version);
    Put16(out, n);
    out.append(message.substr(off, n));
  }
  return out;
}

// BrowserLikeHello returns a TLS 1.3 hello shaped like what OpenSSL 3 sends: SNI, ALPN h2 and
// http/1.1, supported_versions, groups, signature algorithms, an X25519 key share, padding to
// 512 bytes of handshake message.
inline std::string BrowserLikeHello(std::string_view host) {
  HelloSpec spec;
  spec.server_name = std::string(host);
  spec.alpn = {"h2", "http/1.1"};
  spec.supported_versions = {0x0304, 0x0303};
  spec.extra_extensions.push_back({10, std::string("\x00\x06\x00\x1d\x00\x17\x00\x18", 8)});
  spec.extra_extensions.push_back(
      {13, std::string("\x00\x08\x04\x03\x08\x04\x04\x01\x05\x01", 10)});
  std::string key_share;
  Put16(key_share, 36);
  Put16(key_share, 0x001d);
  Put16(key_share, 32);
  key_share.append(32, '\x42');
  spec.extra_extensions.push_back({51, key_share});
  spec.extra_extensions.push_back({45, std::string("\x01\x01", 2)});
  size_t size = BuildClientHello(spec).message.size();
  if (size + 4 < 512) spec.extra_extensions.push_back({21, std::string(512 - size - 4, '\0')});
  return FrameRecords(BuildClientHello(spec).message);
}

}  // namespace meshgw::gateway::tls::testing

#endif  // MESHGW_GATEWAY_TLS_TESTING_CLIENT_HELLO_BUILDER_H_
