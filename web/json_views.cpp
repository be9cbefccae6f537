#include "web/json_views.hpp"

#include "store/records.hpp"

namespace shoal::web {
namespace {

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
