#include "store/llm_calls.hpp"

#include "core/time.hpp"
#include "store/runs.hpp"

namespace shoal::store {
namespace {

const char* kCallColumns =
    "SELECT id, coalesce(run_id, ''), coalesce(idea_id, ''), coalesce(stage, ''), provider, model, request_hash, "
    "request_json, coalesce(response_json, ''), status, coalesce(error, ''), tokens_in, tokens_out, "
    "tokens_cached, cost_usd, latency_ms, created_ms, truncated, coalesce(rejected, '') FROM llm_calls ";

LlmCall call_from_row(SQLite::Statement& q) {
  LlmCall c;
  c.id = q.getColumn(0).getInt64();
  c.run_id = q.getColumn(1).getString();
  c.idea_id = q.getColumn(2).getString();
  c.stage = q.getColumn(3).getString();
  c.provider = q.getColumn(4).getString();
  c.model = q.getColumn(5).getString();
  c.request_hash = q.getColumn(6).getString();
  c.request_json = q.getColumn(7).getString();
  c.response_json = q.getColumn(8).getString();
  c.status = q.getColumn(9).getString();
  c.error = q.getColumn(10).getString();
  c.tokens_in = q.getColumn(11).getInt64();
  c.tokens_out = q.getColumn(12).getInt64();
  c.tokens_cached = q.getColumn(13).getInt64();
  c.cost_usd = q.getColumn(14).getDouble();
  c.latency_ms = q.getColumn(15).getInt64();
  c.created_ms = q.getColumn(16).getInt64();
  c.truncated = q.getColumn(17).getInt() != 0;
  c.rejected = q.getColumn(18).getString();
  return c;
}

}  // namespace

Expected<int64_t> record_llm_call(Store& store, const LlmCall& c) {
  return store.transaction([&](SQLite::Database& db) -> Expected<int64_t> {
    SQLite::Statement q(db,
                        "INSERT INTO llm_calls (run_id, idea_id, stage, provider, model, request_hash, request_json, "
                        "response_json, status, error, tokens_in, tokens_out, tokens_cached, cost_usd, latency_ms, "
                        "created_ms, truncated, rejected) VALUES (NULLIF(?, ''), NULLIF(?, ''), NULLIF(?, ''), ?, ?, ?, ?, "
                        "NULLIF(?, ''), ?, NULLIF(?, ''), ?, ?, ?, ?, ?, ?, ?, NULLIF(?, ''))");
    q.bind(1, c.run_id);
    q.bind(2, c.idea_id);
    q.bind(3, c.stage);
    q.bind(4, c.provider);
    q.bind(5, c.model);
    q.bind(6, c.request_hash);
    q.bind(7, c.request_json);
    q.bind(8, c.response_json);
    q.bind(9, c.status);
    q.bind(10, c.error);
    q.bind(11, c.tokens_in);
    q.bind(12, c.tokens_out);
    q.bind(13, c.tokens_cached);
    q.bind(14, c.cost_usd);
    q.bind(15, c.latency_ms);
    q.bind(16, c.created_ms ? c.created_ms : now_ms());
    q.bind(17, c.truncated ? 1 : 0);
    q.bind(18, c.rejected);
    q.exec();
    int64_t id = db.getLastInsertRowid();
    if (!c.run_id.empty() && c.cost_usd != 0) add_run_cost(db, c.run_id, c.cost_usd);
    return id;
  });
}

Expected<std::optional<LlmCall>> find_cached_llm_call(Store& store, const std::string& request_hash) {
  return store.read([&](SQLite::Database& db) -> Expected<std::optional<LlmCall>> {
    SQLite::Statement q(db, std::string(kCallColumns) +
                                "WHERE request_hash = ? AND status IN ('ok', 'cached') AND response_json IS NOT NULL "
                                "AND rejected IS NULL "
                                "ORDER BY id DESC LIMIT 1");
    q.bind(1, request_hash);
    if (!q.executeStep()) return std::optional<LlmCall>();
    return std::optional<LlmCall>(call_from_row(q));
  });
}

Expected<LlmSpend> llm_spend_of_run(Store& store, const std::string& run_id) {
  return store.read([&](SQLite::Database& db) -> Expected<LlmSpend> {
    SQLite::Statement q(db,
                        "SELECT coalesce(sum(cost_usd), 0), coalesce(sum(tokens_in + tokens_out), 0), count(*) "
                        "FROM llm_calls WHERE run_id = ?");
    q.bind(1, run_id);
    q.executeStep();
    return LlmSpend{q.getColumn(0).getDouble(), q.getColumn(1).getInt64(), q.getColumn(2).getInt64()};
  });
}

Expected<LlmSpend> llm_spend_of_stage(Store& store, const std::string& run_id, const std::string& idea_id,
                                      const std::string& stage) {
  return store.read([&](SQLite::Database& db) -> Expected<LlmSpend> {
    SQLite::Statement q(db,
                        "SELECT coalesce(sum(cost_usd), 0), coalesce(sum(tokens_in + tokens_out), 0), count(*) "
                        "FROM llm_calls WHERE run_id = ? AND coalesce(idea_id, '') = ? AND coalesce(stage, '') = ?");
    q.bind(1, run_id);
    q.bind(2, idea_id);
    q.bind(3, stage);
    q.executeStep();
    return LlmSpend{q.getColumn(0).getDouble(), q.getColumn(1).getInt64(), q.getColumn(2).getInt64()};
  });
}

Status reject_llm_call(Store& store, int64_t id, const std::string& reason) {
  return store.transaction([&](SQLite::Database& db) -> Status {
    SQLite::Statement find(db, "SELECT request_hash, coalesce(response_json, '') FROM llm_calls WHERE id = ?");
    find.bind(1, id);
    if (!find.executeStep()) return fail(ErrorKind::not_found, "no LLM call " + std::to_string(id) + " to reject");
    std::string hash = find.getColumn(0).getString(), response = find.getColumn(1).getString();
    SQLite::Statement mark(db,
                           "UPDATE llm_calls SET rejected = ? WHERE id = ? OR (request_hash = ? AND response_json = ?)");
    mark.bind(1, reason.empty() ? std::string("rejected") : reason);
    mark.bind(2, id);
    mark.bind(3, hash);
    mark.bind(4, response);
    mark.exec();
    return {};
  });
}

Expected<PromptCacheShare> prompt_cache_share(Store& store, const std::string& run_id) {
  return store.read([&](SQLite::Database& db) -> Expected<PromptCacheShare> {
    SQLite::Statement q(db,
                        "SELECT coalesce(sum(tokens_in), 0), coalesce(sum(tokens_cached), 0) FROM llm_calls "
                        "WHERE coalesce(run_id, '') = ? AND status = 'ok'");
    q.bind(1, run_id);
    q.executeStep();
    return PromptCacheShare{q.getColumn(0).getInt64(), q.getColumn(1).getInt64()};
  });
}

Expected<std::vector<LlmCall>> list_llm_calls(Store& store, const std::string& run_id) {
  return store.read([&](SQLite::Database& db) -> Expected<std::vector<LlmCall>> {
    SQLite::Statement q(db, std::string(kCallColumns) + "WHERE coalesce(run_id, '') = ? ORDER BY id");
    q.bind(1, run_id);
    std::vector<LlmCall> out;
    while (q.executeStep()) out.push_back(call_from_row(q));
    return out;
  });
}

}  // namespace shoal::store
