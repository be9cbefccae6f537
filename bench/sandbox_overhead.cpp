// The sandbox's cost per run: the median start-to-exit time of `true` run through
// run_sandboxed() (bwrap, namespaces, rlimits, job cgroup, seccomp, supervision) against the
// same `true` run with unsafe_no_sandbox (same spawn and supervision, no sandbox).
// The last line prints the absolute median overhead and the ratio. Target: < 30 ms added.
//   sandbox_overhead [RUNS]   (default 30; as root, like Shoal runs experiments)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <vector>

#include "core/log.hpp"
#include "experiments/sandbox.hpp"

using namespace shoal;
using namespace shoal::experiments;

namespace {

// Median wall-clock milliseconds of `runs` runs of spec.
double median_ms(const JobSpec& spec, int runs) {
  std::vector<double> ms;
  for (int i = 0; i < runs; ++i) {
    auto start = std::chrono::steady_clock::now();
    auto r = run_sandboxed(spec, {}, CancelToken{});
    double took = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    if (!r.ok() || r->exit_code != 0) {
      std::fprintf(stderr, "run failed: %s\n", r.ok() ? r->stderr_tail.c_str() : r.error().describe().c_str());
      std::exit(1);
    }
    ms.push_back(took);
  }
  std::sort(ms.begin(), ms.end());
  return ms[ms.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  int runs = argc > 1 ? std::atoi(argv[1]) : 30;
  log::set_level(log::Level::error);  // the unsafe runs warn each time
  auto dir = std::filesystem::temp_directory_path() / "shoal-sandbox-bench";
  std::filesystem::create_directories(dir / "w");
  JobSpec spec;
  spec.argv = {"/bin/true"};
  spec.workdir = dir / "w";
  // Warm up (the first run probes bwrap and detects cgroups).
  (void)run_sandboxed(spec, {}, CancelToken{});
  double sandboxed = median_ms(spec, runs);
  spec.unsafe_no_sandbox = true;
  double direct = median_ms(spec, runs);
  std::filesystem::remove_all(dir);
  std::printf("runs: %d each; cgroups: %s\n", runs, cgroup_support().description.c_str());
  std::printf("median start-to-exit of true: sandboxed %.2f ms, unsandboxed %.2f ms\n", sandboxed, direct);
  std::printf("sandbox overhead: %.2f ms added per run (median), ratio %.2f\n", sandboxed - direct, sandboxed / direct);
  return 0;
}
