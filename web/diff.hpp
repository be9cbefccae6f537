// Line diffs of code snapshots, for the experiment tree: what a node changed against its
// parent. A snapshot is the JSON object {file name: content} that experiments store
// (experiments/baseline.hpp code_snapshot); anything else is treated as one file "code".
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/text.hpp"

namespace shoal::web {

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

struct FileDiff {
  std::string name;
  std::string status;  // added, removed, modified, unchanged
  int added = 0, removed = 0;
  std::vector<Hunk> hunks;
};

// The per-file diff of two snapshots (either may be "": no code), files in name order.
std::vector<FileDiff> diff_snapshots(std::string_view old_snapshot, std::string_view new_snapshot);

// Text is split into lines by shoal::split_lines (core/text.hpp).
using shoal::split_lines;

}  // namespace shoal::web
