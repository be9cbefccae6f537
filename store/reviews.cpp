#include "store/reviews.hpp"

#include "core/time.hpp"

namespace shoal::store {
namespace {

const char* kReviewColumns =
    "SELECT id, paper_id, reviewer_kind, reviewer, overall, coalesce(decision, ''), originality, quality, clarity, "
    "significance, soundness, presentation, contribution, confidence, scores_json, text, created_ms, status, error "
    "FROM reviews ";

std::optional<double> optional_double(const SQLite::Column& c) {
  if (c.isNull()) return std::nullopt;
  return c.getDouble();
}

Review review_from_row(SQLite::Statement& q) {
  Review r;
  r.id = q.getColumn(0).getInt64();
  r.paper_id = q.getColumn(1).getString();
  r.reviewer_kind = q.getColumn(2).getString();
  r.reviewer = q.getColumn(3).getString();
  r.overall = optional_double(q.getColumn(4));
  r.decision = q.getColumn(5).getString();
  r.originality = optional_double(q.getColumn(6));
  r.quality = optional_double(q.getColumn(7));
  r.clarity = optional_double(q.getColumn(8));
  r.significance = optional_double(q.getColumn(9));
  r.soundness = optional_double(q.getColumn(10));
  r.presentation = optional_double(q.getColumn(11));
  r.contribution = optional_double(q.getColumn(12));
  r.confidence = optional_double(q.getColumn(13));
  r.scores_json = q.getColumn(14).getString();
  r.text = q.getColumn(15).getString();
  r.created_ms = q.getColumn(16).getInt64();
  r.status = q.getColumn(17).getString();
  r.error = q.getColumn(18).getString();
  return r;
}

}  // namespace

Expected<Review> add_review(Store& store, Review review) {
  if (review.created_ms == 0) review.created_ms = now_ms();
  if (review.reviewer_kind != "ai" && review.reviewer_kind != "meta" && review.reviewer_kind != "human")
    return fail(ErrorKind::invalid_input, "reviewer kind must be ai, meta or human, not '" + review.reviewer_kind + "'");
  if (review.status != "done" && review.status != "failed")
    return fail(ErrorKind::invalid_input, "review status must be done or failed, not '" + review.status + "'");
  return store.transaction([&](SQLite::Database& db) -> Expected<Review> {
    SQLite::Statement q(db,
                        "INSERT INTO reviews (paper_id, reviewer_kind, reviewer, overall, decision, originality, "
                        "quality, clarity, significance, soundness, presentation, contribution, confidence, "
                        "scores_json, text, created_ms, status, error) VALUES (?, ?, ?, ?, NULLIF(?, ''), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                        "?, ?, ?)");
    q.bind(1, review.paper_id);
    q.bind(2, review.reviewer_kind);
    q.bind(3, review.reviewer);
    const std::optional<double>* scores[] = {&review.overall, nullptr, &review.originality, &review.quality,
                                             &review.clarity, &review.significance, &review.soundness,
                                             &review.presentation, &review.contribution, &review.confidence};
    for (int i = 0; i < 10; ++i) {
      int index = 4 + i;
      if (i == 1) q.bind(index, review.decision);
      else if (*scores[i]) q.bind(index, **scores[i]);
      else q.bind(index);
    }
    q.bind(14, review.scores_json);
    q.bind(15, review.text);
    q.bind(16, review.created_ms);
    q.bind(17, review.status);
    q.bind(18, review.error);
    q.exec();
    review.id = db.getLastInsertRowid();
    return review;
  });
}

Expected<Review> get_review(Store& store, int64_t id) {
  return store.read([&](SQLite::Database& db) -> Expected<Review> {
    SQLite::Statement q(db, std::string(kReviewColumns) + "WHERE id = ?");
    q.bind(1, id);
    if (!q.executeStep()) return fail(ErrorKind::not_found, "no review " + std::to_string(id));
    return review_from_row(q);
  });
}

Expected<std::vector<Review>> list_reviews(Store& store, const std::string& paper_id) {
  return store.read([&](SQLite::Database& db) -> Expected<std::vector<Review>> {
    SQLite::Statement q(db, std::string(kReviewColumns) + "WHERE paper_id = ? ORDER BY created_ms, id");
    q.bind(1, paper_id);
    std::vector<Review> out;
    while (q.executeStep()) out.push_back(review_from_row(q));
    return out;
  });
}

}  // namespace shoal::store
