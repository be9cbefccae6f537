#include <doctest/doctest.h>

#include "tools/arxiv.hpp"

using namespace shoal;
using namespace shoal::tools;

namespace {

// The shape of a real arXiv API answer (as in arXiv's API manual): Atom with the opensearch
// and arxiv extension namespaces, titles wrapped over lines, old- and new-style ids.
const char* kFeed = R"xml(<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <link href="http://arxiv.org/api/query?search_query%3Dall%3Aelectron%26id_list%3D%26start%3D0%26max_results%3D2" rel="self" type="application/atom+xml"/>
  <title type="html">ArXiv Query: search_query=all:electron&amp;id_list=&amp;start=0&amp;max_results=2</title>
  <id>http://arxiv.org/api/cHxbiOdZaP56ODnBPIenZhzg5f8</id>
  <updated>2007-10-08T00:00:00-04:00</updated>
  <opensearch:totalResults xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">1000</opensearch:totalResults>
  <opensearch:startIndex xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">0</opensearch:startIndex>
  <opensearch:itemsPerPage xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">2</opensearch:itemsPerPage>
  <entry>
    <id>http://arxiv.org/abs/hep-ex/0307015v1</id>
    <published>2003-07-07T13:46:39-04:00</published>
    <updated>2003-07-07T13:46:39-04:00</updated>
    <title>Multi-Electron Production at High Transverse Momenta in ep Collisions at
  HERA</title>
    <summary>  Multi-electron production is studied at high electron transverse momentum
in positron- and electron-proton collisions using the H1 detector at HERA.
</summary>
    <author>
      <name>H1 Collaboration</name>
    </author>
    <arxiv:comment xmlns:arxiv="http://arxiv.org/schemas/atom">23 pages, 8 figures and 4 tables</arxiv:comment>
    <arxiv:journal_ref xmlns:arxiv="http://arxiv.org/schemas/atom">Eur.Phys.J. C31 (2003) 17-29</arxiv:journal_ref>
    <link href="http://arxiv.org/abs/hep-ex/0307015v1" rel="alternate" type="text/html"/>
    <link title="pdf" href="http://arxiv.org/pdf/hep-ex/0307015v1" rel="related" type="application/pdf"/>
    <arxiv:primary_category xmlns:arxiv="http://arxiv.org/schemas/atom" term="hep-ex" scheme="http://arxiv.org/schemas/atom"/>
    <category term="hep-ex" scheme="http://arxiv.org/schemas/atom"/>
  </entry>
  <entry>
    <id>http://arxiv.org/abs/2006.11239v2</id>
    <published>2020-06-19T17:24:44Z</published>
    <title>Denoising Diffusion Probabilistic Models</title>
    <summary>We present high quality image synthesis results &amp; more.</summary>
    <author><name>Jonathan Ho</name></author>
    <author><name>Ajay Jain</name></author>
    <author><name>Pieter Abbeel</name></author>
    <arxiv:doi xmlns:arxiv="http://arxiv.org/schemas/atom">10.5555/3495724.3496298</arxiv:doi>
    <link href="http://arxiv.org/abs/2006.11239v2" rel="alternate" type="text/html"/>
  </entry>
</feed>
)xml";

const char* kErrorFeed = R"xml(<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">
  <title>ArXiv Query: search_query=&amp;id_list=1234.12345&amp;start=0&amp;max_results=10</title>
  <opensearch:totalResults>1</opensearch:totalResults>
  <entry>
    <id>http://arxiv.org/api/errors#incorrect_id_format_for_1234.12345</id>
    <title>Error</title>
    <summary>incorrect id format for 1234.12345</summary>
    <author><name>arXiv api core</name></author>
  </entry>
</feed>
)xml";

}  // namespace

TEST_CASE("an arXiv Atom answer becomes papers") {
  auto papers = arxiv::parse_search(kFeed).value();
  REQUIRE(papers.size() == 2);
  const auto& h = papers[0];
  CHECK(h.engine == "arxiv");
  CHECK(h.arxiv_id == "hep-ex/0307015");
  CHECK(h.id == "hep-ex/0307015");
  CHECK(h.title == "Multi-Electron Production at High Transverse Momenta in ep Collisions at HERA");
  CHECK(h.abstract.rfind("Multi-electron production is studied at high electron transverse momentum in positron-", 0) == 0);
  CHECK(h.authors == std::vector<std::string>{"H1 Collaboration"});
  CHECK(h.year == 2003);
  CHECK(h.venue == "Eur.Phys.J. C31 (2003) 17-29");
  CHECK(h.url == "http://arxiv.org/abs/hep-ex/0307015v1");
  const auto& d = papers[1];
  CHECK(d.arxiv_id == "2006.11239");
  CHECK(d.authors.size() == 3);
  CHECK(d.doi == "10.5555/3495724.3496298");
  CHECK(d.venue == "arXiv");
  CHECK(d.abstract == "We present high quality image synthesis results & more.");
}

TEST_CASE("arXiv error feeds and broken XML are errors that say so") {
  auto err = arxiv::parse_search(kErrorFeed);
  REQUIRE_FALSE(err.ok());
  CHECK(err.error().kind == ErrorKind::remote);
  CHECK(err.error().message.find("incorrect id format for 1234.12345") != std::string::npos);
  CHECK(arxiv::error_message(kErrorFeed) == "incorrect id format for 1234.12345");
  CHECK(arxiv::error_message(kFeed).empty());
  CHECK_FALSE(arxiv::parse_search("<feed><entry><title>cut").ok());
  CHECK_FALSE(arxiv::parse_search(R"({"json": "not atom"})").ok());
  CHECK(arxiv::parse_search(R"(<feed xmlns="http://www.w3.org/2005/Atom"></feed>)").value().empty());
}

TEST_CASE("arXiv queries are words joined with AND; versions are stripped from ids") {
  CHECK(arxiv::search_url("", "Grokking: weight-decay (AND) \"transformers\"", 500) ==
        "https://export.arxiv.org/api/query?search_query=all%3AGrokking%20AND%20all%3Aweight-decay%20AND%20"
        "all%3Atransformers&start=0&max_results=100");
  CHECK(arxiv::strip_version("1706.03762v7") == "1706.03762");
  CHECK(arxiv::strip_version("hep-ex/0307015v12") == "hep-ex/0307015");
  CHECK(arxiv::strip_version("1706.03762") == "1706.03762");
  CHECK(arxiv::strip_version("cs/v2") == "cs/v2");
}
