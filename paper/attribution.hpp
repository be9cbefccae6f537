// How the claim check ties a stated number to the result it states (used by paper/claims.cpp):
// the sentence or table cell around the number, what that text names (runs, conditions,
// metrics), and whether a known value that rounds to the number agrees with those names.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "paper/claims.hpp"

namespace shoal::paper {

// The sentences and tables of one checked span of a paper, for finding each number's context.
class SpanLayout {
 public:
  // `masked` and `original` are the same text (masked with non-prose commands blanked);
  // [begin, end) is the span; `setup_section` says the span is about the setup.
  SpanLayout(const std::string& masked, const std::string& original, size_t begin, size_t end, bool setup_section);
  // The context of the number at [at, to).
  ClaimContext context(size_t at, size_t to) const;

 private:
  struct Cell {
    size_t begin, end;
    std::string row_header, column_header;
  };
  struct Table {
    size_t begin, end;
    std::string caption;
    std::vector<Cell> cells;
  };
  const std::string& masked_;
  const std::string& original_;
  size_t begin_, end_;
  bool setup_section_;
  std::vector<size_t> cuts_;  // sentence boundaries, sorted
  std::vector<Table> tables_;
};

// The runs, conditions and metrics that the known values are labelled with, and how a
// context's text names them.
class Attributor {
 public:
  explicit Attributor(const std::vector<KnownValue>& known);
  // True when a value of `matching` (those that round to the claim) agrees with what the
  // claim's context names; otherwise fills claim.problem, names and source.
  bool attribute(Claim& claim, const std::vector<const KnownValue*>& matching) const;

 private:
  struct Name {
    std::string label;
    std::vector<std::string> tokens;                          // all must appear (metrics, conditions)
    std::vector<std::pair<std::vector<std::string>, std::string>> settings;  // a run's "flag = value" pairs
  };
  std::vector<Name> runs_, conditions_, metrics_;
};

}  // namespace shoal::paper
