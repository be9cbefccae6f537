// The JSON API and the pages over real HTTP: the server (web/http_server.hpp) and the app
// (web/app.hpp) started in-process on a free port, against a store filled by the fixture.
#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <nlohmann/json.hpp>
#include <thread>

#include "../unit/temp_dir.hpp"
#include "fixture.hpp"
#include "http_client.hpp"
#include "store/blobs.hpp"
#include "store/catalog.hpp"
#include "store/reviews.hpp"
#include "store/runs.hpp"
#include "web/app.hpp"
#include "web/evolve.hpp"
#include "web/http_server.hpp"

using namespace shoal;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

const std::string kToken = "test-token-0123456789";

// The fixture is filled once (pdflatex takes a few seconds); each case serves its own copy.
struct Template {
  test::TempDir dir;
  test::FixtureIds ids;
  Template() {
    auto store = store::Store::open(dir / "shoal.db", store::OpenMode::create).value();
    ids = test::fill_fixture(store, dir / "work", /*xss=*/true).value();
  }
};

const Template& fixture() {
  static Template t;
  return t;
}

// A served copy of the fixture store.
struct Served {
  test::TempDir dir;
  const test::FixtureIds& ids = fixture().ids;
  std::unique_ptr<web::App> app;
  std::unique_ptr<web::HttpServer> server;

  explicit Served(web::AppOptions options = {}, web::ServerLimits limits = {}) {
    fs::copy_file(fixture().dir / "shoal.db", dir / "shoal.db");
    options.db_path = dir / "shoal.db";
    if (options.token.empty()) options.token = kToken;
    app = std::make_unique<web::App>(options);
    server = web::HttpServer::start("127.0.0.1", 0, 4, limits, [this](const web::Request& r) { return app->handle(r); })
                 .value();
  }
  test::HttpClient client() const { return test::HttpClient("127.0.0.1", server->port()); }
  store::Store open() const { return store::Store::open(dir / "shoal.db", store::OpenMode::existing).value(); }
};

json body_of(const test::HttpReply& r) { return json::parse(r.body); }

test::HttpReply get(test::HttpClient& c, const std::string& target) { return c.get(target).value(); }

// A valid human review form.
json review_form(int overall, const std::string& decision) {
  return {{"reviewer", "Ada"},   {"summary", "Solid."}, {"originality", 3}, {"quality", 3},
          {"clarity", 4},        {"significance", 2},    {"soundness", 3},   {"presentation", 3},
          {"contribution", 2},   {"overall", overall},   {"confidence", 4},  {"decision", decision}};
}

const std::map<std::string, std::string> kJson = {{"Content-Type", "application/json"}};

std::map<std::string, std::string> bearer(const std::string& token) {
  return {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + token}};
}

}  // namespace

TEST_CASE("runs are listed with their progress, newest first, and a run shows its stages and baseline") {
  Served s;
  auto c = s.client();
  auto r = get(c, "/api/v1/runs");
  REQUIRE(r.status == 200);
  CHECK(r.header("content-type") == "application/json");
  auto runs = body_of(r)["runs"];
  REQUIRE(runs.size() == 3);  // the live run, the done run, the evolve run (the oldest)
  CHECK(runs[0]["id"] == s.ids.live_run);
  CHECK(runs[2]["id"] == s.ids.evolve_run);
  CHECK(runs[0]["status"] == "running");
  CHECK(runs[1]["id"] == s.ids.done_run);
  CHECK(runs[1]["progress"]["ideas"] == 3);
  CHECK(runs[1]["progress"]["by_status"]["done"] == 2);
  CHECK(runs[1]["progress"]["by_status"]["skipped"] == 1);
  CHECK(runs[1]["progress"]["papers"] == 2);
  CHECK(runs[1]["progress"]["best_score"] == 6.0);

  auto run = body_of(get(c, "/api/v1/runs/" + s.ids.done_run));
  CHECK(run["baseline"]["metric"] == 0.5);
  REQUIRE(run["stages"].size() == 1);
  CHECK(run["stages"][0]["stage"] == "experiments");
  CHECK(run["llm"]["calls"] == 3);
  CHECK(run["llm"]["cost_usd"].get<double>() == doctest::Approx(0.0183));
  CHECK(get(c, "/api/v1/runs/run-missing").status == 404);
}

TEST_CASE("a run's budget is its own, else the budget_usd setting of its settings snapshot (an offline run)") {
  Served s;
  auto c = s.client();
  auto runs = body_of(get(c, "/api/v1/runs"))["runs"];
  REQUIRE(runs.size() == 3);
  CHECK(runs[0]["model"] == "offline");
  CHECK(runs[0]["budget_usd"] == 10.0);  // stored budget 0, settings {"budget_usd": "10"}
  CHECK(runs[1]["budget_usd"] == 10.0);  // the LLM run's own
  CHECK(body_of(get(c, "/api/v1/runs/" + s.ids.live_run))["budget_usd"] == 10.0);
}

TEST_CASE("ideas carry the novelty verdict in words") {
  Served s;
  auto c = s.client();
  auto ideas = body_of(get(c, "/api/v1/runs/" + s.ids.done_run + "/ideas?sort=rank"))["ideas"];
  std::map<std::string, std::string> verdicts;
  for (const auto& i : ideas) verdicts[i["id"]] = i["novelty_verdict"];
  CHECK(verdicts[s.ids.best_idea] == "novel");
  CHECK(verdicts[s.ids.xss_idea] == "unchecked (literature unreachable)");
  CHECK(verdicts[s.ids.skipped_idea] == "not novel");
  CHECK(body_of(get(c, "/api/v1/ideas/" + s.ids.best_idea))["novelty_verdict"] == "novel");
}

TEST_CASE("events are polled after an id, so a page sees only what is new") {
  Served s;
  auto c = s.client();
  CHECK(body_of(get(c, "/api/v1/runs"))["runs"][0]["status"] == "running");  // now cached
  auto first = body_of(get(c, "/api/v1/runs/" + s.ids.live_run + "/events"));
  REQUIRE(first["events"].size() == 1);
  CHECK(first["status"] == "running");
  int64_t last = first["events"][0]["id"];
  {
    auto store = s.open();
    REQUIRE(test::finish_live_run(store, s.ids.live_run).ok());
  }
  auto next = body_of(get(c, "/api/v1/runs/" + s.ids.live_run + "/events?after=" + std::to_string(last)));
  REQUIRE(next["events"].size() == 1);
  CHECK(next["events"][0]["message"] == "run finished");
  CHECK(next["status"] == "done");
  // Another process's commit moved the database on: no cached answer is served stale.
  CHECK(body_of(get(c, "/api/v1/runs"))["runs"][0]["status"] == "done");
  CHECK(get(c, "/api/v1/runs/" + s.ids.live_run + "/events?after=x").status == 400);
}

TEST_CASE("a running run that waits for its provider says since when, until the provider is back") {
  Served s;
  auto c = s.client();
  auto live = [&] { return body_of(get(c, "/api/v1/runs/" + s.ids.live_run))["progress"]["waiting_for_provider_since"]; };
  CHECK(live().is_null());
  auto add = [&](const std::string& kind) {
    auto store = s.open();
    REQUIRE(store::add_event(store, {.run_id = s.ids.live_run, .kind = kind, .message = kind,
                                     .data_json = R"({"since": "2026-12-05T03:10:00.000Z"})"})
                .ok());
  };
  add("provider_waiting");
  CHECK(live() == "2026-12-05T03:10:00.000Z");
  auto runs = body_of(get(c, "/api/v1/runs"))["runs"];
  CHECK(runs[0]["progress"]["waiting_for_provider_since"] == "2026-12-05T03:10:00.000Z");
  CHECK(runs[1]["progress"]["waiting_for_provider_since"].is_null());  // the finished run
  add("provider_back");
  CHECK(live().is_null());
  add("provider_waiting");
  {
    auto store = s.open();
    REQUIRE(test::finish_live_run(store, s.ids.live_run).ok());
  }
  CHECK(live().is_null());  // a run that is no longer running waits for nothing
}

TEST_CASE("a run's ideas sort by any score, filter and search titles and abstracts") {
  Served s;
  auto c = s.client();
  std::string base = "/api/v1/runs/" + s.ids.done_run + "/ideas";
  auto by_rank = body_of(get(c, base))["ideas"];
  REQUIRE(by_rank.size() == 3);
  CHECK(by_rank[0]["id"] == s.ids.best_idea);
  CHECK(by_rank[0]["scores"]["score"] == 6.0);
  CHECK(by_rank[0]["novel"] == true);
  CHECK(by_rank[2]["id"] == s.ids.skipped_idea);  // unranked last
  CHECK(by_rank[2]["novel"] == false);

  auto by_score_asc = body_of(get(c, base + "?sort=score&order=asc"))["ideas"];
  CHECK(by_score_asc[0]["id"] == s.ids.xss_idea);  // 3 before 6; no score last
  CHECK(by_score_asc[2]["id"] == s.ids.skipped_idea);
  auto by_metric = body_of(get(c, base + "?sort=best_metric"))["ideas"];
  CHECK(by_metric[0]["best_metric"] == 0.91);

  CHECK(body_of(get(c, base + "?min_score=5"))["ideas"].size() == 1);
  CHECK(body_of(get(c, base + "?max_originality=2"))["ideas"].size() == 1);
  CHECK(body_of(get(c, base + "?decision=reject"))["ideas"][0]["id"] == s.ids.xss_idea);
  CHECK(body_of(get(c, base + "?status=skipped"))["ideas"].size() == 1);
  auto found = body_of(get(c, base + "?q=memorisation"))["ideas"];  // in the best paper's abstract only
  REQUIRE(found.size() == 1);
  CHECK(found[0]["id"] == s.ids.best_idea);
  CHECK(body_of(get(c, base + "?q=batch"))["ideas"].size() == 1);  // the skipped idea's title
  CHECK(get(c, base + "?sort=drop%20table").status == 400);
  CHECK(get(c, base + "?min_score=high").status == 400);
}

TEST_CASE("the paper list sorts, pages, filters and searches with full-text search") {
  Served s;
  auto c = s.client();
  auto all = body_of(get(c, "/api/v1/papers"));
  CHECK(all["total"] == 2);  // the failed attempt is not listed: each idea's newest compiled one is
  REQUIRE(all["items"].size() == 2);
  CHECK(all["items"][0]["id"] == s.ids.best_paper);
  CHECK(all["items"][0]["scores"]["ai_overall"] == 6.0);
  CHECK(all["items"][0]["scores"]["decision"] == "accept");
  CHECK(all["items"][0]["thumbnail_id"] == s.ids.page_image);
  CHECK(all["items"][1]["thumbnail_id"] == 0);

  auto asc = body_of(get(c, "/api/v1/papers?sort=score&order=asc"));
  CHECK(asc["items"][0]["id"] == s.ids.xss_paper);
  auto page2 = body_of(get(c, "/api/v1/papers?per_page=1&page=2"));
  CHECK(page2["total"] == 2);
  REQUIRE(page2["items"].size() == 1);
  CHECK(page2["items"][0]["id"] == s.ids.xss_paper);
  CHECK(body_of(get(c, "/api/v1/papers?decision=accept"))["total"] == 1);
  CHECK(body_of(get(c, "/api/v1/papers?min_quality=2.2"))["total"] == 1);  // the mean of 2, 3, 2
  CHECK(body_of(get(c, "/api/v1/papers?run=" + s.ids.live_run))["total"] == 0);

  auto hit = body_of(get(c, "/api/v1/papers?q=memoris"));  // prefix of a word in the abstract
  REQUIRE(hit["total"] == 1);
  CHECK(hit["items"][0]["id"] == s.ids.best_paper);
  CHECK(body_of(get(c, "/api/v1/papers?q=grokking%20warmup"))["total"] == 1);  // every word must match
  // FTS5 syntax in user input is quoted away, never an error or an injection.
  auto odd = get(c, "/api/v1/papers?q=%22%20OR%20*%20NEAR(%20-%3A");
  CHECK(odd.status == 200);
  CHECK(body_of(odd)["total"] == 0);
  CHECK(get(c, "/api/v1/papers?sort=pages").status == 400);
  CHECK(get(c, "/api/v1/papers?per_page=1000").status == 400);
  CHECK(get(c, "/api/v1/papers?order=sideways").status == 400);
}

TEST_CASE("a paper comes with its reviews, artifacts, attempts and the LLM calls behind its reviews") {
  Served s;
  auto c = s.client();
  auto p = body_of(get(c, "/api/v1/papers/" + s.ids.best_paper));
  CHECK(p["title"] == R"(How \texttt{weight\_decay} affects \texttt{step\_to\_99\_val} in grokking)");
  CHECK(p["has_pdf"] == true);
  CHECK(p["run_id"] == s.ids.done_run);
  CHECK(p["reviews"].size() == 4);
  CHECK(p["scores"]["meta_overall"] == 6.0);
  CHECK(p["scores"]["ai_count"] == 3);
  CHECK(p["unverified"][0]["value"] == "4100");
  // What to trust: one unverified number; the newest reproduction differs in one of three values.
  CHECK(p["trust"] == json{{"unverified", 1}, {"verified", false}, {"reproduction", "differs"},
                           {"reproduction_values", 3}, {"reproduction_differing", 1}});
  CHECK(p["reproduction"]["outcome"] == "differs");
  CHECK(p["reproduction"]["differing"] == 1);
  auto listed = body_of(get(c, "/api/v1/papers"))["items"];
  int found = 0;
  for (const auto& item : listed)
    if (item["id"] == s.ids.best_paper) found += item["trust"] == p["trust"] ? 1 : 0;
  CHECK(found == 1);
  auto ideas = body_of(get(c, "/api/v1/runs/" + s.ids.done_run + "/ideas"))["ideas"];
  int with_trust = 0;
  for (const auto& idea : ideas) with_trust += idea["trust"].is_object() ? 1 : 0;
  CHECK(with_trust == 2);  // the two ideas with a paper
  CHECK(p["citations"][0]["key"] == "power2022");
  CHECK(p["attempts"].size() == 2);
  REQUIRE(p["review_calls"].size() == 1);  // the "ideas" call is not a review call
  CHECK(p["review_calls"][0]["cost_usd"] == 0.0123);

  auto call = body_of(get(c, "/api/v1/llm_calls/" + std::to_string(s.ids.review_call)));
  CHECK(call["request"]["messages"][1]["content"].get<std::string>().find("Review this paper") == 0);
  CHECK(call["response"]["choices"][0]["message"]["content"] == "Overall: 6. Accept.");
  CHECK(get(c, "/api/v1/papers/paper-missing").status == 404);
}

TEST_CASE("the PDF and artifacts are served by id with a safe type, nosniff and a strict policy") {
  Served s;
  auto c = s.client();
  auto pdf = get(c, "/api/v1/papers/" + s.ids.best_paper + "/pdf");
  REQUIRE(pdf.status == 200);
  CHECK(pdf.header("content-type") == "application/pdf");
  CHECK(pdf.body.rfind("%PDF", 0) == 0);
  CHECK(pdf.header("x-content-type-options") == "nosniff");
  CHECK(pdf.header("content-disposition").rfind("inline", 0) == 0);
  CHECK(get(c, "/api/v1/papers/" + s.ids.best_paper + "/pdf?download=1").header("content-disposition").rfind(
            "attachment", 0) == 0);
  auto missing = get(c, "/api/v1/papers/" + s.ids.failed_paper + "/pdf");
  CHECK(missing.status == 404);
  CHECK(body_of(missing)["error"]["message"].get<std::string>().find("Undefined control sequence") != std::string::npos);

  auto png = get(c, "/api/v1/artifacts/" + std::to_string(s.ids.page_image));
  CHECK(png.header("content-type") == "image/png");
  CHECK(png.body.substr(1, 3) == "PNG");
  // An artifact stored as text/html is served as plain text in a sandbox, never as a page.
  auto html = get(c, "/api/v1/artifacts/" + std::to_string(s.ids.html_log));
  CHECK(html.header("content-type") == "text/plain; charset=utf-8");
  CHECK(html.header("content-security-policy").find("sandbox") != std::string::npos);
  CHECK(html.header("content-disposition").find("evil_b_.html") != std::string::npos);  // name sanitised
  auto odd = get(c, "/api/v1/artifacts/" + std::to_string(s.ids.odd_mime));
  CHECK(odd.header("content-type") == "application/octet-stream");
  CHECK(odd.header("content-disposition").rfind("attachment", 0) == 0);
  CHECK(get(c, "/api/v1/artifacts/abc").status == 400);
  CHECK(get(c, "/api/v1/artifacts/999999").status == 404);
  CHECK(get(c, "/api/v1/artifacts/..%2F..%2Fetc%2Fpasswd").status == 404);  // ids only, never paths
}

TEST_CASE("an idea shows its experiment tree, and each node its code diff against its parent") {
  Served s;
  auto c = s.client();
  auto idea = body_of(get(c, "/api/v1/ideas/" + s.ids.best_idea));
  CHECK(idea["nodes"].size() == 3);
  CHECK(idea["papers"].size() == 2);
  CHECK(idea["baseline"]["kind"] == "baseline");
  CHECK(idea["llm_calls"].size() == 2);
  CHECK(idea["llm_cost_usd"].get<double>() == doctest::Approx(0.0143));

  auto node = body_of(get(c, "/api/v1/nodes/" + s.ids.failed_node));
  CHECK(node["stderr_tail"].get<std::string>().find("CUDA out of memory") != std::string::npos);
  CHECK(body_of(get(c, "/api/v1/nodes/" + s.ids.draft_node))["artifacts"].size() == 3);

  // The draft against the template baseline: one line changed in experiment.py.
  auto draft = body_of(get(c, "/api/v1/nodes/" + s.ids.draft_node + "/diff"));
  CHECK(draft["base_kind"] == "baseline");
  REQUIRE(draft["files"].size() == 2);
  CHECK(draft["files"][0]["name"] == "experiment.py");
  CHECK(draft["files"][0]["status"] == "modified");
  CHECK(draft["files"][0]["added"] == 1);
  CHECK(draft["files"][0]["removed"] == 1);
  CHECK(draft["files"][1]["status"] == "unchanged");
  // The improve node against its parent, the draft: two lines changed.
  auto improve = body_of(get(c, "/api/v1/nodes/" + s.ids.improve_node + "/diff"));
  CHECK(improve["base_id"] == s.ids.draft_node);
  CHECK(improve["files"][0]["added"] == 2);
  bool saw_new_lr = false;
  for (const auto& hunk : improve["files"][0]["hunks"])
    for (const auto& line : hunk["lines"]) saw_new_lr = saw_new_lr || (line[0] == "+" && line[1] == "lr = 3e-3");
  CHECK(saw_new_lr);
  // The same node against the template: every line the idea changed (lr, weight decay, print).
  auto whole = body_of(get(c, "/api/v1/nodes/" + s.ids.improve_node + "/diff?against=template"));
  CHECK(whole["base_kind"] == "baseline");
  CHECK(whole["files"][0]["added"] == 3);
  CHECK(whole["files"][0]["removed"] == 3);
  auto bad = get(c, "/api/v1/nodes/" + s.ids.improve_node + "/diff?against=grandparent");
  CHECK(bad.status == 400);
  CHECK(body_of(bad)["error"]["message"].get<std::string>().find("parent or template") != std::string::npos);
}

TEST_CASE("an evolve run shows its programs, fitness per generation, archive cells, rejected candidates and best diff") {
  Served s;
  auto c = s.client();
  auto r = get(c, "/api/v1/ideas/" + s.ids.evolve_idea + "/evolve");
  REQUIRE(r.status == 200);
  auto e = body_of(r);
  CHECK(e["idea_id"] == s.ids.evolve_idea);
  CHECK(e["run_id"] == s.ids.evolve_run);
  // The direction the run's baseline stage settled: val_loss, lower is better.
  CHECK(e["metric"] == json{{"name", "val_loss"}, {"higher_is_better", false}, {"known", true}});
  CHECK(e["totals"] == json{{"programs", 8}, {"done", 7}, {"failed", 1}, {"in_flight", 0}, {"rejected", 1},
                            {"generations", 3}, {"islands", 2}, {"cells", 4}, {"cost_usd", e["totals"]["cost_usd"]}});
  CHECK(e["totals"]["cost_usd"].get<double>() == doctest::Approx(0.0401));

  // Every node with its search facts; the crossover has both parents, the primary first.
  REQUIRE(e["nodes"].size() == 9);
  std::map<std::string, json> by_id;
  for (const auto& n : e["nodes"]) by_id[n["id"].get<std::string>()] = n;
  const auto& cross = by_id.at(s.ids.evolve_crossover);
  CHECK(cross["operator"] == "crossover");
  CHECK(cross["parents"] == json::array({s.ids.evolve_b, s.ids.evolve_a}));
  CHECK(cross["generation"] == 2);
  CHECK(cross["island"] == 1);
  CHECK(cross["model"] == "gpt-4o-mini");
  CHECK(cross["cost_usd"] == 0.0052);
  CHECK(cross["metric"] == 1.55);
  CHECK(cross["status"] == "done");
  CHECK(cross["cell"] == json::array({1, 1}));
  CHECK(cross["descriptors"]["duration_s"] == 16.0);
  CHECK(by_id.at(s.ids.evolve_baseline)["operator"] == "baseline");
  CHECK(by_id.at(s.ids.evolve_baseline)["parents"] == json::array());
  CHECK(by_id.at(s.ids.evolve_failed)["metric"].is_null());
  CHECK(by_id.at(s.ids.evolve_failed)["cell"].is_null());

  // Fitness per generation: the generation's best and the best so far, lower being better.
  REQUIRE(e["generations"].size() == 4);
  std::vector<double> best, so_far;
  std::vector<int> programs;
  for (const auto& g : e["generations"]) {
    best.push_back(g["best"]);
    so_far.push_back(g["best_so_far"]);
    programs.push_back(g["programs"]);
  }
  CHECK(best == std::vector<double>{2.0, 1.80, 1.55, 1.49});
  CHECK(so_far == std::vector<double>{2.0, 1.80, 1.55, 1.49});
  CHECK(programs == std::vector<int>{1, 3, 2, 2});  // the rejected candidate is no program
  CHECK(e["generations"][2]["rejected"] == 1);
  CHECK(e["generations"][3]["best_so_far_id"] == s.ids.evolve_best);

  // The archive: each cell's best by the run's direction (the lower val_loss), cells in order.
  REQUIRE(e["archive"].size() == 4);
  std::map<std::string, std::pair<std::string, int>> cells;
  for (const auto& a : e["archive"]) cells[a["cell"].dump()] = {a["node_id"], a["programs"]};
  CHECK(e["archive"][0]["cell"] == json::array({0, 0}));
  CHECK(cells.at("[0,0]") == std::make_pair(s.ids.evolve_a, 2));  // 1.80 beats the baseline's 2.00
  CHECK(cells.at("[1,1]") == std::make_pair(s.ids.evolve_crossover, 2));  // 1.55 beats 1.95
  CHECK(cells.at("[1,0]") == std::make_pair(s.ids.evolve_best, 2));
  CHECK(cells.at("[2,1]").second == 1);

  // The candidate rejected before a run, with what it was too close to.
  REQUIRE(e["rejected"].size() == 1);
  CHECK(e["rejected"][0]["id"] == s.ids.evolve_rejected);
  CHECK(e["rejected"][0]["similar_to"] == s.ids.evolve_a);
  CHECK(e["rejected"][0]["similarity"] == 0.97);
  CHECK(by_id.at(s.ids.evolve_rejected)["status"] == "rejected");

  // The best program and what it changed against the template: lr, n_layer and dropout.
  CHECK(e["best"]["id"] == s.ids.evolve_best);
  CHECK(e["best"]["metric"] == 1.49);
  CHECK(e["best"]["generation"] == 3);
  const auto& diff = e["best"]["diff"];
  CHECK(diff["base_kind"] == "baseline");
  REQUIRE(diff["files"].size() == 1);
  CHECK(diff["files"][0]["added"] == 3);
  CHECK(diff["files"][0]["removed"] == 3);
  std::map<std::string, int> models;
  for (const auto& m : e["models"]) models[m["model"]] = m["programs"].get<int>() + m["rejected"].get<int>();
  CHECK(models == std::map<std::string, int>{{"claude-haiku", 3}, {"gpt-4o-mini", 5}, {"offline", 1}});

  // An idea the evolve search did not run, and an idea that does not exist: 404 with a reason.
  auto plain = get(c, "/api/v1/ideas/" + s.ids.best_idea + "/evolve");
  CHECK(plain.status == 404);
  CHECK(body_of(plain)["error"]["message"].get<std::string>().find("not an evolve run") != std::string::npos);
  CHECK(get(c, "/api/v1/ideas/idea-missing/evolve").status == 404);
  // The evolve idea's page data carries each node's search facts, so the page knows to ask.
  auto idea = body_of(get(c, "/api/v1/ideas/" + s.ids.evolve_idea));
  CHECK(idea["nodes"].size() == 9);
  CHECK(idea["nodes"][0]["search"]["strategy"] == "evolve");
  CHECK(body_of(get(c, "/api/v1/ideas/" + s.ids.best_idea))["nodes"][0]["search"] == json::object());
}

TEST_CASE("the evolve view ranks by the run's direction and ignores nodes of other searches") {
  auto node = [](const std::string& id, std::optional<double> metric, const std::string& status, json search) {
    store::Node n;
    n.id = id;
    n.status = status;
    n.metric = metric;
    n.search_json = search.dump();
    return n;
  };
  auto facts = [](int generation, json cell) {
    return json{{"strategy", "evolve"}, {"generation", generation}, {"island", 0}, {"operator", "mutate"},
                {"parents", json::array()}, {"model", "m"}, {"cost_usd", 0.5}, {"descriptors", json::object()},
                {"cell", cell}};
  };
  std::vector<store::Node> nodes = {node("tree", 9.0, "done", json::object()),  // another search's node
                                    node("low", 1.0, "done", facts(0, json::array({0}))),
                                    node("high", 3.0, "done", facts(1, json::array({0}))),
                                    node("running", std::nullopt, "running", facts(2, json::array({1}))),
                                    node("mid", 2.0, "done", facts(2, json::array({1})))};
  web::MetricDirection up{"acc", true, true}, down{"loss", false, true};
  auto hi = web::evolve_view(nodes, up).value(), lo = web::evolve_view(nodes, down).value();
  CHECK(hi["nodes"].size() == 4);
  CHECK(hi["archive"][0]["node_id"] == "high");
  CHECK(lo["archive"][0]["node_id"] == "low");
  CHECK(hi["best"]["id"] == "high");
  CHECK(lo["best"]["id"] == "low");
  CHECK(lo["generations"][2]["best"] == 2.0);        // the generation's best
  CHECK(lo["generations"][2]["best_so_far"] == 1.0);  // never worse than before
  CHECK(hi["totals"]["in_flight"] == 1);
  CHECK(hi["totals"]["cost_usd"] == 2.0);
  CHECK_FALSE(web::evolve_view({nodes[0]}, up).has_value());
  // The direction comes from the baseline stage's output; without one, higher is assumed.
  store::StageExecution stage;
  stage.status = "done";
  stage.output_json = R"({"headline": {"name": "val_loss", "higher_is_better": false}})";
  auto d = web::metric_direction(stage);
  CHECK(d.name == "val_loss");
  CHECK_FALSE(d.higher_is_better);
  CHECK(d.known);
  CHECK_FALSE(web::metric_direction(std::nullopt).known);
}

TEST_CASE("every paper with a PDF has a first-page preview: the stored page image, else one rendered once") {
  // The stored page image is served as is; a paper without one gets 404 when no renderer is set.
  {
    Served s;
    auto c = s.client();
    auto stored = get(c, "/api/v1/papers/" + s.ids.best_paper + "/preview");
    REQUIRE(stored.status == 200);
    CHECK(stored.header("content-type") == "image/png");
    CHECK(stored.body.substr(1, 3) == "PNG");
    CHECK(get(c, "/api/v1/papers/" + s.ids.xss_paper + "/preview").status == 404);
    auto no_pdf = get(c, "/api/v1/papers/" + s.ids.failed_paper + "/preview");
    CHECK(no_pdf.status == 404);
    CHECK(body_of(no_pdf)["error"]["message"].get<std::string>().find("no PDF") != std::string::npos);
  }
  // With a renderer: the first request renders and stores, later ones read the stored image.
  std::atomic<int> renders = 0;
  web::AppOptions options;
  options.render_first_page = [&](const std::string& pdf) -> Expected<std::string> {
    ++renders;
    if (pdf.rfind("%PDF", 0) != 0) return fail(ErrorKind::invalid_input, "not a PDF");
    return std::string("\x89PNG rendered");
  };
  Served s(options);
  std::vector<std::thread> clients;
  std::atomic<int> ok = 0;
  for (int i = 0; i < 4; ++i)
    clients.emplace_back([&] {
      auto c = s.client();
      auto r = get(c, "/api/v1/papers/" + s.ids.xss_paper + "/preview");
      if (r.status == 200 && r.body == "\x89PNG rendered" && r.header("content-type") == "image/png") ++ok;
    });
  for (auto& t : clients) t.join();
  CHECK(ok == 4);
  CHECK(renders == 1);
  auto store = s.open();
  auto artifacts = store::list_artifacts(store, "paper", s.ids.xss_paper).value();
  CHECK(std::count_if(artifacts.begin(), artifacts.end(), [](const store::Artifact& a) { return a.kind == "preview"; }) == 1);
  auto c = s.client();
  CHECK(get(c, "/api/v1/papers/" + s.ids.best_paper + "/preview").body != "\x89PNG rendered");  // its page image
  CHECK(renders == 1);
}

TEST_CASE("the compare view carries each idea's result, novelty and the paper's checks") {
  Served s;
  auto c = s.client();
  auto papers = body_of(get(c, "/api/v1/compare?ids=" + s.ids.best_paper + "," + s.ids.xss_paper))["papers"];
  REQUIRE(papers.size() == 2);
  CHECK(papers[0]["best_metric"] == 0.91);
  CHECK(papers[1]["best_metric"] == 0.42);
  CHECK(papers[0]["novelty_verdict"] == "novel");
  CHECK(papers[0]["checks"]["passed"] == false);
  CHECK(papers[0]["checks"]["bibtex_errors"].size() == 1);
  CHECK(papers[0]["checks"]["citations"]["unresolved"][0] == "nanda2023");
}

TEST_CASE("the review form's scores and the paper score names reach the pages from the API") {
  Served s;
  auto c = s.client();
  auto table = body_of(get(c, "/api/v1/review-scores"));
  REQUIRE(table["scores"].is_array());
  std::map<std::string, int> max_of;
  for (const auto& score : table["scores"]) max_of[score["name"].get<std::string>()] = score["max"].get<int>();
  CHECK(max_of == std::map<std::string, int>{{"originality", 4}, {"quality", 4}, {"clarity", 4}, {"significance", 4},
                                             {"soundness", 4}, {"presentation", 4}, {"contribution", 4},
                                             {"overall", 10}, {"confidence", 5}});
  auto papers = body_of(get(c, "/api/v1/papers"));
  CHECK(table["paper_scores"] == papers["score_names"]);
}

TEST_CASE("writing a human review needs the token; it updates the scores and the agreement view") {
  Served s;
  auto c = s.client();
  std::string path = "/api/v1/papers/" + s.ids.best_paper + "/reviews";
  auto form = review_form(8, "accept").dump();
  CHECK(body_of(get(c, "/api/v1/papers/" + s.ids.best_paper))["reviews"].size() == 4);  // cached now
  CHECK(c.request("POST", path, form, kJson).value().status == 401);
  CHECK(c.request("POST", path, form, bearer("not-the-token")).value().status == 401);
  CHECK(c.request("POST", path, form, {{"Content-Type", "text/plain"}, {"Authorization", "Bearer " + kToken}})
            .value()
            .status == 415);
  auto bad = c.request("POST", path, review_form(11, "accept").dump(), bearer(kToken)).value();
  CHECK(bad.status == 400);
  CHECK(body_of(bad)["error"]["message"].get<std::string>().find("overall") == 0);

  auto ok = c.request("POST", path, form, bearer(kToken)).value();
  REQUIRE(ok.status == 201);
  CHECK(body_of(ok)["review"]["reviewer_kind"] == "human");
  CHECK(body_of(ok)["scores"]["human_overall"] == 8.0);
  CHECK(body_of(get(c, "/api/v1/papers/" + s.ids.best_paper))["reviews"].size() == 5);
  {
    auto store = s.open();
    auto reviews = store::list_reviews(store, s.ids.best_paper).value();
    REQUIRE(reviews.size() == 5);
    CHECK(reviews.back().reviewer == "Ada");
    CHECK(json::parse(reviews.back().scores_json)["form"]["Overall"] == 8.0);
  }
  auto agreement = body_of(get(c, "/api/v1/runs/" + s.ids.done_run + "/agreement"));
  REQUIRE(agreement["points"].size() == 1);
  CHECK(agreement["points"][0]["ai_score"] == 6.0);
  CHECK(agreement["points"][0]["human_score"] == 8.0);
  CHECK(agreement["stats"]["agree"] == 1);
  CHECK(agreement["stats"]["agreement"] == 1.0);
}

TEST_CASE("a browser signs in for a session cookie and must send its CSRF token and a same origin") {
  Served s;
  auto c = s.client();
  CHECK(body_of(get(c, "/api/v1/session"))["signed_in"] == false);
  CHECK(c.request("POST", "/api/v1/session", json{{"token", "wrong-token"}}.dump(), kJson).value().status == 401);
  auto in = c.request("POST", "/api/v1/session", json{{"token", kToken}}.dump(), kJson).value();
  REQUIRE(in.status == 200);
  std::string cookie = in.header("set-cookie");
  CHECK(cookie.find("HttpOnly") != std::string::npos);
  CHECK(cookie.find("SameSite=Strict") != std::string::npos);
  std::string session = cookie.substr(0, cookie.find(';'));
  std::string csrf = body_of(in)["csrf"];
  CHECK(body_of(c.get("/api/v1/session", {{"Cookie", session}}).value())["csrf"] == csrf);

  std::string path = "/api/v1/papers/" + s.ids.best_paper + "/reviews";
  auto form = review_form(4, "reject").dump();
  auto headers = std::map<std::string, std::string>{{"Content-Type", "application/json"}, {"Cookie", session}};
  CHECK(c.request("POST", path, form, headers).value().status == 403);  // no CSRF token
  headers["X-CSRF-Token"] = (csrf[0] == '0' ? "1" : "0") + csrf.substr(1);  // differs in its first character
  CHECK(c.request("POST", path, form, headers).value().status == 403);  // a wrong one
  headers["X-CSRF-Token"] = csrf;
  headers["Origin"] = "http://evil.example";
  CHECK(c.request("POST", path, form, headers).value().status == 403);  // from another site
  headers["Origin"] = "http://127.0.0.1:" + std::to_string(s.server->port());
  CHECK(c.request("POST", path, form, headers).value().status == 201);
  CHECK(c.request("POST", "/api/v1/session/end", "{}", headers).value().status == 200);
  CHECK(c.request("POST", path, form, headers).value().status == 401);  // the session is gone
}

TEST_CASE("pages and scripts are served with a content security policy; unknown paths and methods are refused") {
  Served s;
  auto c = s.client();
  for (std::string page : {"/", "/papers", "/runs/x", "/ideas/x", "/papers/x", "/compare?ids=a,b", "/runs/x/agreement"}) {
    auto r = get(c, page);
    CHECK_MESSAGE(r.status == 200, page);
    CHECK(r.header("content-type") == "text/html; charset=utf-8");
    CHECK(r.header("content-security-policy").find("script-src 'self'") != std::string::npos);
    CHECK(r.header("content-security-policy").find("font-src 'self'") != std::string::npos);  // KaTeX's fonts
    CHECK(r.header("x-content-type-options") == "nosniff");
  }
  CHECK(get(c, "/papers/x").body.find("src=\"/static/paper.js\"") != std::string::npos);
  CHECK(get(c, "/runs/x/agreement").body.find("src=\"/static/agreement.js\"") != std::string::npos);
  CHECK(get(c, "/favicon.ico").header("content-type") == "image/svg+xml");
  auto js = get(c, "/static/app.js");
  CHECK(js.header("content-type") == "text/javascript; charset=utf-8");
  CHECK(js.body.find("innerHTML") == std::string::npos);  // the pages never parse data as markup
  CHECK(get(c, "/static/nope.js").status == 404);
  // KaTeX is served from the binary, its stylesheet pointing at the embedded woff2 fonts.
  CHECK(get(c, "/static/katex.min.js").body.find("katex") != std::string::npos);
  auto css = get(c, "/static/katex.min.css");
  CHECK(css.body.find("url(/static/KaTeX_Main-Regular.woff2)") != std::string::npos);
  CHECK(css.body.find("url(fonts/") == std::string::npos);
  auto font = get(c, "/static/KaTeX_Main-Regular.woff2");
  CHECK(font.status == 200);
  CHECK(font.header("content-type") == "font/woff2");
  CHECK(font.body.rfind("wOF2", 0) == 0);
  CHECK(get(c, "/papers/x").body.find("src=\"/static/katex.min.js\"") != std::string::npos);
  auto api404 = get(c, "/api/v1/nope");
  CHECK(api404.status == 404);
  CHECK(body_of(api404)["error"]["kind"] == "not_found");
  CHECK(c.request("DELETE", "/api/v1/runs").value().status == 405);
  CHECK(c.request("POST", "/api/v1/runs", "{}", kJson).value().status == 405);
  CHECK(body_of(get(c, "/api/v1"))["routes"].size() > 15);
  auto head = c.raw("HEAD /api/v1/runs HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", /*head=*/true).value();
  CHECK(head.status == 200);
  CHECK(std::stoi(head.header("content-length")) > 0);
}

TEST_CASE("oversized bodies and headers, malformed requests and floods are refused") {
  web::AppOptions options;
  options.requests_per_s = 5;
  options.request_burst = 5;
  web::ServerLimits limits;
  limits.max_body = 1024;
  limits.max_header = 2048;
  Served s(options, limits);
  auto c = s.client();
  std::string big(4096, 'x');
  auto too_big = c.raw("POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: " +
                       std::to_string(big.size()) + "\r\n\r\n" + big)
                     .value();
  CHECK(too_big.status == 413);
  auto long_header = c.raw("GET /api/v1/runs HTTP/1.1\r\nHost: x\r\nX-Long: " + big + "\r\n\r\n").value();
  CHECK(long_header.status == 431);
  CHECK(c.raw("GARBAGE\r\n\r\n").value().status == 400);
  CHECK(c.raw("GET /api/v1/runs?q=%zz HTTP/1.1\r\nHost: x\r\n\r\n").value().status == 400);

  int refused = 0;
  std::string retry_after;
  for (int i = 0; i < 10; ++i) {
    auto r = get(c, "/api/v1/runs");
    if (r.status == 429) {
      ++refused;
      retry_after = r.header("retry-after");
    }
  }
  CHECK(refused >= 5);
  CHECK(std::stoi(retry_after) >= 1);
}

TEST_CASE("many clients at once all get answers") {
  web::AppOptions unlimited;
  unlimited.requests_per_s = 0;
  Served s(unlimited);
  std::atomic<int> ok{0}, failed{0};
  std::vector<std::thread> clients;
  for (int t = 0; t < 16; ++t)
    clients.emplace_back([&, t] {
      auto c = s.client();
      for (int i = 0; i < 25; ++i) {
        auto target = (i + t) % 3 == 0 ? "/api/v1/papers?sort=score" : (i + t) % 3 == 1 ? "/api/v1/papers/" + s.ids.best_paper
                                                                                         : std::string("/api/v1/papers?q=weight");
        auto r = c.get(target);
        (r.ok() && r->status == 200 ? ok : failed)++;
      }
    });
  for (auto& t : clients) t.join();
  CHECK(ok == 400);
  CHECK(failed == 0);
}
