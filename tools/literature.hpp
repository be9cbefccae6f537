// Literature search for the agent (novelty checks, related work, citations): Semantic
// Scholar, OpenAlex and arXiv, tried in order, with retries on rate limits and server
// errors, and every successful answer cached in the store (table literature_cache).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/config.hpp"
#include "core/expected.hpp"
#include "store/db.hpp"

namespace shoal::tools {

// One paper as an engine described it.
struct PaperRef {
  std::string engine, id, title;
  std::vector<std::string> authors;
  int year = 0;
  std::string venue, abstract, url, doi, arxiv_id, bibtex /* as the engine gave it, may be empty */;
  int64_t citations = 0;
};

struct LiteratureOptions {
  std::vector<std::string> engines = {"semantic_scholar", "openalex", "arxiv"};
  std::string semantic_scholar_url, openalex_url, arxiv_url; /* "" = official */
  int max_retries = 3;
  double timeout_s = 30;
  double max_backoff_s = 30;
  std::string s2_api_key; /* from env only */
};

// Options from the config rows literature_engines, literature_s2_url, literature_openalex_url,
// literature_arxiv_url, literature_max_retries, literature_timeout_s, and the Semantic Scholar
// key from SEMANTIC_SCHOLAR_API_KEY or S2_API_KEY (registered with the log redactor).
LiteratureOptions literature_options(const Config& config);

struct SearchResult {
  std::string engine;
  std::vector<PaperRef> papers;
  bool from_cache = false;
  std::vector<std::string> skipped; /* "openalex: HTTP 500 after 3 retries" for engines that failed before this one */
};

// Tries the engines in order; caches each successful (engine, normalized query, limit) answer in the store's
// literature_cache table (store may be null = no cache); 429 -> capped retries honouring Retry-After, then next engine.
// A cached answer of any listed engine is used before any engine is asked. Errors: invalid_input (empty
// query, unknown engine), else the kind of the last engine's failure (rate_limited, timeout, remote)
// with every engine's reason and what to try.
Expected<SearchResult> search_papers(store::Store* store, const std::string& query, int limit,
                                     const LiteratureOptions& options);

// The engines search_papers knows, in their default order.
const std::vector<std::string>& known_engines();

// Lower-case (ASCII), whitespace collapsed and trimmed: what the cache keys on.
std::string normalize_query(std::string_view query);

// Runs of whitespace (newlines included) become one space; leading and trailing ones go.
std::string collapse_whitespace(std::string_view text);

// A paper as JSON (the cache's format and `shoal lit search --json`), and back.
nlohmann::json paper_to_json(const PaperRef& paper);
PaperRef paper_from_json(const nlohmann::json& json);

}  // namespace shoal::tools
