// TLS 1.3 record protection (RFC 8446 §5.2, §7.3, §4.6.3) for a connection whose handshake
// OpenSSL completed. Given the negotiated suite, both directions' application traffic secrets and
// how many records each has already protected, it seals and opens records the way the SSL object
// would, so that the SSL object can be freed: with its session, cipher contexts, key shares and
// the client's decoded certificate, an idle terminated connection costs about 25 KB in OpenSSL 3.0
// (tests/unit/gateway/tls/tls_idle_memory_test.cc); this keeps two keyed AEAD contexts, two
// secrets and two sequence numbers. TlsSession switches to it after a server-side handshake.
//
//   auto records = Tls13Records::Create(0x1301, client_secret, server_secret,
//                                       /*read_seq=*/0, /*write_seq=*/1);  // one ticket sent
//   std::string wire;
//   RETURN_IF_ERROR((*records)->Seal(Tls13Records::kApplicationData, "hello", &wire));
//   Tls13Records::Opened in;
//   RETURN_IF_ERROR((*records)->Open(record.data(), record.size(), &in));  // decrypts in place
//
// Suites: TLS_AES_128_GCM_SHA256 (0x1301), TLS_AES_256_GCM_SHA384 (0x1302) and
// TLS_CHACHA20_POLY1305_SHA256 (0x1303), the ones OpenSSL enables by default; Create refuses
// others (the session then keeps its SSL object). Records are sent without padding.
//
// Thread-safety: one per connection; external synchronization is needed.
#ifndef MESHGW_GATEWAY_TLS_TLS13_RECORDS_H_
#define MESHGW_GATEWAY_TLS_TLS13_RECORDS_H_

#include <openssl/evp.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace meshgw::gateway::tls {

class Tls13Records {
 public:
  // Content types (RFC 8446 §5.1).
  static constexpr uint8_t kAlert = 21;
  static constexpr uint8_t kHandshake = 22;
  static constexpr uint8_t kApplicationData = 23;
  static constexpr size_t kHeaderSize = 5;
  static constexpr size_t kMaxPlaintext = 16384;                 // 2^14
  static constexpr size_t kMaxCiphertext = kMaxPlaintext + 256;  // 2^14 + 256
  static constexpr size_t kTagSize = 16;

  // `read_secret` protects what the peer sends, `write_secret` what we send (raw bytes, the
  // suite's hash length); `*_seq` are the records already protected with each.
  static absl::StatusOr<std::unique_ptr<Tls13Records>> Create(uint16_t suite,
                                                              std::string_view read_secret,
                                                              std::string_view write_secret,
                                                              uint64_t read_seq,
                                                              uint64_t write_seq);
  ~Tls13Records();
  Tls13Records(const Tls13Records&) = delete;
  Tls13Records& operator=(const Tls13Records&) = delete;

  // Appends one protected record holding `plaintext` (at most kMaxPlaintext bytes) of content
  // `type` to *out.
  absl::Status Seal(uint8_t type, std::string_view plaintext, std::string* out);

  struct Opened {
    uint8_t type = 0;   // the inner content type
    size_t offset = 0;  // the plaintext is record[offset, offset + size)
    size_t size = 0;
  };
  // Opens one whole record (header and body as received, at most kHeaderSize + kMaxCiphertext
  // bytes), decrypting it in place. An error names what was wrong ("bad record MAC", ...); the
  // connection cannot continue after one.
  absl::Status Open(char* record, size_t size, Opened* out);

  // KeyUpdate: the next traffic secret of one direction, its sequence back to 0.
  absl::Status UpdateReadKey() { return Update(read_, /*encrypt=*/false); }
  absl::Status UpdateWriteKey() { return Update(write_, /*encrypt=*/true); }

  uint64_t write_seq() const { return write_.seq; }
  uint64_t read_seq() const { return read_.seq; }

 private:
  struct Direction {
    std::string secret;
    unsigned char iv[12] = {};
    uint64_t seq = 0;
    EVP_CIPHER_CTX* ctx = nullptr;
  };

  Tls13Records() = default;
  absl::Status Install(Direction& d, bool encrypt);
  absl::Status Update(Direction& d, bool encrypt);
  void Nonce(const Direction& d, unsigned char out[12]) const;
  bool Crypt(Direction& d, bool encrypt, const unsigned char* header, unsigned char* data,
             size_t inner);

  size_t suite_index_ = 0;
  const EVP_CIPHER* cipher_ = nullptr;
  size_t key_size_ = 0;
  Direction read_;
  Direction write_;
};

}  // namespace meshgw::gateway::tls

#endif  // MESHGW_GATEWAY_TLS_TLS13_RECORDS_H_
