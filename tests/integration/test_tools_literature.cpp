// Literature search over real HTTP against tests/fake_literature/server.py: each engine's
// answer shape, fallback from a rate-limited engine, Retry-After, the store's cache, the
// Semantic Scholar key, and the error when every engine fails.
#include <doctest/doctest.h>

#include "../fake_llm/fake_server.hpp"
#include "../unit/temp_dir.hpp"
#include "core/time.hpp"
#include "store/literature_cache.hpp"
#include "tools/literature.hpp"

using namespace shoal;
using namespace shoal::tools;
using nlohmann::json;

namespace {

// A fake literature server (the generic fake-server runner of tests/fake_llm starts it), a
// fresh store, and options pointing every engine at the server with quick retries.
struct LiteratureFixture {
  explicit LiteratureFixture(std::vector<std::string> server_args = {}) : server(SHOAL_FAKE_LITERATURE_SERVER, std::move(server_args)) {}
  test::FakeLlmServer server;
  test::TempDir dir;
  store::Store store = store::Store::open(dir / "shoal.db", store::OpenMode::create).value();

  LiteratureOptions options() const {
    LiteratureOptions o;
    o.semantic_scholar_url = o.openalex_url = o.arxiv_url = server.url();
    o.max_retries = 2;
    o.timeout_s = 5;
    o.max_backoff_s = 0.05;
    return o;
  }
  int64_t requests(const std::string& engine) const {
    auto by = server.stats()["by_engine"];
    return by.contains(engine) ? by[engine].get<int64_t>() : 0;
  }
  int64_t requests() const { return server.stats()["requests"].get<int64_t>(); }
};

}  // namespace

TEST_CASE("each engine's answer is parsed from its real response shape") {
  LiteratureFixture f;
  auto o = f.options();
  o.engines = {"semantic_scholar"};
  auto s2 = search_papers(nullptr, "grokking weight decay", 3, o).value();
  CHECK(s2.engine == "semantic_scholar");
  REQUIRE_FALSE(s2.papers.empty());
  CHECK(s2.papers[0].title == "Grokking: Generalization Beyond Overfitting on Small Algorithmic Datasets");
  CHECK(s2.papers[0].arxiv_id == "2201.02177");
  CHECK(s2.papers[0].bibtex.rfind("@Article{Power2022", 0) == 0);
  CHECK(s2.papers[0].authors.front() == "Alethea Power");

  o.engines = {"openalex"};
  auto oa = search_papers(nullptr, "grokking weight decay", 3, o).value();
  REQUIRE_FALSE(oa.papers.empty());
  CHECK(oa.papers[0].id == "W4226082499");
  CHECK(oa.papers[0].abstract.rfind("On small algorithmically generated datasets, neural networks", 0) == 0);
  CHECK(oa.papers[0].arxiv_id == "2201.02177");

  o.engines = {"arxiv"};
  auto ax = search_papers(nullptr, "residual learning image", 3, o).value();
  REQUIRE(ax.papers.size() == 1);  // arXiv ANDs the words
  CHECK(ax.papers[0].title == "Deep Residual Learning for Image Recognition");
  CHECK(ax.papers[0].arxiv_id == "1512.03385");
  CHECK(ax.papers[0].year == 2016);
  CHECK(ax.papers[0].doi == "10.1109/CVPR.2016.90");
  CHECK(f.requests() == 3);
}

TEST_CASE("a rate-limited Semantic Scholar falls back to OpenAlex after its retries") {
  LiteratureFixture f;
  f.server.set_rules({{"rules", {{{"engine", "semantic_scholar"}, {"status", 429}, {"retry_after", "0"}}}}});
  auto r = search_papers(&f.store, "diffusion models", 5, f.options()).value();
  CHECK(r.engine == "openalex");
  CHECK_FALSE(r.from_cache);
  REQUIRE(r.skipped.size() == 1);
  CHECK(r.skipped[0].rfind("semantic_scholar: HTTP 429 (Too Many Requests.", 0) == 0);
  CHECK(r.skipped[0].find("after 2 retries") != std::string::npos);
  CHECK(f.requests("semantic_scholar") == 3);  // the first try and 2 retries
  CHECK(f.requests("openalex") == 1);
  CHECK(f.requests("arxiv") == 0);
  REQUIRE_FALSE(r.papers.empty());
  CHECK(r.papers[0].title == "Denoising Diffusion Probabilistic Models");
  // Server errors and unusable answers fall through the same way.
  f.server.set_rules({{"rules", {{{"engine", "semantic_scholar"}, {"status", 503}},
                                 {{"engine", "openalex"}, {"malformed", true}}}}});
  auto next = search_papers(&f.store, "stochastic optimization", 5, f.options()).value();
  CHECK(next.engine == "arxiv");
  REQUIRE(next.skipped.size() == 2);
  CHECK(next.skipped[0] == "semantic_scholar: HTTP 503 (Internal Server Error) after 2 retries");
  CHECK(next.skipped[1].rfind("openalex: unusable answer:", 0) == 0);
  CHECK(f.requests("openalex") == 1);  // a 200 with a broken body is not retried
}

TEST_CASE("a cached answer makes no request, whichever listed engine gave it") {
  LiteratureFixture f;
  auto first = search_papers(&f.store, "Attention transformer", 4, f.options()).value();
  CHECK(first.engine == "semantic_scholar");
  CHECK(f.requests() == 1);
  auto again = search_papers(&f.store, "  attention   TRANSFORMER ", 4, f.options()).value();
  CHECK(again.from_cache);
  CHECK(again.engine == "semantic_scholar");
  CHECK(f.requests() == 1);
  REQUIRE(again.papers.size() == first.papers.size());
  CHECK(again.papers[0].title == first.papers[0].title);
  CHECK(again.papers[0].bibtex == first.papers[0].bibtex);
  // Another limit is another question; no store means no cache.
  CHECK_FALSE(search_papers(&f.store, "attention transformer", 2, f.options()).value().from_cache);
  CHECK_FALSE(search_papers(nullptr, "attention transformer", 4, f.options()).value().from_cache);
  CHECK(f.requests() == 3);
  // An answer OpenAlex gave while Semantic Scholar was down is reused once it is back.
  f.server.set_rules({{"rules", {{{"engine", "semantic_scholar"}, {"status", 500}}}}});
  CHECK(search_papers(&f.store, "word vectors", 4, f.options()).value().engine == "openalex");
  f.server.set_rules({{"rules", json::array()}});
  auto reused = search_papers(&f.store, "word vectors", 4, f.options()).value();
  CHECK(reused.from_cache);
  CHECK(reused.engine == "openalex");
  CHECK(f.requests() == 0);
  CHECK(store::count_literature_cache(f.store, "").value() == 3);
}

TEST_CASE("Retry-After is honoured, up to the backoff cap") {
  LiteratureFixture f;
  auto o = f.options();
  o.max_backoff_s = 5;
  f.server.set_rules({{"rules", {{{"engine", "semantic_scholar"}, {"status", 429}, {"retry_after", "1"}, {"times", 1}}}}});
  Stopwatch waited;
  auto r = search_papers(nullptr, "batch normalization", 3, o).value();
  CHECK(waited.seconds() >= 0.95);
  CHECK(waited.seconds() < 4);
  CHECK(r.engine == "semantic_scholar");
  CHECK(r.skipped.empty());
  CHECK(f.requests("semantic_scholar") == 2);
  // A Retry-After beyond the cap waits only the cap.
  o.max_backoff_s = 0.2;
  f.server.set_rules({{"rules", {{{"engine", "semantic_scholar"}, {"status", 429}, {"retry_after", "60"}, {"times", 1}}}}});
  Stopwatch capped;
  CHECK(search_papers(nullptr, "batch normalization", 3, o).value().engine == "semantic_scholar");
  CHECK(capped.seconds() < 2);
}

TEST_CASE("when every engine fails, the error names each engine's failure and nothing is cached") {
  LiteratureFixture f;
  auto o = f.options();
  o.max_retries = 1;
  f.server.set_rules({{"rules", {{{"engine", "semantic_scholar"}, {"status", 500}},
                                 {{"engine", "openalex"}, {"status", 500}},
                                 {{"engine", "arxiv"}, {"status", 429}}}}});
  auto r = search_papers(&f.store, "dropout", 5, o);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().kind == ErrorKind::remote);
  const auto& m = r.error().message;
  CHECK(m.find("semantic_scholar: HTTP 500 (Internal Server Error) after 1 retry") != std::string::npos);
  CHECK(m.find("openalex: HTTP 500 (fake 500 error: injected by the test) after 1 retry") != std::string::npos);
  CHECK(m.find("arxiv: HTTP 429 (fake 429 error) after 1 retry") != std::string::npos);
  CHECK(m.find("--set literature_engines=") != std::string::npos);
  CHECK(f.requests() == 6);
  CHECK(store::count_literature_cache(f.store, "").value() == 0);
  // Only rate limits: the error says so by its kind.
  f.server.set_rules({{"rules", {{{"status", 429}, {"retry_after", "0"}}}}});
  CHECK(search_papers(&f.store, "dropout", 5, o).error().kind == ErrorKind::rate_limited);
}

TEST_CASE("a request that times out is retried, then the next engine answers") {
  LiteratureFixture f;
  auto o = f.options();
  o.timeout_s = 0.3;
  o.max_retries = 0;
  f.server.set_rules({{"rules", {{{"engine", "semantic_scholar"}, {"delay_ms", 1500}}}}});
  auto r = search_papers(nullptr, "generative adversarial", 3, o).value();
  CHECK(r.engine == "openalex");
  REQUIRE(r.skipped.size() == 1);
  CHECK(r.skipped[0].find("timed out") != std::string::npos);
}

TEST_CASE("the Semantic Scholar key goes in its header only, and nowhere in the store") {
  const std::string key = "s2-fake-key-0123456789";
  LiteratureFixture f({"--s2-key", key});
  auto o = f.options();
  o.s2_api_key = key;
  auto r = search_papers(&f.store, "residual networks", 3, o).value();
  CHECK(r.engine == "semantic_scholar");
  auto sent = f.server.recent_requests();
  REQUIRE(sent.size() == 1);
  CHECK(sent[0]["headers"]["x-api-key"] == key);
  CHECK(sent[0]["query"].dump().find(key) == std::string::npos);  // never in the URL
  auto cached = store::find_literature_cache(f.store, "semantic_scholar", "residual networks\nlimit=3").value();
  REQUIRE(cached.has_value());
  CHECK(cached->response_json.find(key) == std::string::npos);
  // A wrong key is refused at once (403 is not retried) and the next engine answers.
  o.s2_api_key = "s2-wrong-key-0000000000";
  auto wrong = search_papers(nullptr, "residual networks", 3, o).value();
  CHECK(wrong.engine == "openalex");
  REQUIRE(wrong.skipped.size() == 1);
  CHECK(wrong.skipped[0] == "semantic_scholar: HTTP 403 (Forbidden)");
  CHECK(f.requests("semantic_scholar") == 2);
  auto others = f.server.recent_requests();
  for (const auto& req : others)
    if (req["engine"] != "semantic_scholar") CHECK_FALSE(req["headers"].contains("x-api-key"));
}
