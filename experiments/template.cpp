#include "experiments/template.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <regex>
#include <set>
#include <sstream>

#include "core/file.hpp"
#include "core/hash.hpp"

namespace shoal::experiments {
namespace fs = std::filesystem;

namespace {

// Files of a template that belong to it (not outputs of earlier runs), sorted.
std::vector<fs::path> template_files(const fs::path& dir) {
  std::vector<fs::path> files;
  for (auto it = fs::recursive_directory_iterator(dir); it != fs::recursive_directory_iterator(); ++it) {
    const auto name = it->path().filename().string();
    if (it->is_directory() && (name.rfind("run_", 0) == 0 || name == "__pycache__" || name[0] == '.')) {
      it.disable_recursion_pending();
      continue;
    }
    if (it->is_regular_file() && it->path().extension() != ".pyc" && name[0] != '.')
      files.push_back(fs::relative(it->path(), dir));
  }
  std::sort(files.begin(), files.end());
  return files;
}

// Parses a JSON file; the error names the file with the line and column of the problem.
Expected<nlohmann::json> read_json_file(const fs::path& path) {
  SHOAL_TRY(text, read_file(path));
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    return fail(ErrorKind::invalid_input, path.filename().string() + " is not valid JSON at " +
                                              line_and_column(text, e.byte > 0 ? e.byte - 1 : 0));
  }
}

Error manifest_error(const std::string& key, const std::string& expected) {
  return fail(ErrorKind::invalid_input, "template.json: '" + key + "' must be " + expected);
}

// Copies the value at `key` into `out` when present, checking its JSON type.
template <class T>
Status read_field(const nlohmann::json& j, const std::string& key, T& out, const std::string& expected) {
  if (!j.contains(key) || j[key].is_null()) return {};
  try {
    out = j[key].get<T>();
    return {};
  } catch (const nlohmann::json::exception&) {
    return manifest_error(key, expected);
  }
}

Expected<TemplateManifest> parse_manifest(const nlohmann::json& j) {
  if (!j.is_object()) return manifest_error("(top level)", "an object");
  TemplateManifest m;
  m.from_file = true;
  SHOAL_CHECK(read_field(j, "name", m.name, "a string"));
  SHOAL_CHECK(read_field(j, "description", m.description, "a string"));
  SHOAL_CHECK(read_field(j, "interpreter", m.interpreter, "a string (an absolute path)"));
  SHOAL_CHECK(read_field(j, "timeout_s", m.timeout_s, "a number of seconds"));
  SHOAL_CHECK(read_field(j, "cpus", m.cpus, "a whole number of CPU slots"));
  SHOAL_CHECK(read_field(j, "expected_runtime_s", m.expected_runtime_s, "a number of seconds"));
  SHOAL_CHECK(read_field(j, "seeds", m.seeds, "an integer"));
  SHOAL_CHECK(read_field(j, "smoke_args", m.smoke_args, "a list of strings"));
  SHOAL_CHECK(read_field(j, "editable", m.editable, "a list of file names"));
  SHOAL_CHECK(read_field(j, "sealed", m.sealed, "a list of file names"));
  if (j.contains("metric_bound")) {
    const auto& b = j["metric_bound"];
    const char* want = "a number (the metric's value when its target was never reached), or "
                       "{\"flag\": \"--num_steps\", \"default\": 1200} when a flag of the run sets it";
    if (b.is_number()) {
      m.metric_bound = b.get<double>();
    } else if (b.is_object() && b.contains("flag") && b["flag"].is_string() && b.contains("default") &&
               b["default"].is_number() && b.size() == 2 && b["flag"].get<std::string>().rfind("--", 0) == 0) {
      m.metric_bound = b["default"].get<double>();
      m.metric_bound_flag = b["flag"].get<std::string>();
    } else {
      return manifest_error("metric_bound", want);
    }
  }
  for (const auto& f : m.sealed)
    if (std::find(m.editable.begin(), m.editable.end(), f) != m.editable.end())
      return manifest_error("sealed", "disjoint from editable ('" + f + "' is in both: a sealed file can't be edited)");
  if (m.timeout_s <= 0) return manifest_error("timeout_s", "positive");
  if (m.cpus < 1) return manifest_error("cpus", "at least 1");
  if (!fs::path(m.interpreter).is_absolute()) return manifest_error("interpreter", "an absolute path");
  if (j.contains("metric")) {
    const auto& metric = j["metric"];
    if (!metric.is_object()) return manifest_error("metric", "an object {name, condition, higher_is_better}");
    SHOAL_CHECK(read_field(metric, "name", m.metric, "a string"));
    std::string condition;
    SHOAL_CHECK(read_field(metric, "condition", condition, "a string or null"));
    if (!condition.empty()) m.condition = condition;
    SHOAL_CHECK(read_field(metric, "higher_is_better", m.higher_is_better, "true or false"));
  }
  if (j.contains("knobs")) {
    if (!j["knobs"].is_array()) return manifest_error("knobs", "a list");
    for (const auto& k : j["knobs"]) {
      Knob knob;
      if (!k.is_object() || !k.contains("flag") || !k["flag"].is_string() || !k.contains("values") ||
          !k["values"].is_array() || k["values"].empty())
        return manifest_error("knobs", "a list of {flag: \"--name\", values: [at least one value], ...}");
      knob.flag = k["flag"].get<std::string>();
      if (knob.flag.rfind("--", 0) != 0) return manifest_error("knobs", "flags starting with --, not '" + knob.flag + "'");
      for (const auto& v : k["values"]) knob.values.push_back(v);
      if (k.contains("baseline")) knob.baseline = k["baseline"];
      if (k.contains("description") && k["description"].is_string()) knob.description = k["description"];
      m.knobs.push_back(std::move(knob));
    }
  }
  return m;
}

}  // namespace

std::optional<double> metric_bound_of(const TemplateManifest& manifest, const std::string& command) {
  if (!manifest.metric_bound || manifest.metric_bound_flag.empty()) return manifest.metric_bound;
  std::istringstream words(command);
  std::optional<double> found;
  const std::string& flag = manifest.metric_bound_flag;
  for (std::string w, prev; words >> w; prev = w) {
    std::string value;
    if (prev == flag) value = w;
    else if (w.rfind(flag + "=", 0) == 0) value = w.substr(flag.size() + 1);
    else continue;
    char* end = nullptr;
    double v = std::strtod(value.c_str(), &end);
    if (end && *end == '\0' && !value.empty() && std::isfinite(v)) found = v;  // the last one counts, as in argparse
  }
  return found ? found : manifest.metric_bound;
}

Expected<std::string> template_hash(const fs::path& dir) {
  Sha256 h;
  try {
    for (const auto& rel : template_files(dir)) {
      SHOAL_TRY(content, read_file(dir / rel));
      h.update(rel.string());
      h.update(std::string(1, '\0'));
      h.update(std::to_string(content.size()));
      h.update(std::string(1, '\0'));
      h.update(content);
    }
  } catch (const fs::filesystem_error& e) {
    return fail(ErrorKind::io, std::string("cannot read template: ") + e.what());
  }
  return h.hex_digest();
}

Expected<Template> load_template(const fs::path& dir_in) {
  std::error_code ec;
  fs::path dir = fs::absolute(dir_in, ec);
  if (!fs::is_directory(dir))
    return fail(ErrorKind::not_found, "no template folder at " + dir_in.string() +
                                          " (a template is a folder with experiment.py; see templates/README.md)");
  Template tpl;
  tpl.dir = dir;
  if (fs::exists(dir / "template.json")) {
    SHOAL_TRY(doc, read_json_file(dir / "template.json"));
    SHOAL_TRY(manifest, parse_manifest(doc));
    tpl.manifest = std::move(manifest);
  }
  if (tpl.manifest.name.empty()) tpl.manifest.name = dir.filename().string();
  SHOAL_TRY(hash, template_hash(dir));
  tpl.hash = std::move(hash);
  return tpl;
}

std::vector<TemplateProblem> check_template_files(const fs::path& dir) {
  std::vector<TemplateProblem> problems;
  for (const char* required : {"experiment.py", "plot.py", "prompt.json", "seed_ideas.json", "latex/template.tex"})
    if (!fs::is_regular_file(dir / required)) problems.push_back({required, "missing (required by the template contract)"});

  if (fs::is_regular_file(dir / "prompt.json")) {
    auto doc = read_json_file(dir / "prompt.json");
    if (!doc.ok()) problems.push_back({"prompt.json", doc.error().message});
    else
      for (const char* key : {"system", "task_description"})
        if (!doc->is_object() || !doc->contains(key) || !(*doc)[key].is_string())
          problems.push_back({"prompt.json", std::string("needs a string '") + key + "'"});
  }
  if (fs::is_regular_file(dir / "seed_ideas.json")) {
    auto doc = read_json_file(dir / "seed_ideas.json");
    if (!doc.ok()) problems.push_back({"seed_ideas.json", doc.error().message});
    else if (!doc->is_array()) problems.push_back({"seed_ideas.json", "must be a list of ideas"});
    else
      for (size_t i = 0; i < doc->size(); ++i)
        for (const char* key : {"Name", "Title", "Experiment"})
          if (!(*doc)[i].is_object() || !(*doc)[i].contains(key))
            problems.push_back({"seed_ideas.json", "idea " + std::to_string(i) + " has no '" + key + "'"});
  }
  if (fs::exists(dir / "template.json")) {
    auto doc = read_json_file(dir / "template.json");
    if (!doc.ok()) problems.push_back({"template.json", doc.error().message});
    else if (auto m = parse_manifest(*doc); !m.ok()) problems.push_back({"template.json", m.error().message});
    else {
      for (const auto& e : m->editable)
        if (!fs::is_regular_file(dir / e)) problems.push_back({"template.json", "editable file '" + e + "' does not exist"});
      for (const auto& e : m->sealed)
        if (!fs::is_regular_file(dir / e)) problems.push_back({"template.json", "sealed file '" + e + "' does not exist"});
    }
  }
  return problems;
}

Status copy_template(const Template& tpl, const fs::path& workdir) {
  std::error_code ec;
  if (fs::exists(workdir) && !fs::is_empty(workdir, ec))
    return fail(ErrorKind::invalid_input, "work folder " + workdir.string() + " is not empty");
  SHOAL_CHECK(ensure_writable_dir(workdir));
  for (const auto& rel : template_files(tpl.dir)) {
    fs::create_directories((workdir / rel).parent_path(), ec);
    fs::copy_file(tpl.dir / rel, workdir / rel, fs::copy_options::overwrite_existing, ec);
    if (ec) return fail(ErrorKind::io, "cannot copy " + rel.string() + " into " + workdir.string() + ": " + ec.message());
  }
  return {};
}

JobSpec experiment_job(const Template& tpl, const fs::path& workdir, const std::string& out_dir,
                       const std::vector<std::string>& args) {
  JobSpec job;
  job.argv = {tpl.manifest.interpreter, "experiment.py", "--out_dir", out_dir};
  job.argv.insert(job.argv.end(), args.begin(), args.end());
  job.workdir = workdir;
  job.limits.wall_s = tpl.manifest.timeout_s;
  job.cpus = tpl.manifest.cpus;
  return job;
}

namespace {

// Runs `argv` in a fresh copy of the template under `scratch/name`; the problem, if any.
std::optional<TemplateProblem> run_step(const Template& tpl, Executor& executor, const fs::path& scratch,
                                        const std::string& name, JobSpec job, JobResult* out) {
  fs::path workdir = scratch / name;
  std::error_code ec;
  fs::remove_all(workdir, ec);
  if (auto st = copy_template(tpl, workdir); !st.ok()) return TemplateProblem{name, st.error().message};
  job.workdir = workdir;
  CancelToken never;
  auto result = executor.run(job, never);
  if (!result.ok()) return TemplateProblem{name, result.error().message};
  *out = *result;
  if (!result->succeeded()) {
    std::string why = result->limit_hit.empty() ? "exit code " + std::to_string(result->exit_code)
                                                : "limit hit: " + result->limit_hit;
    std::string tail = result->stderr_tail.size() > 1500 ? result->stderr_tail.substr(result->stderr_tail.size() - 1500)
                                                         : result->stderr_tail;
    return TemplateProblem{name, "failed (" + why + "): " + tail};
  }
  return std::nullopt;
}

}  // namespace

std::vector<TemplateProblem> check_template_runs(const Template& tpl, Executor& executor, const fs::path& scratch,
                                                 bool run_smoke, std::string* smoke_final_info) {
  std::vector<TemplateProblem> problems;
  JobResult result;

  JobSpec help = experiment_job(tpl, {}, "", {});
  help.argv = {tpl.manifest.interpreter, "experiment.py", "--help"};
  help.limits.wall_s = 120;
  if (auto p = run_step(tpl, executor, scratch, "help", help, &result)) problems.push_back(*p);
  else
    for (const auto& knob : tpl.manifest.knobs)
      if (result.stdout_tail.find(knob.flag) == std::string::npos)
        problems.push_back({"template.json", "knob " + knob.flag + " is not accepted by experiment.py (not in --help)"});

  if (fs::is_regular_file(tpl.dir / "latex/template.tex")) {
    JobSpec latex;
    latex.argv = {"sh", "-c", "cd latex && pdflatex -interaction=nonstopmode -halt-on-error template.tex"};
    latex.limits.wall_s = 120;
    latex.limits.max_procs = 64;
    if (auto p = run_step(tpl, executor, scratch, "latex", latex, &result)) {
      std::string log = result.stdout_tail;
      auto bang = log.find("\n!");
      problems.push_back({"latex/template.tex", "does not compile with pdflatex: " +
                                                     (bang != std::string::npos ? log.substr(bang + 1, 600) : p->message)});
    }
  }

  if (run_smoke) {
    JobSpec smoke = experiment_job(tpl, {}, "run_0", tpl.manifest.smoke_args);
    if (auto p = run_step(tpl, executor, scratch, "smoke", smoke, &result)) problems.push_back(*p);
    else {
      auto text = read_file(scratch / "smoke/run_0/final_info.json");
      if (text.ok() && smoke_final_info) *smoke_final_info = *text;
      if (!text.ok()) problems.push_back({"run_0/final_info.json", "not written by experiment.py --out_dir run_0"});
      else if (auto info = parse_final_info(*text); !info.ok())
        problems.push_back({"run_0/final_info.json", info.error().message});
      else if (!tpl.manifest.metric.empty())
        if (auto v = headline_metric(*info, tpl.manifest.metric, tpl.manifest.condition); !v.ok())
          problems.push_back({"template.json", "metric: " + v.error().message});
    }
  }
  return problems;
}

std::vector<std::string> changed_sealed_files(const Template& tpl, const fs::path& workdir) {
  std::vector<std::string> out;
  for (const auto& name : tpl.manifest.sealed) {
    auto mine = read_file(tpl.dir / name);
    auto theirs = read_file(workdir / name);
    std::error_code ec;
    if (!theirs.ok() || fs::is_symlink(workdir / name, ec) || !mine.ok() || *mine != *theirs) out.push_back(name);
  }
  return out;
}

}  // namespace shoal::experiments

namespace shoal::experiments {
namespace {

// One option of argparse's help: its long flag, its value's name ("" for a switch) and help text.
struct HelpOption {
  std::string flag, metavar, text;
};

std::vector<HelpOption> help_options(std::string_view help) {
  std::vector<HelpOption> out;
  std::istringstream lines{std::string(help)};
  std::string line;
  static const std::regex option(R"(^\s{1,8}(-[^\s,]+(?:,\s*-[^\s,]+)*)(?:\s(\{[^}]*\}|[^\s{][^\s]*))?(?:\s{2,}(.*))?$)");
  static const std::regex option_start(R"(^\s{1,8}-)");
  static const std::regex continued(R"(^\s{8,}(\S.*)$)");
  std::smatch m;
  while (std::getline(lines, line)) {
    if (std::regex_search(line, option_start) && !std::regex_match(line, m, option)) {
      out.push_back({});  // an option of another shape (nargs): its help lines are its own, not a knob
    } else if (std::regex_search(line, option_start)) {
      std::string names = m[1];
      std::string flag;
      std::stringstream split(names);
      for (std::string name; std::getline(split, name, ',');) {
        name.erase(0, name.find_first_not_of(' '));
        if (name.rfind("--", 0) == 0) flag = name;
      }
      out.push_back({flag, m[2], m[3]});
    } else if (!out.empty() && std::regex_match(line, m, continued)) {
      out.back().text += (out.back().text.empty() ? "" : " ") + std::string(m[1]);
    }  // anything else (usage, blank lines, headings such as "options:") is not an option's
  }
  return out;
}

// A number as JSON: an integer when it has no fraction, else a double with 6 significant digits.
nlohmann::json number(double v, bool integer) {
  if (integer) return static_cast<int64_t>(std::llround(v));
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return std::stod(buf);
}

// Flags that say where or how a run works, not what it studies (by a part of the name:
// out_dir, seed, num_workers, data_path, ...).
bool left_out(const std::string& flag_name) {
  static const std::set<std::string> words = {"out", "output", "seed", "dir", "path", "file", "device", "workers",
                                              "log", "help", "verbose", "data", "dataset", "save", "checkpoint",
                                              "ckpt", "resume", "name", "tag", "gpu", "gpus", "cuda", "threads"};
  std::string part;
  for (char c : flag_name + "_") {
    if (c == '_' || c == '-') {
      if (words.count(part)) return true;
      part.clear();
    } else {
      part += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
  }
  return false;
}

}  // namespace

std::vector<Knob> knobs_from_help(std::string_view help) {
  std::vector<Knob> knobs;
  static const std::regex default_re(R"(\(default:\s*([^)]*)\))");
  static const std::regex int_re(R"(^[-+]?\d+$)");
  static const std::regex float_re(R"(^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$)");
  for (const auto& o : help_options(help)) {
    if (o.flag.empty() || o.metavar.empty() || left_out(o.flag.substr(2))) continue;
    std::smatch m;
    std::string def;
    std::string text = o.text;
    if (std::regex_search(o.text, m, default_re)) {
      def = m[1];
      text = m.prefix().str() + m.suffix().str();
    }
    while (!text.empty() && (text.back() == ' ' || text.back() == '.')) text.pop_back();
    Knob k;
    k.flag = o.flag;
    k.description = text;
    if (o.metavar.front() == '{') {  // choices: every one of them
      std::stringstream split(o.metavar.substr(1, o.metavar.size() - 2));
      for (std::string c; std::getline(split, c, ',');) {
        nlohmann::json v = std::regex_match(c, int_re) ? number(std::stod(c), true)
                           : std::regex_match(c, float_re) ? number(std::stod(c), false)
                                                            : nlohmann::json(c);
        k.values.push_back(v);
        if (c == def) k.baseline = v;
      }
      if (k.values.size() >= 2) knobs.push_back(std::move(k));
      continue;
    }
    bool integer = std::regex_match(def, int_re);
    if (!integer && !std::regex_match(def, float_re)) continue;  // no default, or not a number
    double d = std::stod(def);
    std::vector<double> values;
    if (d == 0) values = integer ? std::vector<double>{1, 2, 4} : std::vector<double>{0.001, 0.01, 0.1};
    else values = {d / 4, d / 2, d * 2, d * 4};
    k.baseline = number(d, integer);
    for (double v : values) {
      nlohmann::json j = number(integer ? std::max(1.0, std::round(v)) : v, integer);
      if (j != k.baseline && std::find(k.values.begin(), k.values.end(), j) == k.values.end()) k.values.push_back(j);
    }
    knobs.push_back(std::move(k));
  }
  return knobs;
}

Expected<std::vector<Knob>> discover_knobs(const Template& tpl, Executor& executor, const fs::path& scratch) {
  JobSpec help = experiment_job(tpl, {}, "", {});
  help.argv = {tpl.manifest.interpreter, "experiment.py", "--help"};
  help.limits.wall_s = 120;
  JobResult result;
  if (auto p = run_step(tpl, executor, scratch, "help", help, &result))
    return fail(ErrorKind::invalid_input, "experiment.py --help " + p->message);
  return knobs_from_help(result.stdout_tail);
}

}  // namespace shoal::experiments
