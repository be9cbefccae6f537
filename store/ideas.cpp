#include "store/ideas.hpp"

#include <nlohmann/json.hpp>

#include "core/time.hpp"

namespace shoal::store {
namespace {

const char* kIdeaColumns =
    "SELECT id, run_id, name, title, idea_json, interestingness, feasibility, novelty, novel, "
    "coalesce(novelty_json, ''), rank, status, coalesce(stage, ''), best_metric, created_ms FROM ideas ";

std::optional<double> optional_double(const SQLite::Column& c) {
  if (c.isNull()) return std::nullopt;
  return c.getDouble();
}

Idea idea_from_row(SQLite::Statement& q) {
  Idea i;
  i.id = q.getColumn(0).getString();
  i.run_id = q.getColumn(1).getString();
  i.name = q.getColumn(2).getString();
  i.title = q.getColumn(3).getString();
  i.idea_json = q.getColumn(4).getString();
  i.interestingness = optional_double(q.getColumn(5));
  i.feasibility = optional_double(q.getColumn(6));
  i.novelty = optional_double(q.getColumn(7));
  if (!q.getColumn(8).isNull()) i.novel = q.getColumn(8).getInt() != 0;
  i.novelty_json = q.getColumn(9).getString();
  if (!q.getColumn(10).isNull()) i.rank = q.getColumn(10).getInt();
  i.status = q.getColumn(11).getString();
  i.stage = q.getColumn(12).getString();
  i.best_metric = optional_double(q.getColumn(13));
  i.created_ms = q.getColumn(14).getInt64();
  return i;
}

void bind_optional(SQLite::Statement& q, int index, std::optional<double> v) {
  if (v) q.bind(index, *v);
  else q.bind(index);
}

// Runs one UPDATE on an idea and reports not_found when no row matched.
template <class Bind>
Status update_idea(Store& store, const std::string& id, const char* sql, Bind bind) {
  return store.transaction([&](SQLite::Database& db) -> Status {
    SQLite::Statement q(db, sql);
    int next = bind(q);
    q.bind(next, id);
    if (q.exec() == 0) return fail(ErrorKind::not_found, "no idea " + id);
    return {};
  });
}

// Inserts `idea` (its id and creation time already set) unless the run has that name.
Status insert_idea(SQLite::Database& db, const Idea& idea) {
  SQLite::Statement exists(db, "SELECT 1 FROM ideas WHERE run_id = ? AND name = ?");
  exists.bind(1, idea.run_id);
  exists.bind(2, idea.name);
  if (exists.executeStep())
    return fail(ErrorKind::invalid_input, "run " + idea.run_id + " already has an idea named '" + idea.name + "'");
  SQLite::Statement q(db,
                      "INSERT INTO ideas (id, run_id, name, title, idea_json, interestingness, feasibility, novelty, "
                      "status, stage, created_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULLIF(?, ''), ?)");
  q.bind(1, idea.id);
  q.bind(2, idea.run_id);
  q.bind(3, idea.name);
  q.bind(4, idea.title);
  q.bind(5, idea.idea_json);
  bind_optional(q, 6, idea.interestingness);
  bind_optional(q, 7, idea.feasibility);
  bind_optional(q, 8, idea.novelty);
  q.bind(9, idea.status);
  q.bind(10, idea.stage);
  q.bind(11, idea.created_ms);
  q.exec();
  return {};
}

}  // namespace

Expected<Idea> add_idea(Store& store, Idea idea) {
  SHOAL_TRY(added, add_ideas(store, {std::move(idea)}));
  return added.front();
}

Expected<std::vector<Idea>> add_ideas(Store& store, std::vector<Idea> ideas) {
  for (auto& idea : ideas) {
    if (idea.id.empty()) idea.id = new_id("idea");
    if (idea.created_ms == 0) idea.created_ms = now_ms();
  }
  return store.transaction([&](SQLite::Database& db) -> Expected<std::vector<Idea>> {
    for (const auto& idea : ideas) SHOAL_CHECK(insert_idea(db, idea));
    return ideas;
  });
}

Expected<Idea> get_idea(Store& store, const std::string& id) {
  return store.read([&](SQLite::Database& db) -> Expected<Idea> {
    SQLite::Statement q(db, std::string(kIdeaColumns) + "WHERE id = ?");
    q.bind(1, id);
    if (!q.executeStep()) return fail(ErrorKind::not_found, "no idea " + id);
    return idea_from_row(q);
  });
}

Expected<std::vector<Idea>> list_ideas(Store& store, const std::string& run_id) {
  return store.read([&](SQLite::Database& db) -> Expected<std::vector<Idea>> {
    SQLite::Statement q(db, std::string(kIdeaColumns) +
                                "WHERE run_id = ? ORDER BY rank IS NULL, rank, created_ms, id");
    q.bind(1, run_id);
    std::vector<Idea> out;
    while (q.executeStep()) out.push_back(idea_from_row(q));
    return out;
  });
}

Expected<std::vector<Idea>> ideas_of_template(Store& store, const std::string& template_name, int limit) {
  return store.read([&](SQLite::Database& db) -> Expected<std::vector<Idea>> {
    SQLite::Statement q(db,
                        "SELECT i.id, i.run_id, i.name, i.title, i.idea_json, i.interestingness, i.feasibility, "
                        "i.novelty, i.novel, coalesce(i.novelty_json, ''), i.rank, i.status, coalesce(i.stage, ''), "
                        "i.best_metric, i.created_ms FROM ideas i JOIN runs r ON r.id = i.run_id "
                        "WHERE r.template = ? ORDER BY i.created_ms DESC, i.id LIMIT ?");
    q.bind(1, template_name);
    q.bind(2, limit);
    std::vector<Idea> out;
    while (q.executeStep()) out.push_back(idea_from_row(q));
    return out;
  });
}

Status set_idea_status(Store& store, const std::string& id, const std::string& status, const std::string& stage) {
  return update_idea(store, id, "UPDATE ideas SET status = ?, stage = NULLIF(?, '') WHERE id = ?",
                     [&](SQLite::Statement& q) {
                       q.bind(1, status);
                       q.bind(2, stage);
                       return 3;
                     });
}

Status set_idea_novelty(Store& store, const std::string& id, bool novel, const std::string& novelty_json) {
  return update_idea(store, id, "UPDATE ideas SET novel = ?, novelty_json = ? WHERE id = ?",
                     [&](SQLite::Statement& q) {
                       q.bind(1, novel ? 1 : 0);
                       q.bind(2, novelty_json);
                       return 3;
                     });
}

Status set_idea_rank(Store& store, const std::string& id, std::optional<int> rank) {
  return update_idea(store, id, "UPDATE ideas SET rank = ? WHERE id = ?", [&](SQLite::Statement& q) {
    if (rank) q.bind(1, *rank);
    else q.bind(1);
    return 2;
  });
}

Status set_idea_best_metric(Store& store, const std::string& id, std::optional<double> metric) {
  return update_idea(store, id, "UPDATE ideas SET best_metric = ? WHERE id = ?", [&](SQLite::Statement& q) {
    bind_optional(q, 1, metric);
    return 2;
  });
}

bool idea_is_final(const std::string& status) {
  return status == "done" || status == "failed" || status == "skipped" || status == "cancelled";
}

std::string novelty_verdict(const Idea& idea) {
  if (!idea.novel) return "not checked";
  auto report = nlohmann::json::parse(idea.novelty_json.empty() ? "{}" : idea.novelty_json, nullptr, false);
  if (report.is_object() && report.value("literature_unreachable", false)) return "unchecked (literature unreachable)";
  return *idea.novel ? "novel" : "not novel";
}

}  // namespace shoal::store
