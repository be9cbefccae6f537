// The Slurm suite's fixture: starts the real single-node Slurm (scripts/slurm-local start)
// before any test runs, and fails loudly, with the daemon logs, when it cannot. Nothing is
// skipped: without Slurm this suite fails.
//
// Environment (set by ctest and meson test): SHOAL_SOURCE_DIR (the checkout) and
// SHOAL_BINARY (the shoal binary, whose `shoal sandbox` runs each job on the node).
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <cstdio>
#include <cstdlib>
#include <string>

namespace {

// The variable's value, "" when unset.
std::string env_or_empty(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

}  // namespace

int main(int argc, char** argv) {
  const std::string source = env_or_empty("SHOAL_SOURCE_DIR");
  const std::string binary = env_or_empty("SHOAL_BINARY");
  if (source.empty() || binary.empty()) {
    std::fprintf(stderr, "slurm_tests: set SHOAL_SOURCE_DIR (the checkout) and SHOAL_BINARY (the shoal binary); "
                         "ctest and meson test set both\n");
    return 1;
  }
  const std::string script = source + "/scripts/slurm-local";
  std::fprintf(stderr, "slurm_tests: starting Slurm with %s start\n", script.c_str());
  if (std::system(("'" + script + "' start >&2").c_str()) != 0) {
    int ignored = std::system(("'" + script + "' logs >&2").c_str());
    (void)ignored;
    std::fprintf(stderr, "slurm_tests: FAILED: the single-node Slurm did not start (daemon logs above)\n");
    return 1;
  }
  // The tools (sbatch, squeue, ...) find the test cluster through SLURM_CONF.
  std::string state = env_or_empty("SHOAL_SLURM_STATE");
  if (state.empty()) state = "/var/tmp/shoal-slurm";
  ::setenv("SLURM_CONF", (state + "/slurm.conf").c_str(), 1);

  doctest::Context context;
  context.applyCommandLine(argc, argv);
  return context.run();
}
