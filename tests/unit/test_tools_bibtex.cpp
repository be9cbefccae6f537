#include <doctest/doctest.h>

#include "tools/bibtex.hpp"

using namespace shoal;
using namespace shoal::tools;

namespace {

PaperRef paper(std::vector<std::string> authors, int year, std::string title, std::string venue = "") {
  PaperRef p;
  p.authors = std::move(authors);
  p.year = year;
  p.title = std::move(title);
  p.venue = std::move(venue);
  return p;
}

}  // namespace

TEST_CASE("cite keys are last name, year and the first significant title word, made unique") {
  auto attention = paper({"Ashish Vaswani", "Noam Shazeer"}, 2017, "Attention Is All You Need");
  CHECK(cite_key(attention, {}) == "vaswani2017attention");
  CHECK(cite_key(attention, {"vaswani2017attention"}) == "vaswani2017attentionb");
  CHECK(cite_key(attention, {"vaswani2017attention", "vaswani2017attentionb"}) == "vaswani2017attentionc");
  // Articles and prepositions are skipped; "Last, First" and suffixes are understood.
  CHECK(cite_key(paper({"Kingma, Diederik P."}, 2015, "A Method for Stochastic Optimization"), {}) ==
        "kingma2015method");
  CHECK(cite_key(paper({"Martin Luther King Jr."}, 1963, "On the Dream"), {}) == "king1963dream");
  // Accents are folded to ASCII; punctuation and non-Latin letters never reach the key.
  CHECK(cite_key(paper({"Bernhard Schölkopf"}, 2002, "Learning with Kernels"), {}) == "scholkopf2002learning");
  CHECK(cite_key(paper({"Łukasz Kaiser"}, 2017, "One Model To Learn Them All"), {}) == "kaiser2017one");
  CHECK(cite_key(paper({"Zhang Wei 张伟"}, 2020, "Über-fast training"), {}) == "wei2020uber");
  // No authors, no year.
  CHECK(cite_key(paper({}, 0, "The Title"), {}) == "anontitle");
  // Keys never contain characters BibTeX or LaTeX would trip over.
  auto odd = cite_key(paper({"O'Brien-Smith, J."}, 2021, "{GPU}s & 100% of $costs$"), {});
  CHECK(odd == "obriensmith2021gpu");
}

TEST_CASE("an engine's BibTeX is kept with its key replaced") {
  auto p = paper({"Ashish Vaswani"}, 2017, "Attention Is All You Need", "Neural Information Processing Systems");
  p.bibtex = "@Article{Vaswani2017AttentionIA,\n author = {Ashish Vaswani},\n title = {Attention is All you Need},\n year = {2017}\n}  \n";
  auto entry = bibtex_entry(p, "vaswani2017attention");
  CHECK(entry == "@Article{vaswani2017attention,\n author = {Ashish Vaswani},\n title = {Attention is All you Need},\n year = {2017}\n}\n");
  CHECK(bib_keys(entry) == std::set<std::string>{"vaswani2017attention"});
  // BibTeX that is not an entry is ignored in favour of the metadata.
  p.bibtex = "not bibtex at all";
  CHECK(bibtex_entry(p, "k").rfind("@inproceedings{k,", 0) == 0);
}

TEST_CASE("entries built from metadata pick the type from the venue and escape LaTeX") {
  auto conf = paper({"Kaiming He", "Jian Sun"}, 2016, "Deep Residual Learning for Image Recognition",
                    "2016 IEEE Conference on Computer Vision and Pattern Recognition (CVPR)");
  conf.doi = "10.1109/CVPR.2016.90";
  auto e = bibtex_entry(conf, "he2016deep");
  CHECK(e.rfind("@inproceedings{he2016deep,\n", 0) == 0);
  CHECK(e.find("  title = {{Deep Residual Learning for Image Recognition}}") != std::string::npos);
  CHECK(e.find("  author = {Kaiming He and Jian Sun}") != std::string::npos);
  CHECK(e.find("  booktitle = {2016 IEEE Conference") != std::string::npos);
  CHECK(e.find("  doi = {10.1109/CVPR.2016.90}") != std::string::npos);
  CHECK(e.substr(e.size() - 3) == "\n}\n");

  CHECK(bibtex_entry(paper({"A B"}, 2014, "T", "ICML"), "k").rfind("@inproceedings{k", 0) == 0);
  auto journal = paper({"N. Srivastava"}, 2014, "Dropout: 100% & $free$ of #overfitting_{now} ~ ^ \\o/",
                       "Journal of Machine Learning Research");
  e = bibtex_entry(journal, "srivastava2014dropout");
  CHECK(e.rfind("@article{srivastava2014dropout,", 0) == 0);
  CHECK(e.find("journal = {Journal of Machine Learning Research}") != std::string::npos);
  CHECK(e.find("{{Dropout: 100\\% \\& \\$free\\$ of \\#overfitting\\_\\{now\\} \\textasciitilde{} "
               "\\textasciicircum{} \\textbackslash{}o/}}") != std::string::npos);
  // Every brace in the entry is balanced, so BibTeX reads the fields it was given.
  int depth = 0;
  for (size_t i = 0; i < e.size(); ++i) {
    if (e[i] == '\\') { ++i; continue; }
    depth += e[i] == '{' ? 1 : e[i] == '}' ? -1 : 0;
    CHECK(depth >= 0);
  }
  CHECK(depth == 0);
}

TEST_CASE("arXiv preprints are @misc with their eprint; no venue gives @misc without one") {
  auto pre = paper({"Alethea Power"}, 2022, "Grokking", "arXiv.org");
  pre.arxiv_id = "2201.02177";
  pre.url = "https://arxiv.org/abs/2201.02177";
  auto e = bibtex_entry(pre, "power2022grokking");
  CHECK(e.rfind("@misc{power2022grokking,", 0) == 0);
  CHECK(e.find("eprint = {2201.02177}") != std::string::npos);
  CHECK(e.find("archivePrefix = {arXiv}") != std::string::npos);
  CHECK(e.find("url = {https://arxiv.org/abs/2201.02177}") != std::string::npos);
  CHECK(e.find("journal") == std::string::npos);
  // The same paper published in a journal is an article (its arXiv id does not matter).
  pre.venue = "Nature";
  CHECK(bibtex_entry(pre, "k").rfind("@article{k,", 0) == 0);
  auto none = bibtex_entry(paper({"X Y"}, 2020, "Untitled notes"), "y2020untitled");
  CHECK(none.rfind("@misc{y2020untitled,", 0) == 0);
  CHECK(none.find("eprint") == std::string::npos);
}

TEST_CASE("bib_keys lists the entries' keys and skips @string, @comment and @preamble") {
  std::string bib = R"(
@String{nips = "Neural Information Processing Systems"}
@comment{ignored, entry}
@preamble{"\newcommand{\noop}[1]{}"}
@Article{vaswani2017attention,
  title = {Attention is all you need, mail a@b.com},
  author = {A and B}}
@inproceedings( he2016deep ,
  title = "Deep")
@misc{   power2022grokking,
  note = {contains @misc{fake, inside a field}}
}
)";
  CHECK(bib_keys(bib) == std::set<std::string>{"vaswani2017attention", "he2016deep", "power2022grokking"});
  CHECK(bib_keys("").empty());
}

TEST_CASE("cited_keys finds every key of \\cite, \\citep and \\citet, with optional arguments") {
  std::string tex = R"(
As shown by \citet{vaswani2017attention}, and others \citep[see][p.~3]{he2016deep, kingma2015adam}.
Plain \cite{a1,b2 ,  c3} and starred \citet*{d4} and \citep [e.g.]{e5} and \citeauthor{f6}.
\nocite{g7} \nocite{*} % \cite{commented_out}
Escaped percent 100\% \cite{h8}
\citation{not_a_cite} \parencite{i9}
)";
  CHECK(cited_keys(tex) == std::set<std::string>{"vaswani2017attention", "he2016deep", "kingma2015adam", "a1", "b2",
                                                 "c3", "d4", "e5", "f6", "g7", "h8", "i9"});
  CHECK(cited_keys("no citations here \\section{x}").empty());
  CHECK(cited_keys("\\cite{unclosed").empty());
}
