#include "store/nodes.hpp"

#include <SQLiteCpp/VariadicBind.h>

#include "core/time.hpp"

namespace shoal::store {
namespace {

const char* kNodeColumns =
    "SELECT id, coalesce(idea_id, ''), template_hash, coalesce(parent_id, ''), kind, coalesce(code_hash, ''), "
    "command, status, exit_code, coalesce(signal, 0), coalesce(limit_hit, ''), coalesce(metrics_json, ''), "
    "coalesce(stdout_tail, ''), coalesce(stderr_tail, ''), coalesce(duration_s, 0), created_ms, ended_ms, plan, metric, "
    "seed, step, search_json FROM nodes ";

Node node_from_row(SQLite::Statement& q) {
  Node n;
  n.id = q.getColumn(0).getString();
  n.idea_id = q.getColumn(1).getString();
  n.template_hash = q.getColumn(2).getString();
  n.parent_id = q.getColumn(3).getString();
  n.kind = q.getColumn(4).getString();
  n.code_hash = q.getColumn(5).getString();
  n.command = q.getColumn(6).getString();
  n.status = q.getColumn(7).getString();
  if (!q.getColumn(8).isNull()) n.exit_code = q.getColumn(8).getInt();
  n.signal = q.getColumn(9).getInt();
  n.limit_hit = q.getColumn(10).getString();
  n.metrics_json = q.getColumn(11).getString();
  n.stdout_tail = q.getColumn(12).getString();
  n.stderr_tail = q.getColumn(13).getString();
  n.duration_s = q.getColumn(14).getDouble();
  n.created_ms = q.getColumn(15).getInt64();
  if (!q.getColumn(16).isNull()) n.ended_ms = q.getColumn(16).getInt64();
  n.plan = q.getColumn(17).getString();
  if (!q.getColumn(18).isNull()) n.metric = q.getColumn(18).getDouble();
  if (!q.getColumn(19).isNull()) n.seed = q.getColumn(19).getInt();
  n.step = q.getColumn(20).getInt();
  n.search_json = q.getColumn(21).getString();
  return n;
}

}  // namespace

Expected<Node> add_node(Store& store, Node node) {
  if (node.id.empty()) node.id = new_id("node");
  if (node.created_ms == 0) node.created_ms = now_ms();
  return store.transaction([&](SQLite::Database& db) -> Expected<Node> {
    SQLite::Statement q(db,
                        "INSERT INTO nodes (id, idea_id, template_hash, parent_id, kind, code_hash, command, status, "
                        "created_ms, plan, seed, step, search_json) VALUES (?, NULLIF(?, ''), ?, NULLIF(?, ''), ?, NULLIF(?, ''), ?, ?, ?, "
                        "?, ?, ?, ?)");
    SQLite::bind(q, node.id, node.idea_id, node.template_hash, node.parent_id, node.kind, node.code_hash, node.command,
                 node.status, node.created_ms, node.plan);
    if (node.seed) q.bind(11, *node.seed);
    else q.bind(11);
    q.bind(12, node.step);
    q.bind(13, node.search_json.empty() ? std::string("{}") : node.search_json);
    q.exec();
    return node;
  });
}

Status finish_node(Store& store, const Node& n) { return finish_node(store, n, {}); }

Status finish_node(Store& store, const Node& n, const std::vector<std::pair<ArtifactInput, std::string>>& artifacts) {
  return store.transaction([&](SQLite::Database& db) -> Status {
    for (const auto& [input, data] : artifacts) insert_artifact(db, input, data);
    SQLite::Statement q(db,
                        "UPDATE nodes SET status = ?, exit_code = ?, signal = ?, limit_hit = NULLIF(?, ''), "
                        "metrics_json = NULLIF(?, ''), stdout_tail = ?, stderr_tail = ?, duration_s = ?, ended_ms = ?, "
                        "metric = ? WHERE id = ?");
    q.bind(1, n.status);
    if (n.exit_code) q.bind(2, *n.exit_code);
    else q.bind(2);
    q.bind(3, n.signal);
    q.bind(4, n.limit_hit);
    q.bind(5, n.metrics_json);
    q.bind(6, n.stdout_tail);
    q.bind(7, n.stderr_tail);
    q.bind(8, n.duration_s);
    q.bind(9, n.ended_ms.value_or(now_ms()));
    if (n.metric) q.bind(10, *n.metric);
    else q.bind(10);
    q.bind(11, n.id);
    if (q.exec() == 0) return fail(ErrorKind::not_found, "no node " + n.id);
    return {};
  });
}

Expected<Node> get_node(Store& store, const std::string& id) {
  return store.read([&](SQLite::Database& db) -> Expected<Node> {
    SQLite::Statement q(db, std::string(kNodeColumns) + "WHERE id = ?");
    q.bind(1, id);
    if (!q.executeStep()) return fail(ErrorKind::not_found, "no node " + id);
    return node_from_row(q);
  });
}

Expected<std::optional<Node>> find_baseline(Store& store, const std::string& template_hash, const std::string& kind) {
  return store.read([&](SQLite::Database& db) -> Expected<std::optional<Node>> {
    SQLite::Statement q(db, std::string(kNodeColumns) +
                                "WHERE idea_id IS NULL AND kind = ? AND template_hash = ? AND status = 'done' "
                                "ORDER BY created_ms DESC LIMIT 1");
    q.bind(1, kind);
    q.bind(2, template_hash);
    if (!q.executeStep()) return std::optional<Node>();
    return std::optional<Node>(node_from_row(q));
  });
}

Status set_node_search(Store& store, const std::string& id, const std::string& search_json) {
  return store.transaction([&](SQLite::Database& db) -> Status {
    SQLite::Statement q(db, "UPDATE nodes SET search_json = ? WHERE id = ?");
    q.bind(1, search_json.empty() ? std::string("{}") : search_json);
    q.bind(2, id);
    if (q.exec() == 0) return fail(ErrorKind::not_found, "no node " + id);
    return {};
  });
}

Status set_node_code(Store& store, const std::string& id, const std::string& code_hash) {
  return store.transaction([&](SQLite::Database& db) -> Status {
    SQLite::Statement q(db, "UPDATE nodes SET code_hash = NULLIF(?, '') WHERE id = ?");
    q.bind(1, code_hash);
    q.bind(2, id);
    if (q.exec() == 0) return fail(ErrorKind::not_found, "no node " + id);
    return {};
  });
}

Expected<std::optional<Node>> find_finished_node(Store& store, const std::string& idea_id, const std::string& parent_id,
                                                 const std::string& code_hash, const std::string& command) {
  return store.read([&](SQLite::Database& db) -> Expected<std::optional<Node>> {
    SQLite::Statement q(db, std::string(kNodeColumns) +
                                "WHERE idea_id = ? AND coalesce(parent_id, '') = ? AND code_hash = ? AND command = ? "
                                "AND status IN ('done', 'failed', 'incomparable') AND coalesce(limit_hit, '') <> 'interrupted' "
                                "ORDER BY created_ms DESC LIMIT 1");
    q.bind(1, idea_id);
    q.bind(2, parent_id);
    q.bind(3, code_hash);
    q.bind(4, command);
    if (!q.executeStep()) return std::optional<Node>();
    return std::optional<Node>(node_from_row(q));
  });
}

Expected<int> fail_interrupted_nodes(Store& store, const std::string& run_id) {
  return store.transaction([&](SQLite::Database& db) -> Expected<int> {
    SQLite::Statement q(db,
                        "UPDATE nodes SET status = 'failed', limit_hit = 'interrupted', ended_ms = ? "
                        "WHERE status IN ('pending', 'running') AND idea_id IN (SELECT id FROM ideas WHERE run_id = ?)");
    q.bind(1, now_ms());
    q.bind(2, run_id);
    return q.exec();
  });
}

Expected<std::vector<Node>> list_nodes(Store& store, const std::string& idea_id) {
  return store.read([&](SQLite::Database& db) -> Expected<std::vector<Node>> {
    SQLite::Statement q(db, std::string(kNodeColumns) + "WHERE idea_id = ? ORDER BY created_ms, id");
    q.bind(1, idea_id);
    std::vector<Node> out;
    while (q.executeStep()) out.push_back(node_from_row(q));
    return out;
  });
}

}  // namespace shoal::store
