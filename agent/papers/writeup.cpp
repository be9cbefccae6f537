#include "agent/papers/writeup.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include "agent/evidence.hpp"
#include "llm/structured.hpp"
#include "agent/prompts.hpp"
#include "agent/papers/workspace.hpp"
#include "agent/papers/writer.hpp"
#include "agent/papers/offline_paper.hpp"
#include "core/file.hpp"
#include "core/log.hpp"
#include "paper/assemble.hpp"
#include "paper/citations.hpp"
#include "paper/figures.hpp"
#include "paper/tex_text.hpp"
#include "tools/bibtex.hpp"
#include "tools/edit_blocks.hpp"
#include "core/text.hpp"

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
          {"literature_unreachable", literature_unreachable},
          {"llm_calls", llm_calls}};
}

WriteupOptions writeup_options(const RunSettings& s, const tools::LiteratureOptions& literature) {
  WriteupOptions o;
  o.citation_rounds = s.citation_rounds;
  o.compile_rounds = s.compile_rounds;
  o.page_limit = s.page_limit;
  o.latex_timeout_s = s.latex_timeout_s;
  o.literature = literature;
  return o;
}

namespace {
using writing::Writer;
using writing::clip;
using writing::latex_of;
using writing::bib_titles;
using writing::citation_list;

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


// Citation rounds: the model proposes a query, the tools search, the model picks.
Status citation_rounds(Writer& w) {
  std::set<std::string> titles;
  for (const auto& [key, title] : bib_titles(w.bib)) titles.insert(tools::normalize_query(title));
  std::string previous;  // what became of the last round's search, for the model
  int failed_in_a_row = 0;
  for (int round = 1; round <= w.options.citation_rounds; ++round) {
    auto q = w.ask_json(render("writeup_cite_query", {{"round", std::to_string(round)},
                                                      {"rounds", std::to_string(w.options.citation_rounds)},
                                                      {"citations", citation_list(w.bib)},
                                                      {"previous", previous}}),
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
      w.citations_unreachable = true;
      if (++failed_in_a_row >= 2) break;  // the engines are down: more rounds would only wait
      previous = "The last search (\"" + query + "\") could not be run: every literature engine failed (" +
                 found.error().message + "). The citations above are all there is unless this search works.\n\n";
      continue;
    }
    failed_in_a_row = 0;
    std::vector<tools::PaperRef> fresh;
    for (const auto& p : found->papers)
      if (!p.title.empty() && !titles.count(tools::normalize_query(p.title))) fresh.push_back(p);
    if (fresh.empty()) {
      previous = "The last search (\"" + query + "\") found nothing that is not cited already; try other words.\n\n";
      continue;
    }
    previous.clear();
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
  auto head = w.ask({llm::Message::user(render("writeup_title_abstract", {{"so_far", so_far}}))});
  if (head.ok()) {
    auto blocks = writing::named_latex_blocks(*head);
    draft.title = trim(blocks["title"]);
    draft.abstract = trim(blocks["abstract"]);
    if (draft.title.empty() || draft.abstract.empty())
      log::warn("paper", "the title and abstract reply lacks a ```latex title or ```latex abstract block");
  } else if (head.error().kind == ErrorKind::budget_exceeded || head.error().kind == ErrorKind::cancelled) {
    return head.error();
  } else {
    log::warn("paper", "no title and abstract from the model: " + head.error().message);
  }
  if (draft.title.empty()) draft.title = tools::escape_latex(w.ev.idea.title.empty() ? w.ev.idea.name : w.ev.idea.title);
  // Without one from the model, the abstract is the first paragraph of the paper's first section
  // (in the skeleton's order, not the map's alphabetical one).
  if (draft.abstract.empty())
    for (const auto& title : paper::skeleton_sections(w.ws.template_tex))
      if (auto it = draft.sections.find(title); it != draft.sections.end() && !it->second.empty()) {
        draft.abstract = it->second.substr(0, it->second.find("\n\n"));
        break;
      }
  return draft;
}

// One pass over the whole paper; the sections the model rewrites replace the drafts.
Status final_pass(Writer& w, paper::PaperDraft& draft) {
  auto reply = w.ask({llm::Message::user(render("writeup_final", {{"paper", paper::fill_skeleton(w.ws.template_tex, draft)}}))});
  if (!reply.ok()) {
    if (reply.error().kind == ErrorKind::budget_exceeded || reply.error().kind == ErrorKind::cancelled)
      return reply.error();
    log::warn("paper", "final pass skipped: " + reply.error().message);
    return {};
  }
  for (const auto& [name, text] : writing::named_latex_blocks(*reply)) {
    std::string body = name == "title" ? trim(text) : section_body("```latex\n" + text + "\n```");
    if (body.empty()) continue;
    if (name == "abstract") draft.abstract = body;
    else if (name == "title") draft.title = body;
    else
      for (auto& [title, old] : draft.sections)
        if (lower(title) == name) old = body;
  }
  return {};
}

}  // namespace

Expected<WriteupResult> write_paper(store::Store& store, llm::Client* client, experiments::Executor& executor,
                                    const experiments::Template& tpl, const std::string& idea_id,
                                    const WriteupOptions& options) {
  if (!client) {
    SHOAL_TRY(offline, write_offline_paper(store, executor, tpl, idea_id,
                                           {.work_dir = options.work_dir, .latex_timeout_s = options.latex_timeout_s,
                                            .page_limit = options.page_limit, .overfull_pt = options.overfull_pt,
                                            .cancel = options.cancel}));
    WriteupResult r;
    r.paper = offline.paper;
    r.attempt_ids = {offline.paper.id};
    return r;
  }
  Writer w{store, *client, executor, options};
  SHOAL_CHECK(writing::open_writer(w, tpl, idea_id));
  SHOAL_CHECK(citation_rounds(w));
  w.result.literature_unreachable = w.citations_unreachable;
  writing::refresh_system(w);  // now with the added citation keys
  SHOAL_TRY(draft, draft_sections(w));
  SHOAL_CHECK(final_pass(w, draft));
  SHOAL_CHECK(writing::compile_with_fixes(w, paper::fill_skeleton(w.ws.template_tex, draft)));
  return writing::finish(w);
}

}  // namespace shoal::agent
