#include "agent/stages/rank.hpp"

#include <algorithm>

namespace shoal::agent {

double idea_score(const store::Idea& idea) {
  auto rating = [](const std::optional<double>& r) { return r ? std::clamp(*r, 1.0, 10.0) : 5.0; };
  return rating(idea.interestingness) + rating(idea.feasibility) + rating(idea.novelty);
}

std::vector<store::Idea> rank_ideas(std::vector<store::Idea> ideas, int top_n) {
  std::erase_if(ideas, [](const store::Idea& i) { return i.novel.has_value() && !*i.novel; });
  std::sort(ideas.begin(), ideas.end(), [](const store::Idea& a, const store::Idea& b) {
    double sa = idea_score(a), sb = idea_score(b);
    return sa != sb ? sa > sb : a.name < b.name;
  });
  if (top_n > 0 && static_cast<int>(ideas.size()) > top_n) ideas.resize(static_cast<size_t>(top_n));
  for (size_t i = 0; i < ideas.size(); ++i) ideas[i].rank = static_cast<int>(i) + 1;
  return ideas;
}

namespace {

// The offline agent's order: the knobs as the template's author listed them.
std::vector<store::Idea> knob_order(const experiments::Template& tpl, std::vector<store::Idea> ideas, int top_n) {
  auto knob_index = [&](const store::Idea& i) {
    auto spec = nlohmann::json::parse(i.idea_json, nullptr, false);
    std::string flag = spec.is_object() ? spec.value("knob", "") : "";
    const auto& knobs = tpl.manifest.knobs;
    for (size_t k = 0; k < knobs.size(); ++k)
      if (knobs[k].flag == flag) return k;
    return knobs.size();
  };
  std::stable_sort(ideas.begin(), ideas.end(),
                   [&](const store::Idea& a, const store::Idea& b) { return knob_index(a) < knob_index(b); });
  if (static_cast<int>(ideas.size()) > top_n) ideas.resize(static_cast<size_t>(top_n));
  return ideas;
}

}  // namespace

Expected<RankOut> run_rank(StageContext& ctx, const RankIn& in) {
  std::vector<store::Idea> ranked =
      ctx.offline() ? knob_order(ctx.tpl, in.ideas, ctx.settings.ideas) : rank_ideas(in.ideas, ctx.settings.ideas);
  RankOut out;
  int rank = 0;
  for (const auto& i : ranked) {
    SHOAL_CHECK(store::set_idea_rank(ctx.store, i.id, ++rank));
    out.selected.push_back(i.id);
  }
  for (const auto& i : in.ideas) {
    bool chosen = std::find(out.selected.begin(), out.selected.end(), i.id) != out.selected.end();
    if (!chosen && !store::idea_is_final(i.status))
      SHOAL_CHECK(store::set_idea_status(ctx.store, i.id, "skipped", i.novel == false ? "novelty" : "rank"));
  }
  return out;
}

}  // namespace shoal::agent
