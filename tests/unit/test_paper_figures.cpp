#include <doctest/doctest.h>

#include "paper/figures.hpp"

using namespace shoal::paper;

TEST_CASE("figures referenced but missing and present but unused are both found") {
  std::string tex =
      "\\includegraphics[width=0.5\\linewidth]{loss.png}\n\\includegraphics{acc}\n"
      "% \\includegraphics{commented.png}\n\\includegraphics{ghost.png}\n\\includegraphics{loss.png}\n";
  auto c = check_figures(tex, {"loss.png", "acc.pdf", "unused.png", "commented.png"});
  CHECK(c.referenced == std::vector<std::string>{"loss.png", "acc", "ghost.png"});
  CHECK(c.missing == std::vector<std::string>{"ghost.png"});
  CHECK(c.unreferenced == std::vector<std::string>{"unused.png", "commented.png"});
  CHECK_FALSE(c.ok());
  CHECK(c.to_json()["missing"][0] == "ghost.png");
  CHECK(check_figures("\\includegraphics{a.png}", {"a.png"}).ok());
}
