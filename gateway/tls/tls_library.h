// The OpenSSL library context every gateway TLS context (server and client) is made in.
//
//   SSL_CTX* ctx = SSL_CTX_new_ex(TlsLibraryContext(), nullptr, TLS_server_method());
//
// It holds one built-in provider, "meshgw-tls", that re-exports OpenSSL's default provider: the
// same algorithms, the same implementations, the same provider context. Only the decoders are
// narrowed, to those that read a DER SubjectPublicKeyInfo: all a handshake decodes is the public
// key of each certificate it receives.
//
// Why: in OpenSSL 3.0, d2i_X509 decodes a certificate's public key through a decoder context it
// builds on every call, enumerating and chaining every decoder of the library context (the
// default provider has 40: PEM, PKCS#8, MSBLOB, PVK, ... for each key type). For the client
// certificate of a mutual handshake that was 2.45 M of the server's 7.1 M instructions; with the
// 12 SubjectPublicKeyInfo decoders it is about 0.4 M. Keys loaded from PEM (pem.h) stay in the
// default library context, which keeps every decoder; OpenSSL moves them across when a handshake
// signs with them (once per key: the export is cached on the key).
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

// How many decoders the provider offers (0 when it could not be set up); for tests.
int TlsLibraryDecoderCount();

}  // namespace meshgw::gateway::tls

#endif  // MESHGW_GATEWAY_TLS_TLS_LIBRARY_H_
