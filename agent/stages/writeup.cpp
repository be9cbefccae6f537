#include "agent/stages/writeup.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include "agent/evidence.hpp"
#include "agent/llm/structured.hpp"
#include "agent/prompts.hpp"
#include "agent/stages/paper_attempt.hpp"
#include "agent/stages/paper_offline.hpp"
#include "core/file.hpp"
#include "core/log.hpp"
#include "paper/assemble.hpp"
#include "paper/citations.hpp"
#include "paper/figures.hpp"
#include "paper/tex_text.hpp"
#include "tools/bibtex.hpp"
#include "tools/edit_blocks.hpp"

namespace shoal::agent {
namespace fs = std::filesystem;
using nlohmann::json;

nlohmann::json WriteupResult::to_json() const {
  return {{"paper_id", paper.id},
          {"attempt", paper.attempt},
          {"attempts", attempt_ids},
          {"pages", paper.pages ? json(*paper.pages) : json(nullptr)},
          {"unverified", json::parse(paper.unverified_json, nullptr, false)},
          {"citations_added", citations_added},
          {"dropped_citations", dropped_citations},
          {"llm_calls", llm_calls}};
}

WriteupOptions writeup_options(const Config& config) {
  WriteupOptions o;
  o.citation_rounds = static_cast<int>(config.get_int("paper_citation_rounds"));
  o.compile_rounds = static_cast<int>(config.get_int("paper_compile_rounds"));
  o.page_limit = static_cast<int>(config.get_int("paper_page_limit"));
  o.latex_timeout_s = config.get_double("latex_timeout_s");
  o.literature = tools::literature_options(config);
  return o;
}

namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::string trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\n\r");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t\n\r") - b + 1);
}

std::string clip(const std::string& s, size_t n) { return s.size() <= n ? s : s.substr(0, n) + "\n[...]"; }

// The LaTeX of a reply: its first ```latex (or ```tex, or plain ```) fenced block, else all of it.
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

// A section body from the model: without a \section heading it may have repeated, and without
// document-level commands.
std::string section_body(const std::string& reply) {
  std::string body = latex_of(reply);
  for (const char* bad : {"\\begin{document}", "\\end{document}", "\\maketitle"}) {
    for (size_t at = body.find(bad); at != std::string::npos; at = body.find(bad)) body.erase(at, std::string(bad).size());
  }
  std::string t = trim(body);
  if (t.rfind("\\section", 0) == 0) {
    size_t open = t.find('{');
    int depth = 0;
    size_t i = open;
    for (; open != std::string::npos && i < t.size(); ++i) {
      if (t[i] == '{') ++depth;
      else if (t[i] == '}' && --depth == 0) break;
    }
    if (open != std::string::npos && i < t.size()) t = trim(t.substr(i + 1));
  }
  return t;
}

// A whole document from the model, or "" when the reply holds none.
std::string document_of(const std::string& reply) {
  std::string tex = latex_of(reply);
  if (tex.find("\\begin{document}") == std::string::npos || tex.find("\\end{document}") == std::string::npos) return "";
  return tex + "\n";
}

// The document after a fix reply: its SEARCH/REPLACE blocks applied to `tex` (in a scratch
// copy under `scratch`), else the whole document it holds; "" when it holds neither or no
// block applied.
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

// The advice block of agent/prompts/writeup_tips.md for a section title.
std::string tips_for(const std::string& title) {
  std::string all(prompt("writeup_tips"));
  std::string t = lower(title);
  std::string key = "other";
  for (const char* k : {"abstract", "intro", "related", "method", "setup", "result", "conclusion"})
    if (t.find(k) != std::string::npos) {
      key = k;
      break;
    }
  if (key == "other" && (t.find("experiment") != std::string::npos)) key = "setup";
  if (key == "other" && (t.find("discussion") != std::string::npos)) key = "conclusion";
  size_t at = all.find("## " + key + "\n");
  if (at == std::string::npos) return "";
  size_t start = at + key.size() + 4;
  size_t end = all.find("\n## ", start);
  return trim(all.substr(start, end == std::string::npos ? std::string::npos : end - start));
}

// key -> title of the entries of a .bib text.
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

// Everything one write-up needs, shared by its steps.
struct Writer {
  store::Store& store;
  llm::Client& client;
  experiments::Executor& executor;
  const WriteupOptions& options;
  experiments::Template tpl;
  IdeaEvidence ev;
  PaperWorkspace ws;
  std::string system;   // the writer's system prompt with the whole context (stable across calls)
  std::string results;  // the measured results as text
  std::string bib;      // the template's .bib plus the entries the citation rounds added
  json citations = json::array();
  WriteupResult result;

  Status check_cancel() const {
    if (options.cancel && options.cancel->cancelled()) return fail(ErrorKind::cancelled, "the write-up was cancelled");
    return {};
  }

  llm::Request request(std::vector<llm::Message> messages, int max_tokens = 0) const {
    llm::Request r;
    r.system = system;
    r.messages = std::move(messages);
    r.max_tokens = max_tokens > 0 ? max_tokens : options.max_tokens;
    r.temperature = options.temperature;
    return r;
  }

  Expected<std::string> ask(std::vector<llm::Message> messages, int max_tokens = 0) {
    SHOAL_CHECK(check_cancel());
    ++result.llm_calls;
    SHOAL_TRY(reply, client.complete(request(std::move(messages), max_tokens), {.stage = "paper", .idea_id = ev.idea.id}));
    return reply.text();
  }

  Expected<json> ask_json(const std::string& text, const llm::Shape& shape) {
    SHOAL_CHECK(check_cancel());
    ++result.llm_calls;
    return llm::complete_json(client, request({llm::Message::user(text)}), shape, {.stage = "paper", .idea_id = ev.idea.id});
  }
};

// The measured results as the model sees them: the baseline, each run with its settings and
// its final_info.json, and how many runs failed.
std::string results_text(const IdeaEvidence& ev) {
  std::string out;
  if (ev.baseline)
    out += "Baseline (the template's code unchanged):\n```json\n" + clip(ev.baseline->metrics_json, 4000) + "\n```\n\n";
  else
    out += "No baseline result was stored.\n\n";
  auto done = ev.done_nodes();
  for (size_t i = 0; i < done.size() && i < 12; ++i) {
    const auto& n = done[i];
    out += "Run " + std::to_string(i + 1) + (i == 0 ? " (the best run)" : "") + ": " + node_label(n, ev.baseline);
    if (!n.plan.empty()) out += "\nWhat it changed: " + clip(n.plan, 600);
    out += "\n```json\n" + clip(n.metrics_json, 4000) + "\n```\n\n";
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

// Citation rounds: the model proposes a query, the tools search, the model picks.
Status citation_rounds(Writer& w) {
  std::set<std::string> titles;
  for (const auto& [key, title] : bib_titles(w.bib)) titles.insert(tools::normalize_query(title));
  for (int round = 1; round <= w.options.citation_rounds; ++round) {
    auto q = w.ask_json(render("writeup_cite_query", {{"round", std::to_string(round)},
                                                      {"rounds", std::to_string(w.options.citation_rounds)},
                                                      {"citations", citation_list(w.bib)}}),
                        {{"query", llm::JsonType::string}});
    if (!q.ok()) {
      if (q.error().kind == ErrorKind::budget_exceeded || q.error().kind == ErrorKind::cancelled) return q.error();
      log::warn("paper", "citation round " + std::to_string(round) + " ended: " + q.error().message);
      break;
    }
    std::string query = trim((*q)["query"].get<std::string>());
    if (query.empty() || (q->contains("done") && (*q)["done"].is_boolean() && (*q)["done"].get<bool>())) break;
    auto found = tools::search_papers(&w.store, query, w.options.literature_results, w.options.literature);
    if (!found.ok()) {
      log::warn("paper", "literature search for '" + query + "' failed: " + found.error().message);
      continue;
    }
    std::vector<tools::PaperRef> fresh;
    for (const auto& p : found->papers)
      if (!p.title.empty() && !titles.count(tools::normalize_query(p.title))) fresh.push_back(p);
    if (fresh.empty()) continue;
    std::string listing;
    for (size_t i = 0; i < fresh.size(); ++i) {
      const auto& p = fresh[i];
      std::string authors;
      for (size_t a = 0; a < p.authors.size() && a < 3; ++a) authors += (a ? ", " : "") + p.authors[a];
      if (p.authors.size() > 3) authors += " et al.";
      listing += std::to_string(i) + ": " + p.title + " (" + authors + ", " + std::to_string(p.year) +
                 (p.venue.empty() ? "" : ", " + p.venue) + ")\n   " + clip(p.abstract, 400) + "\n";
    }
    auto pick = w.ask_json(render("writeup_cite_select", {{"query", query}, {"results", listing}}),
                           {{"selected", llm::JsonType::array}});
    if (!pick.ok()) {
      if (pick.error().kind == ErrorKind::budget_exceeded || pick.error().kind == ErrorKind::cancelled) return pick.error();
      log::warn("paper", "citation choice ended: " + pick.error().message);
      continue;
    }
    auto taken = tools::bib_keys(w.bib);
    for (const auto& index : (*pick)["selected"]) {
      if (!index.is_number_integer()) continue;
      auto i = index.get<int64_t>();
      if (i < 0 || static_cast<size_t>(i) >= fresh.size()) continue;
      const auto& p = fresh[static_cast<size_t>(i)];
      if (titles.count(tools::normalize_query(p.title))) continue;
      std::string key = tools::cite_key(p, taken);
      taken.insert(key);
      titles.insert(tools::normalize_query(p.title));
      w.bib += (w.bib.empty() || w.bib.back() == '\n' ? "\n" : "\n\n") + tools::bibtex_entry(p, key);
      w.result.citations_added.push_back(key);
      w.citations.push_back({{"key", key}, {"title", p.title}, {"year", p.year}, {"engine", p.engine},
                             {"url", p.url}, {"doi", p.doi}, {"arxiv_id", p.arxiv_id}, {"query", query}});
    }
  }
  return {};
}

// Drafts every skeleton section (draft, then critique and refine), then the title and abstract.
Expected<paper::PaperDraft> draft_sections(Writer& w) {
  paper::PaperDraft draft;
  std::string so_far;
  for (const auto& title : paper::skeleton_sections(w.ws.template_tex)) {
    std::string ask_draft = render("writeup_section", {{"section", title},
                                                       {"tips", tips_for(title)},
                                                       {"skeleton", paper::skeleton_section_text(w.ws.template_tex, title)},
                                                       {"so_far", so_far.empty() ? "(none yet)" : so_far}});
    SHOAL_TRY(first, w.ask({llm::Message::user(ask_draft)}));
    std::string body = section_body(first);
    SHOAL_TRY(refined, w.ask({llm::Message::user(ask_draft), llm::Message::assistant(first),
                              llm::Message::user(render("writeup_refine", {{"section", title}, {"draft", body}}))}));
    std::string better = section_body(refined);
    if (!better.empty()) body = better;
    draft.sections[title] = body;
    so_far += "\\section{" + title + "}\n" + body + "\n\n";
  }
  auto head = w.ask_json(render("writeup_title_abstract", {{"so_far", so_far}}),
                         {{"title", llm::JsonType::string}, {"abstract", llm::JsonType::string}});
  if (head.ok()) {
    draft.title = trim((*head)["title"].get<std::string>());
    draft.abstract = trim((*head)["abstract"].get<std::string>());
  } else if (head.error().kind == ErrorKind::budget_exceeded || head.error().kind == ErrorKind::cancelled) {
    return head.error();
  } else {
    log::warn("paper", "no title and abstract from the model: " + head.error().message);
  }
  if (draft.title.empty()) draft.title = tools::escape_latex(w.ev.idea.title.empty() ? w.ev.idea.name : w.ev.idea.title);
  if (draft.abstract.empty() && !draft.sections.empty()) {
    const std::string& intro = draft.sections.begin()->second;
    draft.abstract = intro.substr(0, intro.find("\n\n"));
  }
  return draft;
}

// One pass over the whole paper; the sections the model rewrites replace the drafts.
Status final_pass(Writer& w, paper::PaperDraft& draft) {
  auto changes = w.ask_json(render("writeup_final", {{"paper", paper::fill_skeleton(w.ws.template_tex, draft)}}),
                            {{"changes", llm::JsonType::object}});
  if (!changes.ok()) {
    if (changes.error().kind == ErrorKind::budget_exceeded || changes.error().kind == ErrorKind::cancelled)
      return changes.error();
    log::warn("paper", "final pass skipped: " + changes.error().message);
    return {};
  }
  for (auto it = (*changes)["changes"].begin(); it != (*changes)["changes"].end(); ++it) {
    if (!it.value().is_string()) continue;
    std::string body = section_body(it.value().get<std::string>());
    if (body.empty()) continue;
    if (lower(it.key()) == "abstract") draft.abstract = body;
    else if (lower(it.key()) == "title") draft.title = body;
    else
      for (auto& [title, old] : draft.sections)
        if (lower(title) == lower(trim(it.key()))) old = body;
  }
  return {};
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
  for (const auto& c : r.unmatched) out += "- " + c.text + " (" + c.section + "): \"..." + c.context + "...\"\n";
  return out;
}

}  // namespace

Expected<WriteupResult> write_paper(store::Store& store, llm::Client* client, experiments::Executor& executor,
                                    const fs::path& template_dir, const std::string& idea_id,
                                    const WriteupOptions& options) {
  if (!client) {
    SHOAL_TRY(offline, write_offline_paper(store, executor, template_dir, idea_id,
                                           {.work_dir = options.work_dir, .latex_timeout_s = options.latex_timeout_s,
                                            .page_limit = options.page_limit, .overfull_pt = options.overfull_pt,
                                            .cancel = options.cancel}));
    WriteupResult r;
    r.paper = offline.paper;
    r.attempt_ids = {offline.paper.id};
    return r;
  }
  if (options.work_dir.empty()) return fail(ErrorKind::invalid_input, "write_paper needs a work folder");
  SHOAL_TRY(tpl, experiments::load_template(template_dir));
  SHOAL_TRY(ev, gather_evidence(store, idea_id, tpl.manifest.higher_is_better));
  SHOAL_TRY(ws, prepare_workspace(options.work_dir, template_dir, ev));
  Writer w{store, *client, executor, options, tpl, ev, ws};
  w.bib = ws.template_bib;
  w.results = results_text(ev);

  std::string template_system, task;
  if (auto p = read_file(template_dir / "prompt.json"); p.ok()) {
    auto j = json::parse(*p, nullptr, false);
    if (!j.is_discarded()) {
      template_system = j.value("system", "");
      task = j.value("task_description", "");
    }
  }
  auto make_system = [&] {
    return render("writeup_system", {{"template_system", template_system}}) + "\n\n" +
           render("writeup_context",
                  {{"task", task.empty() ? tpl.manifest.description : task},
                   {"idea", ev.idea.title + "\n```json\n" + clip(ev.idea.idea_json, 4000) + "\n```"},
                   {"metric", tpl.manifest.metric},
                   {"direction", tpl.manifest.higher_is_better ? "higher is better" : "lower is better"},
                   {"results", w.results},
                   {"figures", figures_text(w)},
                   {"notes", ev.notes.empty() ? "(none)" : clip(ev.notes, 6000)},
                   {"citations", citation_list(w.bib)}});
  };
  w.system = make_system();

  SHOAL_CHECK(citation_rounds(w));
  w.system = make_system();  // now with the added citation keys
  SHOAL_TRY(draft, draft_sections(w));
  SHOAL_CHECK(final_pass(w, draft));
  std::string tex = paper::fill_skeleton(ws.template_tex, draft);

  auto known = evidence_numbers(ev, tpl);
  const fs::path edit_dir = options.work_dir.string() + "-edits";
  int fix_rounds_left = options.compile_rounds;
  bool claims_fed = !options.claim_feedback;
  std::string last_problems;
  for (int round = 1;; ++round) {
    SHOAL_CHECK(w.check_cancel());
    auto keys = tools::bib_keys(w.bib);
    auto cleaned = paper::drop_unknown_citations(tex, keys);
    for (const auto& k : cleaned.dropped)
      if (std::find(w.result.dropped_citations.begin(), w.result.dropped_citations.end(), k) ==
          w.result.dropped_citations.end())
        w.result.dropped_citations.push_back(k);
    tex = cleaned.tex;
    SHOAL_CHECK(write_sources(ws, tex, w.bib));
    experiments::CancelToken never;
    SHOAL_TRY(compiled, paper::compile_latex(executor, ws.dir,
                                             {.main = ws.main, .timeout_s = options.latex_timeout_s,
                                              .overfull_threshold_pt = options.overfull_pt, .page_limit = options.page_limit},
                                             options.cancel ? *options.cancel : never));
    AttemptRecord attempt;
    attempt.tex = tex;
    attempt.bib = w.bib;
    attempt.compile = &compiled;
    attempt.claims = paper::check_claims(tex, known);
    auto figures = paper::check_figures(tex, ws.figure_files);
    auto cited = tools::cited_keys(tex);
    attempt.checks = paper::make_checks(&compiled, attempt.claims, figures, cited, keys, options.page_limit);
    for (const auto& key : cited) {
      auto added = std::find_if(w.citations.begin(), w.citations.end(), [&](const json& c) { return c["key"] == key; });
      attempt.citations.push_back(added != w.citations.end() ? *added : json{{"key", key}, {"source", "template"}});
    }
    auto problems = fix_problems(compiled, figures, options.page_limit);
    last_problems = paper::describe_problems(problems);
    attempt.error = last_problems;
    SHOAL_TRY(stored, store_attempt(store, idea_id, attempt));
    w.result.attempt_ids.push_back(stored.id);
    log::info("paper", "idea " + idea_id + ": attempt " + std::to_string(stored.attempt) + " " + stored.status +
                           (problems.empty() ? "" : " with " + std::to_string(problems.size()) + " problem(s)"));

    if (!problems.empty() && fix_rounds_left > 0) {
      std::string chktex;
      if (!compiled.chktex_problems.empty())
        chktex = "chktex also warns (fix these only where they are real mistakes):\n" +
                 paper::describe_problems(compiled.chktex_problems, 15);
      std::string figure_list;
      for (const auto& f : ws.figure_files) figure_list += (figure_list.empty() ? "" : ", ") + f;
      std::string key_list;
      for (const auto& k : keys) key_list += (key_list.empty() ? "" : ", ") + k;
      // A reply with no usable change uses up its round without a compile.
      std::string fixed;
      while (fixed.empty() && fix_rounds_left > 0) {
        --fix_rounds_left;
        SHOAL_TRY(reply, w.ask({llm::Message::user(render(
                           "writeup_fix", {{"round", std::to_string(options.compile_rounds - fix_rounds_left)},
                                           {"rounds", std::to_string(options.compile_rounds)},
                                           {"problems", last_problems},
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

  bool any_compiled = false;
  for (const auto& id : w.result.attempt_ids) {
    SHOAL_TRY(p, store::get_paper(store, id));
    any_compiled = any_compiled || p.status == "compiled";
  }
  if (!any_compiled)
    return fail(ErrorKind::invalid_input,
                "the paper of idea " + idea_id + " did not compile in " + std::to_string(w.result.attempt_ids.size()) +
                    " attempt(s); every attempt and its log are stored (last: " + w.result.attempt_ids.back() +
                    "). Its last problems:\n" + last_problems.substr(0, 2000));
  // The newest compiled attempt: a later attempt that failed does not replace it.
  SHOAL_TRY(best, store::best_paper(store, idea_id));
  w.result.paper = *best;
  return w.result;
}

}  // namespace shoal::agent
