// Tests of control/ca/embedded_ca.h: the root and the leaves are checked with OpenSSL's own
// verifier (X509_verify_cert at fixed times) and with the `openssl verify` command, their SANs
// read back from the DER, rotation at exact instants, and the root kept across restarts.
#include "control/ca/embedded_ca.h"

#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace meshgw::control {
namespace {

namespace fs = std::filesystem;

constexpr char kTrustDomain[] = "7f42f496-fbc7-8692-05ed-334aa5340c1e.consul";
const absl::Time kNow = absl::FromUnixSeconds(1764000000);  // 2025-11-24T16:00:00Z

struct X509Deleter {
  void operator()(X509* x) const { X509_free(x); }
};
using X509Ptr = std::unique_ptr<X509, X509Deleter>;

X509Ptr ParseCert(const std::string& pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  X509Ptr x(PEM_read_bio_X509(bio, nullptr, nullptr, nullptr));
  BIO_free(bio);
  return x;
}

// The SANs of one type (GEN_URI, GEN_DNS), in order.
std::vector<std::string> Sans(X509* x, int type) {
  std::vector<std::string> out;
  auto* names =
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(x, NID_subject_alt_name, nullptr, nullptr));
  if (names == nullptr) return out;
  for (int i = 0; i < sk_GENERAL_NAME_num(names); ++i) {
    const GENERAL_NAME* g = sk_GENERAL_NAME_value(names, i);
    if (g->type != type) continue;
    const ASN1_STRING* s = type == GEN_URI ? g->d.uniformResourceIdentifier : g->d.dNSName;
    out.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                     static_cast<size_t>(ASN1_STRING_length(s)));
  }
  GENERAL_NAMES_free(names);
  return out;
}

std::string CommonName(X509* x) {
  char buf[256] = {};
  X509_NAME_get_text_by_NID(X509_get_subject_name(x), NID_commonName, buf, sizeof(buf));
  return buf;
}

// X509_verify_cert of `leaf` against `root` at `when`: X509_V_OK or the error code.
int Verify(const std::string& root_pem, const std::string& leaf_pem, absl::Time when) {
  X509Ptr root = ParseCert(root_pem);
  X509Ptr leaf = ParseCert(leaf_pem);
  EXPECT_NE(root, nullptr);
  EXPECT_NE(leaf, nullptr);
  X509_STORE* store = X509_STORE_new();
  X509_STORE_add_cert(store, root.get());
  X509_STORE_CTX* ctx = X509_STORE_CTX_new();
  X509_STORE_CTX_init(ctx, store, leaf.get(), nullptr);
  X509_VERIFY_PARAM_set_time(X509_STORE_CTX_get0_param(ctx), absl::ToTimeT(when));
  int ok = X509_verify_cert(ctx);
  int err = ok == 1 ? X509_V_OK : X509_STORE_CTX_get_error(ctx);
  X509_STORE_CTX_free(ctx);
  X509_STORE_free(store);
  return err;
}

CaOptions Options(std::string directory = "") {
  CaOptions o;
  o.trust_domain = kTrustDomain;
  o.datacenter = "gcp-dc2";
  o.directory = std::move(directory);
  return o;
}

std::unique_ptr<EmbeddedCa> NewCa(CaOptions options = Options()) {
  absl::StatusOr<std::unique_ptr<EmbeddedCa>> ca = EmbeddedCa::Create(std::move(options), kNow);
  EXPECT_TRUE(ca.ok()) << ca.status();
  return ca.ok() ? *std::move(ca) : nullptr;
}

class TempDir {
 public:
  TempDir() {
    std::string templ = (fs::temp_directory_path() / "meshgw-ca-XXXXXX").string();
    path_ = mkdtemp(templ.data());
  }
  ~TempDir() { fs::remove_all(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

TEST(EmbeddedCa, RootIsSelfSignedP256WithSigningIdSan) {
  auto ca = NewCa();
  ASSERT_NE(ca, nullptr);
  const CaRootInfo& root = ca->root();
  EXPECT_EQ(root.trust_domain, kTrustDomain);
  EXPECT_EQ(root.not_before, kNow - absl::Minutes(1));
  EXPECT_EQ(root.not_after, kNow + absl::Hours(87600));
  EXPECT_EQ(root.name, "meshgw CA Primary Cert");
  EXPECT_EQ(root.id.size(), 59u);             // 20 bytes of SHA-1, colon-separated
  EXPECT_EQ(root.serial_number.size(), 47u);  // 16 bytes
  EXPECT_EQ(root.signing_key_id.size(), 59u);
  EXPECT_FALSE(ca->loaded_from_disk());

  X509Ptr x = ParseCert(root.root_cert_pem);
  ASSERT_NE(x, nullptr);
  EXPECT_THAT(Sans(x.get(), GEN_URI),
              testing::ElementsAre(std::string("spiffe://") + kTrustDomain));
  EXPECT_EQ(X509_check_ca(x.get()), 1);
  EXPECT_THAT(CommonName(x.get()),
              testing::MatchesRegex("pri-[0-9a-f]{8}\\.meshgw\\.ca\\.7f42f496\\.consul"));
  EVP_PKEY* pub = X509_get0_pubkey(x.get());
  EXPECT_EQ(EVP_PKEY_get_base_id(pub), EVP_PKEY_EC);
  char group[64] = {};
  size_t len = 0;
  EVP_PKEY_get_group_name(pub, group, sizeof(group), &len);
  EXPECT_STREQ(group, "prime256v1");
  EXPECT_EQ(Verify(root.root_cert_pem, root.root_cert_pem, kNow), X509_V_OK);
}

TEST(EmbeddedCa, ServiceLeafVerifiesAndCarriesConsulNames) {
  auto ca = NewCa();
  ASSERT_NE(ca, nullptr);
  absl::StatusOr<IssuedCert> leaf = ca->IssueServiceLeaf("private-api", "default", kNow);
  ASSERT_TRUE(leaf.ok()) << leaf.status();
  const std::string want_id =
      std::string("spiffe://") + kTrustDomain + "/ns/default/dc/gcp-dc2/svc/private-api";
  EXPECT_EQ(leaf->spiffe_id, want_id);
  EXPECT_EQ(leaf->common_name, "privateapi.svc.default.7f42f496.consul");
  EXPECT_EQ(leaf->valid_after, kNow - absl::Minutes(1));
  EXPECT_EQ(leaf->valid_before, kNow + absl::Hours(72));

  X509Ptr x = ParseCert(leaf->cert_pem);
  ASSERT_NE(x, nullptr);
  EXPECT_THAT(Sans(x.get(), GEN_URI), testing::ElementsAre(want_id));
  EXPECT_THAT(Sans(x.get(), GEN_DNS),
              testing::ElementsAre("privateapi.svc.default.7f42f496.consul"));
  EXPECT_EQ(CommonName(x.get()), "privateapi.svc.default.7f42f496.consul");
  EXPECT_EQ(X509_check_ca(x.get()), 0);
  EXPECT_EQ(X509_check_purpose(x.get(), X509_PURPOSE_SSL_SERVER, 0), 1);
  EXPECT_EQ(X509_check_purpose(x.get(), X509_PURPOSE_SSL_CLIENT, 0), 1);

  // The key is the certificate's.
  BIO* bio =
      BIO_new_mem_buf(leaf->private_key_pem.data(), static_cast<int>(leaf->private_key_pem.size()));
  EVP_PKEY* key = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  ASSERT_NE(key, nullptr);
  EXPECT_EQ(X509_check_private_key(x.get(), key), 1);
  EVP_PKEY_free(key);

  EXPECT_EQ(Verify(ca->root().root_cert_pem, leaf->cert_pem, kNow), X509_V_OK);
  EXPECT_EQ(Verify(ca->root().root_cert_pem, leaf->cert_pem, kNow + absl::Hours(71)), X509_V_OK);
  EXPECT_EQ(
      Verify(ca->root().root_cert_pem, leaf->cert_pem, kNow + absl::Hours(72) + absl::Seconds(1)),
      X509_V_ERR_CERT_HAS_EXPIRED);
  EXPECT_EQ(Verify(ca->root().root_cert_pem, leaf->cert_pem, kNow - absl::Minutes(2)),
            X509_V_ERR_CERT_NOT_YET_VALID);
  EXPECT_FALSE(leaf->Expired(kNow + absl::Hours(72) - absl::Seconds(1)));
  EXPECT_TRUE(leaf->Expired(kNow + absl::Hours(72)));

  // Another CA of the same trust domain did not sign it.
  auto other = NewCa();
  ASSERT_NE(other, nullptr);
  EXPECT_EQ(Verify(other->root().root_cert_pem, leaf->cert_pem, kNow),
            X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
}

TEST(EmbeddedCa, SerialNumbersDiffer) {
  auto ca = NewCa();
  ASSERT_NE(ca, nullptr);
  absl::StatusOr<IssuedCert> a = ca->IssueServiceLeaf("web", "", kNow);
  absl::StatusOr<IssuedCert> b = ca->IssueServiceLeaf("web", "", kNow);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->serial_number.size(), 47u);
  EXPECT_NE(a->serial_number, b->serial_number);
  EXPECT_NE(a->serial_number, ca->root().serial_number);
  EXPECT_EQ(a->spiffe_id,
            std::string("spiffe://") + kTrustDomain + "/ns/default/dc/gcp-dc2/svc/web");
}

TEST(EmbeddedCa, MeshGatewayLeaf) {
  auto ca = NewCa();
  ASSERT_NE(ca, nullptr);
  absl::StatusOr<IssuedCert> gw = ca->IssueMeshGatewayLeaf(kNow);
  ASSERT_TRUE(gw.ok()) << gw.status();
  const std::string want = std::string("spiffe://") + kTrustDomain + "/gateway/mesh/dc/gcp-dc2";
  EXPECT_EQ(gw->spiffe_id, want);
  X509Ptr x = ParseCert(gw->cert_pem);
  ASSERT_NE(x, nullptr);
  EXPECT_THAT(Sans(x.get(), GEN_URI), testing::ElementsAre(want));
  EXPECT_THAT(Sans(x.get(), GEN_DNS), testing::IsEmpty());
  EXPECT_EQ(CommonName(x.get()), "mesh-gateway.gcp-dc2.7f42f496.consul");
  EXPECT_EQ(Verify(ca->root().root_cert_pem, gw->cert_pem, kNow), X509_V_OK);
}

TEST(EmbeddedCa, PeeringServerLeaf) {
  auto ca = NewCa();
  ASSERT_NE(ca, nullptr);
  absl::StatusOr<IssuedCert> server = ca->IssuePeeringServerLeaf(kNow);
  ASSERT_TRUE(server.ok()) << server.status();
  const std::string want = std::string("spiffe://") + kTrustDomain + "/agent/server/dc/gcp-dc2";
  EXPECT_EQ(server->spiffe_id, want);
  X509Ptr x = ParseCert(server->cert_pem);
  ASSERT_NE(x, nullptr);
  EXPECT_THAT(Sans(x.get(), GEN_URI), testing::ElementsAre(want));
  EXPECT_THAT(Sans(x.get(), GEN_DNS),
              testing::ElementsAre(std::string("server.gcp-dc2.peering.") + kTrustDomain));
  EXPECT_EQ(CommonName(x.get()), "server.gcp-dc2.peering.7f42f496.consul");
  EXPECT_EQ(Verify(ca->root().root_cert_pem, server->cert_pem, kNow), X509_V_OK);
  // Dialers check the name the way a TLS client checks a host name.
  const std::string dns = std::string("server.gcp-dc2.peering.") + kTrustDomain;
  EXPECT_EQ(X509_check_host(x.get(), dns.data(), dns.size(), 0, nullptr), 1);
  const std::string other = std::string("server.gcp-dc1.peering.") + kTrustDomain;
  EXPECT_EQ(X509_check_host(x.get(), other.data(), other.size(), 0, nullptr), 0);
}

TEST(EmbeddedCa, PartitionedServiceLeaf) {
  auto ca = NewCa();
  ASSERT_NE(ca, nullptr);
  absl::StatusOr<IssuedCert> leaf = ca->IssueServiceLeaf("web", "team", kNow, "eu");
  ASSERT_TRUE(leaf.ok()) << leaf.status();
  EXPECT_EQ(leaf->spiffe_id,
            std::string("spiffe://") + kTrustDomain + "/ap/eu/ns/team/dc/gcp-dc2/svc/web");
  EXPECT_EQ(leaf->common_name, "web.svc.team.7f42f496.consul");
}

TEST(EmbeddedCa, RotationAfterHalfLifePlusJitter) {
  auto ca = NewCa();
  ASSERT_NE(ca, nullptr);
  for (int i = 0; i < 20; ++i) {
    absl::StatusOr<IssuedCert> leaf = ca->IssueServiceLeaf("web", "default", kNow);
    ASSERT_TRUE(leaf.ok());
    // 72 h life: rotate in [36 h, 36 h + 7.2 h).
    EXPECT_GE(leaf->rotate_after, kNow + absl::Hours(36));
    EXPECT_LT(leaf->rotate_after, kNow + absl::Hours(36) + absl::Minutes(432));
    EXPECT_FALSE(leaf->NeedsRotation(kNow + absl::Hours(36) - absl::Seconds(1)));
    EXPECT_FALSE(leaf->NeedsRotation(leaf->rotate_after - absl::Nanoseconds(1)));
    EXPECT_TRUE(leaf->NeedsRotation(leaf->rotate_after));
    EXPECT_TRUE(leaf->NeedsRotation(kNow + absl::Hours(36) + absl::Minutes(432)));
  }
}

TEST(EmbeddedCa, LeafNeverOutlivesTheRoot) {
  CaOptions o = Options();
  o.root_validity = absl::Hours(100);
  auto ca = NewCa(o);
  ASSERT_NE(ca, nullptr);
  absl::StatusOr<IssuedCert> leaf = ca->IssueServiceLeaf("web", "default", kNow + absl::Hours(50));
  ASSERT_TRUE(leaf.ok());
  EXPECT_EQ(leaf->valid_before, kNow + absl::Hours(100));
  EXPECT_EQ(Verify(ca->root().root_cert_pem, leaf->cert_pem, kNow + absl::Hours(99)), X509_V_OK);
}

TEST(EmbeddedCa, BadInputs) {
  CaOptions bad_td = Options();
  bad_td.trust_domain = "Bad.Consul";
  absl::StatusOr<std::unique_ptr<EmbeddedCa>> ca = EmbeddedCa::Create(bad_td, kNow);
  ASSERT_FALSE(ca.ok());
  EXPECT_EQ(ca.status().message(),
            "CA trust domain Bad.Consul is not a valid SPIFFE trust domain (lower-case letters, "
            "digits, '.', '-', '_')");

  auto good = NewCa();
  ASSERT_NE(good, nullptr);
  absl::StatusOr<IssuedCert> leaf = good->IssueServiceLeaf("web/x", "default", kNow);
  ASSERT_FALSE(leaf.ok());
  EXPECT_THAT(std::string(leaf.status().message()),
              testing::StartsWith("cannot issue a leaf for service \"web/x\" of namespace "
                                  "\"default\": "));
}

TEST(ServiceCommonName, LikeConsul) {
  EXPECT_EQ(ServiceCommonName("web", "default", kTrustDomain), "web.svc.default.7f42f496.consul");
  EXPECT_EQ(ServiceCommonName("Front_Service", "", kTrustDomain),
            "frontservice.svc.default.7f42f496.consul");
  // 40 + 7 = 47 > 43: only the service shrinks (the namespace is short).
  EXPECT_EQ(ServiceCommonName(std::string(40, 'a'), "default", kTrustDomain),
            std::string(36, 'a') + ".svc.default.7f42f496.consul");
  // Both long: 30 + 30 = 60, 17 to remove: service loses 9, namespace 8.
  EXPECT_EQ(ServiceCommonName(std::string(30, 's'), std::string(30, 'n'), kTrustDomain),
            std::string(21, 's') + ".svc." + std::string(22, 'n') + ".7f42f496.consul");
}

TEST(EmbeddedCa, RootPersistsAcrossRestarts) {
  TempDir dir;
  std::string root_pem;
  {
    auto first = NewCa(Options(dir.path() + "/ca"));
    ASSERT_NE(first, nullptr);
    EXPECT_FALSE(first->loaded_from_disk());
    root_pem = first->root().root_cert_pem;
  }
  struct stat st = {};
  ASSERT_EQ(stat((dir.path() + "/ca/root-key.pem").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(stat((dir.path() + "/ca").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);

  auto second = NewCa(Options(dir.path() + "/ca"));
  ASSERT_NE(second, nullptr);
  EXPECT_TRUE(second->loaded_from_disk());
  EXPECT_EQ(second->root().root_cert_pem, root_pem);
  absl::StatusOr<IssuedCert> leaf = second->IssueMeshGatewayLeaf(kNow);
  ASSERT_TRUE(leaf.ok());
  EXPECT_EQ(Verify(root_pem, leaf->cert_pem, kNow), X509_V_OK);

  // Another trust domain does not take over the stored root.
  CaOptions other = Options(dir.path() + "/ca");
  other.trust_domain = "11111111-2222-3333-4444-555555555555.consul";
  absl::StatusOr<std::unique_ptr<EmbeddedCa>> wrong = EmbeddedCa::Create(other, kNow);
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.status().message(),
            dir.path() + "/ca/root.pem: a root of spiffe://" + kTrustDomain +
                ", not of the configured spiffe://11111111-2222-3333-4444-555555555555.consul; "
                "move it away to make a new root (peers will need the new bundle)");

  // Half a root is an error, not a new root.
  fs::remove(dir.path() + "/ca/root-key.pem");
  absl::StatusOr<std::unique_ptr<EmbeddedCa>> half =
      EmbeddedCa::Create(Options(dir.path() + "/ca"), kNow);
  ASSERT_FALSE(half.ok());
  EXPECT_EQ(half.status().message(),
            dir.path() +
                "/ca: holds root.pem without root-key.pem; restore the missing file or "
                "remove both to make a new root");
}

TEST(EmbeddedCa, OpensslVerifyCommandAcceptsTheChain) {
  TempDir dir;
  auto ca = NewCa();
  ASSERT_NE(ca, nullptr);
  absl::StatusOr<IssuedCert> leaf = ca->IssueServiceLeaf("public-api", "default", kNow);
  ASSERT_TRUE(leaf.ok());
  std::ofstream(dir.path() + "/root.pem") << ca->root().root_cert_pem;
  std::ofstream(dir.path() + "/leaf.pem") << leaf->cert_pem;
  auto run = [&](absl::Time at) {
    std::string cmd = "openssl verify -attime " + std::to_string(absl::ToUnixSeconds(at)) +
                      " -CAfile " + dir.path() + "/root.pem " + dir.path() + "/leaf.pem 2>&1";
    FILE* p = popen(cmd.c_str(), "r");
    std::string out;
    char buf[512];
    while (p != nullptr && fgets(buf, sizeof(buf), p) != nullptr) out += buf;
    int rc = p != nullptr ? pclose(p) : -1;
    return std::make_pair(rc, out);
  };
  auto [rc, out] = run(kNow + absl::Hours(1));
  EXPECT_EQ(rc, 0) << out;
  EXPECT_EQ(out, dir.path() + "/leaf.pem: OK\n");
  auto [late_rc, late_out] = run(kNow + absl::Hours(73));
  EXPECT_NE(late_rc, 0);
  EXPECT_THAT(late_out, testing::HasSubstr("certificate has expired"));
}

}  // namespace
}  // namespace meshgw::control
