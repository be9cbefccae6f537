#include "store/catalog.hpp"

#include <algorithm>
#include <cctype>
#include <utility>
#include <variant>

#include <nlohmann/json.hpp>

#include "store/review_scores.hpp"

namespace shoal::store {
namespace {

// The aggregate columns of paper_catalog (alias c), in the order scores_from_row reads them.
const char* kScoreColumns =
    "c.score, c.ai_overall, c.ai_count, c.meta_overall, c.human_overall, c.human_count, c.originality, c.quality, "
    "c.clarity, c.significance, c.soundness, c.presentation, c.contribution, c.confidence, "
    "coalesce(c.decision, ''), coalesce(c.human_decision, '')";
constexpr int kScoreColumnCount = 16;

// The first page_image artifact of the paper in column c.paper_id (0 when none).
const char* kThumbnail =
    "coalesce((SELECT min(a.id) FROM artifacts a WHERE a.owner_kind = 'paper' AND a.owner_id = c.paper_id "
    "AND a.kind = 'page_image'), 0)";

// The PaperTrust columns of the paper in p (papers) and c.paper_id: the length of its
// unverified list (-1 when that is not a JSON array), its newest reproduction's outcome and details.
const char* kTrustColumns =
    "CASE WHEN json_valid(coalesce(p.unverified_json, '[]')) THEN CASE WHEN json_type(coalesce(p.unverified_json, '[]')) = "
    "'array' THEN json_array_length(coalesce(p.unverified_json, '[]')) ELSE -1 END ELSE -1 END, "
    "coalesce((SELECT r.outcome FROM reproductions r WHERE r.paper_id = c.paper_id ORDER BY r.created_ms DESC, r.id DESC "
    "LIMIT 1), ''), "
    "coalesce((SELECT r.details_json FROM reproductions r WHERE r.paper_id = c.paper_id ORDER BY r.created_ms DESC, "
    "r.id DESC LIMIT 1), '{}')";

PaperTrust trust_from_row(SQLite::Statement& q, int first) {
  PaperTrust t;
  t.unverified = q.getColumn(first).getInt();
  t.reproduction = q.getColumn(first + 1).getString();
  t.reproduced = reproduction_counts(q.getColumn(first + 2).getString());
  return t;
}

std::optional<double> optional_double(const SQLite::Column& c) {
  if (c.isNull()) return std::nullopt;
  return c.getDouble();
}

// Reads kScoreColumns starting at column `first`.
PaperScores scores_from_row(SQLite::Statement& q, int first) {
  PaperScores s;
  std::optional<double>* values[] = {&s.score, &s.ai_overall, nullptr, &s.meta_overall, &s.human_overall, nullptr,
                                     &s.originality, &s.quality, &s.clarity, &s.significance, &s.soundness,
                                     &s.presentation, &s.contribution, &s.confidence};
  for (int i = 0; i < 14; ++i)
    if (values[i]) *values[i] = optional_double(q.getColumn(first + i));
  s.ai_count = q.getColumn(first + 2).getInt();
  s.human_count = q.getColumn(first + 5).getInt();
  s.decision = q.getColumn(first + 14).getString();
  s.human_decision = q.getColumn(first + 15).getString();
  return s;
}

// The columns of a PaperSummary (catalog c, papers p, ideas i), then kScoreColumns; `from`
// names where the catalog rows come from.
std::string paper_summary_select(const std::string& from = "paper_catalog c") {
  return std::string("SELECT c.paper_id, c.idea_id, i.name, c.run_id, p.attempt, p.status, p.title, "
                     "substr(p.abstract, 1, 400), p.pages, p.pdf_hash IS NOT NULL, ") +
         kThumbnail + ", c.created_ms, c.current, " + kScoreColumns + ", " + kTrustColumns + " FROM " + from +
         " JOIN papers p ON p.id = c.paper_id JOIN ideas i ON i.id = c.idea_id ";
}

PaperSummary paper_summary_from_row(SQLite::Statement& q) {
  PaperSummary s;
  s.paper_id = q.getColumn(0).getString();
  s.idea_id = q.getColumn(1).getString();
  s.idea_name = q.getColumn(2).getString();
  s.run_id = q.getColumn(3).getString();
  s.attempt = q.getColumn(4).getInt();
  s.status = q.getColumn(5).getString();
  s.title = q.getColumn(6).getString();
  s.abstract = q.getColumn(7).getString();
  if (!q.getColumn(8).isNull()) s.pages = q.getColumn(8).getInt();
  s.has_pdf = q.getColumn(9).getInt() != 0;
  s.thumbnail_id = q.getColumn(10).getInt64();
  s.created_ms = q.getColumn(11).getInt64();
  s.current = q.getColumn(12).getInt() != 0;
  s.scores = scores_from_row(q, 13);
  s.trust = trust_from_row(q, 13 + kScoreColumnCount);
  return s;
}

bool is_score_name(std::string_view name) {
  const auto& names = score_names();
  return std::find(names.begin(), names.end(), name) != names.end();
}

// A WHERE clause under construction with its parameters (every value is bound, never pasted).
struct Filter {
  std::string sql;
  std::vector<std::variant<std::string, double>> params;  // one per '?', in order

  void add(const std::string& clause) { sql += " AND " + clause; }
  void bind_text(std::string v) { params.emplace_back(std::move(v)); }
  void bind_number(double v) { params.emplace_back(v); }
  // Binds every parameter from index 1; returns the next free index.
  int bind(SQLite::Statement& q) const {
    int index = 1;
    for (const auto& p : params) {
      if (const auto* text = std::get_if<std::string>(&p)) q.bind(index++, *text);
      else q.bind(index++, std::get<double>(p));
    }
    return index;
  }
};

// Adds `ranges` to `filter`; `column` maps a name to its SQL column ("" when unknown).
template <class ColumnOf>
Status add_ranges(Filter& filter, const std::vector<ScoreRange>& ranges, ColumnOf column) {
  for (const auto& r : ranges) {
    std::string col = column(r.name);
    if (col.empty()) return fail(ErrorKind::invalid_input, "cannot filter by unknown score '" + r.name + "'");
    if (r.min) {
      filter.add(col + " >= ?");
      filter.bind_number(*r.min);
    }
    if (r.max) {
      filter.add(col + " <= ?");
      filter.bind_number(*r.max);
    }
  }
  return {};
}

Status add_decision(Filter& filter, const std::string& decision, const char* column) {
  if (decision.empty()) return {};
  if (decision != "accept" && decision != "reject")
    return fail(ErrorKind::invalid_input, "decision must be accept or reject, not '" + decision + "'");
  filter.add(std::string(column) + " = ?");
  filter.bind_text(decision);
  return {};
}

// ORDER BY for `expr`: unset values last in both directions; `tiebreak` keeps pages stable.
std::string order_by(const std::string& expr, bool descending, const std::string& tiebreak) {
  // Descending already puts NULLs last in SQLite, and then an index on expr serves the sort.
  if (descending) return " ORDER BY " + expr + " DESC, " + tiebreak + " DESC";
  return " ORDER BY " + expr + " IS NULL, " + expr + " ASC, " + tiebreak + " ASC";
}

std::string lower_ascii(std::string_view text) {
  std::string out(text);
  for (char& ch : out) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return out;
}

// The words of `text`: runs of letters, digits and any non-ASCII byte (UTF-8 letters).
std::vector<std::string> words_of(std::string_view text) {
  std::vector<std::string> words;
  std::string word;
  for (char ch : text) {
    auto u = static_cast<unsigned char>(ch);
    if (std::isalnum(u) || u >= 0x80) word += ch;
    else if (!word.empty()) words.push_back(std::exchange(word, {}));
  }
  if (!word.empty()) words.push_back(word);
  return words;
}

// The aggregates of a paper that are not the mean of one form score, by name.
const std::pair<std::string_view, std::optional<double> PaperScores::*> kAggregates[] = {
    {"score", &PaperScores::score},
    {"ai_overall", &PaperScores::ai_overall},
    {"meta_overall", &PaperScores::meta_overall},
    {"human_overall", &PaperScores::human_overall}};

// Whether a form score's AI mean goes by the score's own name; overall's is ai_overall, one
// of kAggregates.
bool mean_has_own_name(const ReviewScore& score) { return score.mean != &PaperScores::ai_overall; }

}  // namespace

const std::vector<std::string>& score_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const auto& [name, member] : kAggregates) out.emplace_back(name);
    for (const auto& s : review_scores())
      if (mean_has_own_name(s)) out.emplace_back(s.name);
    return out;
  }();
  return names;
}

std::optional<double> score_value(const PaperScores& s, std::string_view name) {
  for (const auto& [key, member] : kAggregates)
    if (key == name) return s.*member;
  if (const auto* score = find_review_score(name); score && mean_has_own_name(*score)) return s.*(score->mean);
  return std::nullopt;
}

std::string fts_query(std::string_view text) {
  std::string out;
  for (const auto& word : words_of(text)) out += (out.empty() ? "\"" : " \"") + word + "\"*";
  return out;
}

Expected<PaperPage> find_papers(Store& store, const PaperQuery& query) {
  // A search keeps the rows whose id is among the full-text matches (papers_fts holds the
  // listed papers only, keyed by catalog id). The unary + keeps SQLite walking the sort's
  // index and probing the matches, so a page costs about 25 / (share matched) probes.
  Filter filter;
  std::string match;
  if (!query.text.empty()) {
    match = fts_query(query.text);
    if (match.empty()) return PaperPage{};  // nothing searchable (only punctuation): nothing matches
    filter.add("+c.id IN (SELECT rowid FROM papers_fts WHERE papers_fts MATCH ?)");
    filter.bind_text(match);
  }
  bool search_only = !match.empty();  // no filter besides the search: its matches are the total
  if (!query.run_id.empty()) {
    filter.add("c.run_id = ?");
    filter.bind_text(query.run_id);
    search_only = false;
  }
  search_only = search_only && query.ranges.empty() && query.decision.empty();
  SHOAL_CHECK(add_ranges(filter, query.ranges, [](const std::string& n) { return is_score_name(n) ? "c." + n : ""; }));
  SHOAL_CHECK(add_decision(filter, query.decision, "c.decision"));

  std::string sort;
  if (is_score_name(query.sort)) sort = "c." + query.sort;
  else if (query.sort == "created") sort = "c.created_ms";
  else if (query.sort == "title") sort = "p.title COLLATE NOCASE";
  else
    return fail(ErrorKind::invalid_input,
                "cannot sort papers by '" + query.sort + "'; use created, title or a score (score, ai_overall, ...)");
  int limit = std::clamp(query.limit, 1, 500);
  int offset = std::max(query.offset, 0);

  return store.read([&](SQLite::Database& db) -> Expected<PaperPage> {
    PaperPage page;
    // A search with no other filter has exactly the match as its one parameter.
    SQLite::Statement count(db, search_only ? "SELECT count(*) FROM papers_fts WHERE papers_fts MATCH ?"
                                            : "SELECT count(*) FROM paper_catalog c WHERE c.current = 1" + filter.sql);
    filter.bind(count);
    count.executeStep();
    page.total = count.getColumn(0).getInt64();

    // The page is chosen over the catalog alone (an index walk for a score sort), then joined
    // with the papers and ideas of its rows only: skipped rows cost no joins.
    std::string order = order_by(sort, query.descending, "c.id");
    std::string page_rows = "(SELECT c.id AS rid FROM paper_catalog c" +
                            std::string(query.sort == "title" ? " JOIN papers p ON p.id = c.paper_id" : "") +
                            " WHERE c.current = 1" + filter.sql + order + " LIMIT ? OFFSET ?) page" +
                            " JOIN paper_catalog c ON c.id = page.rid";
    SQLite::Statement q(db, paper_summary_select(page_rows) + order);
    int next = filter.bind(q);
    q.bind(next, limit);
    q.bind(next + 1, offset);
    while (q.executeStep()) page.items.push_back(paper_summary_from_row(q));
    return page;
  });
}

Expected<PaperSummary> paper_summary(Store& store, const std::string& paper_id) {
  return store.read([&](SQLite::Database& db) -> Expected<PaperSummary> {
    SQLite::Statement q(db, paper_summary_select() + "WHERE c.paper_id = ?");
    q.bind(1, paper_id);
    if (!q.executeStep()) return fail(ErrorKind::not_found, "no paper " + paper_id);
    return paper_summary_from_row(q);
  });
}

Expected<std::vector<IdeaSummary>> find_ideas(Store& store, const IdeaQuery& query) {
  auto column = [](const std::string& name) -> std::string {
    if (is_score_name(name)) return "c." + name;
    for (const char* own : {"best_metric", "interestingness", "feasibility", "novelty", "rank", "status"})
      if (name == own) return "i." + name;
    if (name == "created") return "i.created_ms";
    if (name == "title") return "i.title COLLATE NOCASE";
    return "";
  };
  Filter filter;
  filter.add("i.run_id = ?");
  filter.bind_text(query.run_id);
  for (const auto& word : words_of(query.text)) {
    filter.add("instr(lower(i.title || ' ' || coalesce(p.title, '') || ' ' || coalesce(p.abstract, '')), ?) > 0");
    filter.bind_text(lower_ascii(word));
  }
  SHOAL_CHECK(add_ranges(filter, query.ranges, [&](const std::string& n) -> std::string {
    return n == "rank" || n == "status" || n == "title" || n == "created" ? "" : column(n);
  }));
  SHOAL_CHECK(add_decision(filter, query.decision, "c.decision"));
  if (!query.status.empty()) {
    filter.add("i.status = ?");
    filter.bind_text(query.status);
  }
  std::string sort = column(query.sort);
  if (sort.empty())
    return fail(ErrorKind::invalid_input, "cannot sort ideas by '" + query.sort +
                                              "'; use rank, created, title, status, best_metric, interestingness, "
                                              "feasibility, novelty or a score (score, ai_overall, ...)");

  SHOAL_TRY(ideas, list_ideas(store, query.run_id));
  return store.read([&](SQLite::Database& db) -> Expected<std::vector<IdeaSummary>> {
    SQLite::Statement q(db, std::string("SELECT i.id, coalesce(c.paper_id, ''), coalesce(p.title, ''), "
                                        "coalesce(substr(p.abstract, 1, 400), ''), ") +
                                kThumbnail + ", " + kScoreColumns + ", " + kTrustColumns +
                                " FROM ideas i LEFT JOIN paper_catalog c ON c.idea_id = i.id AND c.current = 1 "
                                "LEFT JOIN papers p ON p.id = c.paper_id WHERE 1 = 1" +
                                filter.sql + order_by(sort, query.descending, "i.created_ms"));
    filter.bind(q);
    std::vector<IdeaSummary> out;
    while (q.executeStep()) {
      auto id = q.getColumn(0).getString();
      auto idea = std::find_if(ideas.begin(), ideas.end(), [&](const Idea& i) { return i.id == id; });
      if (idea == ideas.end()) continue;  // added between the two reads
      IdeaSummary s;
      s.idea = *idea;
      s.paper_id = q.getColumn(1).getString();
      s.paper_title = q.getColumn(2).getString();
      s.abstract = q.getColumn(3).getString();
      s.thumbnail_id = q.getColumn(4).getInt64();
      s.scores = scores_from_row(q, 5);
      if (!s.paper_id.empty()) s.trust = trust_from_row(q, 5 + kScoreColumnCount);
      out.push_back(std::move(s));
    }
    return out;
  });
}

Expected<std::map<std::string, RunProgress>> run_progress(Store& store) {
  return store.read([&](SQLite::Database& db) -> Expected<std::map<std::string, RunProgress>> {
    std::map<std::string, RunProgress> out;
    SQLite::Statement ideas(db, "SELECT run_id, status, count(*) FROM ideas GROUP BY run_id, status");
    while (ideas.executeStep()) {
      auto& p = out[ideas.getColumn(0).getString()];
      int n = ideas.getColumn(2).getInt();
      p.ideas += n;
      p.by_status[ideas.getColumn(1).getString()] = n;
    }
    SQLite::Statement papers(db,
                             "SELECT run_id, count(*), coalesce(sum(score IS NOT NULL), 0), max(score) FROM paper_catalog "
                             "WHERE current = 1 GROUP BY run_id");
    while (papers.executeStep()) {
      auto& p = out[papers.getColumn(0).getString()];
      p.papers = papers.getColumn(1).getInt();
      p.reviewed = papers.getColumn(2).getInt();
      p.best_score = optional_double(papers.getColumn(3));
    }
    // A running run whose latest provider event says it waits (no provider_back after it).
    SQLite::Statement waiting(db,
                              "SELECT e.run_id, e.kind, e.data_json FROM runs r JOIN events e ON e.run_id = r.id "
                              "WHERE r.status = 'running' AND e.id = (SELECT max(id) FROM events WHERE run_id = r.id "
                              "AND kind IN ('provider_waiting', 'provider_back'))");
    while (waiting.executeStep()) {
      if (waiting.getColumn(1).getString() != "provider_waiting") continue;
      auto data = nlohmann::json::parse(waiting.getColumn(2).getString(), nullptr, false);
      bool dated = data.is_object() && data.contains("since") && data["since"].is_string();
      out[waiting.getColumn(0).getString()].waiting_for_provider_since =
          dated ? data["since"].get<std::string>() : std::string("an unrecorded time");
    }
    return out;
  });
}

Expected<std::vector<AgreementRow>> agreement_rows(Store& store, const std::string& run_id) {
  return store.read([&](SQLite::Database& db) -> Expected<std::vector<AgreementRow>> {
    SQLite::Statement q(db,
                        "SELECT c.paper_id, c.idea_id, p.title, c.score, coalesce(c.decision, ''), c.human_overall, "
                        "coalesce(c.human_decision, ''), c.human_count FROM paper_catalog c JOIN papers p ON "
                        "p.id = c.paper_id WHERE c.current = 1 AND (c.human_count > 0 OR c.human_decision IS NOT NULL) "
                        "AND (? = '' OR c.run_id = ?) ORDER BY c.created_ms, c.id");
    q.bind(1, run_id);
    q.bind(2, run_id);
    std::vector<AgreementRow> out;
    while (q.executeStep()) {
      AgreementRow r;
      r.paper_id = q.getColumn(0).getString();
      r.idea_id = q.getColumn(1).getString();
      r.title = q.getColumn(2).getString();
      r.ai_score = optional_double(q.getColumn(3));
      r.ai_decision = q.getColumn(4).getString();
      r.human_score = optional_double(q.getColumn(5));
      r.human_decision = q.getColumn(6).getString();
      r.human_count = q.getColumn(7).getInt();
      out.push_back(std::move(r));
    }
    return out;
  });
}

namespace {

// The columns of an llm_calls row that a listing shows (no bodies), as call_info_from_row reads them.
const char* kCallInfoColumns =
    "SELECT id, coalesce(run_id, ''), coalesce(idea_id, ''), coalesce(stage, ''), provider, model, status, "
    "coalesce(error, ''), tokens_in, tokens_out, tokens_cached, cost_usd, latency_ms, created_ms";

LlmCallInfo call_info_from_row(SQLite::Statement& q) {
  LlmCallInfo c;
  int i = 0;
  c.id = q.getColumn(i++).getInt64();
  for (std::string* text : {&c.run_id, &c.idea_id, &c.stage, &c.provider, &c.model, &c.status, &c.error})
    *text = q.getColumn(i++).getString();
  for (int64_t* count : {&c.tokens_in, &c.tokens_out, &c.tokens_cached}) *count = q.getColumn(i++).getInt64();
  c.cost_usd = q.getColumn(i++).getDouble();
  c.latency_ms = q.getColumn(i++).getInt64();
  c.created_ms = q.getColumn(i++).getInt64();
  return c;
}

}  // namespace

Expected<std::vector<LlmCallInfo>> idea_llm_calls(Store& store, const std::string& idea_id) {
  return store.read([&](SQLite::Database& db) -> Expected<std::vector<LlmCallInfo>> {
    SQLite::Statement q(db, std::string(kCallInfoColumns) + " FROM llm_calls WHERE idea_id = ? ORDER BY id");
    q.bind(1, idea_id);
    std::vector<LlmCallInfo> out;
    while (q.executeStep()) out.push_back(call_info_from_row(q));
    return out;
  });
}

Expected<LlmCallInfo> llm_call_transcript(Store& store, int64_t id) {
  return store.read([&](SQLite::Database& db) -> Expected<LlmCallInfo> {
    SQLite::Statement q(db, std::string(kCallInfoColumns) +
                                ", request_json, coalesce(response_json, '') FROM llm_calls WHERE id = ?");
    q.bind(1, id);
    if (!q.executeStep()) return fail(ErrorKind::not_found, "no LLM call " + std::to_string(id));
    auto c = call_info_from_row(q);
    c.request_json = q.getColumn(14).getString();
    c.response_json = q.getColumn(15).getString();
    return c;
  });
}

}  // namespace shoal::store
