#include "agent/stages/novelty.hpp"

#include <algorithm>
#include <cctype>

#include "agent/prompts.hpp"
#include "agent/stage_llm.hpp"
#include "agent/stages/ideas.hpp"
#include "store/runs.hpp"
#include "tools/literature.hpp"

namespace shoal::agent {
namespace {

using nlohmann::json;

constexpr int kResultsPerQuery = 10;
constexpr size_t kAbstractChars = 700;

const llm::Shape kRoundShape = {{"Decision", llm::JsonType::string}};

enum class Decision { search, novel, not_novel };

// The model's "Decision" read loosely: "not novel" in any spacing or case, "novel", else a search.
Decision decision_of(const json& reply) {
  std::string d;
  for (unsigned char c : reply.value("Decision", std::string()))
    if (std::isalpha(c)) d += static_cast<char>(std::tolower(c));
  if (d == "notnovel") return Decision::not_novel;
  if (d == "novel") return Decision::novel;
  return Decision::search;
}

// Everything the check has seen: the papers (numbered [1], [2], ... in order of first
// appearance) and the queries with what answered them.
struct Findings {
  std::vector<tools::PaperRef> papers;
  json queries = json::array();
  json errors = json::array();
  std::string last_engine;
  bool any_answer = false;

  // Adds the papers not seen yet; returns the reference numbers of all of `found`.
  std::vector<size_t> add(const std::vector<tools::PaperRef>& found) {
    std::vector<size_t> refs;
    for (const auto& p : found) {
      auto same = [&](const tools::PaperRef& q) { return q.engine == p.engine && q.id == p.id; };
      auto it = std::find_if(papers.begin(), papers.end(), same);
      if (it == papers.end()) {
        papers.push_back(p);
        it = papers.end() - 1;
      }
      refs.push_back(static_cast<size_t>(it - papers.begin()) + 1);
    }
    return refs;
  }
};

// "[3] Title. A, B, C et al. (2021, Venue; cited by 40)\n    abstract" for each reference.
std::string format_papers(const Findings& f, const std::vector<size_t>& refs) {
  std::string out;
  for (size_t ref : refs) {
    const auto& p = f.papers[ref - 1];
    std::string authors;
    for (size_t i = 0; i < p.authors.size() && i < 3; ++i) authors += (i ? ", " : "") + p.authors[i];
    if (p.authors.size() > 3) authors += " et al.";
    out += "[" + std::to_string(ref) + "] " + p.title + ". " + authors + " (" +
           (p.year ? std::to_string(p.year) : std::string("n.d.")) + (p.venue.empty() ? "" : ", " + p.venue) +
           "; cited by " + std::to_string(p.citations) + ")\n";
    if (!p.abstract.empty()) out += "    " + clip(tools::collapse_whitespace(p.abstract), kAbstractChars) + "\n";
  }
  return out;
}

// Runs the query; returns the text for the model's next round, and whether the literature failed.
std::pair<std::string, bool> search(StageContext& ctx, Findings& f, const std::string& query) {
  auto found = tools::search_papers(&ctx.store, query, kResultsPerQuery, ctx.literature);
  if (!found.ok()) {
    f.queries.push_back({{"query", query}, {"error", found.error().describe()}});
    f.errors.push_back(found.error().describe());
    return {render("novelty_search_failed", {{"query", query}, {"error", found.error().message}}), true};
  }
  f.any_answer = true;
  f.last_engine = found->engine;
  f.queries.push_back({{"query", query}, {"engine", found->engine}, {"from_cache", found->from_cache},
                       {"results", found->papers.size()}, {"skipped", found->skipped}});
  auto refs = f.add(found->papers);
  return {render("novelty_results", {{"query", query}, {"engine", found->engine},
                                     {"count", std::to_string(refs.size())}, {"papers", format_papers(f, refs)}}),
          false};
}

// The reference numbers the model named in "Papers" (numbers, "3" or "[3]"), in range, once each.
json cited_refs(const json& reply, size_t paper_count) {
  json out = json::array();
  if (!reply.contains("Papers") || !reply["Papers"].is_array()) return out;
  for (const auto& p : reply["Papers"]) {
    long ref = 0;
    if (p.is_number_integer()) ref = p.get<long>();
    else if (p.is_string()) {
      std::string digits;
      for (char c : p.get<std::string>())
        if (std::isdigit(static_cast<unsigned char>(c))) digits += c;
      if (!digits.empty() && digits.size() < 9) ref = std::stol(digits);
    }
    if (ref >= 1 && static_cast<size_t>(ref) <= paper_count && std::find(out.begin(), out.end(), ref) == out.end())
      out.push_back(ref);
  }
  return out;
}

}  // namespace

Expected<NoveltyOut> run_novelty(StageContext& ctx, const NoveltyIn& in) {
  const store::Idea& idea = in.idea;
  SHOAL_TRY(tp, template_prompt(ctx.tpl));
  int rounds = std::max(1, ctx.settings.novelty_rounds);
  llm::Request request;
  request.system = render("novelty_system", {{"template_system", tp.system}, {"rounds", std::to_string(rounds)}});
  request.temperature = 0.5;
  SHOAL_TRY(earlier, earlier_ideas(ctx));
  std::string next = render("novelty_start", {{"task", tp.task}, {"idea", idea_text(idea)}, {"earlier", idea_lines(earlier)}});
  Findings found;
  json last;
  Decision decision = Decision::search;
  bool literature_failed = false;
  int round = 1;
  for (; round <= rounds; ++round) {
    bool last_round = round == rounds || literature_failed;
    ctx.progress({idea.id, "novelty", "round " + std::to_string(round) + "/" + std::to_string(rounds)});
    if (last_round) next += "\n" + render("novelty_decide_now", {});
    request.messages.push_back(llm::Message::user(next));
    SHOAL_TRY(reply, ask_json(ctx, request, kRoundShape, "novelty", idea.id));
    request.messages.push_back(llm::Message::assistant(reply.text));
    last = reply.value;
    decision = decision_of(last);
    if (decision != Decision::search || last_round) break;
    std::string query = last.value("Query", std::string());
    if (query.find_first_not_of(" \t\n") == std::string::npos) {
      next = render("novelty_no_query", {});
      continue;
    }
    auto [text, failed] = search(ctx, found, query);
    next = text;
    literature_failed = failed;
  }

  bool decided = decision != Decision::search;
  json record = {{"novel", decision != Decision::not_novel},
                 {"decision", decision == Decision::novel ? "novel" : decided ? "not novel" : "undecided"},
                 {"decided_by", decided ? "model" : "no_decision"},
                 {"reasons", last.value("Reasons", std::string())},
                 {"rounds", std::min(round, rounds)},
                 {"queries", found.queries},
                 {"compared", cited_refs(last, found.papers.size())},
                 {"engine", found.last_engine},
                 {"literature_unreachable", !found.any_answer && !found.errors.empty()},
                 {"literature_errors", found.errors}};
  json papers = json::array();
  for (size_t i = 0; i < found.papers.size(); ++i) {
    const auto& p = found.papers[i];
    long ref = static_cast<long>(i) + 1;
    bool cited = std::find(record["compared"].begin(), record["compared"].end(), ref) != record["compared"].end();
    papers.push_back({{"ref", ref}, {"engine", p.engine}, {"id", p.id}, {"title", p.title}, {"authors", p.authors},
                      {"year", p.year}, {"venue", p.venue}, {"url", p.url}, {"doi", p.doi}, {"arxiv_id", p.arxiv_id},
                      {"cited", cited}});
  }
  record["papers"] = papers;
  bool novel = record["novel"].get<bool>();
  bool unreachable = record["literature_unreachable"].get<bool>();
  if (unreachable && ctx.settings.novelty_required)
    return fail(ErrorKind::remote, "the novelty check of idea " + idea.name + " could not reach any literature engine (" +
                                       found.errors.front().get<std::string>() +
                                       ") and novelty_required is set; continue with shoal resume " + ctx.run_id +
                                       " once the engines answer, or resume with --set novelty_required=false to go on "
                                       "with the idea marked unchecked");
  SHOAL_CHECK(store::set_idea_novelty(ctx.store, idea.id, novel, record.dump()));
  SHOAL_TRY(stored, store::get_idea(ctx.store, idea.id));
  std::string verdict = store::novelty_verdict(stored);
  if (unreachable) {
    ctx.progress({idea.id, "novelty", verdict + ": the idea goes on without a comparison with the literature"});
    (void)store::add_event(ctx.store, {0, ctx.run_id, idea.id, "novelty_unchecked",
                                       "idea " + idea.name + ": novelty " + verdict,
                                       json{{"errors", found.errors}}.dump(), 0});
  }
  return NoveltyOut{std::move(stored), novel, verdict};
}

}  // namespace shoal::agent
