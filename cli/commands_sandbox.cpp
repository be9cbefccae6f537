// shoal sandbox: runs one command exactly as an experiment would be run and prints the
// outcome (a JobResult) as JSON.
#include <signal.h>

#include <iostream>

#include "cli/command.hpp"
#include "experiments/sandbox.hpp"

namespace shoal::cli {
namespace {

struct SandboxArgs {
  double timeout = 3600, cpu_time = 0;
  std::string memory = "4G", file_size = "1G", output = "64M", disk = "2G", tail = "16K";
  int procs = 256, open_files = 1024, cpus = 1, gpus = 0;
  std::vector<std::string> ro_binds, env, command;
  std::string workdir;
  bool unsafe = false;
};

// SIGINT/SIGTERM (Ctrl-C, scancel) cancel the job: the tree is killed and the result printed.
experiments::CancelToken* cancel_on_signal = nullptr;
extern "C" void on_stop_signal(int) {
  if (cancel_on_signal) cancel_on_signal->cancel();
}

// Parses a size option; the error names the option.
int64_t size_option(const std::string& name, const std::string& text) {
  auto v = experiments::parse_size(text);
  if (!v) throw ShoalError(fail(ErrorKind::invalid_input, "--" + name + ": " + v.error().message));
  return *v;
}

int run_sandbox(Context& ctx, const SandboxArgs& a) {
  experiments::JobSpec spec;
  spec.argv = a.command;
  spec.workdir = a.workdir;
  spec.limits.wall_s = a.timeout;
  spec.limits.cpu_s = a.cpu_time;
  spec.limits.memory_bytes = size_option("memory", a.memory);
  spec.limits.max_procs = a.procs;
  spec.limits.max_file_bytes = size_option("file-size", a.file_size);
  spec.limits.max_open_files = a.open_files;
  spec.limits.max_output_bytes = size_option("output", a.output);
  spec.limits.max_disk_bytes = size_option("disk", a.disk);
  spec.limits.tail_bytes = size_option("tail", a.tail);
  spec.cpus = a.cpus;
  spec.gpus = a.gpus;
  spec.unsafe_no_sandbox = a.unsafe;
  for (const auto& p : a.ro_binds) spec.ro_binds.emplace_back(p);
  for (const auto& kv : a.env) {
    auto eq = kv.find('=');
    if (eq == std::string::npos || eq == 0)
      throw ShoalError(fail(ErrorKind::invalid_input, "--env needs KEY=VALUE, got '" + kv + "'"));
    spec.env[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  experiments::SandboxOptions options;
  options.user = ctx.config().get("sandbox_user");
  options.use_cgroups = ctx.config().get("sandbox_cgroup") != "none";

  experiments::CancelToken cancel;
  cancel_on_signal = &cancel;
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  ::sigaction(SIGINT, &sa, nullptr);
  ::sigaction(SIGTERM, &sa, nullptr);
  auto result = experiments::run_sandboxed(spec, options, cancel).value();
  std::cout << result.to_json().dump(2) << "\n";
  return 0;
}

}  // namespace

void add_sandbox_commands(CLI::App& app, Commands& commands) {
  auto a = std::make_shared<SandboxArgs>();
  auto* sub = app.add_subcommand(
      "sandbox",
      "Run one command in the experiment sandbox and print the outcome as JSON (exit status, signal, limit hit, "
      "durations, output tails). Exit 0 when the command ran, whatever its own exit status; 9 when the sandbox "
      "refused. Sizes take K, M, G suffixes.");
  sub->add_option("--timeout", a->timeout, "Wall-clock seconds before the whole tree is killed")->capture_default_str();
  sub->add_option("--cpu-time", a->cpu_time, "CPU seconds of the whole tree (0: none)")->capture_default_str();
  sub->add_option("--memory", a->memory, "Memory (address space, and the job cgroup where writable)")->capture_default_str();
  sub->add_option("--procs", a->procs, "Processes and threads")->capture_default_str();
  sub->add_option("--file-size", a->file_size, "Largest file the command may write")->capture_default_str();
  sub->add_option("--open-files", a->open_files, "Open file descriptors")->capture_default_str();
  sub->add_option("--output", a->output, "stdout + stderr bytes before the command is killed")->capture_default_str();
  sub->add_option("--disk", a->disk, "Size of the work folder before the command is killed")->capture_default_str();
  sub->add_option("--tail", a->tail, "Bytes of stdout and of stderr kept in the result")->capture_default_str();
  sub->add_option("--cpus", a->cpus, "CPUs (sets OMP_NUM_THREADS)")->capture_default_str();
  sub->add_option("--gpus", a->gpus, "GPUs passed through (/dev/nvidia*, CUDA_VISIBLE_DEVICES)")->capture_default_str();
  sub->add_option("--ro-bind", a->ro_binds, "Extra path visible read-only at the same path (repeatable)");
  sub->add_option("--env", a->env, "Extra environment variable KEY=VALUE (repeatable)");
  sub->add_flag("--unsafe-no-sandbox", a->unsafe,
                "Run WITHOUT the sandbox (rlimits only): the command can read your files and keys and use the network");
  sub->add_option("--workdir", a->workdir, "The only folder the command may write; its working directory")->required();
  sub->add_option("command", a->command, "The command and its arguments, after --")->required();
  commands.add(sub, [a](Context& ctx) { return run_sandbox(ctx, *a); });
}

}  // namespace shoal::cli
