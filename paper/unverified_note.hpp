// The note a paper carries on its first page while some of its numbers do not match the
// stored results: a framed line under the title, so that a reader of the PDF alone sees it.
// It is placed after \maketitle (else after \begin{document}), outside every section the claim
// check reads, and marked with comments so that it can be taken out again before the next
// compile or before the text goes back to a model.
#pragma once

#include <string>
#include <string_view>

namespace shoal::paper {

// `tex` with the note for `unverified` numbers (none when 0), replacing any note it had.
std::string with_unverified_note(std::string_view tex, int unverified);

// `tex` without the note.
std::string without_unverified_note(std::string_view tex);

}  // namespace shoal::paper
