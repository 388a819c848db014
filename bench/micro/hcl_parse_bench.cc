// Parse + evaluate throughput of meshgw's HCL library, in bytes per second.
//
// Rates use wall-clock time, as `hcl-oracle bench` does, so the two figures compare.
// Each iteration parses a file with ParseConfig and evaluates every attribute with no context
// (constant folding, like the official parser's Expr.Value(nil)), which is exactly what
// `hcl-oracle bench` times for HashiCorp's parser; bench/hcl_vs_oracle.sh compares the two.
//
// Inputs: a large config generated deterministically here (blocks, attributes, escapes,
// templates with directives, numbers, heredocs, collections, comments: several MB), and the
// repository's .hcl files (or the files named by --hcl_files=F1:F2:...).
//
// Extra flags, read before Google Benchmark's own:
//   --write_generated=PATH   write the generated config to PATH and exit (for the comparison)
//   --generated_bytes=N      size of the generated config (default 4 MB)
//   --hcl_files=F1:F2:...    benchmark these files instead of the repository's .hcl files
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "hcl/eval/eval.h"
#include "hcl/syntax/parser.h"

namespace meshgw::hcl {
namespace {

// A small deterministic generator (no std::rand: the file must be identical on every machine).
class Lcg {
 public:
  uint32_t Next() {
    state_ = state_ * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<uint32_t>(state_ >> 33);
  }
  uint32_t Below(uint32_t n) { return Next() % n; }

 private:
  uint64_t state_ = 0x5eed;
};

void AppendServiceBlock(std::string* out, int n, Lcg* rng) {
  const char* kinds[] = {"tcp", "http", "grpc", "http2"};
  absl::StrAppend(out, "# service ", n, ": generated for the parse benchmark\n");
  absl::StrAppend(out, "service \"svc-", n, "\" {\n");
  absl::StrAppend(out, "  name        = \"svc-", n, "\"\n");
  absl::StrAppend(out, "  protocol    = \"", kinds[rng->Below(4)], "\"\n");
  absl::StrAppend(out, "  port        = ", 8000 + rng->Below(1000), "\n");
  absl::StrAppend(out, "  weight      = ", rng->Below(100), ".", rng->Below(1000), "\n");
  absl::StrAppend(out, "  big         = ", rng->Next(), rng->Next(), rng->Next(), "\n");
  absl::StrAppend(out, "  scale       = ", 1 + rng->Below(9), "e", rng->Below(20), "\n");
  absl::StrAppend(out, "  enabled     = ", rng->Below(2) ? "true" : "false", "\n");
  absl::StrAppend(out, "  nothing     = null\n");
  absl::StrAppend(out, "  tags        = [\"api\", \"svc-", n, "\", \"zone-", rng->Below(8),
                  "\"]\n");
  absl::StrAppend(out, "  address     = \"10.${", n % 256, "}.${", n / 256 % 256, " + 1}.",
                  rng->Below(250) + 1, "\"\n");
  absl::StrAppend(out, "  parity      = \"%{ if ", n, " % 2 == 0 }even%{ else }odd%{ endif }\"\n");
  absl::StrAppend(out,
                  "  escaped     = \"tab\\tquote\\\" caf\\u00e9 \\U0001F600 $${literal} "
                  "%%{literal} 100%\"\n");
  absl::StrAppend(out, "  ratio       = (", n, " * 3 + 1) / 2 - ", rng->Below(50), " % 7\n");
  absl::StrAppend(
      out, "  mode        = ", n % 3 == 0 ? "true ? \"local\" : \"remote\"" : "\"none\"", "\n");
  absl::StrAppend(out, "  meta = {\n    owner   = \"team-", rng->Below(40),
                  "\"\n    \"x-key\" = ", n, "\n    nested  = { a = [1, 2, 3], b = \"c\" }\n  }\n");
  absl::StrAppend(out, "  description = <<-EOT\n    Service ", n,
                  " answers requests\n      for ${\"svc-", n,
                  "\"} in every zone.\n    It is generated.\n    EOT\n");
  absl::StrAppend(out, "  /* a block comment\n     over two lines */\n");
  absl::StrAppend(out, "  check {\n    type     = \"tcp\"\n    interval = \"", 5 + rng->Below(30),
                  "s\" // inline\n    timeout  = \"2s\"\n  }\n");
  absl::StrAppend(out, "  upstream \"db-", rng->Below(100),
                  "\" { local_bind_port = ", 9000 + rng->Below(1000), " }\n");
  absl::StrAppend(out, "}\n\n");
}

std::string GenerateLargeConfig(size_t target_bytes) {
  std::string out;
  out.reserve(target_bytes + 4096);
  Lcg rng;
  for (int n = 0; out.size() < target_bytes; ++n) AppendServiceBlock(&out, n, &rng);
  return out;
}

void EvaluateBody(const Body& body, Diagnostics* diags) {
  for (const Attribute& a : body.attributes) {
    benchmark::DoNotOptimize(Evaluate(*a.expr, nullptr, diags));
  }
  for (const Block& b : body.blocks) EvaluateBody(*b.body, diags);
}

struct Input {
  std::string name;
  std::string bytes;
};

void BM_ParseEvaluate(benchmark::State& state, const std::vector<Input>* inputs) {
  int64_t bytes = 0;
  for (const Input& in : *inputs) bytes += static_cast<int64_t>(in.bytes.size());
  for (auto _ : state) {
    for (const Input& in : *inputs) {
      ParseResult r = ParseConfig(in.bytes, in.name);
      Diagnostics diags;
      EvaluateBody(*r.file->body, &diags);
      benchmark::DoNotOptimize(diags);
    }
  }
  state.SetBytesProcessed(state.iterations() * bytes);
  state.counters["files"] = static_cast<double>(inputs->size());
}

void BM_ParseOnly(benchmark::State& state, const std::vector<Input>* inputs) {
  int64_t bytes = 0;
  for (const Input& in : *inputs) bytes += static_cast<int64_t>(in.bytes.size());
  for (auto _ : state) {
    for (const Input& in : *inputs) {
      ParseResult r = ParseConfig(in.bytes, in.name);
      benchmark::DoNotOptimize(r);
    }
  }
  state.SetBytesProcessed(state.iterations() * bytes);
}

bool ReadFile(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  *out = std::move(ss).str();
  return true;
}

// The repository's .hcl files that parse without errors, outside build and VCS directories.
std::vector<Input> RepositoryFiles() {
  namespace fs = std::filesystem;
  // The source tree: MESHGW_SOURCE_DIR when set, else two levels above this file.
  const char* env = std::getenv("MESHGW_SOURCE_DIR");
  fs::path root = env != nullptr ? fs::path(env) : fs::path(__FILE__).parent_path() / ".." / "..";
  std::vector<Input> out;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (it->is_directory() &&
        (name.rfind("build", 0) == 0 || name == ".git" || name == "node_modules")) {
      it.disable_recursion_pending();
      continue;
    }
    if (!it->is_regular_file() || it->path().extension() != ".hcl") continue;
    Input in{it->path().string(), {}};
    if (!ReadFile(in.name, &in.bytes)) continue;
    if (ParseConfig(in.bytes, in.name).diags.HasErrors()) continue;
    out.push_back(std::move(in));
  }
  return out;
}

}  // namespace
}  // namespace meshgw::hcl

int main(int argc, char** argv) {
  using meshgw::hcl::Input;
  size_t generated_bytes = 4 << 20;
  std::string write_generated;
  std::string files_flag;
  bool files_given = false;
  // Take our flags out of argv before Google Benchmark sees it.
  int kept = 1;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    if (a.rfind("--write_generated=", 0) == 0) {
      write_generated = std::string(a.substr(18));
    } else if (a.rfind("--generated_bytes=", 0) == 0) {
      generated_bytes = std::strtoull(std::string(a.substr(18)).c_str(), nullptr, 10);
    } else if (a.rfind("--hcl_files=", 0) == 0) {
      files_flag = std::string(a.substr(12));
      files_given = true;
    } else {
      argv[kept++] = argv[i];
    }
  }
  argc = kept;

  static std::vector<Input> generated;
  generated.push_back({"generated.hcl", meshgw::hcl::GenerateLargeConfig(generated_bytes)});
  if (!write_generated.empty()) {
    std::ofstream out(write_generated, std::ios::binary);
    out << generated[0].bytes;
    if (!out.flush()) {
      std::fprintf(stderr, "hcl_parse_bench: cannot write %s\n", write_generated.c_str());
      return 1;
    }
    return 0;
  }

  static std::vector<Input> files;
  if (files_given) {
    std::vector<std::string> names = absl::StrSplit(files_flag, ':', absl::SkipEmpty());
    for (std::string& f : names) {
      Input in{std::move(f), {}};
      if (!meshgw::hcl::ReadFile(in.name, &in.bytes)) {
        std::fprintf(stderr, "hcl_parse_bench: cannot read %s\n", in.name.c_str());
        return 1;
      }
      files.push_back(std::move(in));
    }
  } else {
    files = meshgw::hcl::RepositoryFiles();
  }

  benchmark::RegisterBenchmark("BM_ParseEvaluate/generated", meshgw::hcl::BM_ParseEvaluate,
                               &generated)
      ->Unit(benchmark::kMillisecond)
      ->UseRealTime();
  benchmark::RegisterBenchmark("BM_ParseOnly/generated", meshgw::hcl::BM_ParseOnly, &generated)
      ->Unit(benchmark::kMillisecond)
      ->UseRealTime();
  if (!files.empty()) {
    benchmark::RegisterBenchmark("BM_ParseEvaluate/files", meshgw::hcl::BM_ParseEvaluate, &files)
        ->Unit(benchmark::kMicrosecond)
        ->UseRealTime();
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
