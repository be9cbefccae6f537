// The LLM write-up and review against the fake LLM server and the fake literature server, on
// one idea of the real grokking template: a citation round adds a paper from the literature
// search, the drafted sections fail to compile, a fix round repairs them, the claim check
// catches a planted number and the model corrects it; the final PDF has a figure, a table and
// resolved citations; an ensemble of two reviews and a meta-review are stored with every score.
#include <doctest/doctest.h>

#include <algorithm>
#include <cctype>

#include "agent/papers/reviewer.hpp"
#include "agent/papers/reviser.hpp"
#include "agent/orchestrator.hpp"
#include "agent/papers/writeup.hpp"
#include "experiments/local_executor.hpp"
#include "llm_fixture.hpp"
#include "paper/assemble.hpp"
#include "paper/checks.hpp"
#include "paper_fixture.hpp"
#include "store/llm_calls.hpp"
#include "store/papers.hpp"
#include "store/records.hpp"
#include "store/reviews.hpp"

using namespace shoal;
using nlohmann::json;

namespace {

std::string fenced(const std::string& lang, const std::string& body) { return "```" + lang + "\n" + body + "\n```"; }

// A whole grokking paper as a model would return it from a fix round; `claim` is the
// relative change it states in the results.
std::string full_paper(const std::string& claim) {
  auto skeleton = read_file(test::template_dir("grokking") / "latex/template.tex").value();
  paper::PaperDraft d;
  d.title = "Weight Decay Shortens the Grokking Delay";
  d.abstract = "With weight decay 0.3, the steps to 99\\% validation accuracy on modular addition fall from 4210 to 2526.";
  d.sections["Related Work"] =
      "Grokking was found by \\citet{power2022grokking}; normalisation layers \\citep{ioffe2015batch} change "
      "optimisation too.";
  d.sections["Results"] =
      "Table~\\ref{tab:results} and Figure~\\ref{fig:acc} show the runs. On addition the model reaches 99\\% "
      "validation accuracy after 2526 steps instead of 4210 (" + claim + " fewer), with a final validation "
      "accuracy of 99.87\\%.\n\n"
      "\\begin{table}[t]\n\\centering\n\\caption{Steps to 99\\% validation accuracy (mean $\\pm$ s.e.).}\n"
      "\\label{tab:results}\n\\begin{tabular}{lccc}\n\\toprule\nRun & add & sub & div \\\\\n\\midrule\n"
      "Baseline & $4210 \\pm 130$ & $5120 \\pm 170$ & $6340 \\pm 250$ \\\\\n"
      "Weight decay 0.3 & $2526 \\pm 78$ & $3072 \\pm 102$ & $3804 \\pm 150$ \\\\\n\\bottomrule\n\\end{tabular}\n"
      "\\end{table}\n\n"
      "\\begin{figure}[t]\n\\centering\n\\includegraphics[width=0.6\\linewidth]{val_acc_add.png}\n"
      "\\caption{Validation accuracy on addition.}\n\\label{fig:acc}\n\\end{figure}";
  d.sections["Conclusion"] = "Weight decay of 0.3 cut the grokking delay on addition from 4210 to 2526 steps.";
  return paper::fill_skeleton(skeleton, d);
}

// The claim fix as a model would give it: one SEARCH/REPLACE block on the line that holds
// the planted number.
std::string claim_fix_blocks() {
  std::string planted = full_paper("95.1\\%");
  size_t at = planted.find("95.1");
  size_t begin = planted.rfind('\n', at) + 1;
  std::string line = planted.substr(begin, planted.find('\n', at) - begin);
  std::string fixed = line;
  fixed.replace(fixed.find("95.1"), 4, "40");
  return "The planted number was wrong.\ntemplate.tex\n<<<<<<< SEARCH\n" + line + "\n=======\n" + fixed +
         "\n>>>>>>> REPLACE\n";
}

json review_form(int overall, const std::string& summary) {
  return {{"Summary", summary}, {"Strengths", {"clear question"}}, {"Weaknesses", {"one template only"}},
          {"Originality", 2}, {"Quality", 3}, {"Clarity", 3}, {"Significance", 2}, {"Questions", {"more seeds?"}},
          {"Limitations", {"small scale"}}, {"Ethical Concerns", false}, {"Soundness", 3}, {"Presentation", 3},
          {"Contribution", 2}, {"Overall", overall}, {"Confidence", 4}, {"Decision", overall >= 6 ? "Accept" : "Reject"}};
}

// The revision as a model would give it: one block that adds a limitation to the conclusion.
std::string revision_blocks() {
  std::string paper = full_paper("40\\%");
  size_t at = paper.find("cut the grokking delay");
  size_t begin = paper.rfind('\n', at) + 1;
  std::string line = paper.substr(begin, paper.find('\n', at) - begin);
  return "template.tex\n<<<<<<< SEARCH\n" + line + "\n=======\n" + line +
         " Only one template was tested, a limitation the reviewers noted.\n>>>>>>> REPLACE\n";
}

json rules() {
  json r = json::array();
  auto add = [&](const std::string& match, const std::string& reply) { r.push_back({{"match", match}, {"reply", reply}}); };
  add("TASK: revise the paper to answer its peer review", revision_blocks());
  add("TASK: reflect on review", "The review stands as written. I am done");
  add("TASK: meta-review", fenced("json", review_form(5, "The area chair's summary.").dump()));
  add("reviewer 1 of 2", "Thoughts first.\n" + fenced("json", review_form(7, "Saw {images}.").dump()));
  add("reviewer 2 of 2", fenced("json", review_form(4, "A second opinion.").dump()));
  add("TASK: fix unverified numbers", claim_fix_blocks());
  add("TASK: fix LaTeX", "Fixed:\n" + fenced("latex", full_paper("95.1\\%")));
  add("TASK: final pass", "NO CHANGES");
  add("TASK: write title and abstract",
      fenced("latex title", "Weight Decay Shortens the Grokking Delay") + "\n" +
          fenced("latex abstract", "Weight decay 0.3 cuts the steps to 99\\% validation accuracy from 4210 to 2526."));
  add("TASK: choose citations", fenced("json", R"({"selected": [0], "reason": "normalisation"})"));
  add("TASK: citation search query 1 of", fenced("json", R"({"query": "batch normalization", "done": false})"));
  add("TASK: citation search query", fenced("json", R"({"query": "", "done": true})"));
  add("TASK: refine section Results", fenced("latex", "We measured 2526 steps \\undefinedmacroxyz{} on addition."));
  add("TASK: refine section", fenced("latex", "Refined text, following \\citet{power2022grokking} and \\citep{madeup2099}."));
  add("TASK: draft section", fenced("latex", "A draft."));
  return {{"rules", r}, {"default_reply", "unexpected prompt"}};
}

struct WriteupFixture : test::LlmFixture {
  test::FakeLlmServer literature{SHOAL_FAKE_LITERATURE_SERVER};
  experiments::LocalExecutor executor;
  test::IdeaFixture idea = test::make_idea(store, "grokking", "openai:gpt-4o", "Weight decay and grokking",
                                           {{" --weight_decay 0.3", 0.6}, {" --weight_decay 2.0", 1.2}});
  std::unique_ptr<llm::Client> llm;

  WriteupFixture() {
    test::open_to_sandbox(dir);
    server.set_rules(rules());
    auto o = options("openai:gpt-4o");
    o.run_id = idea.run_id;
    llm = client(o);
  }
  agent::WriteupOptions writeup_options() {
    agent::WriteupOptions o;
    o.work_dir = dir / "latex";
    o.citation_rounds = 2;
    o.compile_rounds = 1;
    o.literature.semantic_scholar_url = o.literature.openalex_url = o.literature.arxiv_url = literature.url();
    o.literature.max_retries = 0;
    o.literature.timeout_s = 5;
    return o;
  }
};

}  // namespace

TEST_CASE("the write-up compiles after a fix round, corrects a planted number, and the review ensemble is stored") {
  WriteupFixture f;
  auto written = agent::write_paper(f.store, f.llm.get(), f.executor, test::loaded_template(test::template_dir("grokking")), f.idea.idea_id,
                                    f.writeup_options());
  REQUIRE_MESSAGE(written.ok(), (written.ok() ? "" : written.error().message));

  // Three attempts, none overwritten: the drafts fail, the fixed paper compiles with a planted
  // number, the corrected one compiles clean.
  auto attempts = store::list_papers(f.store, f.idea.idea_id).value();
  REQUIRE(attempts.size() == 3);
  CHECK(written->attempt_ids.size() == 3);
  CHECK(attempts[0].status == "failed");
  CHECK(attempts[0].error.find("Undefined control sequence") != std::string::npos);
  CHECK(attempts[0].pdf_hash.empty() == false);  // nonstop mode still wrote a PDF, but it does not count
  CHECK(store::get_blob(f.store, attempts[0].log_hash).value().find("undefinedmacroxyz") != std::string::npos);
  CHECK(attempts[1].status == "compiled");
  auto planted = json::parse(attempts[1].unverified_json);
  REQUIRE(planted.size() == 1);
  CHECK(planted[0]["text"] == "95.1\\%");
  CHECK(planted[0]["section"] == "Results");
  CHECK(attempts[2].status == "compiled");
  CHECK(attempts[2].unverified_json == "[]");
  CHECK(written->paper.id == attempts[2].id);
  CHECK(store::best_paper(f.store, f.idea.idea_id).value()->id == attempts[2].id);

  // The citation round added a paper found by the literature search; the guessed key was dropped.
  REQUIRE(written->citations_added.size() == 1);
  CHECK(written->citations_added[0] == "ioffe2015batch");
  CHECK(written->dropped_citations == std::vector<std::string>{"madeup2099"});
  auto bib = store::get_blob(f.store, written->paper.bib_hash).value();
  CHECK(bib.find("@") != std::string::npos);
  CHECK(bib.find("ioffe2015batch") != std::string::npos);
  CHECK(bib.find("power2022grokking") != std::string::npos);

  // The PDF: a figure, a table, resolved citations.
  auto checks = paper::PaperChecks::from_json(json::parse(written->paper.checks_json));
  CHECK(checks.compiles);
  CHECK(checks.figures.referenced == std::vector<std::string>{"val_acc_add.png"});
  CHECK(checks.figures.missing.empty());
  CHECK(checks.unresolved_citations.empty());
  CHECK(checks.cited.size() >= 2);
  CHECK(checks.claims_unmatched == 0);
  auto pdf = store::get_blob(f.store, written->paper.pdf_hash).value();
  CHECK(pdf.rfind("%PDF", 0) == 0);
  auto text = test::pdf_text(f.dir / "check", pdf);
  std::string lower_text = text;
  std::transform(lower_text.begin(), lower_text.end(), lower_text.begin(), [](unsigned char c) { return std::tolower(c); });
  CHECK(text.find("Table 1") != std::string::npos);
  CHECK(text.find("Figure 1") != std::string::npos);
  CHECK(text.find("2526 ± 78") != std::string::npos);
  CHECK(lower_text.find("batch normalization") != std::string::npos);
  CHECK(text.find("[?]") == std::string::npos);
  // Every number verified: no note on the PDF, and the paper counts as finished. The attempt
  // with the planted number carried the note.
  CHECK(text.find("Unverified") == std::string::npos);
  CHECK(store::paper_finished(written->paper));
  auto planted_text = test::pdf_text(f.dir / "check", store::get_blob(f.store, attempts[1].pdf_hash).value());
  CHECK(planted_text.substr(0, planted_text.find('\f')).find("Unverified: 1 number in this paper") != std::string::npos);
  CHECK(agent::summarize_run(f.store, f.idea.run_id).papers_finished == 1);
  auto citations = json::parse(written->paper.citations_json);
  bool from_search = false;
  for (const auto& c : citations) from_search = from_search || (c["key"] == "ioffe2015batch" && c.contains("engine"));
  CHECK(from_search);

  // Every LLM call is recorded against the run, under its stage.
  int paper_calls = 0;
  for (const auto& c : f.calls(f.idea.run_id)) paper_calls += c.stage == "paper" ? 1 : 0;
  CHECK(paper_calls == written->llm_calls);

  // The review: two reviewers (with page images), a reflection each, a meta-review.
  agent::ReviewOptions review;
  review.work_dir = f.dir / "review";
  review.ensemble = 2;
  review.reflections = 1;
  review.page_images = 2;
  review.accept_threshold = 5;
  auto outcome = agent::review_paper(f.store, f.llm.get(), f.executor, written->paper.id, review).value();
  CHECK(outcome.failed == 0);
  auto reviews = store::list_reviews(f.store, written->paper.id).value();
  REQUIRE(reviews.size() == 3);
  CHECK(reviews[0].reviewer_kind == "ai");
  CHECK(reviews[0].reviewer == "openai:gpt-4o");
  CHECK(reviews[0].overall == 7);
  CHECK(reviews[0].text.find("2 png image(s)") != std::string::npos);
  CHECK(reviews[1].overall == 4);
  const auto& meta = reviews[2];
  CHECK(meta.reviewer_kind == "meta");
  CHECK(meta.overall == doctest::Approx(5.5));
  CHECK(meta.decision == "accept");  // 5.5 reaches the threshold of 5
  CHECK(meta.text.find("The area chair's summary.") != std::string::npos);
  for (const auto& r : reviews) {
    CHECK(r.status == "done");
    for (auto s : {r.originality, r.quality, r.clarity, r.significance, r.soundness, r.presentation, r.contribution,
                   r.confidence, r.overall})
      CHECK(s.has_value());
    CHECK(json::parse(r.scores_json)["form_version"] == paper::kReviewFormVersion);
  }
  auto pages = store::list_artifacts(f.store, "paper", written->paper.id).value();
  CHECK(std::count_if(pages.begin(), pages.end(), [](const store::Artifact& a) { return a.kind == "page_image"; }) == 2);
}

TEST_CASE("a fabricated number that survives the fix rounds is noted on the first page; the paper is not finished") {
  WriteupFixture f;
  json r = rules();
  for (auto& rule : r["rules"])
    if (rule["match"] == "TASK: fix unverified numbers") rule["reply"] = "The number is right as it stands.";
  f.server.set_rules(r);
  auto written = agent::write_paper(f.store, f.llm.get(), f.executor, test::loaded_template(test::template_dir("grokking")),
                                    f.idea.idea_id, f.writeup_options());
  REQUIRE_MESSAGE(written.ok(), (written.ok() ? "" : written.error().message));
  auto attempts = store::list_papers(f.store, f.idea.idea_id).value();
  REQUIRE(attempts.size() == 2);  // the failed draft, then the fixed paper with its planted number
  const auto& paper = written->paper;
  CHECK(paper.id == attempts[1].id);

  // The store: its unverified number, "verified": false, not finished.
  auto unverified = json::parse(paper.unverified_json);
  REQUIRE(unverified.size() == 1);
  CHECK(unverified[0]["text"] == "95.1\\%");
  CHECK(unverified[0]["problem"] == "no_match");
  CHECK(store::unverified_count(paper) == 1);
  CHECK_FALSE(store::paper_finished(paper));
  CHECK(store::to_json(paper)["verified"] == false);
  CHECK(store::to_json(paper)["finished"] == false);
  auto summary = agent::summarize_run(f.store, f.idea.run_id);
  CHECK(summary.papers_finished == 0);
  CHECK(summary.papers_unverified == 1);

  // The PDF says so on its first page, under the title.
  auto text = test::pdf_text(f.dir / "check", store::get_blob(f.store, paper.pdf_hash).value());
  REQUIRE(text.find('\f') != std::string::npos);
  std::string first_page = text.substr(0, text.find('\f'));
  size_t note = first_page.find("Unverified: 1 number in this paper does not match the stored results");
  CHECK(note != std::string::npos);
  CHECK(note > first_page.find("Weight Decay Shortens the Grokking Delay"));
  CHECK(note < first_page.find("Abstract"));
  // The note is not the model's: the source it was asked to fix did not carry it.
  auto tex = store::get_blob(f.store, paper.tex_hash).value();
  CHECK(tex.find("Unverified:") != std::string::npos);
  auto requests = f.server.recent_requests();
  REQUIRE_FALSE(requests.empty());
  for (const auto& r : requests) CHECK(r["body"].dump().find("Unverified:") == std::string::npos);
}

TEST_CASE("a review reply that is not a form after the re-ask is stored as failed, with no scores") {
  WriteupFixture f;
  auto written = agent::write_paper(f.store, f.llm.get(), f.executor, test::loaded_template(test::template_dir("grokking")), f.idea.idea_id,
                                    f.writeup_options())
                     .value();
  f.server.set_rules({{"rules", json::array({{{"match", "TASK: review paper"}, {"reply", "I liked it. Score: 11/10."}}})},
                      {"default_reply", "?"}});
  agent::ReviewOptions review;
  review.work_dir = f.dir / "review";
  review.ensemble = 1;
  review.reflections = 0;
  review.page_images = 0;
  auto outcome = agent::review_paper(f.store, f.llm.get(), f.executor, written.paper.id, review);
  REQUIRE_FALSE(outcome.ok());
  CHECK(outcome.error().kind == ErrorKind::remote);
  auto reviews = store::list_reviews(f.store, written.paper.id).value();
  REQUIRE(reviews.size() == 1);
  CHECK(reviews[0].status == "failed");
  CHECK(reviews[0].error.find("not a valid review form after one re-ask") != std::string::npos);
  CHECK_FALSE(reviews[0].overall.has_value());
  CHECK_FALSE(reviews[0].clarity.has_value());
  CHECK(reviews[0].decision.empty());
  CHECK(json::parse(reviews[0].scores_json)["reply"] == "I liked it. Score: 11/10.");
  CHECK(f.server.requests() == 2);  // the review and its one re-ask
}

TEST_CASE("LaTeX from the model reaches the .tex byte-exact: \\ref, \\textbf, \\cite, \\\\ and %") {
  WriteupFixture f;
  // What the final pass rewrites, as a model writes LaTeX: every character must survive.
  const std::string results =
      "\\label{sec:kept}As Section~\\ref{sec:kept} shows, \\textbf{weight decay} matters \\citep{power2022grokking}.\\\\\n"
      "A second line. % a comment the model kept\n"
      "Escapes: 50\\% of \\$3 \\& \\_x, and a quoted \"word\".";
  json r = json::array();
  auto add = [&](const std::string& match, const std::string& reply) { r.push_back({{"match", match}, {"reply", reply}}); };
  add("TASK: final pass", "Only the results change.\n" + fenced("latex Results", results) + "\nThat is all.");
  add("TASK: write title and abstract",
      fenced("latex title", "On \\textit{Weight Decay}") + "\n" + fenced("latex abstract", "We study \\emph{grokking}."));
  add("TASK: citation search query", fenced("json", R"({"query": "", "done": true})"));
  add("TASK: refine section", fenced("latex", "Refined text."));
  add("TASK: draft section", fenced("latex", "A draft."));
  f.server.set_rules({{"rules", r}, {"default_reply", "unexpected prompt"}});
  auto o = f.writeup_options();
  o.claim_feedback = false;
  auto written = agent::write_paper(f.store, f.llm.get(), f.executor, test::loaded_template(test::template_dir("grokking")),
                                    f.idea.idea_id, o);
  REQUIRE_MESSAGE(written.ok(), (written.ok() ? "" : written.error().message));
  auto tex = store::get_blob(f.store, written->paper.tex_hash).value();
  CHECK(tex.find(results) != std::string::npos);
  CHECK(tex.find("\\title{On \\textit{Weight Decay}}") != std::string::npos);
  CHECK(tex.find("We study \\emph{grokking}.") != std::string::npos);
  CHECK(written->paper.status == "compiled");
}

TEST_CASE("LaTeX that never compiles ends in a clear failure with every attempt and its log stored") {
  WriteupFixture f;
  json r = rules();
  // Every fix round returns the same broken document.
  for (auto& rule : r["rules"])
    if (rule["match"] == "TASK: fix LaTeX") {
      std::string broken = full_paper("40\\%");
      broken.insert(broken.find("\\end{document}"), "\\badcommand\n");
      rule["reply"] = fenced("latex", broken);
    }
  f.server.set_rules(r);
  auto written = agent::write_paper(f.store, f.llm.get(), f.executor, test::loaded_template(test::template_dir("grokking")), f.idea.idea_id,
                                    f.writeup_options());
  REQUIRE_FALSE(written.ok());
  CHECK(written.error().kind == ErrorKind::invalid_input);
  CHECK(written.error().message.find("did not compile in 2 attempt(s)") != std::string::npos);
  auto attempts = store::list_papers(f.store, f.idea.idea_id).value();
  REQUIRE(attempts.size() == 2);
  for (const auto& a : attempts) {
    CHECK(a.status == "failed");
    CHECK_FALSE(a.log_hash.empty());
  }
  CHECK_FALSE(store::best_paper(f.store, f.idea.idea_id).value().has_value());
}

TEST_CASE("a revision answers the review: a new compiled attempt, reviewed again, both versions kept") {
  WriteupFixture f;
  auto written = agent::write_paper(f.store, f.llm.get(), f.executor, test::loaded_template(test::template_dir("grokking")), f.idea.idea_id,
                                    f.writeup_options())
                     .value();
  agent::ReviewOptions review;
  review.work_dir = f.dir / "review";
  review.ensemble = 2;
  review.reflections = 0;
  review.page_images = 0;
  REQUIRE(agent::review_paper(f.store, f.llm.get(), f.executor, written.paper.id, review).ok());
  auto feedback = agent::review_feedback(f.store, written.paper.id).value();
  CHECK(feedback.find("Review 2 (overall 4/10, reject)") != std::string::npos);
  CHECK(feedback.find("Meta-review (overall 5.5/10") != std::string::npos);

  auto writeup = f.writeup_options();
  writeup.work_dir = f.dir / "revision";
  review.work_dir = f.dir / "review-2";
  auto outcome = agent::revise_and_review(f.store, *f.llm, f.executor, test::loaded_template(test::template_dir("grokking")),
                                          written.paper.id, writeup, review);
  REQUIRE_MESSAGE(outcome.ok(), (outcome.ok() ? "" : outcome.error().message));
  CHECK(outcome->before_paper_id == written.paper.id);
  CHECK(outcome->after_paper_id != written.paper.id);
  CHECK(outcome->overall_before == doctest::Approx(5.5));
  CHECK(outcome->overall_after == doctest::Approx(5.5));

  // Both versions and both sets of reviews are kept; the revision is the idea's paper now.
  auto attempts = store::list_papers(f.store, f.idea.idea_id).value();
  REQUIRE(attempts.size() == 4);
  CHECK(attempts[3].id == outcome->after_paper_id);
  CHECK(attempts[3].status == "compiled");
  CHECK(attempts[3].unverified_json == "[]");
  CHECK(store::get_paper(f.store, written.paper.id).value().status == "compiled");
  CHECK(store::best_paper(f.store, f.idea.idea_id).value()->id == outcome->after_paper_id);
  auto tex = store::get_blob(f.store, attempts[3].tex_hash).value();
  CHECK(tex.find("a limitation the reviewers noted") != std::string::npos);
  CHECK(store::get_blob(f.store, attempts[3].bib_hash).value().find("ioffe2015batch") != std::string::npos);
  CHECK(store::list_reviews(f.store, written.paper.id).value().size() == 3);
  CHECK(store::list_reviews(f.store, outcome->after_paper_id).value().size() == 3);
  int revision_calls = 0;
  for (const auto& c : f.calls(f.idea.run_id)) revision_calls += c.stage == "revision" ? 1 : 0;
  CHECK(revision_calls == 1);

  // A reply with no change is a clear error and stores no attempt.
  f.server.set_rules({{"rules", json::array({{{"match", "TASK: revise"}, {"reply", "I would change nothing."}}})},
                      {"default_reply", "?"}});
  writeup.work_dir = f.dir / "revision-2";
  auto unchanged = agent::revise_paper(f.store, *f.llm, f.executor, test::loaded_template(test::template_dir("grokking")),
                                       outcome->after_paper_id, feedback, writeup);
  REQUIRE_FALSE(unchanged.ok());
  CHECK(unchanged.error().kind == ErrorKind::invalid_input);
  CHECK(unchanged.error().message.find("changed nothing") != std::string::npos);
  CHECK(store::list_papers(f.store, f.idea.idea_id).value().size() == 4);
}
