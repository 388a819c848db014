// Every Nomad job in jobs/ against the placement rules of Nomad's job specification: each block
// may only appear inside the blocks the docs name (`<Placement>` of job, group, task, network,
// service, check, template, consul, identity, update, restart, constraint... in
// hashicorp/nomad website/content/docs/job-specification/*.mdx), with the label count and the
// parameters those pages list, and the required ones present. The rule table below is written
// from those facts (shared/reference/hcl.md §3.2); parsing is our HCL parser (the official
// parser checks the same files in hcl_oracle_differential).
//
// The checker's own tests feed it misplaced blocks and unknown parameters, so the rules cannot
// pass by accepting everything.
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "hcl/syntax/parser.h"

namespace meshgw {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;

// One block type in one context. `attributes` empty and `any_attributes` set: a free-form map
// (env, meta, tagged_addresses, locals, driver config).
struct BlockRule {
  int labels = 0;
  std::set<std::string> attributes;
  std::set<std::string> required;
  bool any_attributes = false;
  bool any_blocks = false;  // driver `config`: no schema (nested blocks become attributes)
};

// The rules, keyed by "<parent>/<block>" where parent is the enclosing block type ("" at the
// top of the file). A block type absent under a parent is misplaced there.
const std::map<std::string, BlockRule>& Rules() {
  static const auto* rules = [] {
    auto* r = new std::map<std::string, BlockRule>;
    const BlockRule constraint{0, {"attribute", "operator", "value"}, {}};
    const BlockRule update{
        0,
        {"max_parallel", "health_check", "min_healthy_time", "healthy_deadline",
         "progress_deadline", "auto_revert", "auto_promote", "canary", "stagger"},
        {}};
    const BlockRule restart{0, {"attempts", "interval", "delay", "mode", "render_templates"}, {}};
    const BlockRule consul{0, {"cluster", "namespace", "partition"}, {}};
    const BlockRule identity{
        0, {"name", "aud", "env", "file", "filepath", "ttl", "change_mode", "change_signal"}, {}};
    const BlockRule free_map{0, {}, {}, /*any_attributes=*/true};
    const BlockRule driver_config{0, {}, {}, true, /*any_blocks=*/true};
    const BlockRule resources{0, {"cpu", "cores", "memory", "memory_max"}, {}};

    // Top level of a jobspec: variables, locals, the job.
    (*r)["/variable"] = {1, {"type", "default", "description", "sensitive", "nullable"}, {}};
    (*r)["variable/validation"] = {0, {"condition", "error_message"}, {"condition"}};
    (*r)["/locals"] = free_map;
    (*r)["/job"] = {1,
                    {"datacenters", "type", "region", "namespace", "priority", "node_pool",
                     "all_at_once", "vault_token", "consul_token"},
                    {}};

    // Job level.
    (*r)["job/group"] = {1,
                         {"count", "shutdown_delay", "stop_after_client_disconnect",
                          "max_client_disconnect", "prevent_reschedule_on_lost"},
                         {}};
    (*r)["job/update"] = update;
    (*r)["job/constraint"] = constraint;
    (*r)["job/meta"] = free_map;

    // Group level.
    (*r)["group/task"] = {
        1,
        {"driver", "user", "kill_timeout", "kill_signal", "leader", "shutdown_delay", "kind"},
        {"driver"}};
    (*r)["group/network"] = {0, {"mode", "hostname"}, {}};
    (*r)["network/port"] = {1, {"static", "to", "host_network", "ignore_collision"}, {}};
    (*r)["group/service"] = {};
    (*r)["group/restart"] = restart;
    (*r)["group/update"] = update;
    (*r)["group/constraint"] = constraint;
    (*r)["group/consul"] = consul;
    (*r)["group/meta"] = free_map;
    (*r)["group/ephemeral_disk"] = {0, {"migrate", "size", "sticky"}, {}};

    // Services (group or task) and their checks.
    const BlockRule service{0,
                            {"provider", "name", "port", "tags", "canary_tags", "address",
                             "address_mode", "task", "on_update", "kind", "enable_tag_override"},
                            {}};
    (*r)["group/service"] = service;
    (*r)["task/service"] = service;
    (*r)["service/tagged_addresses"] = free_map;
    (*r)["service/meta"] = free_map;
    (*r)["service/identity"] = identity;
    (*r)["service/check"] = {0,
                             {"name",
                              "type",
                              "interval",
                              "timeout",
                              "port",
                              "path",
                              "method",
                              "protocol",
                              "address_mode",
                              "task",
                              "command",
                              "args",
                              "initial_status",
                              "success_before_passing",
                              "failures_before_critical",
                              "tls_skip_verify",
                              "tls_server_name",
                              "on_update",
                              "expose",
                              "grpc_service",
                              "grpc_use_tls",
                              "body"},
                             {"type", "interval", "timeout"}};
    (*r)["check/check_restart"] = {0, {"limit", "grace", "ignore_warnings"}, {}};
    (*r)["service/connect"] = {0, {"native"}, {}};
    (*r)["connect/sidecar_service"] = {0, {"tags", "port", "disable_default_tcp_check"}, {}};
    (*r)["sidecar_service/meta"] = free_map;
    (*r)["sidecar_service/proxy"] = {
        0, {"local_service_address", "local_service_port", "config"}, {}};
    (*r)["proxy/upstreams"] = {
        0,
        {"destination_name", "destination_namespace", "destination_peer", "destination_partition",
         "destination_type", "local_bind_port", "local_bind_address", "local_bind_socket_path",
         "local_bind_socket_mode", "datacenter", "config"},
        {"destination_name", "local_bind_port"}};
    (*r)["upstreams/mesh_gateway"] = {0, {"mode"}, {}};
    (*r)["proxy/transparent_proxy"] = {
        0,
        {"exclude_inbound_ports", "exclude_outbound_cidrs", "exclude_outbound_ports",
         "exclude_uids", "no_dns", "outbound_port", "uid"},
        {}};
    (*r)["connect/sidecar_task"] = {
        0, {"name", "driver", "user", "kill_timeout", "shutdown_delay", "kill_signal"}, {}};
    (*r)["sidecar_task/config"] = driver_config;
    (*r)["sidecar_task/env"] = free_map;
    (*r)["sidecar_task/resources"] = resources;
    (*r)["sidecar_task/meta"] = free_map;
    (*r)["sidecar_task/identity"] = identity;

    // Task level.
    (*r)["task/config"] = driver_config;
    (*r)["task/env"] = free_map;
    (*r)["task/meta"] = free_map;
    (*r)["task/resources"] = resources;
    (*r)["task/restart"] = restart;
    (*r)["task/constraint"] = constraint;
    (*r)["task/consul"] = consul;
    (*r)["task/identity"] = identity;
    (*r)["task/artifact"] = {0, {"source", "destination", "mode", "chown"}, {"source"}};
    (*r)["artifact/options"] = free_map;
    (*r)["artifact/headers"] = free_map;
    (*r)["task/template"] = {0,
                             {"data", "source", "destination", "change_mode", "change_signal",
                              "env", "perms", "left_delimiter", "right_delimiter", "splay",
                              "error_on_missing_key", "once", "uid", "gid"},
                             {"destination"}};
    (*r)["template/wait"] = {0, {"min", "max"}, {}};
    (*r)["task/logs"] = {0, {"max_files", "max_file_size", "disabled"}, {}};
    (*r)["task/lifecycle"] = {0, {"hook", "sidecar"}, {"hook"}};
    return r;
  }();
  return *rules;
}

// Where `r` starts, as "file:line:col".
std::string Where(const std::string& file, const hcl::Range& r) {
  return absl::StrCat(file, ":", r.start.line, ":", r.start.column);
}

void CheckBody(const std::string& file, const hcl::Body& body, const std::string& parent,
               const BlockRule* rule, std::vector<std::string>& problems) {
  if (rule != nullptr) {
    for (const hcl::Attribute& a : body.attributes) {
      if (!rule->any_attributes && !rule->any_blocks && !rule->attributes.count(a.name)) {
        problems.push_back(absl::StrCat(Where(file, a.name_range), ": attribute \"", a.name,
                                        "\" is not a parameter of ", parent));
      }
    }
    for (const std::string& req : rule->required) {
      if (body.FindAttribute(req) == nullptr) {
        problems.push_back(absl::StrCat(Where(file, body.src_range), ": ", parent,
                                        " needs the parameter \"", req, "\""));
      }
    }
    if (rule->any_blocks) return;  // driver config: no schema below
  } else if (!body.attributes.empty() && parent.empty()) {
    for (const hcl::Attribute& a : body.attributes) {
      problems.push_back(absl::StrCat(Where(file, a.name_range), ": attribute \"", a.name,
                                      "\" outside any block"));
    }
  }
  for (const hcl::Block& b : body.blocks) {
    auto it = Rules().find(absl::StrCat(parent, "/", b.type));
    if (it == Rules().end()) {
      problems.push_back(
          absl::StrCat(Where(file, b.type_range), ": block \"", b.type, "\" may not appear ",
                       parent.empty() ? "at the top level" : absl::StrCat("inside ", parent)));
      continue;
    }
    if (static_cast<int>(b.labels.size()) != it->second.labels) {
      problems.push_back(absl::StrCat(Where(file, b.type_range), ": block \"", b.type, "\" takes ",
                                      it->second.labels, " label(s), not ", b.labels.size()));
    }
    CheckBody(file, *b.body, b.type, &it->second, problems);
  }
}

// CheckJobspec returns one "file:line:col: problem" per violation (empty: the file follows the
// rules), or the parse errors.
std::vector<std::string> CheckJobspec(const std::string& filename, std::string text) {
  hcl::ParseResult parsed = hcl::ParseConfig(std::move(text), filename);
  if (parsed.diags.HasErrors()) return {std::string(parsed.diags.ToStatus().message())};
  std::vector<std::string> problems;
  CheckBody(filename, *parsed.file->body, "", nullptr, problems);
  int jobs = 0;
  for (const hcl::Block& b : parsed.file->body->blocks) jobs += b.type == "job";
  if (jobs != 1) problems.push_back(absl::StrCat(filename, ": ", jobs, " job blocks, want 1"));
  return problems;
}

std::vector<std::filesystem::path> JobFiles() {
  std::vector<std::filesystem::path> out;
  for (const auto& e : std::filesystem::directory_iterator(MESHGW_SOURCE_DIR "/jobs")) {
    std::string name = e.path().filename().string();
    if (name.size() > 10 && name.ends_with(".nomad.hcl")) out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST(NomadJobs, TheWalkthroughsJobsAreAllThere) {
  std::set<std::string> names;
  for (const auto& p : JobFiles()) names.insert(p.filename().string());
  EXPECT_THAT(names, ::testing::IsSupersetOf({"mesh-gateway.nomad.hcl", "meshgw-control.nomad.hcl",
                                              "backend.nomad.hcl", "frontend.nomad.hcl",
                                              "api-gw.nomad.hcl"}));
}

TEST(NomadJobs, EveryBlockAndAttributeIsWhereNomadAllowsIt) {
  for (const auto& path : JobFiles()) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    std::vector<std::string> problems = CheckJobspec(path.filename().string(), ss.str());
    EXPECT_THAT(problems, IsEmpty()) << absl::StrJoin(problems, "\n");
  }
}

// What the issue asks of the mesh gateway job, checked on its tree.
TEST(NomadJobs, MeshGatewayJobShape) {
  std::ifstream in(std::string(MESHGW_SOURCE_DIR) + "/jobs/mesh-gateway.nomad.hcl");
  std::stringstream ss;
  ss << in.rdbuf();
  hcl::ParseResult parsed = hcl::ParseConfig(ss.str(), "mesh-gateway.nomad.hcl");
  ASSERT_FALSE(parsed.diags.HasErrors());
  const hcl::File& f = *parsed.file;
  auto find = [](const hcl::Body& body, std::string_view type) -> const hcl::Block* {
    for (const hcl::Block& b : body.blocks) {
      if (b.type == type) return &b;
    }
    return nullptr;
  };
  const hcl::Block* var = find(*f.body, "variable");
  ASSERT_NE(var, nullptr);
  EXPECT_EQ(var->labels[0], "datacenter");
  const hcl::Block* job = find(*f.body, "job");
  ASSERT_NE(job, nullptr);
  EXPECT_NE(find(*job->body, "update"), nullptr);
  const hcl::Block* group = find(*job->body, "group");
  ASSERT_NE(group, nullptr);
  EXPECT_NE(find(*group->body, "restart"), nullptr);
  const hcl::Block* network = find(*group->body, "network");
  ASSERT_NE(network, nullptr);
  const hcl::Block* port = find(*network->body, "port");
  ASSERT_NE(port, nullptr);
  EXPECT_EQ(port->labels[0], "mesh_wan");
  ASSERT_NE(port->body->FindAttribute("static"), nullptr);
  EXPECT_EQ(f.Text(port->body->FindAttribute("static")->expr->range), "8443");
  const hcl::Block* service = find(*group->body, "service");
  ASSERT_NE(service, nullptr);
  EXPECT_EQ(f.Text(service->body->FindAttribute("name")->expr->range), "\"mesh-gateway\"");
  const hcl::Block* tagged = find(*service->body, "tagged_addresses");
  ASSERT_NE(tagged, nullptr);
  EXPECT_NE(tagged->body->FindAttribute("wan"), nullptr);
  const hcl::Block* check = find(*service->body, "check");
  ASSERT_NE(check, nullptr);
  EXPECT_EQ(f.Text(check->body->FindAttribute("path")->expr->range), "\"/ready\"");
  const hcl::Block* task = find(*group->body, "task");
  ASSERT_NE(task, nullptr);
  EXPECT_EQ(f.Text(task->body->FindAttribute("driver")->expr->range), "\"exec\"");
  EXPECT_NE(find(*task->body, "artifact"), nullptr);
  EXPECT_NE(find(*task->body, "template"), nullptr);
  const hcl::Block* identity = find(*task->body, "identity");
  ASSERT_NE(identity, nullptr);
  EXPECT_EQ(f.Text(identity->body->FindAttribute("name")->expr->range), "\"consul_default\"");
}

// The checker itself: each rule kind rejects what it must.
TEST(NomadJobsChecker, RejectsMisplacedBlocks) {
  std::vector<std::string> p = CheckJobspec("t.hcl", R"(job "j" {
  group "g" {
    template {
      destination = "x"
    }
    task "t" {
      driver = "exec"
      network {
        mode = "host"
      }
    }
  }
  identity {
    name = "x"
  }
}
)");
  EXPECT_THAT(p, ::testing::ElementsAre(
                     HasSubstr("t.hcl:3:5: block \"template\" may not appear inside group"),
                     HasSubstr("t.hcl:8:7: block \"network\" may not appear inside task"),
                     HasSubstr("t.hcl:13:3: block \"identity\" may not appear inside job")));
}

TEST(NomadJobsChecker, RejectsUnknownParametersLabelsAndMissingRequired) {
  std::vector<std::string> p = CheckJobspec("t.hcl", R"(job "j" {
  group "g" {
    service {
      name = "s"
      check {
        type   = "http"
        intervl = "10s"
      }
    }
    task {
      user = "x"
    }
  }
}
)");
  EXPECT_THAT(p, ::testing::ElementsAre(
                     HasSubstr("t.hcl:7:9: attribute \"intervl\" is not a parameter of check"),
                     HasSubstr("check needs the parameter \"interval\""),
                     HasSubstr("check needs the parameter \"timeout\""),
                     HasSubstr("t.hcl:10:5: block \"task\" takes 1 label(s), not 0"),
                     HasSubstr("task needs the parameter \"driver\"")));
}

TEST(NomadJobsChecker, DriverConfigAndMapsAreFreeForm) {
  EXPECT_THAT(CheckJobspec("t.hcl", R"(job "j" {
  group "g" {
    task "t" {
      driver = "exec"
      config {
        command = "x"
        anything {
          nested = true
        }
      }
      env {
        ANY_NAME = "v"
      }
    }
  }
}
)"),
              IsEmpty());
  EXPECT_THAT(CheckJobspec("t.hcl", "group \"g\" {}\n"),
              ::testing::ElementsAre(HasSubstr("block \"group\" may not appear at the top level"),
                                     HasSubstr("0 job blocks")));
}

}  // namespace
}  // namespace meshgw
