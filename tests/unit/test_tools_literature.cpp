#include <doctest/doctest.h>

#include <cstdlib>

#include "core/log.hpp"
#include "store/literature_cache.hpp"
#include "temp_dir.hpp"
#include "tools/literature.hpp"

using namespace shoal;
using namespace shoal::tools;

TEST_CASE("queries are normalised for the cache; whitespace is collapsed") {
  CHECK(normalize_query("  Grokking\tWeight   DECAY\n") == "grokking weight decay");
  CHECK(normalize_query(" \n ").empty());
  CHECK(collapse_whitespace("  a \n\n b  c ") == "a b c");
  CHECK(collapse_whitespace("") == "");
}

TEST_CASE("papers survive the JSON round trip the cache and --json use") {
  PaperRef p{"openalex", "W1", "T", {"A", "B"}, 2020, "V", "abs", "http://u", "10.1/x", "2001.00001", "@misc{k,}", 42};
  auto back = paper_from_json(nlohmann::json::parse(paper_to_json(p).dump()));
  CHECK(back.engine == p.engine);
  CHECK(back.id == p.id);
  CHECK(back.title == p.title);
  CHECK(back.authors == p.authors);
  CHECK(back.year == p.year);
  CHECK(back.venue == p.venue);
  CHECK(back.abstract == p.abstract);
  CHECK(back.url == p.url);
  CHECK(back.doi == p.doi);
  CHECK(back.arxiv_id == p.arxiv_id);
  CHECK(back.bibtex == p.bibtex);
  CHECK(back.citations == p.citations);
  CHECK(paper_from_json(nlohmann::json::parse(R"({"title": 5, "authors": "x"})")).title.empty());
}

TEST_CASE("literature options come from the config rows and the key from the environment only") {
  Config::Inputs in;
  in.cli = {{"literature_engines", " openalex , arxiv,"}, {"literature_s2_url", "http://s2.local"},
            {"literature_max_retries", "1"}, {"literature_timeout_s", "2.5"}};
  in.env = [](const std::string&) -> std::optional<std::string> { return std::nullopt; };
  auto config = Config::resolve(in).value();
  ::setenv("SEMANTIC_SCHOLAR_API_KEY", "s2-test-key-1234567", 1);
  auto o = literature_options(config);
  ::unsetenv("SEMANTIC_SCHOLAR_API_KEY");
  CHECK(o.engines == std::vector<std::string>{"openalex", "arxiv"});
  CHECK(o.semantic_scholar_url == "http://s2.local");
  CHECK(o.openalex_url.empty());
  CHECK(o.max_retries == 1);
  CHECK(o.timeout_s == 2.5);
  CHECK(o.s2_api_key == "s2-test-key-1234567");
  CHECK(log::redact("key s2-test-key-1234567") == "key [redacted]");
  ::setenv("S2_API_KEY", "s2-other-key-7654321", 1);
  CHECK(literature_options(config).s2_api_key == "s2-other-key-7654321");
  ::unsetenv("S2_API_KEY");
  CHECK(literature_options(config).s2_api_key.empty());
  // The defaults: every engine, in the documented order.
  in.cli.clear();
  CHECK(literature_options(Config::resolve(in).value()).engines == known_engines());
  CHECK(known_engines() == std::vector<std::string>{"semantic_scholar", "openalex", "arxiv"});
}

TEST_CASE("bad searches are refused before any request") {
  LiteratureOptions o;
  CHECK(search_papers(nullptr, "  ", 5, o).error().kind == ErrorKind::invalid_input);
  CHECK(search_papers(nullptr, "x", 0, o).error().kind == ErrorKind::invalid_input);
  o.engines = {"semantic_scholar", "google_scholar"};
  auto unknown = search_papers(nullptr, "x", 5, o);
  CHECK(unknown.error().kind == ErrorKind::invalid_input);
  CHECK(unknown.error().message.find("unknown literature engine 'google_scholar'") != std::string::npos);
  CHECK(unknown.error().message.find("semantic_scholar, openalex, arxiv") != std::string::npos);
  o.engines = {};
  CHECK(search_papers(nullptr, "x", 5, o).error().kind == ErrorKind::invalid_input);
}

TEST_CASE("when no engine can be reached the error lists each engine's reason and the fixes") {
  test::TempDir dir;
  auto store = store::Store::open(dir / "shoal.db", store::OpenMode::create).value();
  LiteratureOptions o;
  o.semantic_scholar_url = o.openalex_url = o.arxiv_url = "http://127.0.0.1:9";  // nothing listens on port 9
  o.max_retries = 0;
  auto r = search_papers(&store, "grokking", 5, o);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().kind == ErrorKind::remote);
  for (const char* part : {"semantic_scholar: GET http://127.0.0.1:9/graph/v1/paper/search", "openalex: GET",
                           "arxiv: GET", "literature_s2_url", "check the network"})
    CHECK(r.error().message.find(part) != std::string::npos);
  CHECK(store::count_literature_cache(store, "").value() == 0);  // failures are not cached
}
