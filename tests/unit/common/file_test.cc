#include "common/file.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace meshgw {
namespace {

using ::testing::HasSubstr;

std::string TempDir() {
  char tmpl[] = "/tmp/meshgw-file-test-XXXXXX";
  const char* dir = mkdtemp(tmpl);
  EXPECT_NE(dir, nullptr);
  return dir == nullptr ? "/tmp" : std::string(dir);
}

TEST(FileTest, ReadMissingNamesThePath) {
  absl::StatusOr<std::string> text = ReadFile("/nonexistent/meshgw/x.hcl");
  ASSERT_FALSE(text.ok());
  EXPECT_EQ(text.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(text.status().message(), HasSubstr("/nonexistent/meshgw/x.hcl: No such file"));
}

TEST(FileTest, WriteThenReadBackWithTheMode) {
  const std::string dir = TempDir();
  const std::string path = dir + "/peerings.json";
  std::string big(100000, 'x');
  big[54321] = '\0';  // binary data survives
  ASSERT_TRUE(WriteFileAtomically(path, big, 0600).ok());
  absl::StatusOr<std::string> text = ReadFile(path);
  ASSERT_TRUE(text.ok()) << text.status();
  EXPECT_EQ(*text, big);
  struct stat st {};
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  // Overwriting replaces the whole file and takes the new mode; no temporary file stays.
  ASSERT_TRUE(WriteFileAtomically(path, "short", 0644).ok());
  EXPECT_EQ(*ReadFile(path), "short");
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0644u);
  EXPECT_NE(access((path + ".tmp").c_str(), F_OK), 0);
  unlink(path.c_str());
  rmdir(dir.c_str());
}

TEST(FileTest, WriteIntoAMissingFolderNamesTheFile) {
  absl::Status s = WriteFileAtomically("/nonexistent/meshgw/out.pem", "x");
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.message(), HasSubstr("/nonexistent/meshgw/out.pem.tmp"));
}

}  // namespace
}  // namespace meshgw
