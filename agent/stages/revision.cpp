#include "agent/stages/revision.hpp"

namespace shoal::agent {

Expected<RevisionOut> run_revision(StageContext& ctx, const RevisionIn& in) {
  if (ctx.offline()) return fail(ErrorKind::invalid_input, "a revision needs a model");
  WriteupOptions writeup = writeup_options(ctx.settings, ctx.literature);
  writeup.work_dir = ctx.idea_dir(in.idea_id) / in.stage;
  writeup.cancel = &ctx.cancel;
  ReviewOptions review = review_options(ctx.settings);
  review.work_dir = ctx.idea_dir(in.idea_id) / (in.stage + "-review");
  review.cancel = &ctx.cancel;
  return revise_and_review(ctx.store, *ctx.llm, ctx.executor, ctx.tpl, in.paper_id, writeup, review);
}

}  // namespace shoal::agent
