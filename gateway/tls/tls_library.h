// The OpenSSL library context every gateway TLS context (server and client) is made in.
//
//   SSL_CTX* ctx = SSL_CTX_new_ex(TlsLibraryContext(), nullptr, TLS_server_method());
//
// It holds one built-in provider, "meshgw-tls", that re-exports OpenSSL's default provider: the
// same algorithms, the same implementations, the same provider context. Two lists are narrowed:
// the decoders, to those that read a DER SubjectPublicKeyInfo (all a handshake decodes is the
// public key of each certificate it receives), and the ciphers, to those of the suites a mesh
// uses (AES-GCM, ChaCha20-Poly1305, AES-CBC, AES-CCM: every suite Consul accepts, and TLS 1.3's).
// A TLS 1.2 suite on another cipher (Camellia, ARIA, ...) is refused as unknown when a context is
// made.
//
// Why: in OpenSSL 3.0, d2i_X509 decodes a certificate's public key through a decoder context it
// builds on every call, enumerating and chaining every decoder of the library context (the
// default provider has 40: PEM, PKCS#8, MSBLOB, PVK, ... for each key type), and walking every
// algorithm libssl loaded into it. For the two certificates of the bench's client (leaf and CA)
// that was 2.45 M of the server's 7.1 M instructions per full mutual handshake; with the 12
// SubjectPublicKeyInfo decoders 1.47 M, and without the ciphers no mesh suite uses 1.02 M (the
// handshake: 5.67 M, gateway/README.md). Keys loaded from PEM (pem.h) stay in the default
// library context, which keeps every decoder; OpenSSL moves them across when a handshake signs
// with them (once per key: the export is cached on the key).
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
