// Small readers of LaTeX source shared by the paper tools: comments, brace groups, sections
// and command arguments. (Plain text is escaped for LaTeX with tools::escape_latex.)
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace shoal::paper {

// `tex` with every comment (an unescaped % to the end of its line) blanked; offsets are kept.
std::string strip_comments(std::string_view tex);

// The index just past the group that opens at `open_at` (s[open_at] == open), counting nested
// groups and skipping escaped characters; npos when it never closes.
size_t group_end(std::string_view s, size_t open_at, char open = '{', char close = '}');

// One \section{...} (or \section*) of a document.
struct TexSection {
  std::string title;
  size_t head_begin = 0;  // where "\section" starts
  size_t body_begin = 0;  // just after the title's closing brace
  size_t body_end = 0;    // the next \section, \bibliography, \appendix or \end{document}
};

// The sections of `tex` (comments are not read), in order.
std::vector<TexSection> find_sections(std::string_view tex);

// Where the body of the abstract environment starts and ends; {npos, npos} when none.
std::pair<size_t, size_t> find_abstract(std::string_view tex);

// The first mandatory argument of every \name (optional [..] arguments skipped), outside comments.
std::vector<std::string> command_arguments(std::string_view tex, std::string_view name);

}  // namespace shoal::paper
