#include <doctest/doctest.h>

#include <algorithm>
#include <cstdlib>

#include "experiments/limits.hpp"

using namespace shoal::experiments;

namespace {
rlimit find_limit(const std::vector<std::pair<int, rlimit>>& v, int resource) {
  for (const auto& [r, l] : v)
    if (r == resource) return l;
  FAIL("rlimit missing");
  return {};
}
}  // namespace

TEST_CASE("job_rlimits sets every limit; a memory cgroup doubles the address space") {
  Limits l;
  l.memory_bytes = 1LL << 30;
  l.cpu_s = 2.5;
  l.max_procs = 50;
  auto v = job_rlimits(l, false);
  CHECK(find_limit(v, RLIMIT_AS).rlim_max == 1ULL << 30);
  CHECK(find_limit(v, RLIMIT_CPU).rlim_cur == 3);
  CHECK(find_limit(v, RLIMIT_CPU).rlim_max == 4);
  CHECK(find_limit(v, RLIMIT_NPROC).rlim_cur == 50);
  CHECK(find_limit(v, RLIMIT_FSIZE).rlim_cur == static_cast<rlim_t>(l.max_file_bytes));
  CHECK(find_limit(v, RLIMIT_NOFILE).rlim_cur == 1024);
  CHECK(find_limit(v, RLIMIT_CORE).rlim_max == 0);
  CHECK(find_limit(job_rlimits(l, true), RLIMIT_AS).rlim_cur == 2ULL << 30);
  l.cpu_s = 0;
  auto none = job_rlimits(l, false);
  CHECK(std::none_of(none.begin(), none.end(), [](const auto& p) { return p.first == RLIMIT_CPU; }));
}

TEST_CASE("job_environment is the allow-list plus spec.env, nothing inherited") {
  ::setenv("OPENAI_API_KEY", "sk-should-not-leak", 1);
  JobSpec s;
  s.workdir = "/w/run_1";
  s.cpus = 3;
  s.env = {{"SEED", "7"}, {"LANG", "C"}};
  auto env = job_environment(s);
  auto has = [&](const std::string& kv) { return std::find(env.begin(), env.end(), kv) != env.end(); };
  CHECK(has("HOME=/w/run_1"));
  CHECK(has("OMP_NUM_THREADS=3"));
  CHECK(has("MPLBACKEND=Agg"));
  CHECK(has("PYTHONDONTWRITEBYTECODE=1"));
  CHECK(has("SEED=7"));
  CHECK(has("LANG=C"));  // spec.env wins
  CHECK(has("CUDA_VISIBLE_DEVICES="));
  for (const auto& kv : env) CHECK(kv.find("sk-should-not-leak") == std::string::npos);
  s.gpus = 2;
  auto gpu_env = job_environment(s);
  CHECK(std::find(gpu_env.begin(), gpu_env.end(), "CUDA_VISIBLE_DEVICES=0,1") != gpu_env.end());
  ::unsetenv("OPENAI_API_KEY");
}
