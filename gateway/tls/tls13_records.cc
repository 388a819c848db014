#include "gateway/tls/tls13_records.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/params.h>

#include <cstring>

#include "absl/strings/str_cat.h"

namespace meshgw::gateway::tls {

namespace {

struct Suite {
  uint16_t id;
  const char* cipher;  // OpenSSL's algorithm names
  const char* digest;
  size_t key_size;
};

constexpr Suite kSuites[] = {
    {0x1301, "AES-128-GCM", "SHA256", 16},        // TLS_AES_128_GCM_SHA256
    {0x1302, "AES-256-GCM", "SHA384", 32},        // TLS_AES_256_GCM_SHA384
    {0x1303, "ChaCha20-Poly1305", "SHA256", 32},  // TLS_CHACHA20_POLY1305_SHA256
};
constexpr size_t kSuiteCount = sizeof(kSuites) / sizeof(kSuites[0]);

constexpr size_t kIvSize = 12;

// The algorithms, fetched once: OpenSSL 3 looks an algorithm up by name on every use of a
// legacy EVP_aes_128_gcm()-style object, and a MAC its digest on every new context; done per
// connection, that was most of what the offload added to a resumed handshake. They live as long
// as the process.
struct Fetched {
  EVP_CIPHER* cipher[kSuiteCount] = {};
  size_t hash_size[kSuiteCount] = {};
  // An HMAC context per suite with its digest set; each use works on a copy. (OpenSSL 3.0's
  // HKDF contexts cannot be copied, HMAC's can.)
  EVP_MAC_CTX* hmac[kSuiteCount] = {};
};

const Fetched& Algorithms() {
  static const Fetched* fetched = [] {
    auto* f = new Fetched();
    EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    for (size_t i = 0; i < kSuiteCount; ++i) {
      f->cipher[i] = EVP_CIPHER_fetch(nullptr, kSuites[i].cipher, nullptr);
      EVP_MD* md = EVP_MD_fetch(nullptr, kSuites[i].digest, nullptr);
      f->hash_size[i] = md != nullptr ? static_cast<size_t>(EVP_MD_get_size(md)) : 0;
      EVP_MD_free(md);
      if (mac == nullptr) continue;
      f->hmac[i] = EVP_MAC_CTX_new(mac);
      OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(
                                 OSSL_MAC_PARAM_DIGEST, const_cast<char*>(kSuites[i].digest), 0),
                             OSSL_PARAM_construct_end()};
      if (f->hmac[i] != nullptr && EVP_MAC_CTX_set_params(f->hmac[i], params) != 1) {
        EVP_MAC_CTX_free(f->hmac[i]);
        f->hmac[i] = nullptr;
      }
    }
    EVP_MAC_free(mac);  // the contexts hold their own reference
    return f;
  }();
  return *fetched;
}

// HKDF-Expand-Label (§7.1) with the hash of suite `index`, for outputs up to the hash's length
// (every TLS 1.3 key, IV and secret): HKDF-Expand is then T(1) = HMAC(secret, info || 0x01).
absl::StatusOr<std::string> ExpandLabel(size_t index, std::string_view secret,
                                        std::string_view label, std::string_view context,
                                        size_t size) {
  // struct { uint16 length; opaque label<7..255> = "tls13 " + Label; opaque context<0..255>; }
  std::string full_label = "tls13 ";
  full_label.append(label);
  if (full_label.size() > 255 || context.size() > 255 || size > Algorithms().hash_size[index]) {
    return absl::InvalidArgumentError(
        "HKDF-Expand-Label: label or context too long, or more than one hash of output");
  }
  std::string info;
  info.reserve(5 + full_label.size() + context.size());
  info.push_back(static_cast<char>(size >> 8));
  info.push_back(static_cast<char>(size & 0xff));
  info.push_back(static_cast<char>(full_label.size()));
  info += full_label;
  info.push_back(static_cast<char>(context.size()));
  info.append(context);
  info.push_back('\x01');  // HKDF-Expand's block counter

  const EVP_MAC_CTX* prepared = Algorithms().hmac[index];
  if (prepared == nullptr) return absl::InternalError("HMAC is not available from OpenSSL");
  std::unique_ptr<EVP_MAC_CTX, decltype(&EVP_MAC_CTX_free)> ctx(
      EVP_MAC_CTX_dup(const_cast<EVP_MAC_CTX*>(prepared)), EVP_MAC_CTX_free);
  if (ctx == nullptr) return absl::ResourceExhaustedError("EVP_MAC_CTX_dup failed");
  unsigned char block[EVP_MAX_MD_SIZE];
  size_t block_size = 0;
  if (EVP_MAC_init(ctx.get(), reinterpret_cast<const unsigned char*>(secret.data()), secret.size(),
                   nullptr) != 1 ||
      EVP_MAC_update(ctx.get(), reinterpret_cast<const unsigned char*>(info.data()), info.size()) !=
          1 ||
      EVP_MAC_final(ctx.get(), block, &block_size, sizeof block) != 1 || block_size < size) {
    return absl::InternalError("HKDF-Expand-Label: HMAC failed");
  }
  std::string out(reinterpret_cast<const char*>(block), size);
  OPENSSL_cleanse(block, sizeof block);
  return out;
}

}  // namespace

absl::StatusOr<std::unique_ptr<Tls13Records>> Tls13Records::Create(uint16_t suite,
                                                                   std::string_view read_secret,
                                                                   std::string_view write_secret,
                                                                   uint64_t read_seq,
                                                                   uint64_t write_seq) {
  size_t index = kSuiteCount;
  for (size_t i = 0; i < kSuiteCount; ++i) {
    if (kSuites[i].id == suite) index = i;
  }
  if (index == kSuiteCount) {
    return absl::UnimplementedError(
        absl::StrCat("TLS 1.3 suite 0x", absl::Hex(suite), " is not protected outside OpenSSL"));
  }
  const Fetched& algorithms = Algorithms();
  if (algorithms.cipher[index] == nullptr || algorithms.hash_size[index] == 0) {
    return absl::InternalError(
        absl::StrCat(kSuites[index].cipher, " is not available from OpenSSL"));
  }
  const size_t hash_size = algorithms.hash_size[index];
  if (read_secret.size() != hash_size || write_secret.size() != hash_size) {
    return absl::InvalidArgumentError(absl::StrCat("traffic secrets of ", read_secret.size(),
                                                   " and ", write_secret.size(),
                                                   " bytes; the suite's hash has ", hash_size));
  }
  std::unique_ptr<Tls13Records> r(new Tls13Records());
  r->suite_index_ = index;
  r->cipher_ = algorithms.cipher[index];
  r->key_size_ = kSuites[index].key_size;
  r->read_.secret = std::string(read_secret);
  r->write_.secret = std::string(write_secret);
  if (absl::Status s = r->Install(r->read_, /*encrypt=*/false); !s.ok()) return s;
  if (absl::Status s = r->Install(r->write_, /*encrypt=*/true); !s.ok()) return s;
  r->read_.seq = read_seq;
  r->write_.seq = write_seq;
  return r;
}

Tls13Records::~Tls13Records() {
  for (Direction* d : {&read_, &write_}) {
    EVP_CIPHER_CTX_free(d->ctx);
    OPENSSL_cleanse(d->secret.data(), d->secret.size());
    OPENSSL_cleanse(d->iv, sizeof d->iv);
  }
}

// key = HKDF-Expand-Label(secret, "key", "", key_length), iv = ...("iv", "", 12) (§7.3); the
// context is keyed once, the nonce set per record.
absl::Status Tls13Records::Install(Direction& d, bool encrypt) {
  absl::StatusOr<std::string> key = ExpandLabel(suite_index_, d.secret, "key", "", key_size_);
  if (!key.ok()) return key.status();
  absl::StatusOr<std::string> iv = ExpandLabel(suite_index_, d.secret, "iv", "", kIvSize);
  if (!iv.ok()) return iv.status();
  std::memcpy(d.iv, iv->data(), kIvSize);
  OPENSSL_cleanse(iv->data(), iv->size());
  if (d.ctx == nullptr) d.ctx = EVP_CIPHER_CTX_new();
  const bool ok =
      d.ctx != nullptr && EVP_CipherInit_ex(d.ctx, cipher_, nullptr,
                                            reinterpret_cast<const unsigned char*>(key->data()),
                                            nullptr, encrypt ? 1 : 0) == 1;
  OPENSSL_cleanse(key->data(), key->size());
  if (!ok) return absl::InternalError("cannot key the record cipher");
  return absl::OkStatus();
}

// The per-record nonce: the 64-bit sequence number, big-endian, left-padded to the IV's length
// and XORed with it (§5.3).
void Tls13Records::Nonce(const Direction& d, unsigned char out[12]) const {
  std::memcpy(out, d.iv, kIvSize);
  for (int i = 0; i < 8; ++i) out[kIvSize - 1 - i] ^= static_cast<unsigned char>(d.seq >> (8 * i));
}

// One AEAD pass over a record: the header as additional data, `inner` bytes at `data` in place,
// the tag at data + inner written (sealing) or checked (opening).
bool Tls13Records::Crypt(Direction& d, bool encrypt, const unsigned char* header,
                         unsigned char* data, size_t inner) {
  unsigned char nonce[kIvSize];
  Nonce(d, nonce);
  int len = 0;
  unsigned char scratch[16];
  if (EVP_CipherInit_ex(d.ctx, nullptr, nullptr, nullptr, nonce, encrypt ? 1 : 0) != 1 ||
      EVP_CipherUpdate(d.ctx, nullptr, &len, header, kHeaderSize) != 1 ||
      EVP_CipherUpdate(d.ctx, data, &len, data, static_cast<int>(inner)) != 1) {
    return false;
  }
  if (!encrypt && EVP_CIPHER_CTX_ctrl(d.ctx, EVP_CTRL_AEAD_SET_TAG, kTagSize, data + inner) != 1) {
    return false;
  }
  if (EVP_CipherFinal_ex(d.ctx, scratch, &len) != 1) return false;
  return !encrypt || EVP_CIPHER_CTX_ctrl(d.ctx, EVP_CTRL_AEAD_GET_TAG, kTagSize, data + inner) == 1;
}

absl::Status Tls13Records::Seal(uint8_t type, std::string_view plaintext, std::string* out) {
  if (plaintext.size() > kMaxPlaintext) {
    return absl::InvalidArgumentError("record plaintext over 2^14 bytes");
  }
  if (write_.seq == UINT64_MAX) return absl::FailedPreconditionError("write sequence exhausted");
  // TLSInnerPlaintext = content || type (no padding); the ciphertext adds the AEAD tag.
  const size_t inner = plaintext.size() + 1;
  const size_t body = inner + kTagSize;
  const size_t start = out->size();
  out->resize(start + kHeaderSize + body);
  auto* p = reinterpret_cast<unsigned char*>(out->data()) + start;
  p[0] = kApplicationData;  // opaque_type
  p[1] = 0x03;              // legacy_record_version 0x0303
  p[2] = 0x03;
  p[3] = static_cast<unsigned char>(body >> 8);
  p[4] = static_cast<unsigned char>(body & 0xff);
  unsigned char* data = p + kHeaderSize;
  if (!plaintext.empty()) std::memcpy(data, plaintext.data(), plaintext.size());
  data[plaintext.size()] = type;
  if (!Crypt(write_, /*encrypt=*/true, p, data, inner)) {
    out->resize(start);
    return absl::InternalError("record encryption failed");
  }
  ++write_.seq;
  return absl::OkStatus();
}

absl::Status Tls13Records::Open(char* record, size_t size, Opened* out) {
  auto* p = reinterpret_cast<unsigned char*>(record);
  if (size < kHeaderSize) return absl::InvalidArgumentError("truncated record header");
  if (p[0] != kApplicationData) {
    return absl::InvalidArgumentError(
        absl::StrCat("unprotected record of type ", p[0], " after the handshake"));
  }
  const size_t body = (static_cast<size_t>(p[3]) << 8) | p[4];
  if (body != size - kHeaderSize) return absl::InvalidArgumentError("record length mismatch");
  if (body > kMaxCiphertext) return absl::InvalidArgumentError("record_overflow");
  if (body < kTagSize + 1) return absl::InvalidArgumentError("record too short");
  if (read_.seq == UINT64_MAX) return absl::FailedPreconditionError("read sequence exhausted");
  unsigned char* data = p + kHeaderSize;
  const size_t inner = body - kTagSize;
  if (!Crypt(read_, /*encrypt=*/false, p, data, inner)) {
    return absl::InvalidArgumentError("bad record MAC");
  }
  ++read_.seq;
  // The content type is the last non-zero byte; zeros after it are padding (§5.4).
  size_t n = inner;
  while (n > 0 && data[n - 1] == 0) --n;
  if (n == 0) return absl::InvalidArgumentError("record without a content type");
  out->type = data[n - 1];
  out->offset = kHeaderSize;
  out->size = n - 1;
  if (out->size > kMaxPlaintext) return absl::InvalidArgumentError("record_overflow");
  return absl::OkStatus();
}

// secret' = HKDF-Expand-Label(secret, "traffic upd", "", Hash.length) (§7.2).
absl::Status Tls13Records::Update(Direction& d, bool encrypt) {
  absl::StatusOr<std::string> next =
      ExpandLabel(suite_index_, d.secret, "traffic upd", "", d.secret.size());
  if (!next.ok()) return next.status();
  OPENSSL_cleanse(d.secret.data(), d.secret.size());
  d.secret = *std::move(next);
  d.seq = 0;
  return Install(d, encrypt);
}

}  // namespace meshgw::gateway::tls
