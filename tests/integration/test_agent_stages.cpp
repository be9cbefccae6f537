// The LLM research stages end to end: idea generation, the novelty check, linear and tree
// search, against the fake LLM server (scripted rules), the fake literature server and the
// real sandbox (LocalExecutor) on a tiny template written here. Each case checks the store.
#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <mutex>
#include <set>

#include "../fake_llm/fake_server.hpp"
#include "../unit/temp_dir.hpp"
#include "agent/evidence.hpp"
#include "agent/search/linear.hpp"
#include "agent/stages/ideas.hpp"
#include "agent/stages/novelty.hpp"
#include "agent/stages/plots.hpp"
#include "agent/stage_outputs.hpp"
#include "agent/search/tree.hpp"
#include "core/file.hpp"
#include "experiments/baseline.hpp"
#include "experiments/local_executor.hpp"
#include "store/blobs.hpp"
#include "store/nodes.hpp"
#include "store/runs.hpp"

using namespace shoal;
using namespace shoal::agent;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

// The tiny template: SGD on a line in well under a second; --lr and a `scale` line to edit;
// SHOAL_SEED shifts the loss a little so seed re-runs differ.
const char* kExperiment = R"(import argparse, json, os
parser = argparse.ArgumentParser()
parser.add_argument("--out_dir", required=True)
parser.add_argument("--lr", type=float, default=0.1)
args = parser.parse_args()
seed = int(os.environ.get("SHOAL_SEED", "0"))
w = 0.0
for step in range(5):
    w -= args.lr * 2 * (w - 3.0)
scale = 1.0
loss = (w - 3.0) ** 2 * scale + 0.001 * seed
os.makedirs(args.out_dir, exist_ok=True)
with open(os.path.join(args.out_dir, "final_info.json"), "w") as f:
    json.dump({"fit": {"means": {"loss": loss}}}, f)
print("loss", loss)
)";

// A plot.py that writes one grey square PNG of `size` pixels (the plot test's fix enlarges it).
const char* kPlot = R"(import struct, zlib
size = 16
def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
raw = b"".join(b"\0" + b"\x80" * size for _ in range(size))
png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 0, 0, 0, 0))
       + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
open("loss.png", "wb").write(png)
)";

void write(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  REQUIRE(write_file_atomic(path, text).ok());
}

fs::path make_template(const fs::path& dir) {
  write(dir / "experiment.py", kExperiment);
  write(dir / "plot.py", kPlot);
  write(dir / "prompt.json", R"({"system": "You are a careful researcher.", "task_description": "Fit a line with SGD."})");
  write(dir / "seed_ideas.json",
        R"([{"Name": "seed_lr", "Title": "Seed: the step size", "Experiment": "Sweep --lr.", "Interestingness": 2, "Feasibility": 9, "Novelty": 1}])");
  write(dir / "latex" / "template.tex", "\\documentclass{article}\\begin{document}x\\end{document}\n");
  write(dir / "template.json", R"({"name": "stages_tpl", "timeout_s": 30,
    "metric": {"name": "loss", "condition": null, "higher_is_better": false},
    "editable": ["experiment.py", "plot.py"]})");
  return dir;
}

// ---- scripted model replies ---------------------------------------------------------------

std::string idea_reply(const std::string& name, const std::string& title, const std::string& marker, bool done) {
  json idea = {{"Name", name},       {"Title", title},          {"Hypothesis", "h of " + name},
               {"Experiment", "e"}, {"Interestingness", 6},    {"Feasibility", 8}, {"Novelty", 5}};
  return "THOUGHT:\n" + marker + " reasoning.\n\nNEW IDEA JSON:\n```json\n" + idea.dump(2) + "\n```\n" +
         (done ? "I am done\n" : "");
}

std::string edit(const std::string& file, const std::string& search, const std::string& replace) {
  return file + "\n```python\n<<<<<<< SEARCH\n" + search + "=======\n" + replace + ">>>>>>> REPLACE\n```\n";
}

std::string coder(const std::string& edits, const std::string& plan, json args = json::array()) {
  return "Here is the change.\n\n" + edits + "\n```json\n" +
         json{{"plan", plan}, {"args", args}, {"notes", "notes for " + plan}}.dump() + "\n```\n";
}

std::string novelty_reply(const std::string& decision, const std::string& query, json papers = json::array()) {
  return "THOUGHT:\nthinking.\n\nRESPONSE:\n```json\n" +
         json{{"Decision", decision}, {"Query", query}, {"Reasons", "because " + decision}, {"Papers", papers}}.dump() +
         "\n```\n";
}

json rule(const std::string& match, const std::string& reply) { return {{"match", match}, {"reply", reply}}; }

// The first matching rule answers, so the more specific come first (a conversation holds its
// earlier turns).
json scripted_rules() {
  json r = json::array();
  // linear search (run_linear_search): prompts say "run R of at most 3, attempt A of 2"
  r.push_back(rule("run 1 of at most 3, attempt 1 of 2",
                   coder(edit("experiment.py", "scale = 1.0\n", "scale = 0.5\n") + edit("secret.py", "", "print('x')\n"),
                         "touch two files")));
  r.push_back(rule("run 1 of at most 3, attempt 2 of 2",
                   coder(edit("experiment.py", "scale = 1.0\n", "scale = 0.5\n"), "halve the scale", {"--lr", "0.2"})));
  r.push_back(rule("run 2 of at most 3, attempt 1 of 2",
                   coder(edit("experiment.py", "scale = 0.5\n", "scale = undefined_name\n"), "a broken change")));
  r.push_back(rule("run 2 of at most 3, attempt 2 of 2",
                   coder(edit("experiment.py", "scale = undefined_name\n", "scale = 0.25\n"), "quarter the scale",
                         {"--lr", "0.2"})));
  r.push_back(rule("run 3 of at most 3", "ALL_DONE"));
  // tree search (run_tree_search)
  // (the drafts answer slowly, so the test sees whether they were asked at the same time)
  r.push_back(rule("(draft 1, node 0)", coder(edit("experiment.py", "scale = 1.0\n", "scale = 0.5\n"), "draft one")));
  r.back()["delay_ms"] = 300;
  r.push_back(
      rule("(draft 2, node 1)", coder(edit("experiment.py", "scale = 1.0\n", "scale = undefined_name\n"), "draft two")));
  r.back()["delay_ms"] = 300;
  r.push_back(rule("(the fixed version is node 2)",
                   coder(edit("experiment.py", "scale = undefined_name\n", "scale = undefined_again\n"), "debug two")));
  r.push_back(
      rule("(the new one is node 3)", coder(edit("experiment.py", "scale = 0.5\n", "scale = 0.25\n"), "improve zero")));
  r.push_back(rule("These edit blocks did not apply",
                   coder(edit("experiment.py", "scale = 0.25\n", "scale = 0.125\n"), "improve three")));
  r.push_back(
      rule("(the new one is node 4)", coder(edit("experiment.py", "scale = 9.99\n", "scale = 1\n"), "a stale edit")));
  r.push_back(rule("You are an expert research engineer", "ALL_DONE"));
  // idea reflections: the conversation holds the earlier answer's marker
  r.push_back(rule("ALPHA-DRAFT", idea_reply("alpha_idea", "Alpha, refined", "ALPHA-FINAL", true)));
  r.push_back(rule("BETA-REFINED", idea_reply("beta_idea", "Beta, final", "BETA-FINAL", false)));
  r.push_back(rule("BETA-DRAFT", idea_reply("beta_idea", "Beta, refined", "BETA-REFINED", false)));
  r.push_back(rule("GAMMA-DRAFT", idea_reply("gamma_idea", "Gamma", "GAMMA-FINAL", true)));
  // novelty: round 2 answers first (their conversations also hold round 1)
  r.push_back(rule("Results of the search \"grokking", novelty_reply("not novel", "", {1})));
  r.push_back(rule("Results of the search \"weight decay", novelty_reply("novel", "", {"[1]", 2})));
  r.push_back(rule("could not be run: every search engine failed", novelty_reply("novel", "")));
  r.push_back(rule("\"Name\": \"alpha_idea\"", novelty_reply("search", "grokking generalization")));
  r.push_back(rule("\"Name\": \"beta_idea\"", novelty_reply("search", "weight decay regularization")));
  r.push_back(rule("\"Name\": \"gamma_idea\"", novelty_reply("search", "anything at all")));
  // idea generation: the list of earlier ideas says which comes next
  r.push_back(rule("- beta_idea:", idea_reply("gamma_idea", "Gamma", "GAMMA-DRAFT", false)));
  r.push_back(rule("- alpha_idea:", idea_reply("beta_idea", "Beta", "BETA-DRAFT", false)));
  r.push_back(rule("Propose the next research idea", idea_reply("Alpha Idea!", "Alpha", "ALPHA-DRAFT", false)));
  return {{"rules", r}, {"default_reply", "I cannot help with that."}};
}

// A fresh store, both fake servers, the template with its baseline run in the sandbox, a run
// and an LLM client against the fake provider.
struct StagesFixture {
  test::TempDir dir;
  test::FakeLlmServer llm_server{SHOAL_FAKE_LLM_SERVER};
  test::FakeLlmServer lit_server{SHOAL_FAKE_LITERATURE_SERVER};
  store::Store store = store::Store::open(dir / "shoal.db", store::OpenMode::create).value();
  experiments::Template tpl;
  experiments::LocalExecutor executor{2, 0};
  experiments::CancelToken cancel;
  std::unique_ptr<llm::Client> client;
  llm::ClientOptions client_options;
  std::string run_id;
  RunSettings options;
  tools::LiteratureOptions literature;
  std::mutex mu;
  std::vector<ProgressNote> notes;

  StagesFixture() {
    fs::permissions(dir.path(), fs::perms::others_exec, fs::perm_options::add);  // the sandbox user enters it
    tpl = experiments::load_template(make_template(dir / "tpl")).value();
    auto baseline = experiments::ensure_baseline(store, tpl, executor, dir / "work", {});
    REQUIRE_MESSAGE(baseline.ok(), baseline.error().describe());
    run_id = new_run();
    llm_server.set_rules(scripted_rules());
    llm::ClientOptions o;
    o.model = "openai:gpt-4o";
    o.base_url = llm_server.openai_url();
    o.db_path = dir / "shoal.db";
    o.run_id = run_id;
    o.timeout_s = 10;
    o.env = [](const std::string& name) -> std::optional<std::string> {
      return name == "OPENAI_API_KEY" ? std::optional<std::string>("sk-test-openai") : std::nullopt;
    };
    client = llm::Client::create(o).value();
    client_options = o;
    literature.semantic_scholar_url = literature.openalex_url = literature.arxiv_url = lit_server.url();
    literature.max_retries = 1;
    literature.max_backoff_s = 0.05;
    literature.timeout_s = 5;
  }

  std::string new_run() {
    return store::create_run(store, store::Run{.template_name = "stages_tpl", .template_hash = tpl.hash, .model = "m"})
        .value()
        .id;
  }
  StageContext ctx(llm::Client* model = nullptr) {
    return StageContext{store, dir / "shoal.db", model ? model : client.get(), executor, tpl, run_id, options, dir / "work", cancel,
                      [this](const ProgressNote& n) {
                        std::lock_guard lock(mu);
                        notes.push_back(n);
                      },
                      literature};
  }
  store::Idea add_idea(const std::string& name) {
    store::Idea idea;
    idea.run_id = run_id;
    idea.name = name;
    idea.title = "Title of " + name;
    idea.idea_json = json{{"Name", name}, {"Title", idea.title}, {"Experiment", "change the scale"}}.dump();
    return store::add_idea(store, idea).value();
  }
  int64_t llm_requests() const { return llm_server.requests(); }
  // The bodies of the recent provider requests whose text holds `needle`.
  std::vector<std::string> requests_with(const std::string& needle) const {
    std::vector<std::string> out;
    for (const auto& r : llm_server.recent_requests()) {
      std::string body = r["body"].get<std::string>();
      if (body.find(needle) != std::string::npos) out.push_back(body);
    }
    return out;
  }
  std::vector<store::Node> nodes_of(const std::string& idea_id) { return store::list_nodes(store, idea_id).value(); }
  int artifacts_of(const std::string& owner_kind, const std::string& id, const std::string& kind) {
    auto arts = store::list_artifacts(store, owner_kind, id).value();
    return static_cast<int>(std::count_if(arts.begin(), arts.end(), [&](const auto& a) { return a.kind == kind; }));
  }
};

const store::Node& by_plan(const std::vector<store::Node>& nodes, const std::string& plan) {
  auto it = std::find_if(nodes.begin(), nodes.end(), [&](const store::Node& n) { return n.plan == plan; });
  REQUIRE_MESSAGE(it != nodes.end(), "no node with plan " << plan);
  return *it;
}

// The stage entries, answered in the shapes these tests assert on.
Expected<std::vector<store::Idea>> generate(StageContext& ctx) {
  SHOAL_TRY(out, run_ideas(ctx, {}));
  return out.ideas;
}
Expected<store::Idea> novelty(StageContext& ctx, const store::Idea& idea) {
  SHOAL_TRY(out, run_novelty(ctx, {idea}));
  return out.idea;
}
Expected<json> plots(StageContext& ctx, const store::Idea& idea, const ExperimentOutcome& outcome) {
  SHOAL_TRY(out, run_plots(ctx, {idea, outcome}));
  return json(out);
}

}  // namespace

TEST_CASE("ideas: reflections refine each idea, a rerun stores none twice, the archive reaches a later run") {
  StagesFixture f;
  f.options.generate = 2;
  f.options.reflections = 2;
  auto ctx = f.ctx();
  auto two = generate(ctx);
  REQUIRE_MESSAGE(two.ok(), two.error().describe());
  REQUIRE(two->size() == 2);
  CHECK((*two)[0].name == "alpha_idea");  // "Alpha Idea!" made an identifier
  CHECK((*two)[0].title == "Alpha, refined");  // "I am done" after the first reflection
  CHECK((*two)[1].name == "beta_idea");
  CHECK((*two)[1].title == "Beta, final");  // both reflection rounds used
  CHECK((*two)[1].feasibility == doctest::Approx(8));
  CHECK(json::parse((*two)[1].idea_json)["Hypothesis"] == "h of beta_idea");
  CHECK(f.llm_requests() == 2 + 3);
  CHECK(!f.requests_with("seed_lr").empty());  // the seed ideas are the examples

  // "Resumed" with a larger target: the two stored ideas are kept, one more is asked for.
  f.options.generate = 3;
  auto ctx3 = f.ctx();
  auto three = generate(ctx3);
  REQUIRE(three.ok());
  REQUIRE(three->size() == 3);
  CHECK((*three)[0].id == (*two)[0].id);
  CHECK((*three)[1].id == (*two)[1].id);
  CHECK((*three)[2].name == "gamma_idea");
  CHECK(f.llm_requests() == 5 + 2);
  auto gamma_asks = f.requests_with("- beta_idea: Beta, final");
  CHECK(!gamma_asks.empty());  // the earlier ideas are listed to avoid

  // A rerun of the finished stage asks nothing and stores nothing.
  auto again = generate(ctx3);
  REQUIRE(again.ok());
  CHECK(again->size() == 3);
  CHECK(store::list_ideas(f.store, f.run_id).value().size() == 3);
  CHECK(f.llm_requests() == 7);

  // A later run of the same template sees this run's ideas as its archive.
  f.run_id = f.new_run();
  f.options.generate = 1;
  auto later = f.ctx();
  auto next = generate(later);
  REQUIRE(next.ok());
  CHECK(next->size() == 1);
  bool archived = false;
  for (const auto& body : f.requests_with("- alpha_idea: Alpha, refined"))
    archived = archived || body.find("- gamma_idea: Gamma") != std::string::npos;
  CHECK(archived);
}

TEST_CASE("ideas in batches: the drafts of a batch are asked at once and stored together") {
  StagesFixture f;
  json r = scripted_rules();
  json rules = json::array();
  for (auto& rule : r["rules"]) {
    if (rule["match"] == "- beta_idea:")  // the second draft of every batch proposes Beta
      rules.push_back({{"match", "this is draft 2 of 2"},
                       {"reply", idea_reply("beta_idea", "Beta", "BETA-DRAFT", false)},
                       {"delay_ms", 300}});
    if (rule["match"] == "Propose the next research idea") rule["delay_ms"] = 300;
    rules.push_back(rule);
  }
  f.llm_server.set_rules({{"rules", rules}, {"default_reply", r["default_reply"]}});
  f.options.generate = 4;
  f.options.idea_batch = 2;
  f.options.reflections = 2;
  auto ctx = f.ctx();
  auto four = generate(ctx);
  REQUIRE_MESSAGE(four.ok(), four.error().describe());
  std::vector<std::string> names;
  for (const auto& i : *four) names.push_back(i.name);
  CHECK(names == std::vector<std::string>{"alpha_idea", "beta_idea", "gamma_idea", "beta_idea_2"});
  CHECK((*four)[1].title == "Beta, final");
  CHECK(f.llm_requests() == 2 + 3 + 2 + 3);
  CHECK(f.llm_server.stats()["max_in_flight"].get<int>() >= 2);  // the drafts of a batch at once
  // The second batch sees the first; each draft knows its number.
  bool saw_first_batch = false;
  for (const auto& body : f.requests_with("this is draft 1 of 2"))
    saw_first_batch = saw_first_batch || body.find("- beta_idea: Beta, final") != std::string::npos;
  CHECK(saw_first_batch);
  // Finished: a rerun asks nothing and stores nothing.
  auto again = generate(ctx);
  REQUIRE(again.ok());
  CHECK(again->size() == 4);
  CHECK(f.llm_requests() == 10);
}

TEST_CASE("plots: the model sees the figures, its notes are stored and fed back, a flagged figure gets a plot.py fix") {
  StagesFixture f;
  auto idea = f.add_idea("plot_idea");
  auto base = experiments::ensure_baseline(f.store, f.tpl, f.executor, f.dir / "work", {}).value();
  ExperimentOutcome outcome;
  outcome.best_node_id = base.id;
  outcome.plotted = {{base.id, "Baseline"}};
  // The note repeats what the server decoded from the attached image, so each look differs.
  json captions = {{"captions", {{"loss.png", "Loss of the baseline."}}}, {"notes", {{"loss.png", "saw {images}"}}}};
  json rules = json::array({{{"match", "TASK: fix the figures"},
                             {"reply", coder(edit("plot.py", "size = 16\n", "size = 32\n"), "a larger figure")}},
                            {{"match", "plot.py wrote these figures"}, {"reply", "```json\n" + captions.dump() + "\n```"}}});
  f.llm_server.set_rules({{"rules", rules}, {"default_reply", "?"}});
  auto ctx = f.ctx();
  auto out = plots(ctx, idea, outcome);
  REQUIRE_MESSAGE(out.ok(), out.error().describe());
  CHECK((*out)["images_reviewed"] == 1);
  CHECK((*out)["first_review"].get<std::string>().find("1 png image(s) 16x16") != std::string::npos);
  CHECK((*out)["plot_fixed"] == true);
  const auto& plot = (*out)["plots"][0];
  CHECK(plot["name"] == "loss.png");
  CHECK(plot["caption"] == "Loss of the baseline.");
  CHECK(plot["note"].get<std::string>().find("32x32") != std::string::npos);  // the fixed figure was looked at
  CHECK(f.artifacts_of("node", base.id, "plot_note") == 1);
  CHECK(f.artifacts_of("node", base.id, "plot_code") == 1);
  CHECK(f.requests_with("TASK: fix the figures").size() == 1);  // plot_fix_rounds = 1
  auto notes = store::list_artifacts(f.store, "idea", idea.id).value();
  bool fed_back = false;
  for (const auto& a : notes)
    if (a.kind == "notes")
      fed_back = fed_back || store::get_blob(f.store, a.hash).value().find("Figure review") != std::string::npos;
  CHECK(fed_back);
}

TEST_CASE("novelty: the model searches, compares and decides; unreachable literature is recorded, not fatal") {
  StagesFixture f;
  f.options.novelty_rounds = 3;
  auto ctx = f.ctx();

  auto alpha = novelty(ctx, f.add_idea("alpha_idea"));
  REQUIRE_MESSAGE(alpha.ok(), alpha.error().describe());
  REQUIRE(alpha->novel.has_value());
  CHECK(!*alpha->novel);
  auto a = json::parse(alpha->novelty_json);
  CHECK(a["decision"] == "not novel");
  CHECK(a["decided_by"] == "model");
  CHECK(a["rounds"] == 2);
  CHECK(a["queries"][0]["query"] == "grokking generalization");
  CHECK(a["queries"][0]["engine"] == "semantic_scholar");
  CHECK(a["engine"] == "semantic_scholar");
  CHECK(a["compared"] == json::array({1}));
  REQUIRE(!a["papers"].empty());
  CHECK(a["papers"][0]["title"].get<std::string>().find("Grokking") != std::string::npos);
  CHECK(a["papers"][0]["cited"] == true);
  CHECK(a["literature_unreachable"] == false);
  // the results reached the model, numbered
  CHECK(!f.requests_with("[1] Grokking: Generalization Beyond Overfitting").empty());

  auto beta = novelty(ctx, f.add_idea("beta_idea"));
  REQUIRE(beta.ok());
  CHECK(*beta->novel);
  auto b = json::parse(beta->novelty_json);
  CHECK(b["compared"] == json::array({1, 2}));
  CHECK(b["papers"].size() >= 2);

  // Every engine fails: the model is told, decides in the next (last) round, and the JSON says so.
  f.lit_server.set_rules({{"rules", {{{"status", 500}}}}});
  auto gamma = novelty(ctx, f.add_idea("gamma_idea"));
  REQUIRE_MESSAGE(gamma.ok(), gamma.error().describe());
  CHECK(*gamma->novel);
  auto g = json::parse(gamma->novelty_json);
  CHECK(g["literature_unreachable"] == true);
  CHECK(!g["literature_errors"].empty());
  CHECK(g["queries"][0].contains("error"));
  CHECK(g["papers"].empty());
  CHECK(g["rounds"] == 2);
  CHECK(!f.requests_with("This is the last round").empty());

  // Over budget: the client's budget_exceeded comes back as it is, and no verdict is stored.
  auto capped_options = f.client_options;
  capped_options.budget_usd = 1e-9;  // below what the run has spent already
  auto capped = llm::Client::create(capped_options).value();
  auto capped_ctx = f.ctx(capped.get());
  auto delta = f.add_idea("delta_idea");
  int64_t asked = f.llm_requests();
  auto refused = novelty(capped_ctx, delta);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().kind == ErrorKind::budget_exceeded);
  CHECK_FALSE(store::get_idea(f.store, delta.id).value().novel.has_value());
  CHECK(f.llm_requests() == asked);
}

TEST_CASE("linear search: a node chain, an edit outside the editable files rejected, a failure fed back, a replay adds nothing") {
  StagesFixture f;
  f.options.max_runs = 3;
  f.options.max_attempts = 2;
  f.options.seed_runs = 0;  // the chain alone (seeds: the next test cases)
  auto idea = f.add_idea("alpha_idea");
  auto ctx = f.ctx();
  auto outcome = run_linear_search(ctx, idea);
  REQUIRE_MESSAGE(outcome.ok(), outcome.error().describe());

  auto nodes = f.nodes_of(idea.id);
  REQUIRE(nodes.size() == 3);
  const auto& first = by_plan(nodes, "halve the scale");
  const auto& broken = by_plan(nodes, "a broken change");
  const auto& fixed = by_plan(nodes, "quarter the scale");
  CHECK(first.kind == "draft");
  CHECK(first.parent_id == "");
  CHECK(first.status == "done");
  CHECK(first.command.find("--lr 0.2") != std::string::npos);
  CHECK(broken.kind == "improve");
  CHECK(broken.parent_id == first.id);
  CHECK(broken.status == "failed");
  CHECK(fixed.kind == "debug");
  CHECK(fixed.parent_id == broken.id);
  CHECK(fixed.status == "done");
  REQUIRE(fixed.metric.has_value());
  REQUIRE(first.metric.has_value());
  CHECK(*fixed.metric < *first.metric);
  CHECK(outcome->nodes == 3);
  CHECK(outcome->failed == 1);
  CHECK(outcome->best_node_id == fixed.id);
  REQUIRE(outcome->plotted.size() == 3);
  CHECK(outcome->plotted[0].label == "Baseline");
  CHECK(outcome->plotted[1].node_id == first.id);
  CHECK(outcome->plotted[2].node_id == fixed.id);

  // The edit to secret.py was refused, the attempt's other edit undone, and the model told.
  CHECK(!fs::exists(f.dir / "work" / idea.id / "code" / "secret.py"));
  auto retry = f.requests_with("run 1 of at most 3, attempt 2 of 2");
  REQUIRE(!retry.empty());
  CHECK(retry[0].find("secret.py") != std::string::npos);
  CHECK(retry[0].find("These edit blocks did not apply") != std::string::npos);
  CHECK(retry[0].find("scale = 1.0") != std::string::npos);
  // The failed run's error tail reached the next attempt.
  auto debug = f.requests_with("run 2 of at most 3, attempt 2 of 2");
  REQUIRE(!debug.empty());
  CHECK(debug[0].find("NameError") != std::string::npos);
  // The results of run 1 (against the baseline) reached run 2.
  auto run2 = f.requests_with("run 2 of at most 3, attempt 1 of 2");
  REQUIRE(!run2.empty());
  CHECK_MESSAGE(run2[0].find("vs baseline") != std::string::npos, run2[0]);
  auto code = read_file(f.dir / "work" / idea.id / "code" / "experiment.py").value();
  CHECK(code.find("scale = 0.25") != std::string::npos);
  int notes = f.artifacts_of("idea", idea.id, "notes");
  CHECK(notes >= 3);  // the start, then one version per successful run

  // A second call replays from the cache and the stored nodes: nothing new anywhere.
  int64_t asked = f.llm_requests();
  auto again = run_linear_search(ctx, idea);
  REQUIRE(again.ok());
  CHECK(again->best_node_id == outcome->best_node_id);
  CHECK(f.nodes_of(idea.id).size() == 3);
  CHECK(f.llm_requests() == asked);
  CHECK(f.artifacts_of("idea", idea.id, "notes") == notes);
}

TEST_CASE("a run that drops the baseline's condition is incomparable: told to the model, never the best") {
  StagesFixture f;
  f.options.max_runs = 3;
  f.options.max_attempts = 2;
  f.options.seed_runs = 0;
  // Run 1 reports a condition of its own instead of the baseline's "fit", with a perfect loss;
  // the retry halves the scale and keeps the condition.
  json r = json::array();
  r.push_back(rule("can't be compared with the baseline",
                   coder(edit("experiment.py", "json.dump({\"easy_fit\": {\"means\": {\"loss\": 0.0}}}, f)\n",
                              "json.dump({\"fit\": {\"means\": {\"loss\": loss}}}, f)\n") +
                             edit("experiment.py", "scale = 1.0\n", "scale = 0.5\n"),
                         "halve the scale")));
  r.push_back(rule("run 1 of at most 3, attempt 1 of 2",
                   coder(edit("experiment.py", "json.dump({\"fit\": {\"means\": {\"loss\": loss}}}, f)\n",
                              "json.dump({\"easy_fit\": {\"means\": {\"loss\": 0.0}}}, f)\n"),
                         "drop the hard condition")));
  r.push_back(rule("run 2 of at most 3", "ALL_DONE"));
  f.llm_server.set_rules({{"rules", r}, {"default_reply", "ALL_DONE"}});
  auto idea = f.add_idea("cheat_idea");
  auto ctx = f.ctx();
  auto outcome = run_linear_search(ctx, idea);
  REQUIRE_MESSAGE(outcome.ok(), outcome.error().describe());
  auto nodes = f.nodes_of(idea.id);
  const auto& cheat = by_plan(nodes, "drop the hard condition");
  const auto& honest = by_plan(nodes, "halve the scale");
  CHECK(cheat.status == "incomparable");
  CHECK(cheat.stderr_tail.find("drops condition fit, adds condition easy_fit") != std::string::npos);
  CHECK(honest.status == "done");
  CHECK(outcome->best_node_id == honest.id);
  CHECK(outcome->failed == 1);
  // The model was told why, with the condition named.
  auto told = f.requests_with("can't be compared with the baseline");
  REQUIRE(!told.empty());
  CHECK(told[0].find("drops condition fit") != std::string::npos);
  // The write-up never sees it as a result.
  auto ev = gather_evidence(f.store, idea.id, false).value();
  for (const auto& n : ev.done_nodes()) CHECK(n.id != cheat.id);
}

TEST_CASE("seeds decide: a version that was lucky on its one run loses to a steady one on the seed mean") {
  StagesFixture f;
  f.options.max_runs = 3;
  f.options.seed_runs = 2;
  // Run 1 halves the scale (loss about 0.48 on every seed); run 2 is lucky: a tiny loss with
  // no SHOAL_SEED (its one run), a worse one than run 1 on seeds 1 and 2.
  json r = json::array();
  r.push_back(rule("run 1 of at most 3", coder(edit("experiment.py", "scale = 1.0\n", "scale = 0.5\n"), "steady")));
  r.push_back(rule("run 2 of at most 3",
                   coder(edit("experiment.py", "scale = 0.5\n", "scale = 0.6 if seed else 0.01\n"), "lucky")));
  r.push_back(rule("run 3 of at most 3", "ALL_DONE"));
  f.llm_server.set_rules({{"rules", r}, {"default_reply", "ALL_DONE"}});
  auto idea = f.add_idea("lucky_idea");
  auto ctx = f.ctx();
  auto outcome = run_linear_search(ctx, idea);
  REQUIRE_MESSAGE(outcome.ok(), outcome.error().describe());
  auto nodes = f.nodes_of(idea.id);
  const auto& steady = by_plan(nodes, "steady");
  const auto& lucky = by_plan(nodes, "lucky");
  REQUIRE(steady.metric.has_value());
  REQUIRE(lucky.metric.has_value());
  CHECK(*lucky.metric < *steady.metric / 10);  // on one run, lucky looks far better
  auto chosen = store::get_node(f.store, outcome->best_node_id).value();
  CHECK(chosen.kind == "seed_mean");
  CHECK(chosen.parent_id == steady.id);  // the seed mean decided
  REQUIRE(chosen.metric.has_value());
  CHECK(*chosen.metric < 0.5);
  int seed_runs = 0;
  for (const auto& n : nodes) seed_runs += n.kind == "seed";
  CHECK(seed_runs == 4);  // both versions, seeds 1 and 2

  // The write-up sees one result per version, the chosen seed mean first, no single seeds.
  auto ev = gather_evidence(f.store, idea.id, false).value();
  auto done = ev.done_nodes();
  REQUIRE(done.size() == 2);
  CHECK(done[0].id == chosen.id);
  CHECK(done[1].kind == "seed_mean");
  CHECK(done[1].parent_id == lucky.id);
  for (const auto& n : ev.nodes) CHECK(n.kind != "seed");
}

TEST_CASE("tree search: drafts, bounded debugging, improvement of the best, parallel nodes, seeds under the best") {
  StagesFixture f;
  f.options.drafts = 2;
  f.options.max_nodes = 5;
  f.options.max_debug_depth = 1;
  f.options.parallel_nodes = 2;
  f.options.seed_runs = 2;
  auto idea = f.add_idea("beta_idea");
  auto ctx = f.ctx();
  auto outcome = run_tree_search(ctx, idea);
  REQUIRE_MESSAGE(outcome.ok(), outcome.error().describe());

  auto nodes = f.nodes_of(idea.id);
  REQUIRE(nodes.size() == 11);  // 5 versions, 2 seed re-runs of the best two, their 2 seed means
  std::map<std::string, const store::Node*> by_id;
  for (const auto& n : nodes) by_id[n.id] = &n;
  int roots = 0;
  for (const auto& n : nodes) {
    if (n.parent_id.empty()) {
      ++roots;
      CHECK(n.kind == "draft");
    } else {
      REQUIRE_MESSAGE(by_id.count(n.parent_id), "node " << n.id << " has a parent that is not stored");
    }
    int depth = 0;
    for (const store::Node* p = &n; !p->parent_id.empty(); p = by_id[p->parent_id]) ++depth;
    CHECK(depth <= 3);
    CHECK(!n.code_hash.empty());
  }
  CHECK(roots == 2);
  const auto& draft_one = by_plan(nodes, "draft one");
  const auto& draft_two = by_plan(nodes, "draft two");
  const auto& debugged = by_plan(nodes, "debug two");
  const auto& improved = by_plan(nodes, "improve zero");
  const auto& best = by_plan(nodes, "improve three");
  CHECK(draft_two.status == "failed");
  CHECK(debugged.kind == "debug");
  CHECK(debugged.parent_id == draft_two.id);
  CHECK(debugged.status == "failed");  // and not debugged again: max_debug_depth 1
  for (const auto& n : nodes) CHECK(n.parent_id != debugged.id);
  CHECK(improved.kind == "improve");
  CHECK(improved.parent_id == draft_one.id);
  CHECK(best.parent_id == improved.id);  // the best working node was improved, after one correction
  CHECK(!f.requests_with("These edit blocks did not apply").empty());
  CHECK(f.llm_server.stats()["max_in_flight"].get<int>() >= 2);  // parallel_nodes = 2
  // The model sees the versions tried so far, against the baseline.
  auto last = f.requests_with("(the new one is node 4)");
  REQUIRE(!last.empty());
  CHECK(last[0].find("- node 0 (draft): draft one -> metric") != std::string::npos);
  CHECK(last[0].find("- node 2 (debug of node 1): debug two -> failed") != std::string::npos);
  CHECK(last[0].find("(baseline ") != std::string::npos);
  REQUIRE(best.metric.has_value());
  // The best two versions (improve three, then improve zero) were re-run with seeds 1 and 2;
  // the chosen one is the better seed mean: improve three's.
  std::map<std::string, std::set<int>> seeds_of;
  for (const auto& n : nodes)
    if (n.kind == "seed") {
      CHECK(n.status == "done");
      seeds_of[n.parent_id].insert(n.seed.value_or(0));
    }
  CHECK(seeds_of == std::map<std::string, std::set<int>>{{best.id, {1, 2}}, {improved.id, {1, 2}}});
  const store::Node* chosen = by_id[outcome->best_node_id];
  REQUIRE(chosen);
  CHECK(chosen->kind == "seed_mean");
  CHECK(chosen->parent_id == best.id);
  // loss + 0.001 * seed: the mean of seeds 1 and 2 is the single run's loss + 0.0015
  REQUIRE(chosen->metric.has_value());
  CHECK(*chosen->metric == doctest::Approx(*best.metric + 0.0015));
  CHECK(*outcome->best_metric == doctest::Approx(*chosen->metric));
  CHECK(json::parse(chosen->metrics_json)["fit"]["seeds"] == 2);
  CHECK(outcome->nodes == 9);
  CHECK(outcome->failed == 2);
  // baseline, the path draft one -> improve zero -> improve three, then its seeds
  REQUIRE(outcome->plotted.size() == 6);
  CHECK(outcome->plotted[1].node_id == draft_one.id);
  CHECK(outcome->plotted[3].node_id == best.id);

  // A replay makes the same choices and finds everything stored.
  int64_t asked = f.llm_requests();
  auto again = run_tree_search(ctx, idea);
  REQUIRE_MESSAGE(again.ok(), again.error().describe());
  CHECK(again->best_node_id == outcome->best_node_id);
  CHECK(f.nodes_of(idea.id).size() == 11);
  CHECK(f.llm_requests() == asked);

  // A cancelled run stops before the next step.
  f.cancel.cancel();
  auto cancelled = run_tree_search(ctx, idea);
  REQUIRE_FALSE(cancelled.ok());
  CHECK(cancelled.error().kind == ErrorKind::cancelled);
}
