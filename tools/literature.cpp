#include "tools/literature.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "core/log.hpp"
#include "store/literature_cache.hpp"
#include "tools/arxiv.hpp"
#include "tools/http_get.hpp"
#include "tools/json_fields.hpp"
#include "tools/openalex.hpp"
#include "tools/semantic_scholar.hpp"
#include "core/text.hpp"

namespace shoal::tools {
namespace {

// What search_papers needs to know of one engine.
struct Engine {
  std::string name;
  std::string (*url)(const std::string& base_url, std::string_view query, int limit);
  Expected<std::vector<PaperRef>> (*parse)(std::string_view body);
  std::string (*error_message)(std::string_view body);
};

const std::vector<Engine>& engine_table() {
  static const std::vector<Engine> table = {
      {"semantic_scholar", semantic_scholar::search_url, semantic_scholar::parse_search,
       semantic_scholar::error_message},
      {"openalex", openalex::search_url, openalex::parse_search, openalex::error_message},
      {"arxiv", arxiv::search_url, arxiv::parse_search, arxiv::error_message},
  };
  return table;
}

const Engine* find_engine(const std::string& name) {
  for (const auto& e : engine_table())
    if (e.name == name) return &e;
  return nullptr;
}


// Registers an API key with the log redactor once per distinct key.
void register_key(const std::string& key) {
  static std::mutex mutex;
  static std::set<std::string> seen;
  std::lock_guard lock(mutex);
  if (!key.empty() && seen.insert(key).second) log::register_secret(key);
}

// The configured base URL of `engine` ("" = the engine's official one).
const std::string& base_url(const LiteratureOptions& options, const std::string& engine) {
  if (engine == "semantic_scholar") return options.semantic_scholar_url;
  if (engine == "openalex") return options.openalex_url;
  return options.arxiv_url;
}

// Seconds to wait before retry number `attempt` (0-based) without a Retry-After: 0.5 s doubling,
// capped at `cap`, with jitter in [half, whole] so that parallel callers spread out.
double backoff_s(int attempt, double cap) {
  thread_local std::minstd_rand rng(static_cast<unsigned>(std::random_device{}()));
  double full = std::min(cap, 0.5 * std::pow(2.0, std::min(attempt, 20)));
  return full * std::uniform_real_distribution<double>(0.5, 1.0)(rng);
}

// "1.5 s", "0.05 s": a duration for messages.
std::string seconds_text(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g s", s);
  return buf;
}

// The engine's own error message, shortened, in parentheses ("" when there is none).
std::string quoted_message(const Engine& engine, const std::string& body) {
  std::string message = collapse_whitespace(engine.error_message(body));
  if (message.size() > 200) message = message.substr(0, 200) + "...";
  return message.empty() ? "" : " (" + message + ")";
}

// Asks one engine, retrying 429, 408, 5xx and network failures up to options.max_retries times.
// The error's message is the reason, written to follow "<engine>: ".
Expected<std::vector<PaperRef>> ask_engine(const Engine& engine, const std::string& query, int limit,
                                           const LiteratureOptions& options) {
  std::string url = engine.url(base_url(options, engine.name), query, limit);
  HttpGetOptions http;
  http.timeout_s = options.timeout_s;
  http.headers.push_back("Accept: " + std::string(engine.name == "arxiv" ? "application/atom+xml" : "application/json"));
  if (engine.name == "semantic_scholar" && !options.s2_api_key.empty())
    http.headers.push_back("x-api-key: " + options.s2_api_key);

  for (int attempt = 0;; ++attempt) {
    auto response = http_get(url, http);
    Error error;
    std::optional<double> retry_after;
    bool retryable = false;
    if (!response.ok()) {
      error = response.error();
      retryable = error.kind != ErrorKind::invalid_input;
    } else if (response->status == 200) {
      auto papers = engine.parse(response->body);
      if (papers.ok()) return papers;
      return fail(ErrorKind::remote, "unusable answer: " + papers.error().message);
    } else {
      long status = response->status;
      retryable = status == 429 || status == 408 || status >= 500;
      error = fail(status == 429 ? ErrorKind::rate_limited : retryable ? ErrorKind::remote : ErrorKind::invalid_input,
                   "HTTP " + std::to_string(status) + quoted_message(engine, response->body));
      retry_after = response->retry_after_s;
    }
    if (!retryable || attempt >= options.max_retries) {
      if (attempt > 0) error.message += " after " + std::to_string(attempt) + (attempt == 1 ? " retry" : " retries");
      return error;
    }
    double wait = retry_after ? std::min(*retry_after, options.max_backoff_s) : backoff_s(attempt, options.max_backoff_s);
    log::info("literature", engine.name + ": " + error.message + "; retry " + std::to_string(attempt + 1) + " of " +
                                std::to_string(options.max_retries) + " in " + seconds_text(wait));
    std::this_thread::sleep_for(std::chrono::duration<double>(std::max(0.0, wait)));
  }
}

// The cache key of a query: the normalised query and the limit.
std::string cache_key(const std::string& normalized, int limit) {
  return normalized + "\n" + "limit=" + std::to_string(limit);
}

// A cached answer of any of the engines, in their order; nullopt when none (or the store fails:
// the cache is a convenience, so its failure is logged, not returned).
std::optional<SearchResult> cached_answer(store::Store& store, const std::vector<std::string>& engines,
                                          const std::string& key) {
  for (const auto& name : engines) {
    auto hit = store::find_literature_cache(store, name, key);
    if (!hit.ok()) {
      log::warn("literature", "cannot read the literature cache: " + hit.error().message);
      return std::nullopt;
    }
    if (!hit->has_value()) continue;
    auto doc = nlohmann::json::parse((*hit)->response_json, nullptr, false);
    if (!doc.is_array()) continue;  // damaged entry: ask the engines again (and overwrite it)
    SearchResult result{name, {}, true, {}};
    for (const auto& p : doc) result.papers.push_back(paper_from_json(p));
    return result;
  }
  return std::nullopt;
}

// Stores an engine's answer; a failure is logged, not returned.
void remember_answer(store::Store& store, const std::string& engine, const std::string& key,
                     const std::vector<PaperRef>& papers) {
  nlohmann::json doc = nlohmann::json::array();
  for (const auto& p : papers) doc.push_back(paper_to_json(p));
  auto st = store::put_literature_cache(store, {engine, key, doc.dump(), 0});
  if (!st.ok()) log::warn("literature", "cannot store a literature answer in the cache: " + st.error().message);
}

}  // namespace

const std::vector<std::string>& known_engines() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const auto& e : engine_table()) out.push_back(e.name);
    return out;
  }();
  return names;
}

std::string collapse_whitespace(std::string_view text) {
  std::string out;
  bool space = false;
  for (unsigned char c : text) {
    if (std::isspace(c)) {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += static_cast<char>(c);
  }
  return out;
}

std::string normalize_query(std::string_view query) {
  std::string out = collapse_whitespace(query);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

LiteratureOptions literature_options(const Config& config) {
  LiteratureOptions o;
  o.engines.clear();
  std::string list = config.get("literature_engines");
  for (size_t start = 0; start <= list.size();) {
    size_t comma = std::min(list.find(',', start), list.size());
    if (auto name = collapse_whitespace(std::string_view(list).substr(start, comma - start)); !name.empty())
      o.engines.push_back(name);
    start = comma + 1;
  }
  o.semantic_scholar_url = config.get("literature_s2_url");
  o.openalex_url = config.get("literature_openalex_url");
  o.arxiv_url = config.get("literature_arxiv_url");
  o.max_retries = static_cast<int>(config.get_int("literature_max_retries"));
  o.timeout_s = config.get_double("literature_timeout_s");
  for (const char* var : {"SEMANTIC_SCHOLAR_API_KEY", "S2_API_KEY"}) {
    const char* key = std::getenv(var);
    if (key && *key) {
      o.s2_api_key = key;
      break;
    }
  }
  register_key(o.s2_api_key);
  return o;
}

Expected<SearchResult> search_papers(store::Store* store, const std::string& query, int limit,
                                     const LiteratureOptions& options) {
  std::string normalized = normalize_query(query);
  if (normalized.empty()) return fail(ErrorKind::invalid_input, "the literature search query is empty");
  if (limit < 1) return fail(ErrorKind::invalid_input, "the literature search limit must be at least 1");
  if (options.engines.empty())
    return fail(ErrorKind::invalid_input, "no literature engine is selected: set literature_engines to some of " +
                                              join(known_engines(), ", "));
  for (const auto& name : options.engines)
    if (!find_engine(name))
      return fail(ErrorKind::invalid_input, "unknown literature engine '" + name + "' (literature_engines); known: " +
                                                join(known_engines(), ", "));
  register_key(options.s2_api_key);

  std::string key = cache_key(normalized, limit);
  if (store)
    if (auto hit = cached_answer(*store, options.engines, key)) return *hit;

  std::vector<std::string> skipped;
  std::set<ErrorKind> kinds;
  for (const auto& name : options.engines) {
    const Engine& engine = *find_engine(name);
    auto papers = ask_engine(engine, normalized, limit, options);
    if (papers.ok()) {
      if (store) remember_answer(*store, name, key, *papers);
      return SearchResult{name, std::move(papers).value(), false, std::move(skipped)};
    }
    log::warn("literature", name + " failed: " + papers.error().message);
    skipped.push_back(name + ": " + papers.error().message);
    kinds.insert(papers.error().kind);
  }
  ErrorKind kind = kinds.size() == 1 ? *kinds.begin() : ErrorKind::remote;
  return fail(kind, "literature search for '" + normalized + "' failed on every engine: " + join(skipped, "; ") +
                        ". Wait and retry (rate limits), check the network, set SEMANTIC_SCHOLAR_API_KEY for "
                        "Semantic Scholar's higher limits, or choose engines and URLs with --set "
                        "literature_engines=... / literature_s2_url=... / literature_openalex_url=... / "
                        "literature_arxiv_url=...");
}

nlohmann::json paper_to_json(const PaperRef& p) {
  return {{"engine", p.engine}, {"id", p.id},       {"title", p.title},       {"authors", p.authors},
          {"year", p.year},     {"venue", p.venue}, {"abstract", p.abstract}, {"url", p.url},
          {"doi", p.doi},       {"arxiv_id", p.arxiv_id}, {"bibtex", p.bibtex}, {"citations", p.citations}};
}

PaperRef paper_from_json(const nlohmann::json& j) {
  PaperRef p;
  p.engine = string_field(j, "engine");
  p.id = string_field(j, "id");
  p.title = string_field(j, "title");
  for (const auto& a : node_field(j, "authors"))
    if (a.is_string()) p.authors.push_back(a.get<std::string>());
  p.year = static_cast<int>(int_field(j, "year"));
  p.venue = string_field(j, "venue");
  p.abstract = string_field(j, "abstract");
  p.url = string_field(j, "url");
  p.doi = string_field(j, "doi");
  p.arxiv_id = string_field(j, "arxiv_id");
  p.bibtex = string_field(j, "bibtex");
  p.citations = int_field(j, "citations");
  return p;
}

}  // namespace shoal::tools
