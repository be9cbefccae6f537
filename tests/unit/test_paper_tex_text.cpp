#include <doctest/doctest.h>

#include "paper/tex_text.hpp"

using namespace shoal::paper;

TEST_CASE("comments are blanked but escaped percent signs stay") {
  std::string s = strip_comments("a 5\\% b % gone\nc");
  CHECK(s.size() == std::string("a 5\\% b % gone\nc").size());
  CHECK(s.find("5\\%") != std::string::npos);
  CHECK(s.find("gone") == std::string::npos);
  CHECK(s.back() == 'c');
}

TEST_CASE("sections, the abstract and command arguments are found") {
  std::string tex =
      "\\begin{abstract}Abs.\\end{abstract}\n\\section{Intro}\nA \\cite[p.~3]{k1,k2}.\n% \\section{Hidden}\n"
      "\\section*{Results {and} More}\nR.\n\\bibliography{refs}\n\\end{document}";
  auto sections = find_sections(tex);
  REQUIRE(sections.size() == 2);
  CHECK(sections[0].title == "Intro");
  CHECK(tex.substr(sections[0].body_begin, sections[0].body_end - sections[0].body_begin).find("A \\cite") !=
        std::string::npos);
  CHECK(sections[1].title == "Results {and} More");
  CHECK(tex.substr(sections[1].body_begin, sections[1].body_end - sections[1].body_begin) == "\nR.\n");
  auto [b, e] = find_abstract(tex);
  CHECK(tex.substr(b, e - b) == "Abs.");
  CHECK(command_arguments(tex, "cite") == std::vector<std::string>{"k1,k2"});
  CHECK(command_arguments(tex, "bibliography") == std::vector<std::string>{"refs"});
  CHECK(group_end("{a{b}c}d", 0) == 7);
  CHECK(group_end("{a", 0) == std::string::npos);
}
