#include "web/json_views.hpp"

#include "store/blobs.hpp"
#include "store/records.hpp"

namespace shoal::web {
namespace {

constexpr size_t kMaxDiffBytes = 4 << 20;  // larger snapshots are not diffed on request

// The code a node is compared with: its parent's, else the template baseline's (for the
// first version of an idea); with `template_only`, always the template baseline's. nullopt
// when there is nothing to compare with (a baseline node itself).
Expected<std::optional<store::Node>> diff_base(store::Store& store, const store::Node& node, bool template_only) {
  if (!node.parent_id.empty() && !template_only) {
    SHOAL_TRY(parent, store::get_node(store, node.parent_id));
    return std::optional<store::Node>(parent);
  }
  if (node.kind.rfind("baseline", 0) == 0) return std::optional<store::Node>();
  return store::find_baseline(store, node.template_hash);
}

Expected<std::string> code_of(store::Store& store, const store::Node& node) {
  if (node.code_hash.empty()) return std::string();
  return store::get_blob(store, node.code_hash);
}

// An optional statistic as its value, or null when it could not be computed.
template <class T>
json opt(const std::optional<T>& v) {
  return v ? json(*v) : json(nullptr);
}

}  // namespace

json file_diff_json(const FileDiff& f) {
  json hunks = json::array();
  for (const auto& h : f.hunks) {
    json lines = json::array();
    for (const auto& l : h.lines) lines.push_back({std::string(1, l.op), l.text, l.old_line, l.new_line});
    hunks.push_back({{"old_start", h.old_start}, {"old_count", h.old_count}, {"new_start", h.new_start},
                     {"new_count", h.new_count}, {"lines", lines}});
  }
  return {{"name", f.name}, {"status", f.status}, {"added", f.added}, {"removed", f.removed}, {"hunks", hunks}};
}

Expected<json> node_diff_json(store::Store& store, const store::Node& node, bool template_only) {
  SHOAL_TRY(base, diff_base(store, node, template_only));
  SHOAL_TRY(after, code_of(store, node));
  std::string before;
  if (base) {
    SHOAL_TRY(code, code_of(store, *base));
    before = std::move(code);
  }
  if (before.size() > kMaxDiffBytes || after.size() > kMaxDiffBytes)
    return fail(ErrorKind::invalid_input, "the code snapshots are too large to diff here (over 4 MiB); download them instead");
  json files = json::array();
  for (const auto& f : diff_snapshots(before, after)) files.push_back(file_diff_json(f));
  return json{{"node_id", node.id},
              {"base_id", base ? json(base->id) : json(nullptr)},
              {"base_kind", base ? json(base->kind) : json(nullptr)},
              {"has_code", !node.code_hash.empty()},
              {"files", files}};
}

json agreement_json(const std::vector<store::AgreementRow>& rows, const AgreementStats& s) {
  return {{"points", store::to_json(rows)},
          {"stats",
           {{"papers", s.papers},
            {"scored", s.scored},
            {"pearson", opt(s.pearson)},
            {"spearman", opt(s.spearman)},
            {"mean_abs_diff", opt(s.mean_abs_diff)},
            {"decided", s.decided},
            {"agree", s.agree},
            {"agreement", opt(s.agreement)},
            {"kappa", opt(s.kappa)}}}};
}

}  // namespace shoal::web
