#include "store/review_scores.hpp"

namespace shoal::store {

const std::vector<ReviewScore>& review_scores() {
  static const std::vector<ReviewScore> scores = {
      {"originality", "Originality", 1, 4, &Review::originality, &ReviewForm::originality, &PaperScores::originality},
      {"quality", "Quality", 1, 4, &Review::quality, &ReviewForm::quality, &PaperScores::quality},
      {"clarity", "Clarity", 1, 4, &Review::clarity, &ReviewForm::clarity, &PaperScores::clarity},
      {"significance", "Significance", 1, 4, &Review::significance, &ReviewForm::significance,
       &PaperScores::significance},
      {"soundness", "Soundness", 1, 4, &Review::soundness, &ReviewForm::soundness, &PaperScores::soundness},
      {"presentation", "Presentation", 1, 4, &Review::presentation, &ReviewForm::presentation,
       &PaperScores::presentation},
      {"contribution", "Contribution", 1, 4, &Review::contribution, &ReviewForm::contribution,
       &PaperScores::contribution},
      {"overall", "Overall", 1, 10, &Review::overall, &ReviewForm::overall, &PaperScores::ai_overall},
      {"confidence", "Confidence", 1, 5, &Review::confidence, &ReviewForm::confidence, &PaperScores::confidence},
  };
  return scores;
}

const ReviewScore* find_review_score(std::string_view name) {
  for (const auto& score : review_scores())
    if (score.name == name) return &score;
  return nullptr;
}

nlohmann::json review_scores_json() {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& s : review_scores())
    list.push_back({{"name", s.name}, {"label", s.label}, {"min", s.min}, {"max", s.max}});
  return {{"scores", list}, {"paper_scores", score_names()}};
}

}  // namespace shoal::store
