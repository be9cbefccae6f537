// What a run produced, as the end of `shoal run`, `shoal resume` and `shoal status` print it:
// each idea's paper (title, pages, whether its automated checks passed, review score) and the
// commands that show it (`shoal serve` with its address, `shoal open PAPER`).
#pragma once

#include <ostream>
#include <string>

#include "cli/command.hpp"

namespace shoal::cli {

// A LaTeX title or abstract as plain terminal text: \_ -> _, \texttt{x} -> x, $x$ -> x,
// accents to letters, ~ to a space (what a reader of a terminal wants, not a renderer).
std::string latex_plain(std::string_view tex);

// Prints the papers of `run_id` and how to look at them.
void print_run_outcome(Context& ctx, const std::string& run_id, std::ostream& out);

}  // namespace shoal::cli
