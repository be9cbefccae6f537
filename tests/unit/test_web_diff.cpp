#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "web/diff.hpp"

using namespace shoal::web;

namespace {

// The diff as one string of ops: " -+" per line.
std::string ops(const std::vector<DiffLine>& lines) {
  std::string out;
  for (const auto& l : lines) out += l.op;
  return out;
}

// Applies a diff to `a`: the kept and added lines must give `b`.
std::vector<std::string> apply(const std::vector<DiffLine>& lines) {
  std::vector<std::string> out;
  for (const auto& l : lines)
    if (l.op != '-') out.push_back(l.text);
  return out;
}

}  // namespace

TEST_CASE("a one-line change is one removal and one addition between kept lines, with line numbers") {
  std::vector<std::string> a = {"a", "b", "c"}, b = {"a", "x", "c"};
  auto d = diff_lines(a, b);
  CHECK(ops(d) == " -+ ");
  CHECK(d[1].text == "b");
  CHECK(d[1].old_line == 2);
  CHECK(d[2].text == "x");
  CHECK(d[2].new_line == 2);
  CHECK(d[3].old_line == 3);
  CHECK(d[3].new_line == 3);
}

TEST_CASE("diffs are shortest and reproduce the new text") {
  std::vector<std::string> a = {"a", "b", "c", "a", "b", "b", "a"}, b = {"c", "b", "a", "b", "a", "c"};
  auto d = diff_lines(a, b);
  CHECK(apply(d) == b);
  int edits = 0;
  for (const auto& l : d) edits += l.op != ' ';
  CHECK(edits == 5);  // the classic example from Myers' paper: D = 5
  CHECK(ops(diff_lines({}, {"x", "y"})) == "++");
  CHECK(ops(diff_lines({"x"}, {})) == "-");
  CHECK(diff_lines({}, {}).empty());
}

TEST_CASE("past the edit budget the middle is replaced wholesale, still correct") {
  std::vector<std::string> a, b;
  for (int i = 0; i < 50; ++i) {
    a.push_back("a" + std::to_string(i));
    b.push_back("b" + std::to_string(i));
  }
  auto d = diff_lines(a, b, /*max_edits=*/10);
  CHECK(apply(d) == b);
  CHECK(d.size() == 100);
}

TEST_CASE("hunks keep three lines of context and merge changes that are close") {
  std::vector<std::string> a, b;
  for (int i = 1; i <= 30; ++i) a.push_back(std::to_string(i));
  b = a;
  b[4] = "five";     // line 5
  b[9] = "ten";      // line 10: within 2 * 3 kept lines of line 5, same hunk
  b[25] = "twenty-six";
  auto hunks = make_hunks(diff_lines(a, b));
  REQUIRE(hunks.size() == 2);
  CHECK(hunks[0].old_start == 2);
  CHECK(hunks[0].old_count == 12);  // lines 2-13
  CHECK(hunks[0].new_count == 12);
  CHECK(hunks[1].old_start == 23);
  CHECK(hunks[1].lines.size() == 8);  // 3 context, -, +, 3 context
  CHECK(make_hunks(diff_lines(a, a)).empty());
}

TEST_CASE("snapshots diff file by file: added, removed, modified, unchanged; non-JSON is one file") {
  using nlohmann::json;
  auto before = json{{"a.py", "x = 1\n"}, {"gone.py", "old\n"}, {"same.py", "s\n"}}.dump();
  auto after = json{{"a.py", "x = 2\n"}, {"new.py", "n\n"}, {"same.py", "s\n"}}.dump();
  auto files = diff_snapshots(before, after);
  REQUIRE(files.size() == 4);
  CHECK(files[0].name == "a.py");
  CHECK(files[0].status == "modified");
  CHECK(files[1].name == "gone.py");
  CHECK(files[1].status == "removed");
  CHECK(files[2].status == "added");
  CHECK(files[3].status == "unchanged");
  CHECK(files[3].hunks.empty());
  auto raw = diff_snapshots("", "print(1)\nprint(2)");
  REQUIRE(raw.size() == 1);
  CHECK(raw[0].name == "code");
  CHECK(raw[0].added == 2);
  CHECK(split_lines("a\nb\n") == std::vector<std::string>{"a", "b"});
  CHECK(split_lines("a\n\nb") == std::vector<std::string>{"a", "", "b"});
}
