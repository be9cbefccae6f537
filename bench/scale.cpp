// bench/scale: the orchestrator's own cost in a large evolution. 1,000 programs go through
// run_evolve (agent/search/evolve.hpp) with a scripted model that answers at once and an
// executor with 64 slots that sleeps instead of running (so what is measured is the
// orchestrator: prompts, edits, similarity checks, the archive, the store). Prints:
//
//   1. makespan / lower bound, the lower bound being the executor's busy time / 64 slots
//      (target <= 1.10);
//   2. the orchestrator's CPU time per program: the process's user + system CPU during the
//      evolution divided by the programs it made, rejected ones included (target <= 5 ms);
//   3. the store's growth per 1,000 programs (the SQLite file and its WAL).
//
// Everything else is real: a SQLite store on disk, the LLM client (every call recorded in
// llm_calls, as in a run), the edit blocks applied to copies of the template, run_node's
// bookkeeping and artifacts.
//
// usage: scale [--programs 1000] [--slots 64] [--sleep-ms 1000] [--islands 4]
#include <sys/resource.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <random>
#include <regex>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "agent/search/evolve.hpp"
#include "agent/stage_context.hpp"
#include "core/file.hpp"
#include "core/log.hpp"
#include "core/scratch_dir.hpp"
#include "experiments/baseline.hpp"
#include "experiments/template.hpp"
#include "store/db.hpp"
#include "store/ideas.hpp"
#include "store/nodes.hpp"
#include "store/runs.hpp"

using namespace shoal;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// The program the search edits: its score is the sum of its TERM lines (the executor reads
// them), so a change that adds a positive term improves it.
const char* kExperiment = R"(import argparse, json, os
parser = argparse.ArgumentParser()
parser.add_argument("--out_dir", required=True)
args = parser.parse_args()
# terms
TERM_0 = 0.0
)";

void write(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  if (auto st = write_file_atomic(path, text); !st) {
    std::fprintf(stderr, "scale: %s\n", st.error().describe().c_str());
    std::exit(1);
  }
}

fs::path make_template(const fs::path& dir) {
  write(dir / "experiment.py", kExperiment);
  write(dir / "prompt.json", R"({"system": "You improve programs.", "task_description": "Make the score large."})");
  write(dir / "seed_ideas.json", "[]");
  write(dir / "template.json", R"({"name": "scale_tpl", "timeout_s": 30,
    "metric": {"name": "score", "condition": null, "higher_is_better": true},
    "editable": ["experiment.py"]})");
  return dir;
}

// Sleeps for the job's time, then scores the program in its folder and writes final_info.json.
// Records the busy time (for the lower bound) and the most jobs at once.
class SleepingExecutor : public experiments::Executor {
 public:
  explicit SleepingExecutor(double sleep_s) : sleep_s_(sleep_s) {}
  std::string name() const override { return "sleeping"; }

  Expected<experiments::JobResult> run(const experiments::JobSpec& spec, const experiments::CancelToken&) override {
    int now = ++running_;
    for (int seen = peak_.load(); now > seen && !peak_.compare_exchange_weak(seen, now);) {
    }
    std::this_thread::sleep_for(std::chrono::duration<double>(sleep_s_));
    std::string out_dir = "run";
    for (size_t i = 0; i + 1 < spec.argv.size(); ++i)
      if (spec.argv[i] == "--out_dir") out_dir = spec.argv[i + 1];
    double score = 0;
    int terms = 0;
    if (auto code = read_file(spec.workdir / "experiment.py"); code.ok()) {
      static const std::regex term(R"(^TERM_\w+ = (-?[0-9.]+))", std::regex::multiline);
      for (std::sregex_iterator it(code->begin(), code->end(), term), end; it != end; ++it) {
        score += std::stod((*it)[1]);
        ++terms;
      }
    }
    // A plain write, as experiment.py's would be (no fsync: the executor's cost is not measured).
    fs::create_directories(spec.workdir / out_dir);
    std::ofstream(spec.workdir / out_dir / "final_info.json")
        << json{{"main", {{"means", {{"score", score}, {"terms", terms}}}}}}.dump();
    --running_;
    jobs_ += 1;
    experiments::JobResult r;
    r.exit_code = 0;
    r.wall_s = sleep_s_;
    r.stdout_tail = "score " + std::to_string(score) + "\n";
    return r;
  }

  double sleep_s() const { return sleep_s_; }
  int jobs() const { return jobs_.load(); }
  int peak() const { return peak_.load(); }

 private:
  double sleep_s_;
  std::atomic<int> running_{0}, peak_{0}, jobs_{0};
};

// The scripted model: each answer adds one term with a random value (and a few random words,
// so no two changes are alike) under the "# terms" line.
llm::FunctionModel scripted_model() {
  auto rng = std::make_shared<std::mt19937_64>(7);
  auto mu = std::make_shared<std::mutex>();
  auto counter = std::make_shared<std::atomic<int>>(0);
  return [rng, mu, counter](const llm::Request&) -> Expected<llm::Response> {
    static const char* words[] = {"shift", "scale", "blend", "tilt", "warp", "fold", "nudge", "swap", "trim", "lift"};
    double value;
    std::string comment;
    {
      std::lock_guard lock(*mu);
      value = std::uniform_real_distribution<double>(-1, 1)(*rng);
      for (int i = 0; i < 4; ++i) comment += std::string(" ") + words[(*rng)() % 10];
    }
    int k = ++*counter;
    char line[128];
    std::snprintf(line, sizeof line, "TERM_%d = %.4f  #%s\n", k, value, comment.c_str());
    std::string reply = "One more term.\n\nexperiment.py\n```python\n<<<<<<< SEARCH\n# terms\n=======\n# terms\n" +
                        std::string(line) + ">>>>>>> REPLACE\n```\n\n```json\n" +
                        json{{"plan", "add term " + std::to_string(k)}, {"args", json::array()}, {"notes", "n"}}.dump() +
                        "\n```\n";
    llm::Response r;
    r.texts = {reply};
    r.tokens_in = 2000;
    r.tokens_out = 120;
    r.cost_usd = 0.001;
    r.finish_reason = "stop";
    return r;
  };
}

double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_utime.tv_sec + u.ru_utime.tv_usec / 1e6 + u.ru_stime.tv_sec + u.ru_stime.tv_usec / 1e6;
}

int64_t store_bytes(const fs::path& db) {
  int64_t total = 0;
  for (const char* suffix : {"", "-wal"}) {
    std::error_code ec;
    auto size = fs::file_size(db.string() + suffix, ec);
    if (!ec) total += static_cast<int64_t>(size);
  }
  return total;
}

}  // namespace

int main(int argc, char** argv) {
  int programs = 1000, slots = 64, islands = 4;
  double sleep_ms = 1000;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--programs") programs = std::atoi(argv[i + 1]);
    else if (a == "--slots") slots = std::atoi(argv[i + 1]);
    else if (a == "--sleep-ms") sleep_ms = std::atof(argv[i + 1]);
    else if (a == "--islands") islands = std::atoi(argv[i + 1]);
    else {
      std::fprintf(stderr, "usage: scale [--programs 1000] [--slots 64] [--sleep-ms 1000] [--islands 4]\n");
      return 2;
    }
  }
  log::set_level(log::Level::warn);
  auto scratch = ScratchDir::create("shoal-bench-scale").value();
  const fs::path dir = scratch->path();
  const fs::path db = dir / "shoal.db";
  auto store = store::Store::open(db, store::OpenMode::create).value();
  auto tpl = experiments::load_template(make_template(dir / "tpl")).value();
  SleepingExecutor executor(sleep_ms / 1000);
  if (auto b = experiments::ensure_baseline(store, tpl, executor, dir / "work", {}); !b) {
    std::fprintf(stderr, "scale: baseline: %s\n", b.error().describe().c_str());
    return 1;
  }
  auto run = store::create_run(store, store::Run{.template_name = "scale_tpl", .template_hash = tpl.hash, .model = "function:scale"})
                 .value();
  store::Idea idea;
  idea.run_id = run.id;
  idea.name = "more_terms";
  idea.title = "More terms";
  idea.idea_json = json{{"Name", idea.name}, {"Title", idea.title}, {"Experiment", "add terms"}}.dump();
  idea = store::add_idea(store, idea).value();

  llm::ClientOptions o;
  o.model = "function:scale";
  o.function = scripted_model();
  o.db_path = db;
  o.run_id = run.id;
  o.concurrency = slots;
  auto client = llm::Client::create(o).value();

  agent::RunSettings settings;
  settings.parallel_nodes = slots;
  settings.evolve_generations = (programs + slots - 1) / slots;
  settings.evolve_islands = islands;
  settings.evolve_descriptors = "terms";
  settings.seed_runs = 0;
  settings.evolve_overlap = std::getenv("SCALE_NO_OVERLAP") == nullptr;  // the seed re-runs are the same runs again: left out of the measure
  experiments::CancelToken cancel;
  agent::StageContext ctx{store, db, client.get(), executor, tpl, run.id, settings, dir / "work", cancel,
                          [](const agent::ProgressNote&) {}, {}};
  if (std::getenv("SCALE_NO_POOL") == nullptr) ctx.pool = std::make_shared<store::StorePool>(db);

  int64_t bytes_before = store_bytes(db);
  int jobs_before = executor.jobs();
  double cpu_before = cpu_seconds();
  auto t0 = std::chrono::steady_clock::now();
  auto outcome = agent::run_evolve(ctx, idea);
  double makespan = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  double cpu = cpu_seconds() - cpu_before;
  if (!outcome) {
    std::fprintf(stderr, "scale: run_evolve: %s\n", outcome.error().describe().c_str());
    return 1;
  }
  auto nodes = store::list_nodes(store, idea.id).value();
  // Programs are the model's candidates (mutations and crossovers); the generation-0 copy of
  // the baseline and the migrants (copies of an island's best, no run) are not.
  int ran = 0, rejected = 0, copies = 0, other = 0;
  for (const auto& n : nodes) {
    auto facts = json::parse(n.search_json, nullptr, false);
    std::string op = facts.is_object() ? facts.value("operator", "") : "";
    if (op == "baseline" || op == "migrant") ++copies;
    else if (n.status == "rejected") ++rejected;
    else if (n.status == "done" || n.status == "failed") ++ran;
    else ++other;
  }
  int jobs = executor.jobs() - jobs_before;
  int made = ran + rejected;
  double lower = jobs * executor.sleep_s() / slots;
  int64_t grown = store_bytes(db) - bytes_before;

  std::printf("bench/scale: %d programs asked for, %d slots, experiments sleep %.0f ms, %d islands\n", programs, slots,
              sleep_ms, islands);
  std::printf("  programs: %d ran (%d executor jobs, at most %d at once), %d rejected as near-duplicates, %d unfinished;"
              " %d copies (baseline, migrants)\n",
              ran, jobs, executor.peak(), rejected, other, copies);
  std::printf("  best score %.4f (baseline 0)\n", outcome->best_metric.value_or(0));
  std::printf("  makespan %.2f s, lower bound %.2f s (busy time / slots): ratio %.3f (target <= 1.10)\n", makespan,
              lower, lower > 0 ? makespan / lower : 0.0);
  std::printf("  orchestrator CPU %.2f s: %.2f ms per program (target <= 5 ms)\n", cpu,
              made > 0 ? cpu * 1000 / made : 0.0);
  std::printf("  store grew %.1f MiB: %.1f MiB per 1,000 programs\n", grown / 1048576.0,
              made > 0 ? grown / 1048576.0 * 1000 / made : 0.0);
  return 0;
}
