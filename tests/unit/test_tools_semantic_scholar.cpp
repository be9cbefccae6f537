#include <doctest/doctest.h>

#include "tools/semantic_scholar.hpp"

using namespace shoal;
using namespace shoal::tools;

namespace {

// The shape of a real /graph/v1/paper/search answer with the fields Shoal asks for: nulls for
// missing abstracts and venues, externalIds with mixed value types, S2's own BibTeX.
const char* kAnswer = R"json({
  "total": 7381, "offset": 0, "next": 2,
  "data": [
    {"paperId": "204e3073870fae3d05bcbc2f6a8e263d9b72e776",
     "externalIds": {"DBLP": "journals/corr/VaswaniSPUJGKP17", "MAG": "2963403868", "ArXiv": "1706.03762", "ACL": null,
                     "CorpusId": 13756489},
     "title": "Attention is All you Need",
     "abstract": "The dominant sequence transduction models are based on complex recurrent networks.",
     "venue": "Neural Information Processing Systems", "year": 2017, "citationCount": 118000,
     "citationStyles": {"bibtex": "@Article{Vaswani2017AttentionIA,\n author = {Ashish Vaswani and Noam M. Shazeer},\n booktitle = {Neural Information Processing Systems},\n title = {Attention is All you Need},\n year = {2017}\n}\n"},
     "authors": [{"authorId": "40348417", "name": "Ashish Vaswani"}, {"authorId": "1846258", "name": "Noam M. Shazeer"}]},
    {"paperId": "0f3ab8b2c3d4e5f60718293a4b5c6d7e8f901234",
     "externalIds": {"DOI": "10.1000/xyz123", "CorpusId": 1},
     "title": "A paper without much", "abstract": null, "venue": "", "year": null, "citationCount": 0,
     "citationStyles": null, "authors": []},
    {"paperId": "ffff", "title": null}
  ]
})json";

}  // namespace

TEST_CASE("a Semantic Scholar search answer becomes papers") {
  auto papers = semantic_scholar::parse_search(kAnswer).value();
  REQUIRE(papers.size() == 2);  // the entry without a title is dropped
  const auto& p = papers[0];
  CHECK(p.engine == "semantic_scholar");
  CHECK(p.id == "204e3073870fae3d05bcbc2f6a8e263d9b72e776");
  CHECK(p.title == "Attention is All you Need");
  CHECK(p.authors == std::vector<std::string>{"Ashish Vaswani", "Noam M. Shazeer"});
  CHECK(p.year == 2017);
  CHECK(p.venue == "Neural Information Processing Systems");
  CHECK(p.citations == 118000);
  CHECK(p.arxiv_id == "1706.03762");
  CHECK(p.doi.empty());
  CHECK(p.url == "https://www.semanticscholar.org/paper/204e3073870fae3d05bcbc2f6a8e263d9b72e776");
  CHECK(p.bibtex.rfind("@Article{Vaswani2017AttentionIA,", 0) == 0);
  CHECK(p.abstract.find("sequence transduction") != std::string::npos);
  const auto& q = papers[1];
  CHECK(q.doi == "10.1000/xyz123");
  CHECK(q.abstract.empty());
  CHECK(q.year == 0);
  CHECK(q.bibtex.empty());
  CHECK(q.authors.empty());
}

TEST_CASE("no match, errors and garbage from Semantic Scholar") {
  CHECK(semantic_scholar::parse_search(R"({"total": 0, "offset": 0})").value().empty());
  CHECK(semantic_scholar::parse_search(R"({"total": 0, "offset": 0, "data": []})").value().empty());
  auto bad = semantic_scholar::parse_search("<html>Bad gateway</html>");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().kind == ErrorKind::remote);
  CHECK_FALSE(semantic_scholar::parse_search(R"({"message": "Internal Server Error"})").ok());
  CHECK(semantic_scholar::error_message(R"({"message": "Too Many Requests. Please wait", "code": "429"})") ==
        "Too Many Requests. Please wait");
  CHECK(semantic_scholar::error_message(R"({"error": "Requested limit exceeds maximum of 100"})") ==
        "Requested limit exceeds maximum of 100");
  CHECK(semantic_scholar::error_message("not json").empty());
}

TEST_CASE("the Semantic Scholar request URL carries the query, limit and fields") {
  CHECK(semantic_scholar::search_url("", "grokking & weight decay", 5) ==
        "https://api.semanticscholar.org/graph/v1/paper/search?query=grokking%20%26%20weight%20decay&limit=5"
        "&fields=title,authors,venue,year,abstract,citationCount,externalIds,citationStyles");
  CHECK(semantic_scholar::search_url("http://127.0.0.1:8000/", "x", 500).rfind(
            "http://127.0.0.1:8000/graph/v1/paper/search?query=x&limit=100&", 0) == 0);
}
