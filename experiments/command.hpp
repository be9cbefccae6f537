// Running a short-lived helper program (sbatch, squeue, scontrol, scancel) and capturing
// what it prints: spawn() (spawn.hpp) with pipes, a timeout, and extra environment variables.
// Not a sandbox: only for trusted tools that Shoal itself calls.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/expected.hpp"

namespace shoal::experiments {

struct CommandOptions {
  double timeout_s = 30;                        // then the program is killed (SIGKILL)
  std::map<std::string, std::string> env;       // set on top of this process's environment
  int64_t max_output_bytes = 16 << 20;          // per stream; more is read and dropped
};

struct CommandOutput {
  int exit_code = -1;   // -1 when it ended by a signal
  int signal = 0;
  std::string out, err;
  // "sbatch: error: ..." style summary for error messages: the stderr, else the stdout.
  std::string message() const;
};

// Runs argv (argv[0] looked up on PATH) to completion and returns what it printed. Errors:
// not_found when the program does not exist, timeout when it ran past the timeout (it is
// killed), io when it could not be started. A non-zero exit is not an error: check exit_code.
Expected<CommandOutput> run_command(const std::vector<std::string>& argv, const CommandOptions& options = {});

// The command line as a shell would read it, for messages: sbatch --parsable '/a b/job.sh'.
std::string shell_quote_join(const std::vector<std::string>& argv);

// One word quoted for a POSIX shell: 'it'\''s'.
std::string shell_quote(const std::string& word);

}  // namespace shoal::experiments
