#include "gateway/tls/session_store.h"

#include <utility>
#include <vector>

namespace meshgw::gateway::tls {

namespace {

// The session's PeerIdentity: copied with the session when OpenSSL duplicates it (a resumed
// TLS 1.3 connection's new ticket), deleted with it.
int DupIdentity(CRYPTO_EX_DATA*, const CRYPTO_EX_DATA*, void** from, int, long, void*) {
  if (*from != nullptr) *from = new PeerIdentity(*static_cast<const PeerIdentity*>(*from));
  return 1;
}

void FreeIdentity(void*, void* ptr, CRYPTO_EX_DATA*, int, long, void*) {
  delete static_cast<PeerIdentity*>(ptr);
}

int IdentityIndex() {
  static const int index =
      SSL_SESSION_get_ex_new_index(0, nullptr, nullptr, DupIdentity, FreeIdentity);
  return index;
}

int StoreIndex() {
  static const int index = SSL_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}

// One DER length at der[*pos]; false when malformed or past `end`.
bool ReadLength(const std::string& der, size_t* pos, size_t end, size_t* length) {
  if (*pos >= end) return false;
  const auto first = static_cast<unsigned char>(der[(*pos)++]);
  if (first < 0x80) {
    *length = first;
    return true;
  }
  const size_t bytes = first & 0x7f;
  if (bytes == 0 || bytes > 3 || *pos + bytes > end) return false;
  *length = 0;
  for (size_t i = 0; i < bytes; ++i) {
    *length = (*length << 8) | static_cast<unsigned char>(der[(*pos)++]);
  }
  return true;
}

void AppendLength(size_t length, std::string* out) {
  if (length < 0x80) {
    out->push_back(static_cast<char>(length));
    return;
  }
  std::string bytes;
  for (size_t l = length; l > 0; l >>= 8) bytes.insert(bytes.begin(), static_cast<char>(l & 0xff));
  out->push_back(static_cast<char>(0x80 | bytes.size()));
  *out += bytes;
}

// The SSL_SESSION_ASN1 SEQUENCE without its `peer` element ([3] EXPLICIT, tag byte 0xa3).
bool WithoutPeer(const std::string& der, std::string* out) {
  size_t pos = 0;
  size_t length = 0;
  if (der.empty() || static_cast<unsigned char>(der[pos++]) != 0x30 ||
      !ReadLength(der, &pos, der.size(), &length) || pos + length != der.size()) {
    return false;
  }
  std::string content;
  content.reserve(length);
  while (pos < der.size()) {
    const size_t start = pos;
    const auto tag = static_cast<unsigned char>(der[pos++]);
    size_t element = 0;
    if ((tag & 0x1f) == 0x1f || !ReadLength(der, &pos, der.size(), &element) ||
        pos + element > der.size()) {
      return false;
    }
    pos += element;
    if (tag != 0xa3) content.append(der, start, pos - start);
  }
  out->clear();
  out->push_back(0x30);
  AppendLength(content.size(), out);
  *out += content;
  return true;
}

// A copy of `session` without the peer certificate; null if OpenSSL cannot round-trip it.
SSL_SESSION* LeanCopy(SSL_SESSION* session) {
  const int size = i2d_SSL_SESSION(session, nullptr);
  if (size <= 0) return nullptr;
  std::string der(static_cast<size_t>(size), '\0');
  auto* p = reinterpret_cast<unsigned char*>(der.data());
  if (i2d_SSL_SESSION(session, &p) != size) return nullptr;
  std::string lean;
  if (!WithoutPeer(der, &lean)) return nullptr;
  const auto* q = reinterpret_cast<const unsigned char*>(lean.data());
  return d2i_SSL_SESSION(nullptr, &q, static_cast<long>(lean.size()));
}

}  // namespace

ServerSessionStore::ServerSessionStore(size_t capacity) : capacity_(capacity > 0 ? capacity : 1) {}

ServerSessionStore::~ServerSessionStore() {
  absl::MutexLock lock(&mu_);
  for (auto& [id, entry] : sessions_) SSL_SESSION_free(entry.session);
}

void ServerSessionStore::Install(SSL_CTX* ctx) {
  SSL_CTX_set_ex_data(ctx, StoreIndex(), this);
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_SERVER | SSL_SESS_CACHE_NO_INTERNAL);
  SSL_CTX_sess_set_new_cb(ctx, OnNew);
  SSL_CTX_sess_set_get_cb(ctx, OnGet);
  SSL_CTX_sess_set_remove_cb(ctx, OnRemove);
}

size_t ServerSessionStore::size() const {
  absl::MutexLock lock(&mu_);
  return sessions_.size();
}

const PeerIdentity* ServerSessionStore::IdentityOf(const SSL_SESSION* session) {
  if (session == nullptr) return nullptr;
  return static_cast<const PeerIdentity*>(SSL_SESSION_get_ex_data(session, IdentityIndex()));
}

ServerSessionStore* ServerSessionStore::Of(SSL_CTX* ctx) {
  return static_cast<ServerSessionStore*>(SSL_CTX_get_ex_data(ctx, StoreIndex()));
}

int ServerSessionStore::OnNew(SSL* ssl, SSL_SESSION* session) {
  ServerSessionStore* store = Of(SSL_get_SSL_CTX(ssl));
  if (store == nullptr) return 0;
  // The identity: from the certificate of a full handshake, or carried over from the session a
  // resumed connection started from (its certificate was never stored).
  const X509* peer = SSL_SESSION_get0_peer(session);
  const PeerIdentity* carried = IdentityOf(session);
  SSL_SESSION* lean = LeanCopy(session);
  if (lean == nullptr) return 0;  // not resumable, as if the cache were full
  auto* identity = peer != nullptr      ? new PeerIdentity(PeerIdentityOf(peer))
                   : carried != nullptr ? new PeerIdentity(*carried)
                                        : new PeerIdentity();
  SSL_SESSION_set_ex_data(lean, IdentityIndex(), identity);  // freed with the session
  unsigned int id_length = 0;
  const unsigned char* id = SSL_SESSION_get_id(session, &id_length);
  store->Add(std::string(reinterpret_cast<const char*>(id), id_length), lean);
  return 0;  // we kept no reference to `session`
}

SSL_SESSION* ServerSessionStore::OnGet(SSL* ssl, const unsigned char* id, int id_length,
                                       int* copy) {
  *copy = 0;  // Find took a reference for OpenSSL (under the lock: a remove may race)
  ServerSessionStore* store = Of(SSL_get_SSL_CTX(ssl));
  if (store == nullptr || id_length <= 0) return nullptr;
  return store->Find(std::string(reinterpret_cast<const char*>(id), id_length));
}

void ServerSessionStore::OnRemove(SSL_CTX* ctx, SSL_SESSION* session) {
  ServerSessionStore* store = Of(ctx);
  if (store == nullptr) return;
  unsigned int id_length = 0;
  const unsigned char* id = SSL_SESSION_get_id(session, &id_length);
  store->Remove(std::string(reinterpret_cast<const char*>(id), id_length), session);
}

void ServerSessionStore::Add(std::string id, SSL_SESSION* lean) {
  std::vector<SSL_SESSION*> dropped;
  {
    absl::MutexLock lock(&mu_);
    if (auto it = sessions_.find(id); it != sessions_.end()) {
      dropped.push_back(it->second.session);
      order_.erase(it->second.order);
      sessions_.erase(it);
    }
    order_.push_front(id);
    sessions_.emplace(std::move(id), Entry{lean, order_.begin()});
    while (sessions_.size() > capacity_) {
      auto oldest = sessions_.find(order_.back());
      dropped.push_back(oldest->second.session);
      sessions_.erase(oldest);
      order_.pop_back();
    }
  }
  for (SSL_SESSION* s : dropped) SSL_SESSION_free(s);  // outside the lock
}

SSL_SESSION* ServerSessionStore::Find(const std::string& id) {
  absl::MutexLock lock(&mu_);
  auto it = sessions_.find(id);
  if (it == sessions_.end()) return nullptr;
  order_.splice(order_.begin(), order_, it->second.order);
  SSL_SESSION_up_ref(it->second.session);
  return it->second.session;
}

void ServerSessionStore::Remove(const std::string& id, const SSL_SESSION* session) {
  SSL_SESSION* dropped = nullptr;
  {
    absl::MutexLock lock(&mu_);
    auto it = sessions_.find(id);
    if (it == sessions_.end() || it->second.session != session) return;
    dropped = it->second.session;
    order_.erase(it->second.order);
    sessions_.erase(it);
  }
  SSL_SESSION_free(dropped);
}

}  // namespace meshgw::gateway::tls
