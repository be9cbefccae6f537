#include "web/diff.hpp"

#include <map>
#include <nlohmann/json.hpp>

namespace shoal::web {
namespace {

// The files of a snapshot: a JSON object of strings, else the whole text as "code".
std::map<std::string, std::string> snapshot_files(std::string_view snapshot) {
  std::map<std::string, std::string> files;
  if (snapshot.empty()) return files;
  auto doc = nlohmann::json::parse(snapshot, nullptr, /*allow_exceptions=*/false);
  if (doc.is_object()) {
    bool all_strings = true;
    for (const auto& [name, content] : doc.items()) all_strings = all_strings && content.is_string();
    if (all_strings) {
      for (const auto& [name, content] : doc.items()) files[name] = content.get<std::string>();
      return files;
    }
  }
  files["code"] = std::string(snapshot);
  return files;
}

}  // namespace

std::vector<FileDiff> diff_snapshots(std::string_view old_snapshot, std::string_view new_snapshot) {
  auto before = snapshot_files(old_snapshot), after = snapshot_files(new_snapshot);
  std::map<std::string, std::pair<const std::string*, const std::string*>> names;
  for (const auto& [name, text] : before) names[name].first = &text;
  for (const auto& [name, text] : after) names[name].second = &text;
  std::vector<FileDiff> out;
  static const std::string empty;
  for (const auto& [name, texts] : names) {
    FileDiff f;
    f.name = name;
    auto lines = diff_lines(split_lines(texts.first ? *texts.first : empty),
                            split_lines(texts.second ? *texts.second : empty));
    for (const auto& l : lines) {
      f.added += l.op == '+';
      f.removed += l.op == '-';
    }
    f.status = !texts.first ? "added" : !texts.second ? "removed" : (f.added || f.removed) ? "modified" : "unchanged";
    f.hunks = make_hunks(lines);
    out.push_back(std::move(f));
  }
  return out;
}

}  // namespace shoal::web
