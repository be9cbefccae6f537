#include "agent/reproduce.hpp"

#include <algorithm>
#include <cmath>

#include <nlohmann/json.hpp>

#include "agent/paper_version.hpp"
#include "agent/search/node_runner.hpp"
#include "core/file.hpp"
#include "core/log.hpp"
#include "core/text.hpp"
#include "experiments/final_info.hpp"

namespace shoal::agent {
namespace fs = std::filesystem;
using nlohmann::json;
namespace {

constexpr double kRelativeTolerance = 1e-9;

// The out_dir and extra flags of a stored command "INTERPRETER experiment.py --out_dir run_3
// [FLAGS...] [SHOAL_SEED=N]" (experiments::experiment_job and run_node write it so).
struct StoredCommand {
  std::string out_dir;
  std::vector<std::string> args;
};

Expected<StoredCommand> parse_command(const store::Node& node) {
  std::string text = node.command;
  if (node.seed) {
    std::string suffix = " [SHOAL_SEED=" + std::to_string(*node.seed) + "]";
    if (text.size() >= suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0)
      text.resize(text.size() - suffix.size());
  }
  std::vector<std::string> words;
  for (size_t at = 0; at < text.size();) {
    size_t end = text.find(' ', at);
    if (end == std::string::npos) end = text.size();
    if (end > at) words.push_back(text.substr(at, end - at));
    at = end + 1;
  }
  if (words.size() < 4 || words[1] != "experiment.py" || words[2] != "--out_dir" || words[3].find('/') != std::string::npos)
    return fail(ErrorKind::corrupt, "node " + node.id + " has a command Shoal did not write ('" + node.command +
                                        "'): it cannot be re-run as it ran");
  return StoredCommand{words[3], std::vector<std::string>(words.begin() + 4, words.end())};
}

json metric_json(const MetricCheck& m) {
  return {{"condition", m.condition},
          {"metric", m.metric},
          {"stored", m.stored},
          {"measured", m.measured ? json(*m.measured) : json(nullptr)},
          {"stderr", m.stderr_ ? json(*m.stderr_) : json(nullptr)},
          {"tolerance", m.tolerance},
          {"match", m.match}};
}

json run_json(const RunCheck& r) {
  json metrics = json::array();
  for (const auto& m : r.metrics) metrics.push_back(metric_json(m));
  return {{"node_id", r.node_id},  {"kind", r.kind},         {"seed", r.seed ? json(*r.seed) : json(nullptr)},
          {"command", r.command},  {"problem", r.problem},   {"duration_s", r.duration_s},
          {"match", r.match()},    {"metrics", metrics}};
}

// Re-runs one stored node of the chosen version in a fresh copy of the template with its code.
Expected<RunCheck> rerun(store::Store& store, experiments::Executor& executor, const experiments::Template& tpl,
                         const store::Node& node, const fs::path& work_dir) {
  RunCheck check{node.id, node.kind, node.command, node.seed, "", 0, {}};
  SHOAL_TRY(command, parse_command(node));
  fs::path workdir = work_dir / node.id;
  std::error_code ec;
  fs::remove_all(workdir, ec);
  SHOAL_CHECK(experiments::copy_template(tpl, workdir));
  SHOAL_CHECK(restore_code(store, node.code_hash, workdir));
  experiments::JobSpec job = experiments::experiment_job(tpl, workdir, command.out_dir, command.args);
  if (node.seed) job.env["SHOAL_SEED"] = std::to_string(*node.seed);
  log::info("reproduce", "re-running node " + node.id + ": " + node.command);
  experiments::CancelToken never;
  SHOAL_TRY(result, executor.run(job, never));
  check.duration_s = result.wall_s;
  std::string measured;
  if (!result.succeeded()) {
    check.problem = "the re-run failed (" +
                    (result.limit_hit.empty() ? "exit code " + std::to_string(result.exit_code) : "limit hit: " + result.limit_hit) +
                    "): " + trim(result.stderr_tail.substr(result.stderr_tail.size() > 400 ? result.stderr_tail.size() - 400 : 0));
  } else if (auto text = read_file(workdir / command.out_dir / "final_info.json"); !text.ok()) {
    check.problem = "the re-run wrote no " + command.out_dir + "/final_info.json";
  } else if (auto info = experiments::parse_final_info(*text); !info.ok()) {
    check.problem = "the re-run's final_info.json: " + info.error().message;
  } else {
    measured = *text;
  }
  check.metrics = compare_final_info(node.metrics_json, measured);
  if (check.problem.empty() && check.metrics.empty()) check.problem = "the stored final_info.json reports no metric to compare";
  fs::remove_all(workdir, ec);
  return check;
}

}  // namespace

bool RunCheck::match() const {
  return problem.empty() && !metrics.empty() &&
         std::all_of(metrics.begin(), metrics.end(), [](const MetricCheck& m) { return m.match; });
}

bool metric_matches(double stored, double measured, std::optional<double> stderr_, double* tolerance) {
  double tol = kRelativeTolerance * std::max(std::fabs(stored), std::fabs(measured));
  if (stderr_ && std::isfinite(*stderr_)) tol = std::max(tol, std::fabs(*stderr_));
  if (tolerance) *tolerance = tol;
  return stored == measured || std::fabs(measured - stored) <= tol;
}

std::vector<MetricCheck> compare_final_info(const std::string& stored_json, const std::string& measured_json) {
  std::vector<MetricCheck> out;
  auto stored = experiments::parse_final_info(stored_json);
  if (!stored.ok()) return out;
  experiments::FinalInfo measured;
  if (auto m = experiments::parse_final_info(measured_json); m.ok()) measured = *m;
  for (const auto& [condition, result] : *stored) {
    for (const auto& [metric, value] : result.means) {
      MetricCheck c;
      c.condition = condition;
      c.metric = metric;
      c.stored = value;
      if (auto e = result.stderrs.find(metric); e != result.stderrs.end()) c.stderr_ = e->second;
      if (auto cond = measured.find(condition); cond != measured.end())
        if (auto v = cond->second.means.find(metric); v != cond->second.means.end()) c.measured = v->second;
      c.match = c.measured && metric_matches(c.stored, *c.measured, c.stderr_, &c.tolerance);
      if (!c.measured) metric_matches(c.stored, c.stored, c.stderr_, &c.tolerance);
      out.push_back(c);
    }
  }
  return out;
}

Expected<ReproduceResult> reproduce_paper(store::Store& store, experiments::Executor& executor, const std::string& paper_id,
                                          const ReproduceOptions& options) {
  SHOAL_TRY(v, paper_version(store, paper_id));
  SHOAL_TRY(tpl, run_template(store, v.evidence.run, options.template_dir));
  if (options.work_dir.empty()) return fail(ErrorKind::invalid_input, "a reproduction needs a work folder");
  SHOAL_CHECK(ensure_writable_dir(options.work_dir));

  ReproduceResult out;
  out.paper_id = v.paper.id;
  out.chosen_node_id = v.chosen.id;
  for (const auto& f : v.failed_seeds)
    out.notes.push_back("seed " + (f.seed ? std::to_string(*f.seed) : std::string("?")) + " (node " + f.id +
                        ") failed when the run made it: nothing stored to compare, not re-run");
  for (const auto& node : v.runs) {
    auto check = rerun(store, executor, tpl, node, options.work_dir);
    if (!check.ok()) {
      std::error_code ec;
      fs::remove_all(options.work_dir, ec);
      return check.error();
    }
    out.runs.push_back(std::move(*check));
  }
  std::error_code ec;
  fs::remove_all(options.work_dir, ec);

  bool all = std::all_of(out.runs.begin(), out.runs.end(), [](const RunCheck& r) { return r.match(); });
  json runs = json::array();
  for (const auto& r : out.runs) runs.push_back(run_json(r));
  json details = {{"chosen_node", v.chosen.id},
                  {"template", tpl.manifest.name},
                  {"template_hash", tpl.hash},
                  {"executor", executor.name()},
                  {"relative_tolerance", kRelativeTolerance},
                  {"runs", runs},
                  {"notes", out.notes}};
  store::Reproduction record;
  record.paper_id = v.paper.id;
  record.outcome = all ? "reproduced" : "differs";
  record.details_json = details.dump();
  SHOAL_TRY(stored, store::add_reproduction(store, record));
  out.record = stored;
  return out;
}

}  // namespace shoal::agent
