#include "agent/stages/paper.hpp"

namespace shoal::agent {

Expected<PaperOut> run_paper(StageContext& ctx, const PaperIn& in) {
  WriteupOptions options = writeup_options(ctx.settings, ctx.literature);
  options.work_dir = ctx.idea_dir(in.idea.id) / "paper";
  options.cancel = &ctx.cancel;
  return write_paper(ctx.store, ctx.llm, ctx.executor, ctx.tpl, in.idea.id, options);
}

}  // namespace shoal::agent
