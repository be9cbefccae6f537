// shoal review PAPER.pdf: review any PDF with the configured model (NeurIPS form, ensemble,
// reflection, meta-review); shoal paper IDEA_ID: (re)write an idea's paper from its stored
// evidence, then review it.

#include <iomanip>
#include <iostream>

#include "agent/papers/reviewer.hpp"
#include "agent/papers/writeup.hpp"
#include "agent/stages/baseline.hpp"
#include "cli/command.hpp"
#include "core/file.hpp"
#include "core/scratch_dir.hpp"
#include "core/time.hpp"
#include "experiments/template.hpp"
#include "store/blobs.hpp"
#include "store/ideas.hpp"
#include "store/review_scores.hpp"
#include "store/runs.hpp"

namespace shoal::cli {
namespace fs = std::filesystem;
namespace {

struct ReviewArgs {
  std::string pdf, idea_id, model, template_dir, out;
  int ensemble = 0, reflections = -1;
  bool json = false, no_images = false, no_review = false, fresh = false;
};


std::string score(double v) {
  std::ostringstream s;
  s << std::setprecision(3) << v;
  return s.str();
}

// The form's scores (each out of its maximum), its decision, summary and weaknesses.
void print_form(const paper::ReviewForm& f, const std::string& heading) {
  std::cout << heading << "\n  ";
  const char* separator = "";
  for (const auto& s : store::review_scores()) {
    std::cout << separator << s.name << " " << score(f.*(s.field)) << "/" << s.max;
    separator = ", ";
  }
  std::cout << "\n  decision " << f.decision << "\n";
  if (!f.summary.empty()) std::cout << "  " << f.summary << "\n";
  for (const auto& w : f.weaknesses) std::cout << "  - weakness: " << w << "\n";
}

int run_review(Context& ctx, const ReviewArgs& a) {
  std::string model = a.model.empty() ? ctx.config().get("model") : a.model;
  if (model == "offline")
    throw ShoalError(fail(ErrorKind::invalid_input,
                          "shoal review needs an LLM: give --model (openai:MODEL, anthropic:MODEL, ollama:MODEL) or set "
                          "`model`; the offline agent writes no reviews"));
  auto pdf = read_file(a.pdf).value();
  auto client = ctx.session().client({.model = model, .fresh = a.fresh}).value();  // no home: nothing recorded, no response cache
  auto executor = ctx.session().executor("local").value();
  auto scratch = ScratchDir::create("shoal-review-").value();
  agent::ReviewOptions options = agent::review_options(agent::run_settings(ctx.config()));
  if (a.ensemble > 0) options.ensemble = a.ensemble;
  if (a.reflections >= 0) options.reflections = a.reflections;
  if (a.no_images) options.page_images = 0;
  options.work_dir = scratch->path() / "pdf";
  auto set = agent::review_pdf(*client, *executor, pdf, options).value();
  if (a.json) {
    std::cout << set.to_json().dump(2) << "\n";
  } else {
    std::cout << a.pdf << ": " << set.pages << " page(s), reviewed by " << set.model
              << (set.used_images ? " (text and page images)" : " (text only)") << "\n";
    for (size_t i = 0; i < set.reviews.size(); ++i) print_form(set.reviews[i], "review " + std::to_string(i + 1) + ":");
    for (const auto& f : set.failures) std::cout << "failed review: " << f.error << "\n";
    if (set.meta && set.reviews.size() > 1) print_form(*set.meta, "meta-review (mean scores):");
    if (!set.meta_note.empty()) std::cout << "note: " << set.meta_note << "\n";
  }
  if (set.reviews.empty())
    throw ShoalError(fail(ErrorKind::remote, "every review failed: " +
                                                 (set.failures.empty() ? std::string("none made") : set.failures.back().error)));
  return 0;
}

// The template folder of a run: --template, else the one its options name.
fs::path run_template(const store::Run& run, const std::string& given) {
  fs::path dir = given;
  if (dir.empty()) {
    auto j = nlohmann::json::parse(run.config_json, nullptr, false);
    if (!j.is_discarded() && j.contains("template_dir") && j["template_dir"].is_string()) dir = j["template_dir"].get<std::string>();
  }
  if (dir.empty() || !fs::is_directory(dir))
    throw ShoalError(fail(ErrorKind::not_found, "the template folder of run " + run.id + " (" +
                                                    (dir.empty() ? std::string("not recorded") : dir.string()) +
                                                    ") is not there: give it with --template DIR"));
  return dir;
}

int run_paper(Context& ctx, const ReviewArgs& a) {
  auto store = ctx.open_store(store::OpenMode::existing);
  auto idea = store::get_idea(store, a.idea_id).value();
  auto run = store::get_run(store, idea.run_id).value();
  auto tpl = experiments::load_template(run_template(run, a.template_dir)).value();
  if (auto metric = agent::run_metric(store, run.id).value()) agent::apply_metric(tpl, *metric);
  std::string model = !a.model.empty() ? a.model : !run.model.empty() ? run.model : ctx.config().get("model");
  std::unique_ptr<llm::Client> client;
  if (model != "offline") client = ctx.session().client({.model = model, .run_id = run.id, .fresh = a.fresh}).value();
  auto executor = ctx.session().executor("local").value();
  fs::path work = ctx.home() / "work" / run.id / idea.id / ("paper-cli-" + std::to_string(now_ms()));
  ensure_writable_dir(work.parent_path()).value();

  agent::RunSettings settings = agent::run_settings(ctx.config());
  agent::WriteupOptions options = agent::writeup_options(settings, tools::literature_options(ctx.config()));
  options.work_dir = work / "latex";
  auto written = agent::write_paper(store, client.get(), *executor, tpl, idea.id, options).value();
  const auto& p = written.paper;
  nlohmann::json out = written.to_json();
  if (!a.out.empty()) write_file_atomic(a.out, store::get_blob(store, p.pdf_hash).value()).value();
  if (!a.no_review) {
    agent::ReviewOptions review = agent::review_options(settings);
    review.work_dir = work / "review";
    auto reviewed = agent::review_paper(store, client.get(), *executor, p.id, review).value();
    out["review"] = reviewed.to_json();
  }
  std::error_code ec;
  fs::remove_all(work, ec);
  if (a.json) {
    std::cout << out.dump(2) << "\n";
    return 0;
  }
  auto unverified = nlohmann::json::parse(p.unverified_json, nullptr, false);
  std::cout << "paper " << p.id << " (attempt " << p.attempt << ", " << written.attempt_ids.size()
            << " attempt(s) this time): " << (p.pages ? std::to_string(*p.pages) : "?") << " page(s), "
            << (unverified.is_array() ? unverified.size() : 0) << " unverified number(s)"
            << (model == "offline" ? " [offline baseline agent: no LLM wrote it]" : "") << "\n";
  if (!a.out.empty()) std::cout << "PDF written to " << a.out << "\n";
  if (out.contains("review")) std::cout << "review: " << out["review"].dump() << "\n";
  return 0;
}

}  // namespace

void add_review_commands(CLI::App& app, Commands& commands) {
  static ReviewArgs args;
  auto* review = app.add_subcommand("review", "Review any PDF with the configured model (NeurIPS form)");
  review->add_option("PAPER", args.pdf, "The PDF to review")->required();
  review->add_option("--model", args.model, "openai:MODEL, anthropic:MODEL, ollama:MODEL (default: the model setting)");
  review->add_option("--ensemble", args.ensemble, "Independent reviews (default: review_ensemble)")->check(CLI::Range(1, 20));
  review->add_option("--reflections", args.reflections, "Reflection rounds per review (default: review_reflections)")
      ->check(CLI::Range(0, 10));
  review->add_flag("--no-images", args.no_images, "Send the text only, no page images");
  review->add_flag("--fresh", args.fresh, "Ask the model anew instead of answering from the response cache");
  review->add_flag("--json", args.json, "Print every review, the failures and the meta-review as JSON");
  commands.add(review, [](Context& ctx) { return run_review(ctx, args); });

  auto* paper = app.add_subcommand("paper", "(Re)write an idea's paper from its stored evidence, then review it");
  paper->add_option("IDEA_ID", args.idea_id, "The idea (see shoal status --json)")->required();
  paper->add_option("--model", args.model, "The model (default: the run's model; offline: the no-LLM baseline paper)");
  paper->add_option("--template", args.template_dir, "The template folder (default: the one the run recorded)");
  paper->add_option("--out", args.out, "Also write the PDF to this file");
  paper->add_flag("--no-review", args.no_review, "Write the paper only");
  paper->add_flag("--fresh", args.fresh, "Ask the model anew: a new paper and review, not the cached ones");
  paper->add_flag("--json", args.json, "Print the outcome as JSON");
  commands.add(paper, [](Context& ctx) { return run_paper(ctx, args); });
}

}  // namespace shoal::cli
