#include <doctest/doctest.h>

#include <algorithm>

#include "experiments/executor.hpp"

using namespace shoal;
using namespace shoal::experiments;

TEST_CASE("JobResult JSON round-trips every field") {
  JobResult r;
  r.exit_code = 3;
  r.signal = 0;
  r.limit_hit = limit::disk;
  r.wall_s = 1.5;
  r.cpu_s = 0.25;
  r.peak_memory_bytes = 12345;
  r.stdout_tail = "out\n";
  r.stderr_tail = "err \xE2\x9C\x93\n";
  r.stdout_bytes = 99;
  r.stderr_bytes = 7;
  r.sandboxed = false;
  auto back = JobResult::from_json(nlohmann::json::parse(r.to_json().dump()));
  REQUIRE(back.ok());
  CHECK(back->to_json() == r.to_json());
  CHECK(back->limit_hit == "disk");
  CHECK_FALSE(back->sandboxed);
  CHECK_FALSE(back->succeeded());
}

TEST_CASE("JobResult::from_json names a missing or mistyped key") {
  auto j = JobResult{}.to_json();
  j.erase("wall_s");
  auto missing = JobResult::from_json(j);
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().kind == ErrorKind::invalid_input);
  CHECK(missing.error().message.find("wall_s") != std::string::npos);
  j = JobResult{}.to_json();
  j["exit_code"] = "zero";
  CHECK(JobResult::from_json(j).error().message.find("exit_code") != std::string::npos);
  CHECK_FALSE(JobResult::from_json(nlohmann::json::array()).ok());
}

TEST_CASE("Limits JSON keeps defaults for missing keys") {
  auto l = Limits::from_json({{"wall_s", 5}, {"max_procs", 10}});
  REQUIRE(l.ok());
  CHECK(l->wall_s == 5);
  CHECK(l->max_procs == 10);
  CHECK(l->memory_bytes == Limits{}.memory_bytes);
  CHECK(Limits::from_json(l->to_json())->to_json() == l->to_json());
  CHECK_FALSE(Limits::from_json({{"wall_s", "long"}}).ok());
}

TEST_CASE("parse_size reads bytes and K/M/G/T suffixes") {
  CHECK(*parse_size("100") == 100);
  CHECK(*parse_size("64k") == 65536);
  CHECK(*parse_size("2G") == 2LL << 30);
  CHECK(*parse_size("1.5M") == 3LL << 19);
  CHECK(*parse_size("512MB") == 512LL << 20);
  for (const char* bad : {"", "G", "-1", "12Q", "1GG", "nan"}) {
    auto r = parse_size(bad);
    CHECK_FALSE(r.ok());
    CHECK(r.error().kind == ErrorKind::invalid_input);
  }
}

TEST_CASE("sandbox_command_args puts every limit before -- and the command after") {
  JobSpec s;
  s.argv = {"python3", "experiment.py", "--out_dir", "run_1"};
  s.workdir = "/w/run";
  s.limits.wall_s = 90;
  s.limits.memory_bytes = 1LL << 30;
  s.env = {{"SEED", "1"}};
  s.ro_binds = {"/templates/nanogpt"};
  s.gpus = 1;
  auto a = sandbox_command_args(s);
  auto at = [&](const std::string& opt) {
    auto it = std::find(a.begin(), a.end(), opt);
    REQUIRE(it != a.end());
    return *(it + 1);
  };
  CHECK(a.front() == "sandbox");
  CHECK(at("--timeout") == "90");
  CHECK(at("--memory") == std::to_string(1LL << 30));
  CHECK(at("--gpus") == "1");
  CHECK(at("--env") == "SEED=1");
  CHECK(at("--ro-bind") == "/templates/nanogpt");
  CHECK(at("--workdir") == "/w/run");
  auto dash = std::find(a.begin(), a.end(), "--");
  REQUIRE(dash != a.end());
  CHECK(std::vector<std::string>(dash + 1, a.end()) == s.argv);
  CHECK(std::find(a.begin(), a.end(), "--unsafe-no-sandbox") == a.end());
}

TEST_CASE("CancelToken is a sticky flag") {
  CancelToken t;
  CHECK_FALSE(t.cancelled());
  t.cancel();
  CHECK(t.cancelled());
}
