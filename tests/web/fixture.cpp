#include "fixture.hpp"

#include <cmath>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "core/file.hpp"
#include "core/hash.hpp"
#include "core/time.hpp"
#include "store/blobs.hpp"
#include "store/ideas.hpp"
#include "store/llm_calls.hpp"
#include "store/nodes.hpp"
#include "store/papers.hpp"
#include "store/reproductions.hpp"
#include "store/reviews.hpp"
#include "store/runs.hpp"
#include "store/stages.hpp"

namespace shoal::test {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

const char* kPaperTex = R"(\documentclass{article}
\title{Weight Decay Shortens the Grokking Delay}
\author{Shoal fixture}
\begin{document}
\maketitle
\begin{abstract}
We measure how weight decay changes the delay between memorisation and generalisation.
\end{abstract}
\section{Results}
With weight decay 0.1 the model generalises after 1200 steps instead of 4100 (Figure~1).
\end{document}
)";

const char* kPlotTex = R"(\documentclass[tikz]{standalone}
\begin{document}
\begin{tikzpicture}
\draw[->] (0,0) -- (4,0) node[right] {step};
\draw[->] (0,0) -- (0,3) node[above] {accuracy};
\draw[thick, blue] (0,0.2) -- (1,0.3) -- (2,1.5) -- (3,2.7) -- (4,2.8);
\end{tikzpicture}
\end{document}
)";

// The best paper's title and abstract as the paper stage stores them: LaTeX source.
const char* kLatexTitle = R"(How \texttt{weight\_decay} affects \texttt{step\_to\_99\_val} in grokking)";
const char* kLatexAbstract =
    R"(We measure how weight decay changes the delay between memorisation and generalisation in modular )"
    R"(arithmetic, following Poincar\'e's \emph{na\"ive} programme~\cite{power2022}. With \texttt{weight\_decay} )"
    R"($=0.1$ the model reaches \texttt{step\_to\_99\_val} $=586.7$ steps, against $4100 \pm 120$ without it )"
    R"((\textbf{7$\times$ faster}); 100\% of seeds generalise.)";
// Automated checks as paper/checks.cpp stores them: one citation unresolved, a bibtex error.
const char* kChecks = R"({"compiles": true, "pages": 1, "page_limit": 8, "latex_errors": 0, "overfull_boxes": 2,
  "chktex_warnings": 3, "claims": {"checked": 5, "unmatched": 1},
  "figures": {"referenced": ["val_acc.png", "loss.png"], "missing": ["loss.png"], "unreferenced": ["train_acc.png"]},
  "citations": {"cited": ["power2022", "nanda2023"], "unresolved": ["nanda2023"]},
  "bibtex_errors": ["I didn't find a database entry for \"nanda2023\""], "passed": false})";

// A 2x2 PNG, base64: the page image an LLM call was shown.
const char* kTinyPng = "iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAEElEQVR4nGM4YWMDRAwQCgAlPgUBdJmUYAAAAABJRU5ErkJggg==";

// Runs `command` in `dir` (a test helper: fixed commands in a folder of our own).
Status run_in(const fs::path& dir, const std::string& command) {
  std::string line = "cd '" + dir.string() + "' && " + command + " >/dev/null 2>&1";
  if (std::system(line.c_str()) != 0)
    return fail(ErrorKind::io, "`" + command + "` failed in " + dir.string() + " (are texlive and poppler-utils installed?)");
  return {};
}

// Compiles `tex` with pdflatex; returns the PDF and a PNG of its first page at `dpi`.
Expected<std::pair<std::string, std::string>> compile(const fs::path& dir, const std::string& name, const char* tex,
                                                      int dpi) {
  SHOAL_CHECK(ensure_writable_dir(dir));
  SHOAL_CHECK(write_file_atomic(dir / (name + ".tex"), tex));
  SHOAL_CHECK(run_in(dir, "pdflatex -interaction=nonstopmode -halt-on-error " + name + ".tex"));
  SHOAL_CHECK(run_in(dir, "pdftoppm -png -r " + std::to_string(dpi) + " -f 1 -l 1 -singlefile " + name + ".pdf " + name));
  SHOAL_TRY(pdf, read_file(dir / (name + ".pdf")));
  SHOAL_TRY(png, read_file(dir / (name + ".png")));
  return std::make_pair(pdf, png);
}

std::string snapshot(const std::string& experiment_py) {
  return json{{"experiment.py", experiment_py}, {"plot.py", "import matplotlib\nprint('plot')\n"}}.dump();
}

Expected<std::string> put(store::Store& store, const std::string& data) {
  return store.transaction([&](SQLite::Database& db) -> Expected<std::string> { return store::put_blob(db, data); });
}

// An OpenAI-style review call: request messages, response and cost.
store::LlmCall review_call(const std::string& run, const std::string& idea, const std::string& stage,
                           const std::string& reply, double cost) {
  store::LlmCall c;
  c.run_id = run;
  c.idea_id = idea;
  c.stage = stage;
  c.provider = "openai";
  c.model = "gpt-4o-mini";
  c.request_hash = sha256_hex(stage + reply);
  c.request_json = json{{"model", "gpt-4o-mini"},
                        {"messages",
                         {{{"role", "system"}, {"content", "You are an AI researcher reviewing a paper."}},
                          {{"role", "user"}, {"content", "Review this paper: Weight Decay Shortens the Grokking Delay"}}}}}
                       .dump();
  c.response_json = json{{"choices", {{{"message", {{"role", "assistant"}, {"content", reply}}}}}}}.dump();
  c.tokens_in = 1800;
  c.tokens_out = 420;
  c.cost_usd = cost;
  c.latency_ms = 2300;
  return c;
}

// The Status of an Expected whose value is not needed.
template <class T>
Status checked(const Expected<T>& e) {
  if (!e.ok()) return e.error();
  return {};
}

// The code of a tiny language model's training recipe, for the evolve run's programs.
std::string recipe(const char* lr, int n_layer, int n_embd, const char* dropout, const char* extra = "") {
  return json{{"experiment.py", std::string("import torch\nlr = ") + lr + "\nn_layer = " + std::to_string(n_layer) +
                                    "\nn_embd = " + std::to_string(n_embd) + "\ndropout = " + dropout + "\n" + extra +
                                    "print('train')\n"}}
      .dump();
}

// The third run: the evolve search over a tiny LM's recipe, val_loss (lower is better) as the
// fitness. Generation 0 is the baseline; generations 1-3 mutate, cross over and try a random
// program on islands 0 and 1; MAP-Elites cells are [duration bin, size bin].
Status fill_evolve(store::Store& store, FixtureIds& ids, int64_t t0, const std::string& bad) {
  SHOAL_TRY(run, store::create_run(store, {.id = "run-fixture-evolve", .template_name = "tiny_lm",
                                           .template_hash = "tpl-tinylm-1",
                                           .model = "openai:gpt-4o-mini,anthropic:claude-haiku",
                                           .budget_usd = 5, .created_ms = t0 - 1000}));
  SHOAL_CHECK(store::set_run_status(store, run.id, "running"));
  ids.evolve_run = run.id;
  // The template baseline, and the baseline stage that settled the metric and its direction.
  SHOAL_TRY(base_code, put(store, recipe("1e-3", 2, 64, "0.1")));
  SHOAL_TRY(baseline, store::add_node(store, {.template_hash = "tpl-tinylm-1", .kind = "baseline",
                                              .code_hash = base_code, .command = "python experiment.py --out_dir run_0",
                                              .status = "done", .created_ms = t0 - 900}));
  baseline.exit_code = 0;
  baseline.metric = 2.0;
  baseline.metrics_json = R"({"baseline": {"means": {"val_loss": 2.0}}})";
  SHOAL_CHECK(store::finish_node(store, baseline));
  SHOAL_TRY(stage, store::begin_stage(store, run.id, "", "baseline"));
  SHOAL_CHECK(store::finish_stage(store, stage.id, "done", 0, "", "",
                                  json{{"node_id", baseline.id},
                                       {"metric", 2.0},
                                       {"headline", {{"name", "val_loss"}, {"higher_is_better", false},
                                                     {"source", "template.json"}, {"direction_source", "template.json"}}}}
                                      .dump()));

  SHOAL_TRY(idea, store::add_idea(store, {.run_id = run.id, .name = "evolve_recipe",
                                          .title = R"(Evolving the \texttt{lr} and width of a tiny LM)",
                                          .idea_json = json{{"Hypothesis", "A population search finds a better recipe than one knob at a time"}}.dump(),
                                          .interestingness = 6, .feasibility = 9, .novelty = 5}));
  SHOAL_CHECK(store::set_idea_status(store, idea.id, "running", "experiments"));
  SHOAL_CHECK(store::set_idea_best_metric(store, idea.id, 1.49));
  ids.evolve_idea = idea.id;

  int order = 0;
  // One program: its node (run, or rejected before a run) and its search facts.
  auto program = [&](int generation, int island, const std::string& op, const std::vector<std::string>& parents,
                     const std::string& model, double cost, const std::string& status, std::optional<double> metric,
                     json cell, json descriptors, const std::string& code, const std::string& plan,
                     json rejected = nullptr) -> Expected<std::string> {
    SHOAL_TRY(code_hash, put(store, code));
    ++order;
    SHOAL_TRY(node, store::add_node(store, {.idea_id = idea.id, .template_hash = "tpl-tinylm-1",
                                            .parent_id = parents.empty() ? "" : parents[0], .kind = "evolve",
                                            .code_hash = code_hash, .command = "python experiment.py --out_dir run_" +
                                                                              std::to_string(order),
                                            .plan = plan, .step = generation,
                                            .status = status == "rejected" ? "rejected" : "running",
                                            .created_ms = t0 + order * 60000}));
    json search = {{"strategy", "evolve"}, {"generation", generation}, {"island", island}, {"operator", op},
                   {"parents", parents}, {"model", model}, {"cost_usd", cost}, {"descriptors", descriptors},
                   {"cell", cell}};
    if (!rejected.is_null()) search["rejected"] = rejected;
    SHOAL_CHECK(store::set_node_search(store, node.id, search.dump()));
    if (status == "rejected") return node.id;
    node.status = status;
    node.exit_code = status == "done" ? 0 : 1;
    node.metric = metric;
    node.duration_s = descriptors.value("duration_s", 0.0);
    if (metric) node.metrics_json = json{{"tiny", {{"means", {{"val_loss", *metric}}}}}}.dump();
    if (status == "failed") node.stderr_tail = "RuntimeError: loss is nan at step 120\n";
    SHOAL_CHECK(store::finish_node(store, node));
    return node.id;
  };
  auto d = [](double duration, double params) { return json{{"duration_s", duration}, {"params_m", params}}; };
  const json none = nullptr;
  SHOAL_TRY(n0, program(0, 0, "baseline", {}, "offline", 0, "done", 2.0, {0, 0}, d(8.1, 0.4), recipe("1e-3", 2, 64, "0.1"),
                        "the template's recipe"));
  SHOAL_TRY(a, program(1, 0, "mutate", {n0}, "gpt-4o-mini", 0.0040, "done", 1.80, {0, 0}, d(8.3, 0.4),
                       recipe("3e-3", 2, 64, "0.1"), "raise the learning rate to 3e-3"));
  SHOAL_TRY(b, program(1, 1, "mutate", {n0}, "claude-haiku", 0.0061, "done", 1.95, {1, 1}, d(14.2, 1.6),
                       recipe("1e-3", 2, 128, "0.1"), "double the width"));
  SHOAL_TRY(c, program(1, 1, "random", {n0}, "gpt-4o-mini", 0.0038, "failed", std::nullopt, none, json::object(),
                       recipe("1e-2", 2, 64, "0.3"), "a random recipe: lr 1e-2, dropout 0.3" + bad));
  SHOAL_TRY(dd, program(2, 0, "mutate", {a}, "claude-haiku", 0.0059, "done", 1.62, {1, 0}, d(15.5, 0.8),
                        recipe("3e-3", 4, 64, "0.1"), "four layers"));
  SHOAL_TRY(e, program(2, 1, "crossover", {b, a}, "gpt-4o-mini", 0.0052, "done", 1.55, {1, 1}, d(16.0, 1.6),
                       recipe("3e-3", 2, 128, "0.1"), "the width of one parent, the learning rate of the other"));
  SHOAL_TRY(r, program(2, 0, "mutate", {a}, "gpt-4o-mini", 0.0041, "rejected", std::nullopt, none, json::object(),
                       recipe("3e-3", 2, 64, "0.1", "# warm up the learning rate\n"), "warm up the learning rate",
                       json{{"similar_to", a}, {"similarity", 0.97}}));
  SHOAL_TRY(f, program(3, 0, "mutate", {dd}, "claude-haiku", 0.0063, "done", 1.49, {1, 0}, d(15.1, 0.8),
                       recipe("3e-3", 4, 64, "0.0"), "no dropout"));
  SHOAL_TRY(g, program(3, 1, "mutate", {e}, "gpt-4o-mini", 0.0047, "done", 1.70, {2, 1}, d(21.0, 1.6),
                       recipe("3e-3", 2, 128, "0.2"), "more dropout"));
  (void)g;
  ids.evolve_baseline = n0;
  ids.evolve_a = a;
  ids.evolve_b = b;
  ids.evolve_failed = c;
  ids.evolve_crossover = e;
  ids.evolve_rejected = r;
  ids.evolve_best = f;
  return {};
}

}  // namespace

Expected<FixtureIds> fill_fixture(store::Store& store, const fs::path& work, bool xss) {
  FixtureIds ids;
  const std::string bad = xss ? std::string(" ") + kXss : "";
  SHOAL_TRY(paper_files, compile(work / "paper", "paper", kPaperTex, 40));
  SHOAL_TRY(plot_files, compile(work / "plot", "plot", kPlotTex, 60));
  int64_t t0 = now_ms() - 3600 * 1000;

  // Runs: one finished, one still going.
  SHOAL_TRY(done, store::create_run(store, {.id = "run-fixture-done", .template_name = "grokking",
                                            .template_hash = "tpl-grokking-1", .model = "openai:gpt-4o-mini",
                                            .budget_usd = 10, .created_ms = t0}));
  SHOAL_CHECK(store::set_run_status(store, done.id, "running"));
  // An offline run keeps 0 as its spending limit; its settings snapshot has the budget it was given.
  SHOAL_TRY(live, store::create_run(store, {.id = "run-fixture-live", .template_name = "charlm",
                                            .template_hash = "tpl-charlm-1", .model = "offline",
                                            .config_json = R"({"template_dir": "/t/charlm", "settings": {"budget_usd": "10"}})",
                                            .budget_usd = 0, .created_ms = t0 + 1000}));
  SHOAL_CHECK(store::set_run_status(store, live.id, "running"));
  ids.done_run = done.id;
  ids.live_run = live.id;

  // The template baseline the first node of an idea is diffed against.
  std::string v1 = "import torch\nlr = 1e-3\nweight_decay = 0.0\nsteps = 5000\nprint('train')\n";
  SHOAL_TRY(base_code, put(store, snapshot(v1)));
  SHOAL_TRY(baseline, store::add_node(store, {.template_hash = "tpl-grokking-1", .kind = "baseline",
                                              .code_hash = base_code, .command = "python experiment.py --out_dir run_0",
                                              .status = "done"}));
  baseline.exit_code = 0;
  baseline.metric = 0.50;
  baseline.metrics_json = R"({"baseline": {"means": {"val_acc": 0.5}}})";
  baseline.status = "done";
  SHOAL_CHECK(store::finish_node(store, baseline));

  // Ideas: the best one, one carrying the payloads, one the novelty check skipped.
  SHOAL_TRY(best, store::add_idea(store, {.run_id = done.id, .name = "weight_decay",
                                          .title = "Weight decay shortens grokking: \\texttt{weight\\_decay} sweep",
                                          .idea_json = json{{"Hypothesis", "Weight decay speeds up generalisation"},
                                                            {"Experiment", "Sweep weight decay 0 to 0.3"}}.dump(),
                                          .interestingness = 8, .feasibility = 9, .novelty = 7}));
  SHOAL_CHECK(store::set_idea_novelty(store, best.id, true, R"({"reason": "no prior sweep found", "papers": []})"));
  SHOAL_CHECK(store::set_idea_rank(store, best.id, 1));
  SHOAL_CHECK(store::set_idea_status(store, best.id, "done", "review"));
  SHOAL_CHECK(store::set_idea_best_metric(store, best.id, 0.91));
  SHOAL_TRY(evil, store::add_idea(store, {.run_id = done.id, .name = "warmup",
                                          .title = "Learning-rate warmup" + bad, .interestingness = 5,
                                          .feasibility = 6, .novelty = 4}));
  SHOAL_CHECK(store::set_idea_novelty(store, evil.id, true, R"({"literature_unreachable": true})"));
  SHOAL_CHECK(store::set_idea_rank(store, evil.id, 2));
  SHOAL_CHECK(store::set_idea_status(store, evil.id, "done", "review"));
  SHOAL_CHECK(store::set_idea_best_metric(store, evil.id, 0.42));
  SHOAL_TRY(skipped, store::add_idea(store, {.run_id = done.id, .name = "batch_size", .title = "Batch size and grokking"}));
  SHOAL_CHECK(store::set_idea_novelty(store, skipped.id, false, R"({"reason": "studied before"})"));
  SHOAL_CHECK(store::set_idea_status(store, skipped.id, "skipped", "novelty"));
  SHOAL_TRY(pending, store::add_idea(store, {.run_id = live.id, .name = "depth", .title = "Depth under a fixed budget"}));
  SHOAL_CHECK(store::set_idea_status(store, pending.id, "running", "experiments"));
  ids.best_idea = best.id;
  ids.xss_idea = evil.id;
  ids.skipped_idea = skipped.id;

  // The experiment tree of the best idea: draft -> improve, and a failed debug attempt.
  std::string v2 = "import torch\nlr = 1e-3\nweight_decay = 0.1\nsteps = 5000\nprint('train')\n";
  std::string v3 = "import torch\nlr = 3e-3\nweight_decay = 0.1\nsteps = 5000\nprint('train with warmup')\n";
  SHOAL_TRY(code2, put(store, snapshot(v2)));
  SHOAL_TRY(code3, put(store, snapshot(v3)));
  SHOAL_TRY(draft, store::add_node(store, {.idea_id = best.id, .template_hash = "tpl-grokking-1", .kind = "draft",
                                           .code_hash = code2, .command = "python experiment.py --out_dir run_1",
                                           .plan = "turn on weight decay", .step = 1, .status = "running"}));
  draft.status = "done";
  draft.exit_code = 0;
  draft.metric = 0.83;
  draft.metrics_json = R"({"wd_0.1": {"means": {"val_acc": 0.83}}})";
  draft.stdout_tail = "step 1000 val_acc 0.41\nstep 2000 val_acc 0.83\n";
  draft.duration_s = 61.5;
  SHOAL_CHECK(store::finish_node(store, draft));
  SHOAL_TRY(improve, store::add_node(store, {.idea_id = best.id, .template_hash = "tpl-grokking-1",
                                             .parent_id = draft.id, .kind = "improve", .code_hash = code3,
                                             .command = "python experiment.py --out_dir run_2",
                                             .plan = "raise the learning rate" + bad, .step = 2, .status = "running"}));
  improve.status = "done";
  improve.exit_code = 0;
  improve.metric = 0.91;
  improve.stdout_tail = "done" + bad + "\n";
  SHOAL_CHECK(store::finish_node(store, improve));
  SHOAL_TRY(broken, store::add_node(store, {.idea_id = best.id, .template_hash = "tpl-grokking-1",
                                            .parent_id = draft.id, .kind = "debug", .code_hash = code2,
                                            .command = "python experiment.py --out_dir run_3", .step = 2,
                                            .status = "running"}));
  broken.status = "failed";
  broken.exit_code = 1;
  broken.stderr_tail = "Traceback (most recent call last):\nRuntimeError: CUDA out of memory\n";
  SHOAL_CHECK(store::finish_node(store, broken));
  ids.draft_node = draft.id;
  ids.improve_node = improve.id;
  ids.failed_node = broken.id;
  SHOAL_TRY(plot, store::add_artifact(store, {"plot", "val_acc.png", "node", draft.id, "image/png"}, plot_files.second));
  SHOAL_TRY(log, store::add_artifact(store, {"log", xss ? "evil<b>.html" : "train.log", "node", draft.id, "text/html"},
                                     std::string("<html><script>alert('log')</script></html>") + bad));
  SHOAL_TRY(odd, store::add_artifact(store, {"final_info", "weird.bin", "node", draft.id, "application/x-evil"}, "\x01\x02"));
  ids.plot = plot.id;
  // The idea's own figure, as the plot stage stores it.
  SHOAL_CHECK(checked(store::add_artifact(store, {"plot", "sweep_weight_decay.png", "idea", best.id, "image/png"}, plot_files.second)));
  ids.html_log = log.id;
  ids.odd_mime = odd.id;

  // Paper attempts: a failed one, then a compiled one with its first-page image.
  SHOAL_TRY(failed_paper, store::add_paper(store, {.idea_id = best.id, .status = "failed", .title = "draft",
                                                   .error = "pdflatex: Undefined control sequence"}));
  SHOAL_TRY(pdf_hash, put(store, paper_files.first));
  SHOAL_TRY(paper, store::add_paper(store, {.idea_id = best.id, .status = "compiled",
                                            .title = kLatexTitle,
                                            .abstract = kLatexAbstract,
                                            .pdf_hash = pdf_hash, .pages = 1,
                                            .unverified_json = R"([{"value": "4100", "context": "instead of 4100 steps"}])",
                                            .citations_json = R"([{"key": "power2022", "title": "Grokking: Generalization Beyond Overfitting", "year": 2022}])",
                                            .checks_json = kChecks}));
  SHOAL_TRY(page, store::add_artifact(store, {"page_image", "page-1.png", "paper", paper.id, "image/png"},
                                      paper_files.second));
  ids.best_paper = paper.id;
  ids.failed_paper = failed_paper.id;
  ids.page_image = page.id;
  SHOAL_TRY(evil_paper, store::add_paper(store, {.idea_id = evil.id, .status = "compiled",
                                                 .title = "Warmup and grokking" + bad,
                                                 .abstract = "Warmup changes little." + bad, .pdf_hash = pdf_hash,
                                                 .pages = 1, .unverified_json = xss ? json::array({kXss}).dump() : "[]"}));
  ids.xss_paper = evil_paper.id;

  // `shoal reproduce`: one of the best paper's three values came out differently; the other
  // paper's two values came out as stored.
  auto value = [](const char* condition, const char* metric, double stored, double measured, double tolerance) {
    return json{{"condition", condition}, {"metric", metric}, {"stored", stored}, {"measured", measured},
                {"stderr", nullptr}, {"tolerance", tolerance}, {"match", std::abs(stored - measured) <= tolerance}};
  };
  json differs = {{"runs", json::array({{{"node_id", best.id}, {"kind", "seed"}, {"seed", 0}, {"problem", ""},
                                          {"metrics", json::array({value("x_plus_y", "step_to_99_val", 4100, 4480, 180),
                                                                   value("x_plus_y", "val_acc", 0.99, 0.991, 0.01),
                                                                   value("x_minus_y", "step_to_99_val", 5000, 5050, 200)})}}})}};
  SHOAL_CHECK(checked(store::add_reproduction(store, {.paper_id = paper.id, .outcome = "differs", .details_json = differs.dump()})));
  json same = {{"runs", json::array({{{"node_id", evil.id}, {"kind", "seed"}, {"seed", 0}, {"problem", ""},
                                       {"metrics", json::array({value("x_plus_y", "val_acc", 0.5, 0.5, 0.01),
                                                                value("x_minus_y", "val_acc", 0.4, 0.4, 0.01)})}}})}};
  SHOAL_CHECK(checked(store::add_reproduction(store, {.paper_id = evil_paper.id, .outcome = "reproduced",
                                                      .details_json = same.dump()})));

  // The review ensemble and meta-review of the best paper, and the calls behind them.
  const double overall[] = {6, 5, 7};
  const char* decisions[] = {"accept", "reject", "accept"};
  for (int i = 0; i < 3; ++i) {
    SHOAL_CHECK(checked(store::add_review(store, {.paper_id = paper.id, .reviewer_kind = "ai",
                                          .reviewer = "openai:gpt-4o-mini#" + std::to_string(i + 1),
                                          .overall = overall[i], .decision = decisions[i], .originality = 3,
                                          .quality = 2 + i % 2, .clarity = 3, .significance = 2, .soundness = 3,
                                          .presentation = 3, .contribution = 2, .confidence = 4,
                                          .text = "Summary: a clean sweep.\nWeaknesses: one template only."})));
  }
  SHOAL_CHECK(checked(store::add_review(store, {.paper_id = paper.id, .reviewer_kind = "meta", .reviewer = "openai:gpt-4o-mini",
                                        .overall = 6, .decision = "accept", .text = "Accept: consistent gains."})));
  SHOAL_CHECK(checked(store::add_review(store, {.paper_id = evil_paper.id, .reviewer_kind = "ai",
                                        .reviewer = xss ? std::string("<b onmouseover=alert(3)>bot</b>") : "bot",
                                        .overall = 3, .decision = "reject", .originality = 1,
                                        .text = "Weak." + bad})));
  SHOAL_TRY(call_id, store::record_llm_call(store, review_call(done.id, best.id, "review", "Overall: 6. Accept.", 0.0123)));
  // A review of the warmup paper that was shown its first page as an image (Anthropic's blocks).
  store::LlmCall seen = review_call(done.id, evil.id, "review", "Overall: 3. Reject." + bad, 0.004);
  seen.provider = "anthropic";
  seen.model = "claude-sonnet";
  seen.request_json = json{{"system", "You review papers."},
                           {"messages", {{{"role", "user"}, {"content", {{{"type", "text"}, {"text", "Page 1:"}},
                                                                         {{"type", "image"}, {"source", {{"type", "base64"}, {"media_type", "image/png"}, {"data", kTinyPng}}}}}}}}}}
                          .dump();
  seen.response_json = json{{"content", {{{"type", "text"}, {"text", "Overall: 3. Reject." + bad}}}}}.dump();
  SHOAL_CHECK(checked(store::record_llm_call(store, seen)));
  SHOAL_CHECK(checked(store::record_llm_call(store, review_call(done.id, best.id, "ideas", "idea list", 0.002))));
  ids.review_call = call_id;

  // Stages and events, as the orchestrator writes them.
  SHOAL_TRY(stage, store::begin_stage(store, done.id, best.id, "experiments"));
  SHOAL_CHECK(store::finish_stage(store, stage.id, "done", 0.05));
  SHOAL_CHECK(checked(store::add_event(store, {.run_id = done.id, .kind = "stage", .message = "experiments done"})));
  SHOAL_CHECK(store::set_run_status(store, done.id, "done"));
  SHOAL_CHECK(checked(store::add_event(store, {.run_id = live.id, .kind = "stage", .message = "experiments started" + bad})));
  SHOAL_CHECK(fill_evolve(store, ids, t0, bad));
  return ids;
}

Status finish_live_run(store::Store& store, const std::string& run_id) {
  SHOAL_CHECK(checked(store::add_event(store, {.run_id = run_id, .kind = "run", .message = "run finished"})));
  return store::set_run_status(store, run_id, "done");
}

}  // namespace shoal::test
