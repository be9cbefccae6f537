#include "store/papers.hpp"

#include <nlohmann/json.hpp>

#include "core/time.hpp"

namespace shoal::store {
namespace {

const char* kPaperColumns =
    "SELECT p.id, p.idea_id, p.attempt, p.status, p.title, p.abstract, coalesce(p.tex_hash, ''), "
    "coalesce(p.bib_hash, ''), coalesce(p.log_hash, ''), coalesce(p.pdf_hash, ''), p.pages, p.unverified_json, "
    "p.citations_json, p.checks_json, p.error, p.created_ms FROM papers p ";

Paper paper_from_row(SQLite::Statement& q) {
  Paper p;
  p.id = q.getColumn(0).getString();
  p.idea_id = q.getColumn(1).getString();
  p.attempt = q.getColumn(2).getInt();
  p.status = q.getColumn(3).getString();
  p.title = q.getColumn(4).getString();
  p.abstract = q.getColumn(5).getString();
  p.tex_hash = q.getColumn(6).getString();
  p.bib_hash = q.getColumn(7).getString();
  p.log_hash = q.getColumn(8).getString();
  p.pdf_hash = q.getColumn(9).getString();
  if (!q.getColumn(10).isNull()) p.pages = q.getColumn(10).getInt();
  p.unverified_json = q.getColumn(11).getString();
  p.citations_json = q.getColumn(12).getString();
  p.checks_json = q.getColumn(13).getString();
  p.error = q.getColumn(14).getString();
  p.created_ms = q.getColumn(15).getInt64();
  return p;
}

}  // namespace

Expected<Paper> add_paper(Store& store, Paper paper) {
  if (paper.id.empty()) paper.id = new_id("paper");
  if (paper.created_ms == 0) paper.created_ms = now_ms();
  return store.transaction([&](SQLite::Database& db) -> Expected<Paper> {
    if (paper.attempt == 0) {
      SQLite::Statement next(db, "SELECT coalesce(max(attempt), 0) + 1 FROM papers WHERE idea_id = ?");
      next.bind(1, paper.idea_id);
      next.executeStep();
      paper.attempt = next.getColumn(0).getInt();
    }
    SQLite::Statement q(db,
                        "INSERT INTO papers (id, idea_id, attempt, status, title, abstract, tex_hash, bib_hash, "
                        "log_hash, pdf_hash, pages, unverified_json, citations_json, checks_json, error, created_ms) "
                        "VALUES (?, ?, ?, ?, ?, ?, NULLIF(?, ''), NULLIF(?, ''), NULLIF(?, ''), NULLIF(?, ''), ?, ?, ?, "
                        "?, ?, ?)");
    q.bind(1, paper.id);
    q.bind(2, paper.idea_id);
    q.bind(3, paper.attempt);
    q.bind(4, paper.status);
    q.bind(5, paper.title);
    q.bind(6, paper.abstract);
    q.bind(7, paper.tex_hash);
    q.bind(8, paper.bib_hash);
    q.bind(9, paper.log_hash);
    q.bind(10, paper.pdf_hash);
    if (paper.pages) q.bind(11, *paper.pages);
    else q.bind(11);
    q.bind(12, paper.unverified_json);
    q.bind(13, paper.citations_json);
    q.bind(14, paper.checks_json);
    q.bind(15, paper.error);
    q.bind(16, paper.created_ms);
    q.exec();
    return paper;
  });
}

Expected<Paper> get_paper(Store& store, const std::string& id) {
  return store.read([&](SQLite::Database& db) -> Expected<Paper> {
    SQLite::Statement q(db, std::string(kPaperColumns) + "WHERE p.id = ?");
    q.bind(1, id);
    if (!q.executeStep()) return fail(ErrorKind::not_found, "no paper " + id);
    return paper_from_row(q);
  });
}

Expected<std::vector<Paper>> list_papers(Store& store, const std::string& idea_id) {
  return store.read([&](SQLite::Database& db) -> Expected<std::vector<Paper>> {
    SQLite::Statement q(db, std::string(kPaperColumns) + "WHERE p.idea_id = ? ORDER BY p.attempt");
    q.bind(1, idea_id);
    std::vector<Paper> out;
    while (q.executeStep()) out.push_back(paper_from_row(q));
    return out;
  });
}

int unverified_count(const Paper& paper) {
  auto j = nlohmann::json::parse(paper.unverified_json, nullptr, false);
  return j.is_array() ? static_cast<int>(j.size()) : -1;
}

bool paper_finished(const Paper& paper) { return paper.status == "compiled" && unverified_count(paper) == 0; }

Expected<std::optional<Paper>> best_paper(Store& store, const std::string& idea_id) {
  return store.read([&](SQLite::Database& db) -> Expected<std::optional<Paper>> {
    SQLite::Statement q(db, std::string(kPaperColumns) +
                                "WHERE p.idea_id = ? AND p.status = 'compiled' ORDER BY p.attempt DESC LIMIT 1");
    q.bind(1, idea_id);
    if (!q.executeStep()) return std::optional<Paper>();
    return std::optional<Paper>(paper_from_row(q));
  });
}

Expected<std::vector<Paper>> run_papers(Store& store, const std::string& run_id) {
  return store.read([&](SQLite::Database& db) -> Expected<std::vector<Paper>> {
    SQLite::Statement q(db, std::string(kPaperColumns) +
                                "JOIN ideas i ON i.id = p.idea_id WHERE i.run_id = ? AND p.status = 'compiled' "
                                "AND p.attempt = (SELECT max(attempt) FROM papers p2 WHERE p2.idea_id = p.idea_id "
                                "AND p2.status = 'compiled') ORDER BY i.rank IS NULL, i.rank, i.created_ms");
    q.bind(1, run_id);
    std::vector<Paper> out;
    while (q.executeStep()) out.push_back(paper_from_row(q));
    return out;
  });
}

}  // namespace shoal::store
