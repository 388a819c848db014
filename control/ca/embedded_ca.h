// The embedded CA of one datacenter: the root the control component signs mesh identities with
// when it runs without Consul (OpenSSL 3).
//
// Like Consul's built-in CA: an ECDSA P-256 root whose URI SAN is the signing ID
// `spiffe://<trust-domain>` (trust domain `<cluster-id>.consul`), leaves for services
// (`spiffe://<td>/ns/<ns>/dc/<dc>/svc/<name>`, Common Name and DNS SAN
// `<svc>.svc.<ns>.<td first 8>.consul` as Consul's ServiceCN) and for mesh gateways
// (`spiffe://<td>/gateway/mesh/dc/<dc>`, meshgw's Common Name `mesh-gateway.<dc>.<td first
// 8>.consul`). Leaves are ECDSA P-256, valid 72 h by default (the root 10 years), start one minute
// in the past for clock skew, carry random 128-bit serial numbers, and are due for rotation after
// half their life plus a random tenth (`NeedsRotation`), so a fleet does not renew all at once.
//
// With a `directory`, the root and its key persist there (`root.pem`, `root-key.pem`, mode
// 0600; a folder created for them is mode 0700) and a restart keeps the same root; a root of
// another trust domain found there is an error, never silently replaced.
//
//   CaOptions options;
//   options.trust_domain = "7f42f496-fbc7-8692-05ed-334aa5340c1e.consul";
//   options.datacenter = "gcp-dc2";
//   options.directory = "/var/lib/meshgw/ca";
//   absl::StatusOr<std::unique_ptr<EmbeddedCa>> ca = EmbeddedCa::Create(options, absl::Now());
//   absl::StatusOr<IssuedCert> leaf = (*ca)->IssueServiceLeaf("private-api", "default", now);
//   leaf->spiffe_id == "spiffe://7f42f496-....consul/ns/default/dc/gcp-dc2/svc/private-api"
//   if (leaf->NeedsRotation(later)) ... issue again ...
//
// Times are passed in, so tests use fixed ones. Thread-safety: an EmbeddedCa is immutable after
// Create and its methods may be called from several threads.
#ifndef MESHGW_CONTROL_CA_EMBEDDED_CA_H_
#define MESHGW_CONTROL_CA_EMBEDDED_CA_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace meshgw::control {

struct CaOptions {
  std::string trust_domain;  // "<cluster-id>.consul"
  std::string datacenter;
  std::string directory;  // where the root persists; "" keeps it in memory only
  absl::Duration root_validity = absl::Hours(24 * 365 * 10);
  absl::Duration leaf_validity = absl::Hours(72);
};

// A certificate and its key, PEM-encoded, with what callers schedule by.
struct IssuedCert {
  std::string cert_pem;
  std::string private_key_pem;  // PKCS#8 ("BEGIN PRIVATE KEY")
  std::string serial_number;    // colon-separated hex, as Consul prints it: "3a:0f:..."
  std::string spiffe_id;
  std::string common_name;
  absl::Time valid_after;
  absl::Time valid_before;
  absl::Time rotate_after;  // when NeedsRotation turns true

  // NeedsRotation(now): the certificate is past rotate_after (or expired).
  bool NeedsRotation(absl::Time now) const { return now >= rotate_after; }
  bool Expired(absl::Time now) const { return now >= valid_before; }
};

// The root as Consul's /v1/connect/ca/roots describes one.
struct CaRootInfo {
  std::string id;              // SHA-1 fingerprint of the DER, colon-separated hex
  std::string name;            // "meshgw CA Primary Cert"
  std::string serial_number;   // colon-separated hex
  std::string signing_key_id;  // the subject key identifier, colon-separated hex
  std::string trust_domain;
  std::string root_cert_pem;
  absl::Time not_before;
  absl::Time not_after;
};

class EmbeddedCa {
 public:
  // Create loads the root from options.directory when it holds one, else generates one valid
  // from `now` (and writes it there when a directory is set). Errors: an invalid trust domain,
  // a root of another trust domain or a key that does not match in the directory, a directory
  // that cannot be written.
  static absl::StatusOr<std::unique_ptr<EmbeddedCa>> Create(CaOptions options, absl::Time now);

  ~EmbeddedCa();
  EmbeddedCa(const EmbeddedCa&) = delete;
  EmbeddedCa& operator=(const EmbeddedCa&) = delete;

  const CaOptions& options() const { return options_; }
  const CaRootInfo& root() const { return root_; }
  // True when Create found the root in the directory rather than generating it.
  bool loaded_from_disk() const { return loaded_from_disk_; }

  // IssueServiceLeaf("web", "default", now): a leaf for service `web` of namespace `ns` ("" is
  // "default") in this datacenter. `partition` other than "" and "default" adds /ap/<partition>.
  absl::StatusOr<IssuedCert> IssueServiceLeaf(std::string_view service, std::string_view ns,
                                              absl::Time now,
                                              std::string_view partition = "") const;
  // IssueMeshGatewayLeaf(now): the leaf a mesh gateway of this datacenter presents.
  absl::StatusOr<IssuedCert> IssueMeshGatewayLeaf(absl::Time now) const;
  // IssuePeeringServerLeaf(now): the leaf the control component presents on its peering port,
  // shaped like a Consul server's: URI SAN `spiffe://<td>/agent/server/dc/<dc>` and DNS SAN
  // `server.<dc>.peering.<td>` (the ServerName of peering tokens, which dialers verify).
  absl::StatusOr<IssuedCert> IssuePeeringServerLeaf(absl::Time now) const;

 private:
  struct Keys;
  EmbeddedCa(CaOptions options, std::unique_ptr<Keys> keys, CaRootInfo root, bool loaded);
  absl::StatusOr<IssuedCert> Issue(const std::string& spiffe_id, const std::string& common_name,
                                   const std::vector<std::string>& dns_sans, absl::Time now) const;

  CaOptions options_;
  std::unique_ptr<Keys> keys_;
  CaRootInfo root_;
  bool loaded_from_disk_ = false;
};

// ServiceCommonName("web", "default", "7f42f496-fbc7-...consul") ==
// "web.svc.default.7f42f496.consul": Consul's ServiceCN (service name lower-cased with characters
// outside [a-z0-9] removed; service and namespace shortened to fit 64 bytes).
std::string ServiceCommonName(std::string_view service, std::string_view ns,
                              std::string_view trust_domain);

}  // namespace meshgw::control

#endif  // MESHGW_CONTROL_CA_EMBEDDED_CA_H_
