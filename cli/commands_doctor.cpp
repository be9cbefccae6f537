// shoal doctor: checks the environment before a long run (agent/doctor.hpp) and prints one
// line per check; exits with the exit code of the first failed check's kind, 0 when none failed.
#include <iostream>

#include "agent/doctor.hpp"
#include "cli/command.hpp"

namespace shoal::cli {
namespace {

struct DoctorArgs {
  std::string tpl, model, base_url, executor;
};

int run_doctor_command(Context& ctx, const DoctorArgs& a) {
  agent::DoctorOptions o;
  if (!a.tpl.empty()) o.template_dir = resolve_template(a.tpl);
  o.model = a.model;
  o.base_url = a.base_url;
  o.executor = a.executor.empty() ? ctx.config().get("executor") : a.executor;
  if (o.executor != "local" && o.executor != "slurm")
    throw ShoalError(fail(ErrorKind::invalid_input, "--executor must be local or slurm, not '" + o.executor + "'"));
  int rc = 0;
  for (const auto& check : agent::run_doctor(ctx.config(), o)) {
    std::string verdict(agent::to_string(check.level)), message = check.message;
    for (auto at = message.find('\n'); at != std::string::npos; at = message.find('\n', at))
      message.replace(at, 1, " | ");  // one line per check, whatever a tool printed
    std::cout << verdict << std::string(5 - verdict.size(), ' ') << check.name << ": " << message << std::endl;
    if (check.level == agent::CheckLevel::fail && rc == 0) rc = exit_code(check.kind);
  }
  return rc;
}

}  // namespace

void add_doctor_commands(CLI::App& app, Commands& commands) {
  static DoctorArgs args;
  auto* doctor = app.add_subcommand(
      "doctor", "Check the environment before a long run: sandbox, TeX, template packages, model, disk, Slurm");
  doctor->add_option("--template", args.tpl, "Template whose Python packages to check (folder or bundled name)");
  doctor->add_option("--model", args.model, "Model to send one cheap call to (default: the model setting)");
  doctor->add_option("--llm-base-url", args.base_url, "Base URL of the provider (over llm_base_url)");
  doctor->add_option("--executor", args.executor, "local or slurm (slurm: check that slurmctld answers)");
  commands.add(doctor, [](Context& ctx) { return run_doctor_command(ctx, args); });
}

}  // namespace shoal::cli
