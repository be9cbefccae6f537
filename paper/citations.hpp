// Keeping a paper's citations consistent with its .bib: \cite commands whose keys the .bib
// does not define lose those keys (the command goes when none is left), so a model's guessed
// key never reaches the PDF as "[?]".
#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace shoal::paper {

struct CitationCleanup {
  std::string tex;                   // the text with unknown keys removed
  std::vector<std::string> dropped;  // the keys removed, distinct, in order
};

// Removes from every \cite-family command (\cite, \citep, \citet, \citealp, ... starred, with
// optional arguments) the keys not in `known`; comments are left alone.
CitationCleanup drop_unknown_citations(std::string_view tex, const std::set<std::string>& known);

// The name of the .bib file `tex` uses (\bibliography{references} -> "references.bib");
// "references.bib" when it names none.
std::string bib_file_name(std::string_view tex);

// A LaTeX text with its filecontents environments taken out: AI-Scientist-format templates
// carry their BibTeX entries in `\begin{filecontents}{references.bib} ... \end{filecontents}`
// (also filecontents*, with an optional [options] argument) inside template.tex.
struct EmbeddedFiles {
  std::string tex;                           // the text without those environments
  std::map<std::string, std::string> files;  // file name -> its contents
};
EmbeddedFiles split_filecontents(std::string_view tex);

// `extra` appended to `bib`, without the entries whose key `bib` already defines.
std::string merge_bib(const std::string& bib, const std::string& extra);

}  // namespace shoal::paper
