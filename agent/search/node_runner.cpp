#include "agent/disk_guard.hpp"
#include "agent/search/node_runner.hpp"

#include <cstdio>
#include <fstream>

#include "core/file.hpp"
#include "core/time.hpp"
#include "experiments/baseline.hpp"
#include "experiments/final_info.hpp"
#include "experiments/results_digest.hpp"
#include "store/blobs.hpp"
#include "core/text.hpp"

namespace shoal::agent {
namespace fs = std::filesystem;
namespace {

constexpr int64_t kMaxOutputFileBytes = 4 << 20;  // output files stored per node, each at most this


// The small files a run wrote under out_dir (final_info.json, all_results.json, ...), as
// artifacts of the node named by their path relative to the work folder.
Status collect_outputs(const std::string& node_id, const fs::path& workdir, const std::string& out_dir,
                       std::vector<std::pair<store::ArtifactInput, std::string>>& out) {
  std::error_code ec;
  fs::path root = workdir / out_dir;
  if (!fs::is_directory(root, ec)) return {};
  for (auto it = fs::recursive_directory_iterator(root, fs::directory_options::skip_permission_denied, ec);
       it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) break;
    if (!it->is_regular_file(ec) || it->is_symlink(ec)) continue;  // generated code may plant links
    if (static_cast<int64_t>(it->file_size(ec)) > kMaxOutputFileBytes) continue;
    SHOAL_TRY(bytes, read_file(it->path()));
    std::string name = fs::relative(it->path(), workdir, ec).string();
    std::string kind = it->path().filename() == "final_info.json" ? "final_info" : "run_output";
    out.push_back({{kind, name, "node", node_id, "application/octet-stream"}, bytes});
  }
  return {};
}

// Puts a reused node's output files back into the work folder (plot.py reads them).
Status restore_outputs(StageContext& ctx, const std::string& node_id, const fs::path& workdir) {
  SHOAL_TRY(arts, store::list_artifacts(ctx.store, "node", node_id));
  for (const auto& a : arts) {
    if (a.kind != "final_info" && a.kind != "run_output") continue;
    fs::path target = workdir / a.name;
    if (a.name.find("..") != std::string::npos || fs::path(a.name).is_absolute()) continue;
    SHOAL_TRY(bytes, store::get_blob(ctx.store, a.hash));
    fs::create_directories(target.parent_path());
    SHOAL_CHECK(write_scratch_file(target, bytes));
  }
  return {};
}

std::string tail(const std::string& s, size_t n) { return s.size() > n ? "..." + s.substr(s.size() - n) : s; }

}  // namespace

Status restore_code(store::Store& store, const std::string& code_hash, const fs::path& workdir) {
  SHOAL_TRY(text, store::get_blob(store, code_hash));
  auto files = nlohmann::json::parse(text, nullptr, false);
  if (!files.is_object()) return fail(ErrorKind::corrupt, "code snapshot " + code_hash + " is not a JSON object");
  for (auto& [name, content] : files.items()) {
    if (!content.is_string() || name.find("..") != std::string::npos || fs::path(name).is_absolute())
      return fail(ErrorKind::corrupt, "code snapshot " + code_hash + " names a bad file '" + name + "'");
    std::error_code ec;
    fs::remove(workdir / name, ec);  // a planted symlink is replaced, not followed
    SHOAL_CHECK(write_scratch_file(workdir / name, content.get<std::string>()));
  }
  return {};
}

Expected<NodeOutcome> run_node(StageContext& ctx, const NodeRequest& request) {
  if (ctx.cancel.cancelled()) return fail(ErrorKind::cancelled, "the run was cancelled");
  std::vector<std::string> args = request.args;
  if (ctx.settings.smoke)
    args.insert(args.begin(), ctx.tpl.manifest.smoke_args.begin(), ctx.tpl.manifest.smoke_args.end());
  experiments::JobSpec job = experiments::experiment_job(ctx.tpl, request.workdir, request.out_dir, args);
  if (request.seed) job.env["SHOAL_SEED"] = std::to_string(*request.seed);

  SHOAL_TRY(code_hash, store_code_snapshot(ctx, request.workdir));
  std::string command = join(job.argv, " ") + (request.seed ? " [SHOAL_SEED=" + std::to_string(*request.seed) + "]" : "");

  SHOAL_TRY(previous, store::find_finished_node(ctx.store, request.idea_id, request.parent_id, code_hash, command));
  if (previous) {
    SHOAL_CHECK(restore_outputs(ctx, previous->id, request.workdir));
    return NodeOutcome{*previous, true};
  }
  SHOAL_CHECK(check_free_disk(ctx));

  store::Node node;
  node.idea_id = request.idea_id;
  node.template_hash = ctx.tpl.hash;
  node.parent_id = request.parent_id;
  node.kind = request.kind;
  node.code_hash = code_hash;
  node.command = command;
  node.plan = request.plan;
  node.step = request.step;
  node.seed = request.seed;
  node.status = "running";
  node.search_json = request.search_json;
  SHOAL_TRY(added, store::add_node(ctx.store, node));
  node = added;

  std::error_code ec;
  fs::remove_all(request.workdir / request.out_dir, ec);  // a half-written folder from an interrupted run
  SHOAL_TRY(result, ctx.executor.run(job, ctx.cancel));
  experiments::record_job(node, result);
  node.ended_ms = now_ms();
  if (result.limit_hit == experiments::limit::cancelled) node.limit_hit = "interrupted";

  std::string problem;
  if (!result.succeeded()) {
    problem = result.limit_hit.empty() ? "exit code " + std::to_string(result.exit_code) : "limit hit: " + result.limit_hit;
  } else if (auto text = read_file(request.workdir / request.out_dir / "final_info.json"); !text.ok()) {
    problem = "experiment.py exited 0 but wrote no " + request.out_dir + "/final_info.json";
  } else if (auto info = experiments::parse_final_info(*text); !info.ok()) {
    problem = info.error().message;
  } else {
    node.metrics_json = *text;
    if (auto m = experiments::headline_metric(*info, ctx.tpl.manifest.metric, ctx.tpl.manifest.condition); m.ok())
      node.metric = *m;
    else if (!ctx.tpl.manifest.metric.empty())
      problem = "final_info.json does not report the template's metric " + ctx.tpl.manifest.metric + ": " +
                m.error().message;
  }
  if (auto changed = experiments::changed_sealed_files(ctx.tpl, request.workdir); problem.empty() && !changed.empty())
    problem = "the run changed sealed file(s) " + join(changed, ", ") +
              " (the template's evaluation code; sealed files must stay as the template has them)";
  node.status = problem.empty() ? "done" : "failed";
  if (problem.empty()) {
    // Comparable with the baseline only over the baseline's conditions and metrics.
    SHOAL_TRY(baseline, store::find_baseline(ctx.store, ctx.tpl.hash, ctx.settings.smoke ? "baseline_smoke" : "baseline"));
    if (baseline && !baseline->metrics_json.empty())
      if (auto why = experiments::incomparable_reason(baseline->metrics_json, node.metrics_json); !why.empty()) {
        node.status = "incomparable";
        problem = "incomparable with the baseline: the results " + why +
                  "; a run must report every condition and metric the baseline reports, and no condition of its own";
      }
  }
  if (!problem.empty()) node.stderr_tail = tail(node.stderr_tail, 8000) + "\n[shoal] " + problem;
  std::string log = "$ " + command + "\n--- stdout (tail) ---\n" + result.stdout_tail + "\n--- stderr (tail) ---\n" +
                    result.stderr_tail;
  // The node's outcome, log and outputs in one transaction: a kill in between leaves none of them.
  std::vector<std::pair<store::ArtifactInput, std::string>> artifacts = {
      {{"log", request.out_dir + ".log", "node", node.id, "text/plain"}, log}};
  if (node.status == "done") SHOAL_CHECK(collect_outputs(node.id, request.workdir, request.out_dir, artifacts));
  SHOAL_CHECK(store::finish_node(ctx.store, node, artifacts));
  if (node.limit_hit == "interrupted") return fail(ErrorKind::cancelled, "the run was cancelled during " + request.out_dir);
  return NodeOutcome{node, false};
}

std::string describe_outcome(const store::Node& node, const std::optional<double>& baseline_metric,
                             bool higher_is_better, size_t tail_bytes) {
  if (node.status == "incomparable") {
    auto mark = node.stderr_tail.rfind("[shoal] ");
    return "The run finished, but its results can't be compared with the baseline, so it can't count: " +
           (mark == std::string::npos ? std::string("it reports other conditions or metrics") : node.stderr_tail.substr(mark + 8)) +
           ". Its results:\n" + experiments::results_digest(node.metrics_json);
  }
  if (node.status != "done") {
    std::string why = node.limit_hit.empty() ? "exit code " + std::to_string(node.exit_code.value_or(-1))
                                             : "it hit the " + node.limit_hit + " limit";
    return "The run failed (" + why + "). The end of its stderr:\n" + tail(node.stderr_tail, tail_bytes);
  }
  std::string text = "The run succeeded. Its results (final_info.json, arrays summarised):\n" +
                     experiments::results_digest(node.metrics_json);
  std::string line = headline_line(node, baseline_metric, higher_is_better);
  return line.empty() ? text : text + line;
}

std::string headline_line(const store::Node& node, const std::optional<double>& baseline_metric, bool higher_is_better) {
  if (!node.metric) return "";
  char buf[96];
  std::snprintf(buf, sizeof buf, "Headline metric %.6g", *node.metric);
  std::string text = buf;
  if (baseline_metric) {
    bool better = experiments::metric_better(*node.metric, *baseline_metric, higher_is_better);
    std::snprintf(buf, sizeof buf, " vs baseline %.6g", *baseline_metric);
    text += std::string(buf) + " (" + (better ? "better" : "not better") + ")";
  }
  return text + "\n";
}

// A fresh template copy in `dir` holding the code of the node `code_hash` ("" = the template).
Status prepare_folder(StageContext& ctx, const std::filesystem::path& dir, const std::string& code_hash) {
  std::error_code ec;
  fs::remove_all(dir, ec);
  SHOAL_CHECK(experiments::copy_template(ctx.tpl, dir));
  if (!code_hash.empty()) SHOAL_CHECK(restore_code(ctx.store, code_hash, dir));
  return {};
}

Expected<std::string> store_code_snapshot(StageContext& ctx, const std::filesystem::path& dir) {
  SHOAL_TRY(snapshot, experiments::code_snapshot(ctx.tpl, dir));
  return ctx.store.transaction([&](SQLite::Database& db) -> Expected<std::string> { return store::put_blob(db, snapshot); });
}

std::string number_text(double value) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", value);
  return buf;
}

}  // namespace shoal::agent
