#include "agent/session.hpp"

#include "experiments/local_executor.hpp"
#include "experiments/slurm_executor.hpp"

namespace shoal::agent {
namespace fs = std::filesystem;

fs::path Session::work_root(const std::string& run_id) const { return fs::absolute(home() / "work" / run_id); }

Expected<std::unique_ptr<llm::Client>> Session::client(const ClientSpec& spec) const {
  llm::ClientOptions o = llm::client_options(config_);
  if (!spec.model.empty()) o.model = spec.model;
  o.run_id = spec.run_id;
  if (spec.budget_usd) o.budget_usd = *spec.budget_usd > 0 ? spec.budget_usd : std::nullopt;
  if (!spec.record || !fs::exists(o.db_path)) o.db_path.clear();
  o.function = spec.function;
  o.fresh = spec.fresh;
  o.shared_budget = spec.budget;
  return llm::Client::create(std::move(o));
}

Expected<std::unique_ptr<experiments::Executor>> Session::executor(const std::string& kind) const {
  std::string which = kind.empty() ? config_.get("executor") : kind;
  if (which == "slurm") {
    SHOAL_TRY(options, experiments::slurm_options_from_config(config_));
    return std::unique_ptr<experiments::Executor>(std::make_unique<experiments::SlurmExecutor>(options));
  }
  if (which != "local") return fail(ErrorKind::invalid_input, "executor must be local or slurm, not '" + which + "'");
  experiments::SandboxOptions sandbox;
  sandbox.user = config_.get("sandbox_user");
  sandbox.use_cgroups = config_.get("sandbox_cgroup") != "none";
  return std::unique_ptr<experiments::Executor>(
      std::make_unique<experiments::LocalExecutor>(static_cast<int>(config_.get_int("executor_slots")), -1, sandbox));
}

}  // namespace shoal::agent
