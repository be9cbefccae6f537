#include "agent/doctor.hpp"

#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstdio>
#include <set>
#include <sstream>

#include "llm/client.hpp"
#include "core/file.hpp"
#include "experiments/command.hpp"
#include "experiments/local_executor.hpp"
#include "experiments/sandbox.hpp"
#include "experiments/slurm_executor.hpp"
#include "experiments/uid_pool.hpp"
#include "experiments/template.hpp"
#include "paper/compile.hpp"
#include "paper/sandbox_files.hpp"

namespace shoal::agent {
namespace fs = std::filesystem;

namespace {

// Imports every module named on the command line; prints "MISSING name (why); ..." or "ALL OK".
constexpr const char* kImportScript =
    "import importlib, sys\n"
    "missing = []\n"
    "for name in sys.argv[1:]:\n"
    "    try:\n"
    "        importlib.import_module(name)\n"
    "    except BaseException as e:\n"
    "        missing.append(name + ' (' + type(e).__name__ + ': ' + str(e).splitlines()[0][:200] + ')')\n"
    "print('MISSING ' + '; '.join(missing) if missing else 'ALL OK')\n";

constexpr const char* kOneLineTex = "\\documentclass{article}\\begin{document}Shoal doctor.\\end{document}\n";

// A check that passed.
DoctorCheck ok(std::string name, std::string message) { return {std::move(name), CheckLevel::ok, std::move(message)}; }

// A check that failed: what was found and what to do, and the failure's kind (its exit code).
DoctorCheck failed(std::string name, ErrorKind kind, std::string message) {
  return {std::move(name), CheckLevel::fail, std::move(message), kind};
}

// "0.42" with two decimals.
std::string fixed(double v, int decimals = 2) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

// The last non-empty line of `text`.
std::string last_line(const std::string& text) {
  std::string line, last;
  std::istringstream in(text);
  while (std::getline(in, line))
    if (!line.empty()) last = line;
  return last;
}

// The scratch folders of one doctor run under the system's temp folder, removed on destruction.
class Scratch {
 public:
  Scratch() : root_(fs::temp_directory_path() / ("shoal-doctor-" + std::to_string(::getpid()))) {
    status_ = paper::make_work_dir(root_);
  }
  ~Scratch() {
    std::error_code ec;
    fs::remove_all(root_, ec);
  }
  // A fresh work folder `name` the sandbox's user can use.
  Expected<fs::path> folder(const std::string& name) const {
    if (!status_.ok()) return status_.error();
    SHOAL_CHECK(paper::make_work_dir(root_ / name));
    return root_ / name;
  }

 private:
  fs::path root_;
  Status status_;
};

// The sandbox as runs get it: the sandbox_user and sandbox_cgroup settings.
experiments::SandboxOptions sandbox_options(const Config& config) {
  experiments::SandboxOptions o;
  o.user = config.get("sandbox_user");
  o.use_cgroups = config.get("sandbox_cgroup") != "none";
  return o;
}

// bwrap can build a sandbox as the run's user and a trivial command runs in it.
DoctorCheck check_sandbox_runs(const Config& config, experiments::Executor& executor, const Scratch& scratch) {
  auto usable = experiments::check_sandbox(sandbox_options(config));
  if (!usable.ok()) return failed("sandbox", usable.error().kind, usable.error().message);
  auto dir = scratch.folder("sandbox");
  if (!dir.ok()) return failed("sandbox", dir.error().kind, dir.error().message);
  experiments::JobSpec spec;
  spec.argv = {"/bin/sh", "-c", "echo shoal-doctor-sandbox"};
  spec.workdir = *dir;
  spec.limits.wall_s = 30;
  experiments::CancelToken cancel;
  auto r = executor.run(spec, cancel);
  if (!r.ok()) return failed("sandbox", r.error().kind, r.error().message);
  if (!r->succeeded() || r->stdout_tail.find("shoal-doctor-sandbox") == std::string::npos)
    return failed("sandbox", ErrorKind::sandbox,
                  "a trivial command failed in the sandbox (exit " + std::to_string(r->exit_code) +
                      (r->limit_hit.empty() ? "" : ", limit " + r->limit_hit) + "): " + last_line(r->stderr_tail) +
                      "; try `shoal sandbox --workdir DIR -- /bin/true` to see the whole error");
  std::string user = sandbox_options(config).user;
  if (::geteuid() != 0) user = "you";
  else if (user == experiments::pool_setting) user = "a pool member";
  return ok("sandbox", "bwrap runs commands as " + user + " (" + fixed(r->wall_s) +
                           " s; cgroups: " + experiments::cgroup_support().description + ")");
}

// Who jobs run as and what each job gets of its own: the sandbox user pool and the cgroups.
DoctorCheck check_isolation(const Config& config) {
  std::string cgroups = "cgroups: " + (config.get("sandbox_cgroup") == "none" ? std::string("off (sandbox_cgroup=none)")
                                                                                : experiments::cgroup_support().description);
  std::string user = config.get("sandbox_user");
  if (::geteuid() != 0)
    return ok("isolation", "jobs run as you (not root): every job shares your uid and its process limit; " + cgroups);
  if (user != experiments::pool_setting)
    return ok("isolation", "every job runs as the one user " + user + " (sandbox_user), sharing its process limit; " + cgroups);
  auto members = experiments::pool_members();
  if (members.empty())
    return {"isolation", CheckLevel::warn,
            "no sandbox user pool (shoal-sandbox-0..N): every job shares shoal-sandbox and its process limit; "
            "run scripts/setup to create the pool; " + cgroups};
  int busy = experiments::busy_pool_members(members);
  return ok("isolation", "sandbox user pool: " + std::to_string(members.size()) + " users (" + members.front().name + ".." +
                             members.back().name + "), " + std::to_string(busy) + " busy; one per running job; " + cgroups);
}

// A one-line document compiles with pdflatex in the sandbox (paper/compile).
DoctorCheck check_tex(experiments::Executor& executor, const Scratch& scratch) {
  auto dir = scratch.folder("tex");
  if (!dir.ok()) return failed("tex", dir.error().kind, dir.error().message);
  auto written = write_file_atomic(*dir / "template.tex", kOneLineTex);
  if (!written.ok()) return failed("tex", written.error().kind, written.error().message);
  paper::CompileOptions options;
  options.timeout_s = 60;
  options.bibtex = false;
  options.chktex = false;
  experiments::CancelToken cancel;
  auto r = paper::compile_latex(executor, *dir, options, cancel);
  if (!r.ok()) return failed("tex", r.error().kind, r.error().message);
  if (!r->compiled()) {
    std::string why = r->job_failure;
    for (const auto& p : r->problems()) why += (why.empty() ? "" : "; ") + p.message;
    return failed("tex", ErrorKind::io,
                  "a one-line LaTeX document did not compile (" + (why.empty() ? std::string("no PDF") : why) +
                      "); install TeX Live (scripts/setup, or apt-get install texlive-latex-recommended)");
  }
  return ok("tex", "pdflatex compiles in the sandbox (" + fixed(r->wall_s) + " s)");
}

// Names of the template's own modules: its .py files and folders.
std::vector<std::string> local_modules(const fs::path& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    if (e.is_directory(ec)) out.push_back(e.path().filename().string());
    else if (e.path().extension() == ".py") out.push_back(e.path().stem().string());
  }
  return out;
}

// Each package experiment.py and plot.py import, imported by the template's interpreter in the sandbox.
DoctorCheck check_packages(const fs::path& template_dir, experiments::Executor& executor, const Scratch& scratch) {
  auto tpl = experiments::load_template(template_dir);
  if (!tpl.ok()) return failed("packages", tpl.error().kind, tpl.error().message);
  std::set<std::string> names;
  auto local = local_modules(template_dir);
  for (const char* file : {"experiment.py", "plot.py"}) {
    auto source = read_file(template_dir / file);
    if (!source.ok()) continue;  // `shoal template check` reports missing files
    for (auto& n : imported_modules(*source, local)) names.insert(n);
  }
  std::string label = "packages (" + tpl->manifest.name + ")";
  if (names.empty()) return ok(label, "experiment.py and plot.py import nothing to check");
  auto dir = scratch.folder("packages");
  if (!dir.ok()) return failed(label, dir.error().kind, dir.error().message);
  experiments::JobSpec spec;
  spec.argv = {tpl->manifest.interpreter, "-c", kImportScript};
  spec.argv.insert(spec.argv.end(), names.begin(), names.end());
  spec.workdir = *dir;
  spec.limits.wall_s = 180;
  experiments::CancelToken cancel;
  auto r = executor.run(spec, cancel);
  if (!r.ok()) return failed(label, r.error().kind, r.error().message);
  std::string verdict = last_line(r->stdout_tail);
  if (verdict.rfind("MISSING ", 0) == 0)
    return failed(label, ErrorKind::invalid_input,
                  tpl->manifest.interpreter + " cannot import " + verdict.substr(8) +
                      "; install the Debian packages that provide them (apt-get install python3-NAME) or set "
                      "\"interpreter\" in the template's template.json");
  if (!r->succeeded() || verdict != "ALL OK")
    return failed(label, ErrorKind::sandbox,
                  "the interpreter " + tpl->manifest.interpreter + " did not run in the sandbox (exit " +
                      std::to_string(r->exit_code) + "): " + last_line(r->stderr_tail) +
                      "; check \"interpreter\" in template.json");
  std::string list;
  for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
  return ok(label, tpl->manifest.interpreter + " imports " + list + " (" + fixed(r->wall_s) + " s)");
}

// One cheap call to the model (no cache, no record), unless the model makes no HTTP calls.
DoctorCheck check_model(const Config& config, const DoctorOptions& options) {
  std::string model = options.model.empty() ? config.get("model") : options.model;
  if (model.empty() || model == "offline")
    return {"model", CheckLevel::skip, "offline: the baseline agent makes no LLM calls (set --model to check one)"};
  if (model.rfind("replay", 0) == 0 || model.rfind("function", 0) == 0)
    return {"model", CheckLevel::skip, model + " answers without a provider: nothing to reach"};
  llm::ClientOptions o = llm::client_options(config);
  o.model = model;
  if (!options.base_url.empty()) o.base_url = options.base_url;
  o.db_path.clear();  // no record, no response cache: the call must reach the provider
  o.budget_usd.reset();
  o.budget_tokens.reset();
  o.timeout_s = options.model_timeout_s;
  o.connect_timeout_s = std::min(10.0, options.model_timeout_s);
  o.retry.max_retries = 1;
  o.retry.patience_s = std::min(o.retry.patience_s, options.model_timeout_s);  // a check does not wait out an outage
  o.idle_timeout_s = std::min(o.idle_timeout_s, options.model_timeout_s);
  auto client = llm::Client::create(o);
  if (!client.ok()) return failed("model", client.error().kind, client.error().message);
  llm::Request request;
  request.max_tokens = 8;
  request.temperature = 0;
  request.messages = {llm::Message::user("Reply with the word OK.")};
  auto reply = (*client)->complete(request, {.stage = "doctor", .no_cache = true});
  std::string where = model + " at " + (*client)->model().base_url;
  if (!reply.ok())
    return failed("model", reply.error().kind,
                  where + " did not answer: " + reply.error().message +
                      "; check llm_base_url (--llm-base-url), the API key and the network");
  return ok("model", where + " answered in " + std::to_string(reply->latency_ms) + " ms ($" +
                         fixed(reply->cost_usd, 6) + ")");
}

// Free space on the disk holding the home: FAIL under min_free_disk_mb (a run would pause at
// once), warn under ten times that.
DoctorCheck check_disk(const Config& config) {
  fs::path home = fs::absolute(config.get("home"));
  fs::path probe = home;
  while (!fs::exists(probe) && probe.has_parent_path() && probe != probe.parent_path()) probe = probe.parent_path();
  struct statvfs st {};
  if (statvfs(probe.c_str(), &st) != 0)
    return failed("disk", ErrorKind::io, "cannot read the free space of " + probe.string() + "; check --home");
  int64_t free_mb = (static_cast<int64_t>(st.f_bavail) * static_cast<int64_t>(st.f_frsize)) >> 20;
  int64_t min_mb = config.get_int("min_free_disk_mb");
  std::string found = std::to_string(free_mb) + " MB free for " + home.string();
  if (free_mb < min_mb)
    return failed("disk", ErrorKind::io,
                  found + ", under min_free_disk_mb = " + std::to_string(min_mb) +
                      ": a run would pause at once; free some space or choose another --home");
  if (free_mb < 10 * min_mb)
    return {"disk", CheckLevel::warn,
            found + ", under 10 x min_free_disk_mb (" + std::to_string(10 * min_mb) +
                " MB): a long run may pause when it fills; free some space or choose another --home"};
  return ok("disk", found);
}

// The Slurm controller answers sinfo (only when the slurm executor is selected).
DoctorCheck check_slurm(const Config& config, const std::string& executor) {
  if (executor != "slurm") return {"slurm", CheckLevel::skip, "local executor (--executor slurm checks the cluster)"};
  auto options = experiments::slurm_options_from_config(config);
  if (!options.ok()) return failed("slurm", options.error().kind, options.error().message);
  const char* conf = std::getenv("SLURM_CONF");
  if (conf && *conf && !fs::exists(conf))
    return failed("slurm", ErrorKind::not_found,
                  std::string("SLURM_CONF names ") + conf + ", which does not exist; point it at the cluster's slurm.conf");
  experiments::CommandOptions co;
  co.timeout_s = 20;
  auto out = experiments::run_command({"sinfo", "-h", "-o", "%P %a %D %T"}, co);
  if (!out.ok() && out.error().kind == ErrorKind::timeout)
    return failed("slurm", ErrorKind::remote,
                  "sinfo did not answer within 20 s: slurmctld is not reachable; start it (scripts/slurm-local start "
                  "for a local one) or point SLURM_CONF at the cluster's slurm.conf");
  if (!out.ok())
    return failed("slurm", out.error().kind,
                  "sinfo did not run (" + out.error().message + "); install the Slurm client (apt-get install slurm-client)");
  if (out->exit_code != 0)
    return failed("slurm", ErrorKind::remote,
                  "slurmctld does not answer: " + out->message() +
                      "; start it (scripts/slurm-local start for a local one) or point SLURM_CONF at the cluster's "
                      "slurm.conf");
  std::string first = last_line(out->out.substr(0, out->out.find('\n')));
  if (first.empty())
    return {"slurm", CheckLevel::warn, "slurmctld answers but lists no partition; jobs would wait forever"};
  return ok("slurm", "slurmctld answers (partition state: " + first + ")");
}

// The top-level name of a dotted module: "numpy" for "numpy.linalg".
std::string top_name(const std::string& dotted) { return dotted.substr(0, dotted.find('.')); }

// Splits "a as b, c.d" into trimmed top-level names.
void add_import_list(const std::string& list, std::set<std::string>& out) {
  std::istringstream in(list);
  std::string item;
  while (std::getline(in, item, ',')) {
    std::istringstream words(item);
    std::string name;
    if (words >> name) out.insert(top_name(name));
  }
}

}  // namespace

std::string_view to_string(CheckLevel level) {
  switch (level) {
    case CheckLevel::ok: return "ok";
    case CheckLevel::skip: return "skip";
    case CheckLevel::warn: return "warn";
    case CheckLevel::fail: return "FAIL";
  }
  return "?";
}

std::vector<std::string> imported_modules(const std::string& source, const std::vector<std::string>& local) {
  std::set<std::string> names;
  std::istringstream in(source);
  std::string line;
  while (std::getline(in, line)) {
    auto start = line.find_first_not_of(" \t");
    if (start == std::string::npos) continue;
    std::string s = line.substr(start, line.find('#') == std::string::npos ? std::string::npos
                                                                           : line.find('#') - start);
    if (s.rfind("import ", 0) == 0) {
      add_import_list(s.substr(7), names);
    } else if (s.rfind("from ", 0) == 0) {
      std::istringstream words(s.substr(5));
      std::string module, keyword;
      if ((words >> module >> keyword) && keyword == "import" && module[0] != '.') names.insert(top_name(module));
    }
  }
  for (const auto& l : local) names.erase(l);
  names.erase("__future__");
  names.erase("");
  return {names.begin(), names.end()};
}

std::vector<DoctorCheck> run_doctor(const Config& config, const DoctorOptions& options) {
  std::vector<DoctorCheck> checks;
  Scratch scratch;
  experiments::LocalExecutor executor(1, 0, sandbox_options(config));
  checks.push_back(check_sandbox_runs(config, executor, scratch));
  bool sandbox_ok = checks.back().level != CheckLevel::fail;
  checks.push_back(check_isolation(config));
  if (sandbox_ok) checks.push_back(check_tex(executor, scratch));
  else checks.push_back({"tex", CheckLevel::skip, "needs the sandbox (fix the sandbox first)"});
  if (!options.template_dir.empty()) {
    if (sandbox_ok) checks.push_back(check_packages(options.template_dir, executor, scratch));
    else checks.push_back({"packages", CheckLevel::skip, "needs the sandbox (fix the sandbox first)"});
  }
  checks.push_back(check_model(config, options));
  checks.push_back(check_disk(config));
  checks.push_back(check_slurm(config, options.executor));
  return checks;
}

}  // namespace shoal::agent
