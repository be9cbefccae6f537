// The offline baseline agent's paper for each of the three templates: made-up but plausible
// stored results, a real compile in the sandbox, every automated check passing, the checks
// recorded as the review (no scores), and the first page rendered to PNG by pdftoppm (one
// copy kept in the build folder's ci-artifacts/ for a person to look at).
#include <doctest/doctest.h>

#include <set>

#include "agent/papers/offline_paper.hpp"
#include "agent/papers/reviewer.hpp"
#include "agent/papers/writeup.hpp"
#include "experiments/local_executor.hpp"
#include "paper/checks.hpp"
#include "paper_fixture.hpp"
#include "store/papers.hpp"
#include "store/reviews.hpp"

using namespace shoal;

namespace {

struct Case {
  const char* tpl;
  const char* title;
  std::vector<test::Measured> settings;
};

std::vector<Case> cases() {
  return {{"grokking", "Weight decay shortens the grokking delay",
           {{" --weight_decay 0.3", 1.31}, {" --weight_decay 2.0", 0.62}}},
          {"diffusion2d", "How many diffusion steps does a 2-D DDPM need?",
           {{" --num_timesteps 25", 1.47}, {" --num_timesteps 200", 0.91}}},
          {"charlm", "Depth against width in a tiny character-level transformer",
           {{" --n_layer 1", 1.083}, {" --n_layer 3", 0.967}, {" --n_layer 4", 0.981}}}};
}

}  // namespace

TEST_CASE("the offline paper of each template compiles, passes its checks and renders its first page") {
  for (const auto& c : cases()) {
    CAPTURE(c.tpl);
    test::TempDir dir;
    test::open_to_sandbox(dir);
    auto store = store::Store::open(dir / "shoal.db", store::OpenMode::create).value();
    auto f = test::make_idea(store, c.tpl, "offline", c.title, c.settings);
    experiments::LocalExecutor executor;

    auto written = agent::write_offline_paper(store, executor, test::loaded_template(test::template_dir(c.tpl)), f.idea_id,
                                              {.work_dir = dir / "latex"});
    REQUIRE_MESSAGE(written.ok(), (written.ok() ? "" : written.error().message));
    const auto& p = written->paper;
    CHECK(p.status == "compiled");
    CHECK(p.attempt == 1);
    CHECK(p.title == c.title);
    REQUIRE(p.pages.has_value());
    CHECK(*p.pages >= 1);
    CHECK(p.unverified_json == "[]");
    auto checks = written->checks;
    CHECK(checks.compiles);
    CHECK(checks.claims_checked >= 5);
    CHECK(checks.claims_unmatched == 0);
    CHECK(checks.figures.missing.empty());
    CHECK(checks.figures.unreferenced.empty());
    CHECK(checks.figures.referenced.size() == 1);
    CHECK_FALSE(checks.cited.empty());  // the skeleton's own citations
    CHECK(checks.unresolved_citations.empty());
    CHECK(checks.passed());

    auto pdf = store::get_blob(store, p.pdf_hash).value();
    std::string text = test::pdf_text(dir / "check", pdf);
    CHECK(text.find("offline baseline agent") != std::string::npos);
    CHECK(text.find("Setting") != std::string::npos);  // the results table's header
    CHECK(text.find("[?]") == std::string::npos);       // every citation resolved
    CHECK(text.find("References") != std::string::npos);

    // The review record is the automated checks, with no invented scores.
    auto outcome = agent::review_paper(store, nullptr, executor, p.id, {.work_dir = dir / "review"}).value();
    REQUIRE(outcome.reviews.size() == 1);
    auto reviews = store::list_reviews(store, p.id).value();
    REQUIRE(reviews.size() == 1);
    CHECK(reviews[0].reviewer == paper::kOfflineChecksReviewer);
    CHECK_FALSE(reviews[0].overall.has_value());
    CHECK_FALSE(reviews[0].soundness.has_value());
    CHECK(reviews[0].decision.empty());
    CHECK(reviews[0].text.find("all checks passed: yes") != std::string::npos);

    // pdftoppm renders the first page.
    test::write_files(dir / "render", {{"paper.pdf", pdf}});
    std::string cmd = "pdftoppm -png -r 50 -f 1 -l 1 -singlefile '" + (dir / "render/paper.pdf").string() + "' '" +
                      (dir / "render/page1").string() + "'";
    REQUIRE(std::system(cmd.c_str()) == 0);
    auto png = read_file(dir / "render/page1.png").value();
    CHECK(png.rfind("\x89PNG", 0) == 0);
    CHECK(png.size() > 5000);  // a page of text, not a blank
    std::filesystem::create_directories(SHOAL_CI_ARTIFACTS);
    std::filesystem::copy_file(dir / "render/page1.png",
                               std::filesystem::path(SHOAL_CI_ARTIFACTS) / (std::string("offline-paper-") + c.tpl + "-page1.png"),
                               std::filesystem::copy_options::overwrite_existing);
  }
}

TEST_CASE("write_paper with no client writes the offline paper; every call adds an attempt") {
  test::TempDir dir;
  test::open_to_sandbox(dir);
  auto store = store::Store::open(dir / "shoal.db", store::OpenMode::create).value();
  auto f = test::make_idea(store, "charlm", "offline", "Layers", {{" --n_layer 3", 0.97}});
  experiments::LocalExecutor executor;
  agent::WriteupOptions options;
  options.work_dir = dir / "latex";
  auto first = agent::write_paper(store, nullptr, executor, test::loaded_template(test::template_dir("charlm")), f.idea_id, options).value();
  auto second = agent::write_paper(store, nullptr, executor, test::loaded_template(test::template_dir("charlm")), f.idea_id, options).value();
  CHECK(first.paper.attempt == 1);
  CHECK(second.paper.attempt == 2);
  CHECK(store::list_papers(store, f.idea_id).value().size() == 2);
  CHECK(store::best_paper(store, f.idea_id).value()->id == second.paper.id);
  auto artifacts = store::list_artifacts(store, "paper", first.paper.id).value();
  std::set<std::string> kinds;
  for (const auto& a : artifacts) kinds.insert(a.kind);
  CHECK(kinds == std::set<std::string>{"tex", "bib", "log", "pdf"});
}

TEST_CASE("an idea with no results still gets a compiled offline paper that says so; a missing skeleton is not_found") {
  test::TempDir dir;
  test::open_to_sandbox(dir);
  auto store = store::Store::open(dir / "shoal.db", store::OpenMode::create).value();
  auto f = test::make_idea(store, "grokking", "offline", "Nothing measured", {});
  experiments::LocalExecutor executor;
  auto written = agent::write_offline_paper(store, executor, test::loaded_template(test::template_dir("grokking")), f.idea_id,
                                            {.work_dir = dir / "latex"})
                     .value();
  CHECK(written.paper.status == "compiled");
  auto tex = store::get_blob(store, written.paper.tex_hash).value();
  CHECK(tex.find("No run of this idea reported") != std::string::npos);
  CHECK(written.checks.claims_unmatched == 0);

  test::write_files(dir / "tpl", {{"experiment.py", "print(1)\n"}});
  auto missing = agent::write_offline_paper(store, executor, test::loaded_template(dir / "tpl"), f.idea_id, {.work_dir = dir / "latex2"});
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().kind == ErrorKind::not_found);
  CHECK(missing.error().message.find("latex/template.tex") != std::string::npos);
}
