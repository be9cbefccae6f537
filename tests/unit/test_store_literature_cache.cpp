#include <doctest/doctest.h>

#include "store/literature_cache.hpp"
#include "temp_dir.hpp"

using namespace shoal;
using namespace shoal::store;

TEST_CASE("a literature answer is stored per engine and query, and replaced when stored again") {
  test::TempDir dir;
  auto store = Store::open(dir / "shoal.db", OpenMode::create).value();
  CHECK_FALSE(find_literature_cache(store, "openalex", "q\nlimit=5").value().has_value());
  REQUIRE(put_literature_cache(store, {"openalex", "q\nlimit=5", "[1]", 0}).ok());
  REQUIRE(put_literature_cache(store, {"arxiv", "q\nlimit=5", "[2]", 1000}).ok());
  auto hit = find_literature_cache(store, "openalex", "q\nlimit=5").value();
  REQUIRE(hit.has_value());
  CHECK(hit->response_json == "[1]");
  CHECK(hit->fetched_ms > 1000);
  CHECK(find_literature_cache(store, "arxiv", "q\nlimit=5").value()->fetched_ms == 1000);
  CHECK_FALSE(find_literature_cache(store, "openalex", "q\nlimit=6").value().has_value());
  REQUIRE(put_literature_cache(store, {"openalex", "q\nlimit=5", "[3]", 2000}).ok());
  CHECK(find_literature_cache(store, "openalex", "q\nlimit=5").value()->response_json == "[3]");
  CHECK(count_literature_cache(store, "").value() == 2);
  CHECK(count_literature_cache(store, "arxiv").value() == 1);
  CHECK(count_literature_cache(store, "semantic_scholar").value() == 0);
}
