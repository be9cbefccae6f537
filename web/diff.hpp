// Line diffs of code snapshots, for the experiment tree: what a node changed against its
// parent. A snapshot is the JSON object {file name: content} that experiments store
// (experiments/baseline.hpp code_snapshot); anything else is treated as one file "code".
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/diff.hpp"
#include "core/text.hpp"

namespace shoal::web {

// The line diff and its hunks live in core (core/diff.hpp): `shoal export` diffs code too.
using shoal::DiffLine;
using shoal::diff_lines;
using shoal::Hunk;
using shoal::make_hunks;

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
