#include "experiments/baseline.hpp"

#include <nlohmann/json.hpp>

#include "core/file.hpp"
#include "core/log.hpp"
#include "core/time.hpp"
#include "store/blobs.hpp"

namespace shoal::experiments {
namespace fs = std::filesystem;

Expected<std::string> code_snapshot(const Template& tpl, const fs::path& workdir) {
  nlohmann::json files = nlohmann::json::object();
  for (const auto& name : tpl.manifest.editable) {
    SHOAL_TRY(content, read_file(workdir / name));
    files[name] = content;
  }
  return files.dump();
}

Expected<store::Node> ensure_baseline(store::Store& store, const Template& tpl, Executor& executor,
                                      const fs::path& work_root, const BaselineOptions& options) {
  const std::string kind = options.smoke ? "baseline_smoke" : "baseline";
  if (!options.force) {
    SHOAL_TRY(existing, store::find_baseline(store, tpl.hash, kind));
    if (existing) return *existing;
  }
  store::Node node;
  node.id = new_id("node");
  node.kind = kind;
  node.template_hash = tpl.hash;
  node.status = "running";
  fs::path workdir = work_root / ("baseline-" + tpl.manifest.name + "-" + node.id);
  SHOAL_CHECK(copy_template(tpl, workdir));
  JobSpec job = experiment_job(tpl, workdir, "run_0", options.smoke ? tpl.manifest.smoke_args : std::vector<std::string>{});
  for (const auto& a : job.argv) node.command += (node.command.empty() ? "" : " ") + a;
  SHOAL_TRY(snapshot, code_snapshot(tpl, workdir));
  SHOAL_TRY(code, store.transaction([&](SQLite::Database& db) -> Expected<std::string> {
    return store::put_blob(db, snapshot);
  }));
  node.code_hash = code;
  SHOAL_TRY(added, store::add_node(store, node));
  node = added;

  log::info("baseline", "running " + tpl.manifest.name + " baseline in " + workdir.string());
  CancelToken never;
  SHOAL_TRY(result, executor.run(job, never));
  record_job(node, result);

  std::optional<Error> problem;
  if (!result.succeeded()) {
    problem = fail(ErrorKind::invalid_input,
                   "the baseline of " + tpl.manifest.name + " failed (" +
                       (result.limit_hit.empty() ? "exit code " + std::to_string(result.exit_code)
                                                 : "limit hit: " + result.limit_hit) +
                       "); its stderr ends with:\n" + result.stderr_tail.substr(result.stderr_tail.size() > 2000
                                                                                    ? result.stderr_tail.size() - 2000
                                                                                    : 0));
  } else if (auto text = read_file(workdir / "run_0/final_info.json"); !text.ok()) {
    problem = fail(ErrorKind::invalid_input, "the baseline of " + tpl.manifest.name +
                                                 " exited 0 but wrote no run_0/final_info.json");
  } else if (auto info = parse_final_info(*text); !info.ok()) {
    problem = info.error();
  } else if (auto metric = headline_metric(*info, tpl.manifest.metric, tpl.manifest.condition);
             !tpl.manifest.metric.empty() && !metric.ok()) {
    problem = fail(ErrorKind::invalid_input, "template.json names metric '" + tpl.manifest.metric +
                                                 "' but the baseline's final_info.json: " + metric.error().message);
  } else {
    node.metrics_json = *text;
    auto art = store::add_artifact(store, {"final_info", "run_0/final_info.json", "node", node.id, "application/json"},
                                   *text);
    if (!art.ok()) return art.error();
  }
  node.status = problem ? "failed" : "done";
  SHOAL_CHECK(store::finish_node(store, node));
  if (problem) return *problem;
  return node;
}

}  // namespace shoal::experiments
