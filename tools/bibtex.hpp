// BibTeX for the papers the agent cites: unique citation keys, entries (the engine's own
// BibTeX re-keyed, or built from the metadata with LaTeX special characters escaped), and
// the keys a .bib file defines and a .tex file cites, to check one against the other.
#pragma once

#include <set>
#include <string>
#include <string_view>

#include "tools/literature.hpp"

namespace shoal::tools {

// A key like "vaswani2017attention": the first author's last name, the year and the first
// significant title word, lower-case ASCII; made unique against `taken` with a letter suffix
// ("vaswani2017attentionb", ...). Papers without authors start with "anon".
std::string cite_key(const PaperRef& paper, const std::set<std::string>& taken);

// One BibTeX entry keyed `key`: the engine's BibTeX with its key replaced when it has one,
// else @misc with eprint for arXiv preprints, @inproceedings for conference venues, @article
// for other venues, @misc without a venue. Ends with a newline.
std::string bibtex_entry(const PaperRef& paper, const std::string& key);

// LaTeX special characters (& % $ # _ { } ~ ^ \) escaped for a BibTeX field value.
std::string escape_latex(std::string_view text);

// The keys the entries of a .bib text define (@string, @preamble and @comment left out).
std::set<std::string> bib_keys(std::string_view bib);

// The keys a LaTeX text cites with \cite, \citep, \citet (and the other \cite... and \nocite
// forms, starred or with optional arguments), several keys per command; comments ignored.
std::set<std::string> cited_keys(std::string_view tex);

}  // namespace shoal::tools
