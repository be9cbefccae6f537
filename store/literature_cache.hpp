// The literature cache: one stored answer per (search engine, query key), so a repeated
// search (a resumed run, a second novelty check) asks no engine again. The query key is
// the caller's (tools/literature.cpp: the normalised query and the result limit); the
// answer is the caller's JSON (the parsed papers).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "store/db.hpp"

namespace shoal::store {

struct LiteratureCacheEntry {
  std::string engine;         // "semantic_scholar", "openalex", "arxiv"
  std::string query;          // the caller's query key
  std::string response_json;  // the caller's stored answer
  int64_t fetched_ms = 0;     // when the engine answered
};

// The stored answer for (engine, query), if any.
Expected<std::optional<LiteratureCacheEntry>> find_literature_cache(Store& store, const std::string& engine,
                                                                   const std::string& query);

// Stores (or replaces) the answer for (entry.engine, entry.query); fetched_ms is set here when zero.
Status put_literature_cache(Store& store, LiteratureCacheEntry entry);

// How many answers are stored for `engine` ("" = every engine).
Expected<int64_t> count_literature_cache(Store& store, const std::string& engine);

}  // namespace shoal::store
