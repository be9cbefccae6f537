// The model's code edits as search/replace blocks, parsed and applied to files in a work
// folder. A block is a line naming the file, an optional ``` fence, then
//   <<<<<<< SEARCH
//   lines to find (empty: create the file)
//   =======
//   lines to put there
//   >>>>>>> REPLACE
// Generated code is hostile: edits only reach the listed files, by relative paths without
// "..", and never through a symlink (a link planted by an earlier run is refused).
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "core/expected.hpp"

namespace shoal::tools {

struct EditBlock {
  std::string path;     // as the model wrote it, relative to the work folder
  std::string search;   // whole lines, each ending in '\n' ("" = create the file)
  std::string replace;  // whole lines, each ending in '\n'
};

// The blocks in a model's reply, in order (none is not an error). A block without a file
// line, without its ======= or >>>>>>> REPLACE line, or a marker outside a block is
// invalid_input naming the line ("line 12: ...").
Expected<std::vector<EditBlock>> parse_edit_blocks(std::string_view text);

struct EditOutcome {
  std::vector<std::string> changed_files;  // relative paths, in the order first changed
  std::vector<std::string> failures;       // one message per block that did not apply, written for the model
};

// Applies each block in order to the files under `workdir`; blocks that apply are applied
// even when others fail. A block applies when its file is in `allowed_files` (relative paths;
// an empty list allows nothing) and its SEARCH text occurs exactly once: verbatim, or else
// ignoring trailing spaces, a uniform indentation difference and blank lines at its ends.
// An empty SEARCH creates a missing (or fills an empty) file. Failures say why: file not
// allowed (listing the allowed ones), SEARCH not found (showing the closest lines of the
// file), SEARCH found more than once, unsafe path (absolute, "..", symlink).
EditOutcome apply_edit_blocks(const std::filesystem::path& workdir, const std::vector<EditBlock>& blocks,
                              const std::vector<std::string>& allowed_files);

}  // namespace shoal::tools
