#include <doctest/doctest.h>

#include "tools/openalex.hpp"

using namespace shoal;
using namespace shoal::tools;

namespace {

// The shape of a real /works?search= answer: meta, results with an inverted-index abstract,
// authorships, a primary location whose source may be null, and an arXiv location.
const char* kAnswer = R"json({
  "meta": {"count": 2, "db_response_time_ms": 31, "page": 1, "per_page": 2, "groups_count": null},
  "results": [
    {"id": "https://openalex.org/W4226082499", "doi": "https://doi.org/10.48550/arxiv.2201.02177",
     "title": "Grokking: Generalization Beyond Overfitting on Small Algorithmic Datasets",
     "display_name": "Grokking: Generalization Beyond Overfitting on Small Algorithmic Datasets",
     "relevance_score": 512.3, "publication_year": 2022, "publication_date": "2022-01-06",
     "ids": {"openalex": "https://openalex.org/W4226082499", "doi": "https://doi.org/10.48550/arxiv.2201.02177"},
     "primary_location": {"is_oa": true, "landing_page_url": "https://arxiv.org/abs/2201.02177", "pdf_url": null,
                          "source": null},
     "authorships": [
       {"author_position": "first", "author": {"id": "https://openalex.org/A1", "display_name": "Alethea Power", "orcid": null},
        "institutions": [], "raw_author_name": "Alethea Power"},
       {"author_position": "last", "author": {"id": "https://openalex.org/A2", "display_name": "Vedant Misra", "orcid": null},
        "institutions": [], "raw_author_name": "Vedant Misra"}],
     "cited_by_count": 391,
     "abstract_inverted_index": {"In": [0], "this": [1], "paper": [2], "we": [3], "grokking": [5], "study": [4],
                                 "bogus": [-1, 99999999]},
     "locations": [{"landing_page_url": "https://arxiv.org/abs/2201.02177", "source": null}]},
    {"id": "https://openalex.org/W2194775991", "doi": "https://doi.org/10.1109/cvpr.2016.90",
     "title": null, "display_name": "Deep Residual Learning for Image Recognition",
     "publication_year": 2016,
     "primary_location": {"landing_page_url": "https://doi.org/10.1109/cvpr.2016.90",
                          "source": {"id": "https://openalex.org/S1", "display_name": "2016 IEEE Conference on Computer Vision and Pattern Recognition (CVPR)"}},
     "authorships": [{"author": {"display_name": "Kaiming He"}}],
     "cited_by_count": 180000, "abstract_inverted_index": null,
     "locations": [{"landing_page_url": "http://arxiv.org/abs/1512.03385v1"}]},
    {"id": "https://openalex.org/W3", "title": null, "display_name": null}
  ],
  "group_by": []
})json";

}  // namespace

TEST_CASE("an OpenAlex works answer becomes papers") {
  auto papers = openalex::parse_search(kAnswer).value();
  REQUIRE(papers.size() == 2);
  const auto& g = papers[0];
  CHECK(g.engine == "openalex");
  CHECK(g.id == "W4226082499");
  CHECK(g.title == "Grokking: Generalization Beyond Overfitting on Small Algorithmic Datasets");
  CHECK(g.authors == std::vector<std::string>{"Alethea Power", "Vedant Misra"});
  CHECK(g.year == 2022);
  CHECK(g.venue.empty());  // source null
  CHECK(g.doi == "10.48550/arxiv.2201.02177");
  CHECK(g.arxiv_id == "2201.02177");
  CHECK(g.url == "https://arxiv.org/abs/2201.02177");
  CHECK(g.citations == 391);
  CHECK(g.abstract == "In this paper we study grokking");  // positions out of range are ignored
  const auto& r = papers[1];
  CHECK(r.title == "Deep Residual Learning for Image Recognition");  // display_name when title is null
  CHECK(r.venue == "2016 IEEE Conference on Computer Vision and Pattern Recognition (CVPR)");
  CHECK(r.doi == "10.1109/cvpr.2016.90");
  CHECK(r.arxiv_id == "1512.03385");  // from the arXiv location, version dropped
  CHECK(r.abstract.empty());
  CHECK(r.year == 2016);
}

TEST_CASE("errors and garbage from OpenAlex") {
  CHECK(openalex::parse_search(R"({"meta": {"count": 0}, "results": []})").value().empty());
  auto bad = openalex::parse_search(R"({"meta": {}})");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().kind == ErrorKind::remote);
  CHECK_FALSE(openalex::parse_search("[1, 2").ok());
  CHECK(openalex::error_message(R"({"error": "Invalid query parameters error.", "message": "per-page must be 1-200"})") ==
        "Invalid query parameters error.: per-page must be 1-200");
  CHECK(openalex::search_url("", "diffusion models", 300) ==
        "https://api.openalex.org/works?search=diffusion%20models&per-page=200");
}
