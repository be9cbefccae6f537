#include "agent/papers/offline_paper.hpp"

#include <algorithm>
#include <optional>
#include <set>

#include "agent/evidence.hpp"
#include "agent/papers/workspace.hpp"
#include "paper/assemble.hpp"
#include "paper/citations.hpp"
#include "paper/figures.hpp"
#include "paper/review_form.hpp"
#include "paper/unverified_note.hpp"
#include "tools/bibtex.hpp"

namespace shoal::agent {

nlohmann::json OfflinePaperResult::to_json() const {
  return {{"paper_id", paper.id},
          {"pages", paper.pages ? nlohmann::json(*paper.pages) : nlohmann::json(nullptr)},
          {"checks", checks.to_json()}};
}

namespace {

// What the idea studies, in words: the knob its runs vary (from the manifest), else its title.
std::string idea_description(const IdeaEvidence& ev, const experiments::Template& tpl) {
  std::set<std::string> varied;
  for (const auto& n : ev.done_nodes()) {
    std::string label = node_label(n, ev.baseline);
    auto eq = label.find(" = ");
    if (eq != std::string::npos && label.find(", ") == std::string::npos) varied.insert(label.substr(0, eq));
  }
  if (varied.size() == 1)
    for (const auto& knob : tpl.manifest.knobs)
      if (knob.flag == "--" + *varied.begin())
        return knob.description.empty() ? "the setting " + knob.flag
                                        : (knob.description.rfind("the ", 0) == 0 ? "" : "the ") + knob.description +
                                              " (" + knob.flag + ")";
  return ev.idea.title.empty() ? ev.idea.name : ev.idea.title;
}

// How the evolution searched (an idea made for search=evolve), counted from its stored nodes;
// none for a sweep.
std::optional<paper::SearchSummary> search_summary(store::Store& store, const IdeaEvidence& ev,
                                                   const experiments::Template& tpl) {
  auto idea = nlohmann::json::parse(ev.idea.idea_json, nullptr, false);
  if (!idea.is_object() || idea.value("search", "") != "evolve") return std::nullopt;
  paper::SearchSummary s;
  s.knobs = static_cast<int>(tpl.manifest.knobs.size());
  if (idea.contains("population") && idea["population"].is_number_integer()) s.population = idea["population"].get<int>();
  auto nodes = store::list_nodes(store, ev.idea.id);
  if (!nodes.ok()) return s;
  for (const auto& n : *nodes) {
    if (n.kind == "evolve" && (n.status == "done" || n.status == "failed")) {
      ++s.evaluations;
      if (n.status == "failed") ++s.failed;
      s.generations = std::max(s.generations, n.step);
    } else if (n.kind == "seed" && (n.status == "done" || n.status == "failed")) {
      ++s.seed_runs;
    }
  }
  // The chosen version: the best node gathered (a seed mean stands for its version).
  for (const auto& n : ev.done_nodes())
    if (n.kind == "evolve" || n.kind == "seed_mean") {
      s.best = node_label(n, ev.baseline);
      break;
    }
  return s;
}

}  // namespace

Expected<OfflinePaperResult> write_offline_paper(store::Store& store, experiments::Executor& executor,
                                                 const experiments::Template& tpl, const std::string& idea_id,
                                                 const OfflinePaperOptions& options) {
  SHOAL_TRY(ev, gather_evidence(store, idea_id, tpl.manifest.higher_is_better));
  SHOAL_TRY(ws, prepare_workspace(options.work_dir, tpl.dir, ev));

  paper::OfflinePaperInputs in;
  in.template_tex = ws.template_tex;
  in.template_name = tpl.manifest.name;
  in.template_description = tpl.manifest.description;
  in.idea_title = ev.idea.title.empty() ? ev.idea.name : ev.idea.title;
  in.idea_description = idea_description(ev, tpl);
  in.metric = tpl.manifest.metric;
  in.condition = tpl.manifest.condition;
  in.higher_is_better = tpl.manifest.higher_is_better;
  auto done = ev.done_nodes();
  in.search = search_summary(store, ev, tpl);
  if (in.search && !tpl.manifest.knobs.empty()) {
    std::string flags;
    for (size_t k = 0; k < tpl.manifest.knobs.size(); ++k)
      flags += (k == 0 ? "" : k + 1 == tpl.manifest.knobs.size() ? " and " : ", ") + tpl.manifest.knobs[k].flag;
    in.idea_description = "the combination of the settings " + flags;
  }
  in.metric_bound = experiments::metric_bound_of(tpl.manifest, ev.bound_command());
  if (ev.baseline && !ev.baseline->metrics_json.empty()) in.runs.push_back({"baseline", ev.baseline->metrics_json, true});
  std::stable_sort(done.begin(), done.end(),
                   [](const store::Node& a, const store::Node& b) { return a.created_ms < b.created_ms; });
  for (const auto& n : done) in.runs.push_back({node_label(n, ev.baseline), n.metrics_json, false});
  if (in.metric.empty() && !in.runs.empty()) {  // a template without a declared metric: its first one
    auto first = nlohmann::json::parse(in.runs.front().metrics_json, nullptr, false);
    if (first.is_object() && !first.empty() && first.begin()->contains("means") && !(*first.begin())["means"].empty())
      in.metric = (*first.begin())["means"].begin().key();
  }
  for (const auto& f : ws.figure_files) {
    std::string caption;
    for (const auto& p : ev.plots)
      if (p.name == f || std::filesystem::path(p.name).filename() == f) caption = p.caption;
    in.figures.push_back({f, caption});
  }

  auto bib_keys = tools::bib_keys(ws.template_bib);
  auto cleaned = paper::drop_unknown_citations(paper::offline_paper_tex(in), bib_keys);
  auto known = evidence_numbers(ev, tpl);
  if (in.search)  // the search's own counts, stated where the method is described
    for (int count : {in.search->knobs, in.search->population, in.search->evaluations, in.search->failed,
                      in.search->generations, in.search->seed_runs})
      known.push_back({.value = static_cast<double>(count), .origin = paper::KnownValue::Origin::task});
  auto claims = paper::check_claims(cleaned.tex, known);
  std::string tex = paper::with_unverified_note(cleaned.tex, static_cast<int>(claims.unmatched.size()));
  SHOAL_CHECK(write_sources(ws, tex, ws.template_bib));
  experiments::CancelToken never;
  SHOAL_TRY(compiled, paper::compile_latex(executor, ws.dir,
                                           {.main = ws.main, .timeout_s = options.latex_timeout_s,
                                            .overfull_threshold_pt = options.overfull_pt, .page_limit = options.page_limit},
                                           options.cancel ? *options.cancel : never));
  AttemptRecord attempt;
  attempt.tex = tex;
  attempt.bib = ws.template_bib;
  attempt.compile = &compiled;
  attempt.claims = std::move(claims);
  auto cited = tools::cited_keys(cleaned.tex);
  attempt.checks = paper::make_checks(&compiled, attempt.claims, paper::check_figures(cleaned.tex, ws.figure_files), cited,
                                      bib_keys, options.page_limit);
  for (const auto& key : cited) attempt.citations.push_back({{"key", key}, {"source", "template"}});
  auto problems = compiled.problems(options.page_limit);
  attempt.error = paper::describe_problems(problems);
  SHOAL_TRY(stored, store_attempt(store, idea_id, attempt));
  if (stored.status != "compiled")
    return fail(ErrorKind::invalid_input, "the offline paper of idea " + idea_id + " did not compile (attempt " +
                                              stored.id + ", its log is stored): " + attempt.error.substr(0, 1500));
  return OfflinePaperResult{stored, attempt.checks};
}

Expected<store::Review> record_automated_checks(store::Store& store, const std::string& paper_id) {
  SHOAL_TRY(p, store::get_paper(store, paper_id));
  auto j = nlohmann::json::parse(p.checks_json, nullptr, false);
  if (j.is_discarded()) j = nlohmann::json::object();
  return store::add_review(store, paper::automated_check_review(paper_id, paper::PaperChecks::from_json(j)));
}

}  // namespace shoal::agent
