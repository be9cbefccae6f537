#include <doctest/doctest.h>

#include "paper/claims.hpp"
#include "paper/unverified_note.hpp"

using namespace shoal::paper;

namespace {

const std::string kPaper =
    "\\documentclass{article}\n\\title{T}\n\\begin{document}\n\\maketitle\n\\begin{abstract}\nWe reach 0.912.\n"
    "\\end{abstract}\n\\section{Results}\nAccuracy is 0.873.\n\\end{document}\n";

}  // namespace

TEST_CASE("the unverified note goes under the title, once, and comes out again") {
  std::string noted = with_unverified_note(kPaper, 2);
  size_t note = noted.find("\\textbf{Unverified:} 2 numbers in this paper do not match the stored results");
  REQUIRE(note != std::string::npos);
  CHECK(note > noted.find("\\maketitle"));
  CHECK(note < noted.find("\\begin{abstract}"));
  CHECK(with_unverified_note(kPaper, 1).find("1 number in this paper does not match") != std::string::npos);
  // Noting again replaces the note; 0 removes it; removing it gives the paper back byte for byte.
  std::string again = with_unverified_note(noted, 3);
  CHECK(again.find("Unverified:") == again.rfind("Unverified:"));
  CHECK(again.find("3 numbers") != std::string::npos);
  CHECK(without_unverified_note(again) == kPaper);
  CHECK(with_unverified_note(noted, 0) == kPaper);
  // The note is outside every checked section: the claim check reads the same numbers.
  CHECK(extract_claims(noted).size() == extract_claims(kPaper).size());
}

TEST_CASE("without \\maketitle the note follows \\begin{document}; a commented \\maketitle is not used") {
  std::string tex = "\\documentclass{article}\n% \\maketitle\n\\begin{document}\nText.\n\\end{document}\n";
  std::string noted = with_unverified_note(tex, 4);
  CHECK(noted.find("Unverified:") > noted.find("\\begin{document}"));
  CHECK(without_unverified_note(noted) == tex);
  CHECK(with_unverified_note("no document at all", 4) == "no document at all");
}
