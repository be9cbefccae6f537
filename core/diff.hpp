// Line diffs: a shortest edit script between two texts (Myers' algorithm), grouped into
// hunks, and the unified-diff text `diff -u` and `patch` read. The web UI shows a node's
// change against its parent from these (web/diff.hpp); `shoal export` writes the chosen
// code's change against its template.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/text.hpp"

namespace shoal {

struct DiffLine {
  char op = ' ';      // ' ' kept, '-' removed, '+' added
  std::string text;
  int old_line = 0;   // 1-based line in the old text (0 for an added line)
  int new_line = 0;   // 1-based line in the new text (0 for a removed line)
};

// A shortest edit script from `a` to `b` (Myers' O(ND) algorithm). Past `max_edits` edits it
// gives up on finding the shortest and removes every differing line, then adds the new ones.
std::vector<DiffLine> diff_lines(const std::vector<std::string>& a, const std::vector<std::string>& b,
                                 int max_edits = 2000);

struct Hunk {
  int old_start = 0, old_count = 0, new_start = 0, new_count = 0;
  std::vector<DiffLine> lines;
};

// Groups a diff into hunks with `context` unchanged lines around each change.
std::vector<Hunk> make_hunks(const std::vector<DiffLine>& lines, int context = 3);

// The unified diff of two texts ("--- old_name", "+++ new_name", then "@@" hunks with
// `context` (at least 1) lines around each change); "" when they are equal. Texts are split
// by split_lines (core/text.hpp), so a missing newline at the end is not reported.
std::string unified_diff(std::string_view old_text, std::string_view new_text, const std::string& old_name,
                         const std::string& new_name, int context = 3);

}  // namespace shoal
