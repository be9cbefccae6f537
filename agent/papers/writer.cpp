#include "agent/papers/writer.hpp"

#include <algorithm>
#include <cctype>

#include "agent/prompts.hpp"
#include "core/file.hpp"
#include "core/log.hpp"
#include "paper/citations.hpp"
#include "paper/unverified_note.hpp"
#include "tools/bibtex.hpp"
#include "tools/edit_blocks.hpp"
#include "core/text.hpp"
#include "experiments/results_digest.hpp"

namespace shoal::agent::writing {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// A whole document from the model, or "" when the reply holds none.
// A whole document from the model, or "" when the reply holds none.
std::string document_of(const std::string& reply) {
  std::string tex = latex_of(reply);
  if (tex.find("\\begin{document}") == std::string::npos || tex.find("\\end{document}") == std::string::npos) return "";
  return tex + "\n";
}

// The measured results as the model sees them: the baseline, each run with its settings and
// the digest of its final_info.json (arrays summarised), and how many runs failed.
std::string results_text(const IdeaEvidence& ev, const experiments::TemplateManifest& m) {
  std::optional<experiments::MetricBound> bound;
  if (auto b = experiments::metric_bound_of(m, ev.bound_command())) bound = experiments::MetricBound{m.metric, *b};
  std::string out;
  if (ev.baseline)
    out += "Baseline (the template's code unchanged):\n" + experiments::results_digest(ev.baseline->metrics_json, 1500, bound) + "\n";
  else
    out += "No baseline result was stored.\n\n";
  auto done = ev.done_nodes();
  for (size_t i = 0; i < done.size() && i < 12; ++i) {
    const auto& n = done[i];
    out += "Run " + std::to_string(i + 1) + (i == 0 ? " (the idea's chosen version)" : "") + ": " + node_label(n, ev.baseline);
    out += n.kind == "seed_mean" ? "\nMean over its seed re-runs (\"seeds\" says how many); ± is the standard error across seeds."
                                 : "\nA single run.";
    if (!n.plan.empty()) out += "\nWhat it changed: " + clip(n.plan, 600);
    out += "\nResults:\n" + experiments::results_digest(n.metrics_json, 1500, bound) + "\n";
  }
  size_t failed = ev.nodes.size() - done.size();
  if (failed) out += std::to_string(failed) + " other run(s) failed and produced no results.\n";
  return out;
}

std::string figures_text(const Writer& w) {
  std::string out;
  for (const auto& f : w.ws.figure_files) {
    std::string caption;
    for (const auto& p : w.ev.plots)
      if (fs::path(p.name).filename() == f) caption = p.caption;
    out += "- " + f + (caption.empty() ? "" : ": " + caption) + "\n";
  }
  return out.empty() ? "(no figures)\n" : out;
}


// Problems a fix round is asked to solve: the compile's problems and figures that are missing.
std::vector<paper::LatexProblem> fix_problems(const paper::CompileResult& c, const paper::FigureCheck& figures,
                                              int page_limit) {
  auto problems = c.problems(page_limit);
  for (const auto& f : figures.missing) {
    bool listed = std::any_of(problems.begin(), problems.end(), [&](const paper::LatexProblem& p) {
      return p.kind == "missing_figure" && p.message.find(f) != std::string::npos;
    });
    if (!listed) problems.push_back({.kind = "missing_figure", .message = "figure `" + f + "' does not exist"});
  }
  return problems;
}

std::string claims_text(const paper::ClaimReport& r) {
  std::string out;
  for (const auto& c : r.unmatched) {
    out += "- " + c.text + " (" + c.section + "): \"..." + c.context + "...\"";
    if (c.problem == "wrong_result")
      out += " -- its sentence names " + c.names + ", but the number is " + c.source;
    else if (c.problem == "setup_number")
      out += " -- the number is only in " + c.source + ", and this sentence states it as a result";
    out += "\n";
  }
  return out;
}


}  // namespace

// Long texts in the writer's prompts end with this mark where they were cut.
std::string clip(std::string_view s, size_t n) { return shoal::clip(s, n, kClipMark); }


std::map<std::string, std::string> named_latex_blocks(const std::string& reply) {
  std::map<std::string, std::string> out;
  const std::string open = "```latex";
  for (size_t at = reply.find(open); at != std::string::npos; at = reply.find(open, at)) {
    size_t line_end = reply.find('\n', at);
    if (line_end == std::string::npos) break;
    std::string name = lower(trim(reply.substr(at + open.size(), line_end - at - open.size())));
    size_t close = reply.find("\n```", line_end);
    if (close == std::string::npos) break;
    if (!name.empty()) out[name] = reply.substr(line_end + 1, close - line_end - 1);
    at = close + 4;
  }
  return out;
}

std::string latex_of(const std::string& reply) {
  for (const char* fence : {"```latex", "```tex", "```"}) {
    size_t open = reply.find(fence);
    if (open == std::string::npos) continue;
    size_t start = reply.find('\n', open);
    if (start == std::string::npos) continue;
    size_t close = reply.find("```", start + 1);
    if (close == std::string::npos) return trim(reply.substr(start + 1));
    return trim(reply.substr(start + 1, close - start - 1));
  }
  return trim(reply);
}


std::string revised_document(const std::string& tex, const std::string& reply, const fs::path& scratch) {
  auto blocks = tools::parse_edit_blocks(reply);
  if (blocks.ok() && !blocks->empty()) {
    std::error_code ec;
    fs::remove_all(scratch, ec);
    fs::create_directories(scratch, ec);
    if (!write_file_atomic(scratch / "template.tex", tex).ok()) return "";
    auto outcome = tools::apply_edit_blocks(scratch, *blocks, {"template.tex"});
    for (const auto& f : outcome.failures) log::warn("paper", "an edit of the fix round did not apply: " + f);
    if (outcome.changed_files.empty()) return "";
    return read_file(scratch / "template.tex").value_or("");
  }
  return document_of(reply);
}


std::map<std::string, std::string> bib_titles(const std::string& bib) {
  std::map<std::string, std::string> out;
  for (const auto& key : tools::bib_keys(bib)) {
    size_t at = bib.find("{" + key + ",");
    if (at == std::string::npos) continue;
    size_t next = bib.find("\n@", at);
    std::string entry = bib.substr(at, next == std::string::npos ? std::string::npos : next - at);
    std::string low = lower(entry);
    size_t t = low.find("title");
    while (t != std::string::npos && t > 0 && std::isalpha(static_cast<unsigned char>(low[t - 1])))
      t = low.find("title", t + 1);  // not booktitle
    std::string title;
    if (t != std::string::npos) {
      size_t open = entry.find_first_of("{\"", t);
      if (open != std::string::npos) {
        char close = entry[open] == '{' ? '}' : '"';
        int depth = 0;
        for (size_t i = open; i < entry.size(); ++i) {
          if (entry[i] == '{') ++depth;
          if (entry[i] == close && (close == '"' ? i > open : --depth == 0)) {
            title = entry.substr(open + 1, i - open - 1);
            break;
          }
        }
      }
    }
    title.erase(std::remove(title.begin(), title.end(), '{'), title.end());
    title.erase(std::remove(title.begin(), title.end(), '}'), title.end());
    out[key] = title;
  }
  return out;
}

std::string citation_list(const std::string& bib) {
  std::string out;
  for (const auto& [key, title] : bib_titles(bib)) out += "- " + key + ": " + title + "\n";
  return out.empty() ? "(none)\n" : out;
}


Status Writer::check_cancel() const {
  if (options.cancel && options.cancel->cancelled()) return fail(ErrorKind::cancelled, "the write-up was cancelled");
  return {};
}

llm::Request Writer::request(std::vector<llm::Message> messages, int max_tokens) const {
  llm::Request r;
  r.system = system;
  r.messages = std::move(messages);
  r.max_tokens = max_tokens > 0 ? max_tokens : options.max_tokens;
  r.temperature = options.temperature;
  return r;
}

Expected<std::string> Writer::ask(std::vector<llm::Message> messages, int max_tokens) {
  SHOAL_CHECK(check_cancel());
  ++result.llm_calls;
  SHOAL_TRY(reply, client.complete(request(std::move(messages), max_tokens), {.stage = stage, .idea_id = ev.idea.id}));
  return reply.text();
}

Expected<json> Writer::ask_json(const std::string& text, const llm::Shape& shape) {
  SHOAL_CHECK(check_cancel());
  ++result.llm_calls;
  return llm::complete_json(client, request({llm::Message::user(text)}), shape, {.stage = stage, .idea_id = ev.idea.id});
}

Status open_writer(Writer& w, const experiments::Template& tpl, const std::string& idea_id) {
  if (w.options.work_dir.empty()) return fail(ErrorKind::invalid_input, "a write-up needs a work folder");
  SHOAL_TRY(ev, gather_evidence(w.store, idea_id, tpl.manifest.higher_is_better));
  SHOAL_TRY(ws, prepare_workspace(w.options.work_dir, tpl.dir, ev));
  w.tpl = tpl;
  w.ev = std::move(ev);
  w.ws = std::move(ws);
  w.bib = w.ws.template_bib;
  w.results = results_text(w.ev, w.tpl.manifest);
  if (auto p = read_file(tpl.dir / "prompt.json"); p.ok()) {
    auto j = json::parse(*p, nullptr, false);
    if (j.is_object()) {
      w.template_system = j.value("system", "");
      w.task = j.value("task_description", "");
    }
  }
  refresh_system(w);
  return {};
}

void refresh_system(Writer& w) {
  w.system = render("writeup_system", {{"template_system", w.template_system}}) + "\n\n" +
             render("writeup_context",
                    {{"task", w.task.empty() ? w.tpl.manifest.description : w.task},
                     {"idea", w.ev.idea.title + "\n```json\n" + clip(w.ev.idea.idea_json, 4000) + "\n```"},
                     {"metric", w.tpl.manifest.metric},
                     {"direction", w.tpl.manifest.higher_is_better ? "higher is better" : "lower is better"},
                     {"results", w.results},
                     {"figures", figures_text(w)},
                     {"notes", w.ev.notes.empty() ? "(none)" : clip(w.ev.notes, 6000)},
                     {"citations", citation_list(w.bib)}});
}

Status compile_with_fixes(Writer& w, std::string tex) {
  const auto& options = w.options;
  const std::string& idea_id = w.ev.idea.id;
  auto known = evidence_numbers(w.ev, w.tpl);
  const fs::path edit_dir = options.work_dir.string() + "-edits";
  int fix_rounds_left = options.compile_rounds;
  bool claims_fed = !options.claim_feedback;
  for (int round = 1;; ++round) {
    SHOAL_CHECK(w.check_cancel());
    auto keys = tools::bib_keys(w.bib);
    auto cleaned = paper::drop_unknown_citations(tex, keys);
    for (const auto& k : cleaned.dropped)
      if (std::find(w.result.dropped_citations.begin(), w.result.dropped_citations.end(), k) ==
          w.result.dropped_citations.end())
        w.result.dropped_citations.push_back(k);
    // The model's text never carries the note; the compiled one does while numbers are unverified.
    tex = paper::without_unverified_note(cleaned.tex);
    auto claims = paper::check_claims(tex, known);
    std::string noted = paper::with_unverified_note(tex, static_cast<int>(claims.unmatched.size()));
    SHOAL_CHECK(write_sources(w.ws, noted, w.bib));
    experiments::CancelToken never;
    SHOAL_TRY(compiled, paper::compile_latex(w.executor, w.ws.dir,
                                             {.main = w.ws.main, .timeout_s = options.latex_timeout_s,
                                              .overfull_threshold_pt = options.overfull_pt, .page_limit = options.page_limit},
                                             options.cancel ? *options.cancel : never));
    AttemptRecord attempt;
    attempt.tex = noted;
    attempt.bib = w.bib;
    attempt.compile = &compiled;
    attempt.claims = std::move(claims);
    auto figures = paper::check_figures(tex, w.ws.figure_files);
    auto cited = tools::cited_keys(tex);
    attempt.checks = paper::make_checks(&compiled, attempt.claims, figures, cited, keys, options.page_limit);
    for (const auto& key : cited) {
      auto added = std::find_if(w.citations.begin(), w.citations.end(), [&](const json& c) { return c["key"] == key; });
      attempt.citations.push_back(added != w.citations.end() ? *added : json{{"key", key}, {"source", "template"}});
    }
    auto problems = fix_problems(compiled, figures, options.page_limit);
    w.last_problems = paper::describe_problems(problems);
    attempt.error = w.last_problems;
    SHOAL_TRY(stored, store_attempt(w.store, idea_id, attempt));
    w.result.attempt_ids.push_back(stored.id);
    log::info("paper", "idea " + idea_id + ": attempt " + std::to_string(stored.attempt) + " " + stored.status +
                           (problems.empty() ? "" : " with " + std::to_string(problems.size()) + " problem(s)"));

    if (!problems.empty() && fix_rounds_left > 0) {
      std::string chktex;
      if (!compiled.chktex_problems.empty())
        chktex = "chktex also warns (fix these only where they are real mistakes):\n" +
                 paper::describe_problems(compiled.chktex_problems, 15);
      std::string figure_list;
      for (const auto& f : w.ws.figure_files) figure_list += (figure_list.empty() ? "" : ", ") + f;
      std::string key_list;
      for (const auto& k : keys) key_list += (key_list.empty() ? "" : ", ") + k;
      // A reply with no usable change uses up its round without a compile.
      std::string fixed;
      while (fixed.empty() && fix_rounds_left > 0) {
        --fix_rounds_left;
        SHOAL_TRY(reply, w.ask({llm::Message::user(render(
                           "writeup_fix", {{"round", std::to_string(options.compile_rounds - fix_rounds_left)},
                                           {"rounds", std::to_string(options.compile_rounds)},
                                           {"problems", w.last_problems},
                                           {"chktex", chktex},
                                           {"figures", figure_list.empty() ? "(none)" : figure_list},
                                           {"keys", key_list.empty() ? "(none)" : key_list},
                                           {"paper", tex},
                                           {"reply_format", std::string(prompt("writeup_edit_format"))}}))},
                             options.document_max_tokens));
        fixed = revised_document(tex, reply, edit_dir);
        if (fixed == tex) fixed.clear();
      }
      if (fixed.empty()) break;
      tex = fixed;
      continue;
    }
    if (stored.status == "compiled" && !attempt.claims.unmatched.empty() && !claims_fed) {
      claims_fed = true;
      SHOAL_TRY(reply, w.ask({llm::Message::user(render(
                                 "writeup_claims", {{"claims", claims_text(attempt.claims)},
                                                    {"results", w.results},
                                                    {"paper", tex},
                                                    {"reply_format", std::string(prompt("writeup_edit_format"))}}))},
                             options.document_max_tokens));
      if (auto fixed = revised_document(tex, reply, edit_dir); !fixed.empty() && fixed != tex) {
        tex = fixed;
        continue;
      }
    }
    break;
  }

  return {};
}

Expected<WriteupResult> finish(Writer& w) {
  const std::string& idea_id = w.ev.idea.id;
  if (w.result.attempt_ids.empty())
    return fail(ErrorKind::invalid_input, "the paper of idea " + idea_id + " made no compile attempt");
  bool any_compiled = false;
  for (const auto& id : w.result.attempt_ids) {
    SHOAL_TRY(p, store::get_paper(w.store, id));
    any_compiled = any_compiled || p.status == "compiled";
  }
  if (!any_compiled)
    return fail(ErrorKind::invalid_input,
                "the paper of idea " + idea_id + " did not compile in " + std::to_string(w.result.attempt_ids.size()) +
                    " attempt(s); every attempt and its log are stored (last: " + w.result.attempt_ids.back() +
                    "). Its last problems:\n" + w.last_problems.substr(0, 2000));
  // The newest compiled attempt: a later attempt that failed does not replace it.
  SHOAL_TRY(best, store::best_paper(w.store, idea_id));
  w.result.paper = *best;
  return w.result;
}


}  // namespace shoal::agent::writing
