#include "agent/papers/reviser.hpp"

#include "agent/prompts.hpp"
#include "agent/papers/writer.hpp"
#include "paper/unverified_note.hpp"
#include "store/blobs.hpp"
#include "store/papers.hpp"
#include "store/reviews.hpp"
#include "core/text.hpp"

namespace shoal::agent {
namespace {

// The meta-review's overall score of a paper (else the only AI review's), if any.
std::optional<double> overall_of(store::Store& store, const std::string& paper_id) {
  auto reviews = store::list_reviews(store, paper_id);
  if (!reviews.ok()) return std::nullopt;
  std::optional<double> ai;
  for (const auto& r : *reviews) {
    if (r.status != "done") continue;
    if (r.reviewer_kind == "meta") return r.overall;
    if (r.reviewer_kind == "ai" && !ai) ai = r.overall;
  }
  return ai;
}

std::string score_text(const std::optional<double>& v) {
  if (!v) return "no score";
  std::string s = std::to_string(*v);
  s.erase(s.find_last_not_of('0') + 1);
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s;
}

}  // namespace

Expected<std::string> review_feedback(store::Store& store, const std::string& paper_id) {
  SHOAL_TRY(reviews, store::list_reviews(store, paper_id));
  std::string out;
  int n = 0;
  for (const auto& r : reviews) {
    if (r.status != "done" || r.text.empty() || (r.reviewer_kind != "ai" && r.reviewer_kind != "meta")) continue;
    if (r.reviewer == "offline-checks") continue;
    out += (r.reviewer_kind == "meta" ? std::string("Meta-review") : "Review " + std::to_string(++n)) +
           " (overall " + score_text(r.overall) + "/10" + (r.decision.empty() ? "" : ", " + r.decision) + "):\n" +
           writing::clip(r.text, 6000) + "\n\n";
  }
  if (out.empty()) return fail(ErrorKind::not_found, "paper " + paper_id + " has no usable AI review to revise it by");
  return out;
}

Expected<WriteupResult> revise_paper(store::Store& store, llm::Client& client, experiments::Executor& executor,
                                     const experiments::Template& tpl, const std::string& paper_id,
                                     const std::string& feedback, const WriteupOptions& options) {
  SHOAL_TRY(before, store::get_paper(store, paper_id));
  if (before.status != "compiled" || before.tex_hash.empty())
    return fail(ErrorKind::invalid_input, "paper " + paper_id + " did not compile; only a compiled paper is revised");
  SHOAL_TRY(stored_tex, store::get_blob(store, before.tex_hash));
  std::string tex = paper::without_unverified_note(stored_tex);  // the model revises its own text
  std::string bib;
  if (!before.bib_hash.empty()) {
    SHOAL_TRY(stored_bib, store::get_blob(store, before.bib_hash));
    bib = std::move(stored_bib);
  }

  writing::Writer w{store, client, executor, options};
  w.stage = "revision";
  SHOAL_CHECK(writing::open_writer(w, tpl, before.idea_id));
  w.bib = bib;
  w.citations = nlohmann::json::parse(before.citations_json, nullptr, false);
  if (!w.citations.is_array()) w.citations = nlohmann::json::array();
  writing::refresh_system(w);

  SHOAL_TRY(reply, w.ask({llm::Message::user(render("writeup_revise",
                                                     {{"review", feedback},
                                                      {"results", w.results},
                                                      {"paper", tex},
                                                      {"reply_format", std::string(prompt("writeup_edit_format"))}}))},
                         options.document_max_tokens));
  std::string revised = writing::revised_document(tex, reply, options.work_dir.string() + "-revise");
  if (revised.empty() || revised == tex)
    return fail(ErrorKind::invalid_input, "the revision of paper " + paper_id + " changed nothing (the reply held no "
                                          "edit that applied and no whole document)");
  SHOAL_CHECK(writing::compile_with_fixes(w, revised));
  return writing::finish(w);
}

nlohmann::json RevisionOutcome::to_json() const {
  auto opt = [](const std::optional<double>& v) { return v ? nlohmann::json(*v) : nlohmann::json(nullptr); };
  return {{"before_paper_id", before_paper_id}, {"paper_id", after_paper_id},
          {"overall_before", opt(overall_before)}, {"overall_after", opt(overall_after)}};
}

Expected<RevisionOutcome> revise_and_review(store::Store& store, llm::Client& client, experiments::Executor& executor,
                                            const experiments::Template& tpl, const std::string& paper_id,
                                            const WriteupOptions& writeup, const ReviewOptions& review) {
  RevisionOutcome out;
  out.before_paper_id = paper_id;
  out.overall_before = overall_of(store, paper_id);
  SHOAL_TRY(feedback, review_feedback(store, paper_id));
  SHOAL_TRY(revised, revise_paper(store, client, executor, tpl, paper_id, feedback, writeup));
  out.after_paper_id = revised.paper.id;
  if (out.after_paper_id == paper_id)
    return fail(ErrorKind::invalid_input, "the revision of paper " + paper_id + " did not compile; the paper stays as it was");
  SHOAL_TRY(reviewed, review_paper(store, &client, executor, out.after_paper_id, review));
  (void)reviewed;
  out.overall_after = overall_of(store, out.after_paper_id);
  return out;
}

}  // namespace shoal::agent
