#include "agent/export.hpp"

#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "agent/paper_version.hpp"
#include "core/diff.hpp"
#include "core/file.hpp"
#include "core/hash.hpp"
#include "core/log.hpp"
#include "core/time.hpp"
#include "llm/model_spec.hpp"
#include "store/blobs.hpp"
#include "store/catalog.hpp"
#include "store/records.hpp"
#include "store/reviews.hpp"

namespace shoal::agent {
namespace fs = std::filesystem;
using nlohmann::json;
namespace {

// Prints the installed Python, its platform and every installed distribution with its version.
constexpr const char* kProbeScript = R"py(
import json, platform, sys
packages = {}
try:
    from importlib import metadata
    for d in metadata.distributions():
        name = d.metadata.get("Name")
        if name:
            packages[name] = d.version
except Exception as e:  # noqa: BLE001
    packages = {"error": repr(e)}
print(json.dumps({"python": platform.python_version(), "implementation": platform.python_implementation(),
                  "executable": sys.executable, "platform": platform.platform(),
                  "packages": dict(sorted(packages.items(), key=lambda kv: kv[0].lower()))}))
)py";

// A stored name as a path inside the export: relative, with no "..".
bool safe_name(const std::string& name) {
  if (name.empty() || fs::path(name).is_absolute()) return false;
  for (const auto& part : fs::path(name))
    if (part == "..") return false;
  return true;
}

// Writes the files of the export and remembers their hashes.
struct Files {
  fs::path dir;
  std::vector<ExportedFile> written;

  Status put(const std::string& rel, std::string_view data, const std::string& blob = "") {
    fs::path target = dir / rel;
    std::error_code ec;
    fs::create_directories(target.parent_path(), ec);
    if (ec) return fail(ErrorKind::io, "cannot create " + target.parent_path().string() + ": " + ec.message());
    SHOAL_CHECK(write_file_atomic(target, data));
    written.push_back({rel, sha256_hex(data), static_cast<int64_t>(data.size()), blob});
    return {};
  }

  // A blob written byte for byte: its hash in the manifest is the store's.
  Status put_blob(store::Store& store, const std::string& rel, const std::string& hash) {
    SHOAL_TRY(data, store::get_blob(store, hash));
    return put(rel, data, hash);
  }
};

// The files of a code snapshot ({"file": "content"}); corrupt when it is not one.
Expected<std::map<std::string, std::string>> snapshot_files(store::Store& store, const std::string& hash) {
  std::map<std::string, std::string> files;
  if (hash.empty()) return files;
  SHOAL_TRY(text, store::get_blob(store, hash));
  auto j = json::parse(text, nullptr, false);
  if (!j.is_object()) return fail(ErrorKind::corrupt, "code snapshot " + hash + " is not a JSON object");
  for (const auto& [name, content] : j.items()) {
    if (!content.is_string() || !safe_name(name))
      return fail(ErrorKind::corrupt, "code snapshot " + hash + " names a bad file '" + name + "'");
    files[name] = content.get<std::string>();
  }
  return files;
}

// The unified diff of two snapshots, file by file in name order ("a/" the template, "b/" the version).
std::string snapshot_diff(const std::map<std::string, std::string>& before, const std::map<std::string, std::string>& after) {
  std::set<std::string> names;
  for (const auto& [n, _] : before) names.insert(n);
  for (const auto& [n, _] : after) names.insert(n);
  std::string out;
  for (const auto& n : names) {
    auto b = before.find(n), a = after.find(n);
    out += unified_diff(b == before.end() ? "" : b->second, a == after.end() ? "" : a->second,
                        b == before.end() ? "/dev/null" : "a/" + n, a == after.end() ? "/dev/null" : "b/" + n);
  }
  return out;
}

json node_json(const store::Node& n) {
  return {{"id", n.id},
          {"kind", n.kind},
          {"parent_id", n.parent_id},
          {"step", n.step},
          {"seed", n.seed ? json(*n.seed) : json(nullptr)},
          {"command", n.command},
          {"status", n.status},
          {"exit_code", n.exit_code ? json(*n.exit_code) : json(nullptr)},
          {"metric", n.metric ? json(*n.metric) : json(nullptr)},
          {"code_hash", n.code_hash},
          {"duration_s", n.duration_s},
          {"folder", "runs/" + n.id}};
}

// The outputs of one run: its final_info.json, other output files and log, newest of each name.
Status export_node(store::Store& store, Files& files, const store::Node& node, std::vector<std::string>& notes) {
  SHOAL_TRY(artifacts, store::list_artifacts(store, "node", node.id));
  std::map<std::string, store::Artifact> newest;
  for (const auto& a : artifacts)
    if (a.kind == "final_info" || a.kind == "run_output" || a.kind == "log") newest[a.name] = a;
  bool has_final_info = false, has_log = false;
  for (const auto& [name, a] : newest) {
    if (!safe_name(name)) {
      notes.push_back("node " + node.id + ": output '" + name + "' left out (not a relative path)");
      continue;
    }
    has_final_info = has_final_info || a.kind == "final_info";
    has_log = has_log || a.kind == "log";
    SHOAL_CHECK(files.put_blob(store, "runs/" + node.id + "/" + name, a.hash));
  }
  // A node whose outputs were not stored as artifacts (a baseline keeps its log in the row)
  // gets them from the row, in the form the experiment runner stores a log.
  if (!has_final_info && !node.metrics_json.empty())
    SHOAL_CHECK(files.put("runs/" + node.id + "/final_info.json", node.metrics_json));
  if (!has_log)
    SHOAL_CHECK(files.put("runs/" + node.id + "/run.log", "$ " + node.command + "\n--- stdout (tail) ---\n" + node.stdout_tail +
                                                              "\n--- stderr (tail) ---\n" + node.stderr_tail));
  return {};
}

// The interpreter's version and packages, asked in the sandbox; {"error": ...} when it did not run.
json sandbox_probe(experiments::Executor& executor, const std::string& interpreter, const fs::path& work_dir) {
  fs::path dir = work_dir / "probe";
  if (auto st = ensure_writable_dir(dir); !st.ok()) return {{"error", st.error().message}};
  experiments::JobSpec job;
  job.argv = {interpreter, "-c", kProbeScript};
  job.workdir = dir;
  job.limits.wall_s = 120;
  job.limits.tail_bytes = 4 << 20;
  experiments::CancelToken never;
  auto r = executor.run(job, never);
  std::error_code ec;
  fs::remove_all(work_dir, ec);
  if (!r.ok()) return {{"error", r.error().message}, {"interpreter", interpreter}};
  if (!r->succeeded())
    return {{"error", "the probe exited " + std::to_string(r->exit_code) + (r->limit_hit.empty() ? "" : " (" + r->limit_hit + ")") +
                          ": " + r->stderr_tail.substr(r->stderr_tail.size() > 500 ? r->stderr_tail.size() - 500 : 0)},
            {"interpreter", interpreter}};
  auto j = json::parse(r->stdout_tail, nullptr, false);
  if (!j.is_object()) return {{"error", "the probe printed no JSON"}, {"interpreter", interpreter}};
  j["interpreter"] = interpreter;
  j["executor"] = executor.name();
  return j;
}

// The idea's LLM calls, each model's calls, tokens and cost.
json llm_summary(const std::vector<store::LlmCallInfo>& calls) {
  std::map<std::string, json> models;
  double total = 0;
  for (const auto& c : calls) {
    std::string key = c.provider + ":" + c.model;
    json& m = models[key];
    if (m.is_null()) m = {{"provider", c.provider}, {"model", c.model}, {"calls", 0}, {"cached", 0},
                          {"tokens_in", 0}, {"tokens_out", 0}, {"cost_usd", 0.0}};
    m["calls"] = m["calls"].get<int64_t>() + 1;
    if (c.status == "cached") m["cached"] = m["cached"].get<int64_t>() + 1;
    m["tokens_in"] = m["tokens_in"].get<int64_t>() + c.tokens_in;
    m["tokens_out"] = m["tokens_out"].get<int64_t>() + c.tokens_out;
    m["cost_usd"] = m["cost_usd"].get<double>() + c.cost_usd;
    total += c.cost_usd;
  }
  json list = json::array();
  for (auto& [_, m] : models) list.push_back(m);
  return {{"calls", calls.size()}, {"cost_usd", total}, {"models", list}};
}

// Refuses anything but a missing or empty folder; creates it. Returns whether it was created.
Expected<bool> prepare_dir(const fs::path& dir) {
  std::error_code ec;
  if (fs::exists(dir, ec)) {
    if (!fs::is_directory(dir, ec))
      return fail(ErrorKind::invalid_input, "the export folder " + dir.string() + " is a file: give a new or empty folder");
    if (!fs::is_empty(dir, ec))
      return fail(ErrorKind::invalid_input, "the export folder " + dir.string() +
                                                " is not empty: give a new or empty folder (an export never overwrites "
                                                "files), or move what is in it elsewhere first");
    SHOAL_CHECK(ensure_writable_dir(dir));
    return false;
  }
  SHOAL_CHECK(ensure_writable_dir(dir));
  return true;
}

Expected<ExportResult> write_export(store::Store& store, experiments::Executor& executor, const std::string& paper_id,
                                    Files& files, const ExportOptions& options) {
  SHOAL_TRY(v, paper_version(store, paper_id));
  const auto& ev = v.evidence;
  ExportResult out;
  out.dir = files.dir;
  out.paper_id = v.paper.id;
  out.chosen_node_id = v.chosen.id;

  // The paper: its PDF, LaTeX, BibTeX and compile logs as stored.
  SHOAL_TRY(paper_artifacts, store::list_artifacts(store, "paper", v.paper.id));
  std::map<std::string, store::Artifact> paper_files;
  for (const auto& a : paper_artifacts)
    if ((a.kind == "pdf" || a.kind == "tex" || a.kind == "bib" || a.kind == "log") && safe_name(a.name)) paper_files[a.name] = a;
  for (const auto& [name, a] : paper_files) SHOAL_CHECK(files.put_blob(store, "paper/" + name, a.hash));
  if (v.paper.pdf_hash.empty()) out.notes.push_back("paper " + v.paper.id + " has no PDF (status " + v.paper.status + ")");

  // The chosen version's code and its change against the template.
  SHOAL_TRY(code, snapshot_files(store, v.chosen.code_hash));
  for (const auto& [name, text] : code) SHOAL_CHECK(files.put("code/" + name, text));
  std::optional<std::map<std::string, std::string>> template_code;
  if (ev.baseline && !ev.baseline->code_hash.empty()) {
    SHOAL_TRY(base, snapshot_files(store, ev.baseline->code_hash));
    template_code = base;
  }
  if (template_code) SHOAL_CHECK(files.put("code.diff", snapshot_diff(*template_code, code)));
  else out.notes.push_back("no stored baseline of template " + ev.run.template_hash.substr(0, 12) +
                           ": code.diff (the change against the template) left out");

  // Every run of the idea, and the baseline it was compared with.
  std::vector<store::Node> nodes = v.all_nodes;
  if (ev.baseline) nodes.insert(nodes.begin(), *ev.baseline);
  for (const auto& n : nodes) SHOAL_CHECK(export_node(store, files, n, out.notes));

  // Plots (with their captions in the manifest), reviews, and the idea's LLM transcripts.
  json plots = json::array();
  for (const auto& p : ev.plots) {
    if (!safe_name(p.name)) continue;
    std::string hash = sha256_hex(p.png);  // blobs are content-addressed: this is the stored blob's hash
    SHOAL_CHECK(files.put("plots/" + p.name, p.png, hash));
    plots.push_back({{"file", "plots/" + p.name}, {"node_id", p.node_id}, {"caption", p.caption}});
  }
  SHOAL_TRY(reviews, store::list_reviews(store, v.paper.id));
  SHOAL_CHECK(files.put("reviews.json", store::to_json(reviews).dump(2) + "\n"));
  SHOAL_TRY(calls, store::idea_llm_calls(store, ev.idea.id));
  json transcripts = json::array();
  for (const auto& c : calls) {
    SHOAL_TRY(full, store::llm_call_transcript(store, c.id));
    transcripts.push_back(store::to_json(full));
  }
  // Requests are stored without keys. As a second guard, the key of every provider the idea
  // used (read from the environment, as a client would) is registered, and redact() replaces it.
  std::set<std::string> providers = {ev.run.model};
  for (const auto& c : calls) providers.insert(c.provider + ":" + c.model);
  for (const auto& m : providers) (void)llm::parse_model(m);  // registers the key when one is set
  SHOAL_CHECK(files.put("llm_calls.json", log::redact(transcripts.dump(2)) + "\n"));

  // What produced it all.
  std::string interpreter = "/usr/bin/python3";
  json template_json = {{"name", ev.run.template_name}, {"hash", ev.run.template_hash}};
  auto settings = json::parse(ev.run.config_json, nullptr, false);
  if (settings.is_object() && settings.contains("template_dir")) template_json["dir"] = settings["template_dir"];
  if (auto tpl = run_template(store, ev.run, ""); tpl.ok()) {
    interpreter = tpl->manifest.interpreter;
    template_json["metric"] = tpl->manifest.metric;
    template_json["higher_is_better"] = tpl->manifest.higher_is_better;
  } else {
    out.notes.push_back("template: " + tpl.error().message + " (the sandbox probe used " + interpreter + ")");
  }
  json node_list = json::array();
  for (const auto& n : nodes) node_list.push_back(node_json(n));
  json seeds = json::array();
  for (const auto& n : v.runs) seeds.push_back({{"node_id", n.id}, {"seed", n.seed ? json(*n.seed) : json(nullptr)},
                                                {"command", n.command}});
  json manifest = {
      {"format", "shoal-export/1"},
      {"shoal_version", options.shoal_version},
      {"exported_ms", now_ms()},
      {"paper", {{"id", v.paper.id}, {"attempt", v.paper.attempt}, {"status", v.paper.status}, {"title", v.paper.title},
                 {"pages", v.paper.pages ? json(*v.paper.pages) : json(nullptr)}, {"created_ms", v.paper.created_ms}}},
      {"idea", {{"id", ev.idea.id}, {"name", ev.idea.name}, {"title", ev.idea.title},
                {"idea", store::stored_json(ev.idea.idea_json)},
                {"best_metric", ev.idea.best_metric ? json(*ev.idea.best_metric) : json(nullptr)},
                {"novelty_verdict", store::novelty_verdict(ev.idea)}}},
      {"run", {{"id", ev.run.id}, {"model", ev.run.model}, {"status", ev.run.status}, {"cost_usd", ev.run.cost_usd},
               {"created_ms", ev.run.created_ms},
               {"settings", settings.is_object() && settings.contains("settings") ? settings["settings"] : json::object()}}},
      {"template", template_json},
      {"chosen_node", v.chosen.id},
      {"version_runs", seeds},
      {"nodes", node_list},
      {"plots", plots},
      {"sandbox", sandbox_probe(executor, interpreter, options.work_dir)},
      {"llm", llm_summary(calls)},
  };
  json file_list = json::array();
  for (const auto& f : files.written)
    file_list.push_back({{"path", f.path}, {"sha256", f.sha256}, {"size", f.size},
                         {"blob", f.blob.empty() ? json(nullptr) : json(f.blob)}});
  manifest["files"] = file_list;
  manifest["notes"] = out.notes;
  out.files = files.written;
  SHOAL_CHECK(write_file_atomic(files.dir / "manifest.json", manifest.dump(2) + "\n"));
  return out;
}

}  // namespace

Expected<ExportResult> export_paper(store::Store& store, experiments::Executor& executor, const std::string& paper_id,
                                    const fs::path& dir, const ExportOptions& options) {
  SHOAL_TRY(paper, store::get_paper(store, paper_id));  // an unknown paper leaves no folder behind
  (void)paper;
  SHOAL_TRY(created, prepare_dir(dir));
  Files files{dir, {}};
  auto result = write_export(store, executor, paper_id, files, options);
  if (!result.ok()) {
    // Leave the folder as it was found: only what this export wrote goes.
    std::error_code ec;
    if (created) {
      fs::remove_all(dir, ec);
    } else {
      for (const auto& e : fs::directory_iterator(dir, ec)) fs::remove_all(e.path(), ec);
    }
  }
  return result;
}

}  // namespace shoal::agent
