#include <doctest/doctest.h>

#include "core/diff.hpp"

using namespace shoal;

TEST_CASE("unified_diff: equal texts give nothing") {
  CHECK(unified_diff("a\nb\n", "a\nb\n", "a/x", "b/x").empty());
  CHECK(unified_diff("", "", "a/x", "b/x").empty());
}

TEST_CASE("unified_diff: one changed line with its context, as diff -u writes it") {
  std::string old_text = "1\n2\n3\n4\n5\n6\n7\n8\n";
  std::string new_text = "1\n2\n3\n4\nfive\n6\n7\n8\n";
  CHECK(unified_diff(old_text, new_text, "a/f.py", "b/f.py") ==
        "--- a/f.py\n+++ b/f.py\n"
        "@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n");
}

TEST_CASE("unified_diff: a new file and a removed one") {
  CHECK(unified_diff("", "x\ny\n", "/dev/null", "b/new.py") == "--- /dev/null\n+++ b/new.py\n@@ -0,0 +1,2 @@\n+x\n+y\n");
  CHECK(unified_diff("x\n", "", "a/old.py", "/dev/null") == "--- a/old.py\n+++ /dev/null\n@@ -1 +0,0 @@\n-x\n");
}

TEST_CASE("unified_diff: distant changes make separate hunks") {
  std::string a, b;
  for (int i = 1; i <= 20; ++i) {
    a += std::to_string(i) + "\n";
    b += (i == 2 ? std::string("two") : i == 19 ? std::string("nineteen") : std::to_string(i)) + "\n";
  }
  auto d = unified_diff(a, b, "a", "b");
  CHECK(d.find("@@ -1,5 +1,5 @@") != std::string::npos);
  CHECK(d.find("@@ -16,5 +16,5 @@") != std::string::npos);
}
