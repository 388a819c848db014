// The OpenSSL library context every gateway TLS context (server and client) is made in.
//
//   SSL_CTX* ctx = SSL_CTX_new_ex(TlsLibraryContext(), nullptr, TLS_server_method());
//
// It holds one built-in provider, "meshgw-tls", that re-exports OpenSSL's default provider: the
// same algorithms, the same implementations, the same provider context. Its lists are narrowed to
// what a mesh handshake uses (tls_library.cc says what each keeps and why):
// - decoders: those that read the DER SubjectPublicKeyInfo of a certificate key type (EC, RSA,
//   RSA-PSS, Ed25519, Ed448): all a handshake decodes is the public key of each certificate;
// - key managers: EC, RSA, RSA-PSS, Ed25519, Ed448, X25519, X448 and HMAC (no DH: OpenSSL's
//   TLS 1.3 FFDHE groups are not offered, as neither Go nor BoringSSL has them);
// - ciphers: those of the suites a mesh uses (AES-GCM, ChaCha20-Poly1305, AES-CBC, AES-CCM:
//   every suite Consul accepts, and TLS 1.3's); a TLS 1.2 suite on another cipher (Camellia,
//   ARIA, ...) is refused as unknown when a context is made;
// - digests (SHA-1, SHA-2, MD5), signatures, key exchanges, KDFs, MACs and asymmetric ciphers
//   to those of TLS and of certificate signatures.
//
// Why: in OpenSSL 3.0, d2i_X509 decodes a certificate's public key through a decoder context it
// builds on every call: it builds every key manager and every decoder of the library context
// anew, matches them, and copies the library context's whole method store (every algorithm of
// every operation libssl fetched) while doing so. For the two certificates of the bench's client
// (leaf and CA) that was 2.45 M of the server's 7.1 M instructions per full mutual handshake; with
// the 12 SubjectPublicKeyInfo decoders 1.47 M, without the ciphers no mesh suite uses 1.02 M, and
// with every list narrowed 0.38 M (gateway/README.md). Keys loaded from PEM (pem.h) stay in the
// default library context, which keeps every algorithm; OpenSSL moves them across when a
// handshake signs with them (once per key: the export is cached on the key).
//
// If the provider cannot be set up (an OpenSSL without the default provider, say), this returns
// nullptr, which OpenSSL reads as its default library context: TLS works as before, only slower.
//
// Thread safety: built on first use under std::call_once; immutable afterwards.
#ifndef MESHGW_GATEWAY_TLS_TLS_LIBRARY_H_
#define MESHGW_GATEWAY_TLS_TLS_LIBRARY_H_

#include <openssl/types.h>

namespace meshgw::gateway::tls {

OSSL_LIB_CTX* TlsLibraryContext();

// How many decoders and ciphers the provider offers (0 when it could not be set up); for tests.
int TlsLibraryDecoderCount();
int TlsLibraryCipherCount();

}  // namespace meshgw::gateway::tls

#endif  // MESHGW_GATEWAY_TLS_TLS_LIBRARY_H_
