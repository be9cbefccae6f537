#include "tools/edit_blocks.hpp"
#include "core/text.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <optional>
#include <set>
#include <tuple>
#include <utility>

namespace shoal::tools {
namespace fs = std::filesystem;
namespace {

// ---- parsing ---------------------------------------------------------------------------

enum class Marker { none, search, divider, replace };

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// Which marker `line` is: 5 to 9 '<' then SEARCH, '=' alone, '>' then REPLACE (7 is the norm).
Marker marker_of(std::string_view line) {
  line = trim(line);
  auto run = [&](char c) {
    size_t n = 0;
    while (n < line.size() && line[n] == c) ++n;
    return n;
  };
  for (auto [c, word, marker] : {std::tuple{'<', "SEARCH", Marker::search}, std::tuple{'=', "", Marker::divider},
                                 std::tuple{'>', "REPLACE", Marker::replace}}) {
    size_t n = run(c);
    if (n >= 5 && n <= 9 && trim(line.substr(n)) == word) return marker;
  }
  return Marker::none;
}



// The path on a file line: "path", "`path`", "**path**", "### path", "path:".
std::string clean_path(std::string_view line) {
  line = trim(line);
  while (!line.empty() && line.front() == '#') line.remove_prefix(1);
  line = trim(line);
  while (!line.empty() && (line.front() == '*' || line.front() == '`')) line.remove_prefix(1);
  while (!line.empty() && (line.back() == '*' || line.back() == '`' || line.back() == ':')) line.remove_suffix(1);
  return std::string(trim(line));
}

std::string at_line(size_t index) { return "line " + std::to_string(index + 1) + ": "; }

// The file path of the block whose SEARCH marker is on line `at`: the nearest non-blank line
// above it (above a ``` fence line if there is one); after a closed block, that block's path.
Expected<std::string> block_path(const std::vector<std::string>& lines, size_t at, const std::string& previous) {
  auto j = static_cast<std::ptrdiff_t>(at) - 1;
  auto skip_blank = [&] {
    while (j >= 0 && trim(lines[static_cast<size_t>(j)]).empty()) --j;
  };
  skip_blank();
  if (j >= 0 && trim(lines[static_cast<size_t>(j)]).substr(0, 3) == "```") {
    --j;
    skip_blank();
  }
  if (j >= 0 && marker_of(lines[static_cast<size_t>(j)]) == Marker::replace && !previous.empty()) return previous;
  if (j < 0 || marker_of(lines[static_cast<size_t>(j)]) != Marker::none)
    return fail(ErrorKind::invalid_input, at_line(at) + "a SEARCH block needs the file's path on the line above it");
  std::string path = clean_path(lines[static_cast<size_t>(j)]);
  if (path.empty() || path.find_first_of(" \t") != std::string::npos)
    return fail(ErrorKind::invalid_input, at_line(static_cast<size_t>(j)) +
                                              "the line above a SEARCH block must hold only the file's path, not '" +
                                              std::string(trim(lines[static_cast<size_t>(j)])) + "'");
  return path;
}

// ---- matching --------------------------------------------------------------------------

std::string rstrip(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

std::string leading_space(std::string_view s) {
  size_t n = 0;
  while (n < s.size() && (s[n] == ' ' || s[n] == '\t')) ++n;
  return std::string(s.substr(0, n));
}

std::string join_lines(const std::vector<std::string>& lines, size_t from, size_t to) {
  std::string out;
  for (size_t i = from; i < to; ++i) out += lines[i] + "\n";
  return out;
}

// How the file's indentation differs from the SEARCH text's at a whitespace-tolerant match.
struct Indent {
  std::string add;     // the file is deeper by this
  std::string remove;  // the SEARCH text is deeper by this
};

// Whether search lines match file lines from `start`, ignoring trailing spaces and one
// indentation difference common to every non-blank line.
std::optional<Indent> loose_match(const std::vector<std::string>& file, size_t start,
                                  const std::vector<std::string>& search) {
  std::optional<Indent> indent;
  for (size_t k = 0; k < search.size(); ++k) {
    std::string f = rstrip(file[start + k]), s = rstrip(search[k]);
    if (f.empty() || s.empty()) {
      if (f.empty() != s.empty()) return std::nullopt;
      continue;
    }
    std::string lf = leading_space(f), ls = leading_space(s);
    if (f.compare(lf.size(), std::string::npos, s, ls.size(), std::string::npos) != 0) return std::nullopt;
    Indent here;
    if (lf.size() >= ls.size() && lf.compare(lf.size() - ls.size(), ls.size(), ls) == 0)
      here.add = lf.substr(0, lf.size() - ls.size());
    else if (ls.size() > lf.size() && ls.compare(ls.size() - lf.size(), lf.size(), lf) == 0)
      here.remove = ls.substr(0, ls.size() - lf.size());
    else
      return std::nullopt;
    if (!indent) indent = here;
    else if (indent->add != here.add || indent->remove != here.remove) return std::nullopt;
  }
  return indent ? indent : Indent{};
}

// Sorted character bigrams of a trimmed line, for a cheap similarity.
std::vector<uint16_t> bigrams(std::string_view line) {
  line = trim(line);
  std::vector<uint16_t> out;
  for (size_t i = 0; i + 1 < line.size(); ++i)
    out.push_back(static_cast<uint16_t>((static_cast<unsigned char>(line[i]) << 8) | static_cast<unsigned char>(line[i + 1])));
  std::sort(out.begin(), out.end());
  return out;
}

// Dice coefficient of two sorted bigram lists (1 = same, 0 = nothing shared).
double similarity(const std::vector<uint16_t>& a, const std::vector<uint16_t>& b) {
  if (a.empty() && b.empty()) return 1;
  size_t shared = 0;
  for (size_t i = 0, j = 0; i < a.size() && j < b.size();) {
    if (a[i] == b[j]) ++shared, ++i, ++j;
    else if (a[i] < b[j]) ++i;
    else ++j;
  }
  return 2.0 * static_cast<double>(shared) / static_cast<double>(a.size() + b.size());
}

// "SEARCH not found" with the file's lines most like the SEARCH text, numbered.
std::string not_found_message(const std::string& path, const std::vector<std::string>& file,
                              const std::vector<std::string>& search) {
  std::string message = "SEARCH text not found in " + path + ".";
  size_t window = std::min(std::max<size_t>(search.size(), 1), file.size());
  if (window == 0) return message + " The file is empty.";
  std::vector<std::vector<uint16_t>> fb, sb;
  for (const auto& l : file) fb.push_back(bigrams(l));
  for (const auto& l : search) sb.push_back(bigrams(l));
  double best = -1;
  size_t best_at = 0;
  for (size_t s = 0; s + window <= file.size(); ++s) {
    double score = 0;
    for (size_t k = 0; k < window && k < sb.size(); ++k) score += similarity(fb[s + k], sb[k]);
    if (score > best) best = score, best_at = s;
  }
  if (best / static_cast<double>(window) < 0.3)
    return message + " No lines of the file resemble it: check the file name, and copy SEARCH lines from the file "
                     "as it is now.";
  message += " The closest lines in the file (" + std::to_string(best_at + 1) + "-" +
             std::to_string(best_at + window) + ") are:\n";
  for (size_t k = best_at; k < best_at + window && k < best_at + 40; ++k)
    message += std::to_string(k + 1) + "| " + file[k] + "\n";
  return message + "Copy the SEARCH lines exactly (spaces included) from the file as it is now.";
}

// The text after re-indenting a replacement for a whitespace-tolerant match.
std::vector<std::string> reindent(std::vector<std::string> lines, const Indent& indent) {
  for (auto& l : lines) {
    if (trim(l).empty()) continue;
    if (!indent.add.empty()) l = indent.add + l;
    else if (!indent.remove.empty()) {
      size_t n = 0;
      while (n < indent.remove.size() && n < l.size() && l[n] == indent.remove[n]) ++n;
      l.erase(0, n);
    }
  }
  return lines;
}

// `content` with the block applied, or the message for the model.
Expected<std::string> apply_to_text(const std::string& path, const std::optional<std::string>& content,
                                    const EditBlock& block) {
  if (!content) {
    if (block.search.empty()) return block.replace;
    return fail(ErrorKind::not_found, path + " does not exist; to create it, leave the SEARCH section empty.");
  }
  if (block.search.empty()) {
    if (trim(*content).empty()) return block.replace;
    return fail(ErrorKind::invalid_input,
                "SEARCH is empty but " + path + " already exists; put the lines to replace in SEARCH (to add "
                "lines at the end, SEARCH for the file's last lines and repeat them in REPLACE).");
  }
  bool had_newline = content->empty() || content->back() == '\n';
  std::string text = had_newline ? *content : *content + "\n";
  auto finish = [&](std::string out) {
    if (!had_newline && !out.empty() && out.back() == '\n') out.pop_back();
    return out;
  };

  // Verbatim, at line starts.
  std::vector<size_t> hits;
  for (size_t at = text.find(block.search); at != std::string::npos; at = text.find(block.search, at + 1))
    if (at == 0 || text[at - 1] == '\n') hits.push_back(at);
  if (hits.size() == 1) return finish(text.substr(0, hits[0]) + block.replace + text.substr(hits[0] + block.search.size()));
  if (hits.size() > 1)
    return fail(ErrorKind::invalid_input, "SEARCH text matches " + std::to_string(hits.size()) + " places in " + path +
                                              "; add surrounding lines to SEARCH so that it matches exactly one.");

  // Whitespace-tolerant: trailing spaces, indentation, blank lines at the ends of SEARCH.
  auto file = split_lines(text);
  auto search = split_lines(block.search);
  auto replace = split_lines(block.replace);
  while (!search.empty() && trim(search.front()).empty()) {
    search.erase(search.begin());
    if (!replace.empty() && trim(replace.front()).empty()) replace.erase(replace.begin());
  }
  while (!search.empty() && trim(search.back()).empty()) {
    search.pop_back();
    if (!replace.empty() && trim(replace.back()).empty()) replace.pop_back();
  }
  std::vector<std::pair<size_t, Indent>> loose;
  for (size_t s = 0; !search.empty() && s + search.size() <= file.size(); ++s)
    if (auto indent = loose_match(file, s, search)) loose.emplace_back(s, *indent);
  if (loose.size() > 1)
    return fail(ErrorKind::invalid_input, "SEARCH text matches " + std::to_string(loose.size()) + " places in " + path +
                                              " (ignoring whitespace); add surrounding lines to make it unique.");
  if (loose.empty()) return fail(ErrorKind::not_found, not_found_message(path, file, search));
  auto [start, indent] = loose.front();
  return finish(join_lines(file, 0, start) + join_lines(reindent(replace, indent), 0, replace.size()) +
                join_lines(file, start + search.size(), file.size()));
}

// ---- safe file access ------------------------------------------------------------------

// An owned file descriptor.
struct Fd {
  int fd = -1;
  explicit Fd(int f = -1) : fd(f) {}
  Fd(Fd&& o) noexcept : fd(std::exchange(o.fd, -1)) {}
  Fd& operator=(Fd&& o) noexcept {
    std::swap(fd, o.fd);
    return *this;
  }
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

// The parts of a relative path, or why it is refused (absolute, "..", empty).
Expected<std::vector<std::string>> path_parts(const std::string& path) {
  if (path.empty()) return fail(ErrorKind::invalid_input, "the file path is empty.");
  fs::path p(path);
  if (p.is_absolute() || path.front() == '/' || path.front() == '~')
    return fail(ErrorKind::invalid_input, "absolute paths are not allowed; give the path relative to the project.");
  std::vector<std::string> parts;
  for (const auto& part : p) {
    std::string s = part.string();
    if (s == "..") return fail(ErrorKind::invalid_input, "paths with '..' are not allowed; stay inside the project.");
    if (s == "." || s.empty()) continue;
    parts.push_back(s);
  }
  if (parts.empty()) return fail(ErrorKind::invalid_input, "the path names no file.");
  return parts;
}

std::string join_parts(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : "/") + p;
  return out;
}

std::string errno_text(int err) { return std::strerror(err); }

// Opens the folder holding the file `parts` names, refusing symlinks on the way; creates
// missing folders when `create`.
Expected<Fd> open_parent(const fs::path& workdir, const std::vector<std::string>& parts, bool create) {
  Fd dir(::open(workdir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir.fd < 0) return fail(ErrorKind::io, "cannot open the work folder " + workdir.string() + ": " + errno_text(errno));
  for (size_t i = 0; i + 1 < parts.size(); ++i) {
    int next = ::openat(dir.fd, parts[i].c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (next < 0 && errno == ENOENT && create) {
      if (::mkdirat(dir.fd, parts[i].c_str(), 0755) != 0 && errno != EEXIST)
        return fail(ErrorKind::io, "cannot create folder " + parts[i] + ": " + errno_text(errno));
      next = ::openat(dir.fd, parts[i].c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    }
    if (next < 0) {
      int err = errno;
      struct stat st {};
      if (::fstatat(dir.fd, parts[i].c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode))
        return fail(ErrorKind::invalid_input, "'" + parts[i] + "' is a symlink; edits never go through symlinks.");
      if (err == ENOENT) return Fd();  // the folder is missing: so is the file
      return fail(ErrorKind::io, "cannot open folder '" + parts[i] + "': " + errno_text(err));
    }
    dir = Fd(next);
  }
  return dir;
}

// The file's content and mode; nullopt when it does not exist. Symlinks and non-regular files are refused.
struct Existing {
  std::string content;
  mode_t mode = 0644;
};
Expected<std::optional<Existing>> read_in(int dir, const std::string& name) {
  if (dir < 0) return std::optional<Existing>();
  Fd f(::openat(dir, name.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
  if (f.fd < 0) {
    if (errno == ENOENT) return std::optional<Existing>();
    if (errno == ELOOP) return fail(ErrorKind::invalid_input, "'" + name + "' is a symlink; edits never go through symlinks.");
    return fail(ErrorKind::io, "cannot open '" + name + "': " + errno_text(errno));
  }
  struct stat st {};
  if (::fstat(f.fd, &st) != 0 || !S_ISREG(st.st_mode))
    return fail(ErrorKind::invalid_input, "'" + name + "' is not a regular file.");
  constexpr off_t kMaxSize = 16 << 20;
  if (st.st_size > kMaxSize) return fail(ErrorKind::invalid_input, "'" + name + "' is too large to edit (over 16 MiB).");
  Existing e;
  e.mode = st.st_mode & 07777;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(f.fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail(ErrorKind::io, "cannot read '" + name + "': " + errno_text(errno));
    if (n == 0) break;
    e.content.append(buf, static_cast<size_t>(n));
  }
  return std::optional<Existing>(std::move(e));
}

// Writes `content` to a new file beside `name` and renames it over `name`: the directory entry
// is replaced, so nothing is ever written through a link.
Status write_in(int dir, const std::string& name, const std::string& content, mode_t mode) {
  static std::atomic<unsigned> counter{0};
  std::string tmp = ".shoal-edit-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + ".tmp";
  Fd f(::openat(dir, tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode));
  if (f.fd < 0) return fail(ErrorKind::io, "cannot write beside '" + name + "': " + errno_text(errno));
  ::fchmod(f.fd, mode);
  for (size_t done = 0; done < content.size();) {
    ssize_t n = ::write(f.fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      ::unlinkat(dir, tmp.c_str(), 0);
      return fail(ErrorKind::io, "cannot write '" + name + "': " + errno_text(err));
    }
    done += static_cast<size_t>(n);
  }
  if (::renameat(dir, tmp.c_str(), dir, name.c_str()) != 0) {
    int err = errno;
    ::unlinkat(dir, tmp.c_str(), 0);
    return fail(ErrorKind::io, "cannot replace '" + name + "': " + errno_text(err));
  }
  return {};
}

// Applies one block; the message for the model on failure.
Status apply_one(const fs::path& workdir, const EditBlock& block, const std::set<std::string>& allowed,
                 std::string& changed) {
  SHOAL_TRY(parts, path_parts(block.path));
  std::string rel = join_parts(parts);
  if (!allowed.count(rel)) {
    std::string list;
    for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
    return fail(ErrorKind::invalid_input, rel + " may not be edited; the files you may edit are: " +
                                              (list.empty() ? "none" : list) + ".");
  }
  bool creating = block.search.empty();
  SHOAL_TRY(dir, open_parent(workdir, parts, creating));
  SHOAL_TRY(existing, read_in(dir.fd, parts.back()));
  std::optional<std::string> content;
  if (existing) content = existing->content;
  SHOAL_TRY(updated, apply_to_text(rel, content, block));
  if (content && updated == *content) return {};  // REPLACE equals SEARCH: nothing to write
  SHOAL_CHECK(write_in(dir.fd, parts.back(), updated, existing ? existing->mode : 0644));
  changed = rel;
  return {};
}

}  // namespace

Expected<std::vector<EditBlock>> parse_edit_blocks(std::string_view text) {
  auto lines = split_lines(text);
  std::vector<EditBlock> blocks;
  std::string previous;
  for (size_t i = 0; i < lines.size(); ++i) {
    Marker m = marker_of(lines[i]);
    if (m == Marker::replace)
      return fail(ErrorKind::invalid_input, at_line(i) + "'>>>>>>> REPLACE' without a block open: a block starts "
                                                         "with '<<<<<<< SEARCH'");
    if (m != Marker::search) continue;
    SHOAL_TRY(path, block_path(lines, i, previous));
    size_t start = i;
    EditBlock block{path, "", ""};
    for (++i; i < lines.size() && marker_of(lines[i]) != Marker::divider; ++i) {
      if (marker_of(lines[i]) != Marker::none)
        return fail(ErrorKind::invalid_input, at_line(i) + "the block for " + path + " opened on line " +
                                                  std::to_string(start + 1) + " needs '=======' before this marker");
      block.search += lines[i] + "\n";
    }
    if (i >= lines.size())
      return fail(ErrorKind::invalid_input, at_line(start) + "the block for " + path + " has no '=======' line");
    for (++i; i < lines.size() && marker_of(lines[i]) != Marker::replace; ++i) {
      if (marker_of(lines[i]) == Marker::search)
        return fail(ErrorKind::invalid_input, at_line(i) + "the block for " + path + " opened on line " +
                                                  std::to_string(start + 1) + " needs '>>>>>>> REPLACE' before a new SEARCH");
      block.replace += lines[i] + "\n";
    }
    if (i >= lines.size())
      return fail(ErrorKind::invalid_input, at_line(start) + "the block for " + path + " has no '>>>>>>> REPLACE' line");
    previous = path;
    blocks.push_back(std::move(block));
  }
  return blocks;
}

EditOutcome apply_edit_blocks(const fs::path& workdir, const std::vector<EditBlock>& blocks,
                              const std::vector<std::string>& allowed_files) {
  std::set<std::string> allowed;
  for (const auto& a : allowed_files)
    if (auto parts = path_parts(a); parts.ok()) allowed.insert(join_parts(*parts));
  EditOutcome outcome;
  for (size_t i = 0; i < blocks.size(); ++i) {
    std::string changed;
    auto st = apply_one(workdir, blocks[i], allowed, changed);
    if (!st.ok()) {
      outcome.failures.push_back("block " + std::to_string(i + 1) + " (" + blocks[i].path + "): " + st.error().message);
      continue;
    }
    if (!changed.empty() &&
        std::find(outcome.changed_files.begin(), outcome.changed_files.end(), changed) == outcome.changed_files.end())
      outcome.changed_files.push_back(changed);
  }
  return outcome;
}

}  // namespace shoal::tools
