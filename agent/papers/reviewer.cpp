#include "agent/papers/reviewer.hpp"

#include <algorithm>

#include "agent/evidence.hpp"

#include "llm/image.hpp"
#include "llm/structured.hpp"
#include "agent/prompts.hpp"
#include "agent/papers/offline_paper.hpp"
#include "core/log.hpp"
#include "core/text.hpp"
#include "paper/pdf_text.hpp"
#include "store/blobs.hpp"
#include "store/papers.hpp"
#include "store/review_scores.hpp"

namespace shoal::agent {
using nlohmann::json;

nlohmann::json ReviewSet::to_json() const {
  json j = {{"model", model}, {"pages", pages}, {"used_images", used_images}, {"reviews", json::array()},
            {"failures", json::array()}};
  for (const auto& r : reviews) j["reviews"].push_back(paper::form_to_json(r));
  for (const auto& f : failures) j["failures"].push_back({{"error", f.error}, {"reply", f.reply}});
  if (meta) j["meta"] = paper::form_to_json(*meta);
  if (!meta_note.empty()) j["meta_note"] = meta_note;
  return j;
}

nlohmann::json ReviewOutcome::to_json() const {
  json ids = json::array();
  for (const auto& r : reviews) ids.push_back(r.id);
  json j = {{"review_ids", ids}, {"failed", failed}};
  if (meta) {
    j["meta_id"] = meta->id;
    j["overall"] = meta->overall ? json(*meta->overall) : json(nullptr);
    j["decision"] = meta->decision;
  }
  return j;
}

ReviewOptions review_options(const RunSettings& s) {
  ReviewOptions o;
  o.ensemble = s.review_ensemble;
  o.reflections = s.review_reflections;
  o.page_images = s.review_page_images;
  o.accept_threshold = s.review_accept_threshold;
  return o;
}

namespace {

// The meta-review: the words of `words` (summary, strengths, ... ethical concerns) with the
// scores of `scores` (the ensemble's means).
paper::ReviewForm with_scores(paper::ReviewForm words, const paper::ReviewForm& scores) {
  for (const auto& s : store::review_scores()) words.*(s.field) = scores.*(s.field);
  return words;
}

bool fatal(const Error& e) { return e.kind == ErrorKind::budget_exceeded || e.kind == ErrorKind::cancelled; }

// One conversation with the model about one review.
struct Reviewer {
  llm::Client& client;
  const ReviewOptions& options;
  std::string idea_id;

  Expected<std::string> ask(const std::vector<llm::Message>& messages) {
    if (options.cancel && options.cancel->cancelled()) return fail(ErrorKind::cancelled, "the review was cancelled");
    llm::Request r;
    r.system = std::string(prompt("review_system"));
    r.messages = messages;
    r.max_tokens = options.max_tokens;
    r.temperature = options.temperature;
    SHOAL_TRY(reply, client.complete(std::move(r), {.stage = "review", .idea_id = idea_id}));
    return reply.text();
  }

  // Asks, and when the reply is not a valid form asks once more with the problem. The form,
  // or the error with the last reply in `raw`; `messages` gets the exchange appended.
  Expected<paper::ReviewForm> ask_form(std::vector<llm::Message>& messages, std::string& raw) {
    for (int attempt = 0; attempt < 2; ++attempt) {
      SHOAL_TRY(text, ask(messages));
      raw = text;
      messages.push_back(llm::Message::assistant(text));
      auto j = llm::extract_json(text);
      auto form = j.ok() ? paper::parse_review_form(*j) : Expected<paper::ReviewForm>(j.error());
      if (form.ok()) return form;
      if (attempt == 1) return fail(ErrorKind::remote, "the reply is not a valid review form after one re-ask: " + form.error().message);
      messages.push_back(llm::Message::user(
          render("review_reask", {{"problem", form.error().message}, {"fields", paper::form_fields_description()}})));
    }
    return fail(ErrorKind::internal, "unreachable");
  }
};

std::string reviews_text(const std::vector<paper::ReviewForm>& forms) {
  std::string out;
  for (size_t i = 0; i < forms.size(); ++i)
    out += "Review " + std::to_string(i + 1) + ":\n```json\n" + paper::form_to_json(forms[i]).dump(2) + "\n```\n\n";
  return out;
}

}  // namespace

Expected<ReviewSet> review_pdf(llm::Client& client, experiments::Executor& executor, const std::string& pdf,
                               const ReviewOptions& options, const std::string& idea_id) {
  if (options.work_dir.empty()) return fail(ErrorKind::invalid_input, "review_pdf needs a work folder");
  experiments::CancelToken never;
  SHOAL_TRY(content, paper::read_pdf(executor, pdf, options.work_dir,
                                     {.max_page_images = std::max(0, options.page_images), .dpi = options.dpi},
                                     options.cancel ? *options.cancel : never));
  ReviewSet set;
  set.pages = content.pages;
  set.model = client.model().id();
  set.page_pngs = content.page_pngs;
  std::vector<llm::ContentPart> images;
  for (size_t i = 0; i < content.page_pngs.size(); ++i) {
    auto part = llm::png_part(content.page_pngs[i], "page " + std::to_string(i + 1));
    if (part.ok()) images.push_back(*part);
  }
  std::string text = content.text.size() > options.max_text_chars
                         ? content.text.substr(0, options.max_text_chars) + "\n[... the rest of the text is cut ...]"
                         : content.text;
  Reviewer reviewer{client, options, idea_id};
  int n = std::max(1, options.ensemble);
  for (int i = 1; i <= n; ++i) {
    std::string ask = render(
        "review_paper",
        {{"reviewer", std::to_string(i)},
         {"reviewers", std::to_string(n)},
         {"paper", text},
         {"images", images.empty() ? "" : "The first " + std::to_string(images.size()) + " page(s) are attached as images, for the figures and layout.\n"},
         {"checks", options.context.empty() ? "" : "Automated checks of this paper:\n" + options.context + "\n"},
         {"fields", paper::form_fields_description()}});
    llm::Message first{"user", {llm::ContentPart::from_text(ask)}};
    for (const auto& img : images) first.parts.push_back(img);
    std::vector<llm::Message> messages = {first};
    std::string raw;
    auto form = reviewer.ask_form(messages, raw);
    if (!form.ok() && form.error().kind == ErrorKind::invalid_input && !images.empty() && raw.empty()) {
      // The model refused the request itself: most likely it takes no images. Text only from now on.
      log::warn("review", "the model refused a request with page images (" + form.error().message + "); reviewing text only");
      images.clear();
      messages = {llm::Message::user(ask)};
      form = reviewer.ask_form(messages, raw);
    }
    if (!form.ok()) {
      if (fatal(form.error())) return form.error();
      set.failures.push_back({form.error().message, raw});
      continue;
    }
    set.used_images = set.used_images || !images.empty();
    paper::ReviewForm current = *form;
    for (int round = 1; round <= options.reflections; ++round) {
      messages.push_back(llm::Message::user(render("review_reflect", {{"round", std::to_string(round)},
                                                                      {"rounds", std::to_string(options.reflections)},
                                                                      {"fields", paper::form_fields_description()}})));
      auto reply = reviewer.ask(messages);
      if (!reply.ok()) {
        if (fatal(reply.error())) return reply.error();
        log::warn("review", "reflection round failed, keeping the review: " + reply.error().message);
        break;
      }
      messages.push_back(llm::Message::assistant(*reply));
      auto j = llm::extract_json(*reply);
      if (auto better = j.ok() ? paper::parse_review_form(*j) : Expected<paper::ReviewForm>(j.error()); better.ok())
        current = *better;
      if (reply->find("I am done") != std::string::npos) break;
    }
    set.reviews.push_back(current);
  }
  if (set.reviews.empty()) return set;

  paper::ReviewForm meta = paper::mean_scores(set.reviews);
  if (set.reviews.size() == 1) {
    meta = with_scores(set.reviews[0], meta);
  } else {
    std::vector<llm::Message> messages = {llm::Message::user(
        render("review_meta", {{"count", std::to_string(set.reviews.size())},
                               {"paper", clip(text, 3000, "\n[...]")},
                               {"checks", options.context.empty() ? "" : "Automated checks and evidence:\n" + options.context},
                               {"reviews", reviews_text(set.reviews)},
                               {"fields", paper::form_fields_description()}}))};
    std::string raw;
    auto written = reviewer.ask_form(messages, raw);
    if (written.ok()) {
      meta = with_scores(*written, meta);
    } else if (fatal(written.error())) {
      return written.error();
    } else {
      set.meta_note = "the meta-review reply was unusable (" + written.error().message + "); its scores are the means";
      meta.summary = "Mean scores of " + std::to_string(set.reviews.size()) + " reviews.";
    }
  }
  meta.decision = meta.overall >= options.accept_threshold ? "accept" : "reject";
  set.meta = meta;
  return set;
}

Expected<ReviewOutcome> review_paper(store::Store& store, llm::Client* client, experiments::Executor& executor,
                                     const std::string& paper_id, const ReviewOptions& options) {
  ReviewOutcome out;
  if (!client) {
    SHOAL_TRY(record, record_automated_checks(store, paper_id));
    out.reviews.push_back(record);
    return out;
  }
  SHOAL_TRY(p, store::get_paper(store, paper_id));
  if (p.pdf_hash.empty())
    return fail(ErrorKind::invalid_input, "paper " + paper_id + " (attempt " + std::to_string(p.attempt) +
                                              ", " + p.status + ") has no PDF to review");
  SHOAL_TRY(pdf, store::get_blob(store, p.pdf_hash));
  ReviewOptions with_checks = options;
  if (with_checks.context.empty()) {
    auto checks = json::parse(p.checks_json, nullptr, false);
    auto unverified = json::parse(p.unverified_json, nullptr, false);
    if (!checks.is_discarded() && !checks.empty()) with_checks.context = paper::PaperChecks::from_json(checks).describe();
    if (!unverified.is_discarded() && !unverified.empty()) {
      with_checks.context += "Numbers in the paper that match no measured result:\n";
      for (const auto& u : unverified) with_checks.context += "- " + u.value("text", "") + ": \"" + u.value("context", "") + "\"\n";
    }
    // What the paper's numbers should come from: judge its claims against this.
    if (auto ev = gather_evidence(store, p.idea_id); ev.ok())
      with_checks.context += "\nThe evidence behind the paper, as measured and stored:\n" + evidence_digest(*ev);
  }
  SHOAL_TRY(set, review_pdf(*client, executor, pdf, with_checks, p.idea_id));

  SHOAL_TRY(existing, store::list_artifacts(store, "paper", paper_id));
  bool have_pages = std::any_of(existing.begin(), existing.end(), [](const store::Artifact& a) { return a.kind == "page_image"; });
  for (size_t i = 0; !have_pages && i < set.page_pngs.size(); ++i)
    SHOAL_CHECK(store::add_artifact(store, {"page_image", "page-" + std::to_string(i + 1) + ".png", "paper", paper_id, "image/png"},
                                    set.page_pngs[i]));

  for (const auto& form : set.reviews) {
    SHOAL_TRY(r, store::add_review(store, paper::to_store_review(form, paper_id, "ai", set.model)));
    out.reviews.push_back(r);
  }
  for (const auto& f : set.failures) {
    SHOAL_TRY(r, store::add_review(store, paper::failed_store_review(paper_id, set.model, f.error, f.reply)));
    out.reviews.push_back(r);
    ++out.failed;
  }
  if (set.meta) {
    auto row = paper::to_store_review(*set.meta, paper_id, "meta", set.model);
    auto extra = json::parse(row.scores_json);
    extra["reviews"] = set.reviews.size();
    extra["accept_threshold"] = options.accept_threshold;
    if (!set.meta_note.empty()) extra["note"] = set.meta_note;
    row.scores_json = extra.dump();
    SHOAL_TRY(meta, store::add_review(store, row));
    out.meta = meta;
  }
  if (set.reviews.empty())
    return fail(ErrorKind::remote, "every review of paper " + paper_id + " failed (stored as failed reviews): " +
                                       (set.failures.empty() ? std::string("no review was made") : set.failures.back().error));
  return out;
}

}  // namespace shoal::agent
