// The resumable sessions of a server context, kept lean. OpenSSL's own cache holds each session
// decoded, the client's certificate included: about 11 KB per session with OpenSSL 3.0 for a
// P-256 leaf, which a gateway holding thousands of idle terminated connections pays once per
// connection. This store keeps a copy of each session without the certificate (about 1 KB) and
// the peer identity taken from it, so that a resumed connection still knows who its peer is
// (TlsSession::peer()) without decoding a certificate again.
//
//   ServerSessionStore store(4096);
//   store.Install(ctx);   // OpenSSL's internal cache off; new/get/remove go through the store
//   ... a full handshake: store.size() == 1; the client resumes with the ticket or session ID ...
//   const PeerIdentity* who = ServerSessionStore::IdentityOf(SSL_get_session(ssl));
//
// Bounded: past `capacity` sessions the least recently stored or used one is dropped. Expiry is
// OpenSSL's (each session keeps its time and timeout). The copy is made by encoding the session
// (i2d_SSL_SESSION), leaving out its `peer` field ([3]) and decoding it again.
//
// Thread-safety: the callbacks run on every worker's handshakes at once; a mutex guards the map.
// The store must outlive the SSL_CTX's handshakes (ServerTlsContext owns both).
#ifndef MESHGW_GATEWAY_TLS_SESSION_STORE_H_
#define MESHGW_GATEWAY_TLS_SESSION_STORE_H_

#include <openssl/ssl.h>

#include <cstddef>
#include <list>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "gateway/tls/peer_identity.h"

namespace meshgw::gateway::tls {

class ServerSessionStore {
 public:
  explicit ServerSessionStore(size_t capacity);
  ~ServerSessionStore();
  ServerSessionStore(const ServerSessionStore&) = delete;
  ServerSessionStore& operator=(const ServerSessionStore&) = delete;

  // Turns OpenSSL's internal session cache off on `ctx` and routes its sessions here.
  void Install(SSL_CTX* ctx);

  size_t size() const;

  // The peer identity stored with a session of this store (or a copy OpenSSL made of one, for a
  // resumed connection); null for any other session.
  static const PeerIdentity* IdentityOf(const SSL_SESSION* session);

 private:
  struct Entry {
    SSL_SESSION* session;
    std::list<std::string>::iterator order;
  };

  static int OnNew(SSL* ssl, SSL_SESSION* session);
  static SSL_SESSION* OnGet(SSL* ssl, const unsigned char* id, int id_len, int* copy);
  static void OnRemove(SSL_CTX* ctx, SSL_SESSION* session);
  static ServerSessionStore* Of(SSL_CTX* ctx);

  void Add(std::string id, SSL_SESSION* lean);
  SSL_SESSION* Find(const std::string& id);
  void Remove(const std::string& id, const SSL_SESSION* session);

  const size_t capacity_;
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, Entry> sessions_ ABSL_GUARDED_BY(mu_);
  std::list<std::string> order_ ABSL_GUARDED_BY(mu_);  // most recently stored or used first
};

}  // namespace meshgw::gateway::tls

#endif  // MESHGW_GATEWAY_TLS_SESSION_STORE_H_
