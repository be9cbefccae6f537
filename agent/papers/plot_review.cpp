#include "agent/papers/plot_review.hpp"

#include "llm/image.hpp"
#include "llm/structured.hpp"
#include "agent/prompts.hpp"
#include "agent/search/code_edit.hpp"
#include "agent/stage_llm.hpp"
#include "core/file.hpp"
#include "core/log.hpp"

namespace shoal::agent {
namespace fs = std::filesystem;
using nlohmann::json;

std::string PlotReview::problems() const {
  std::string out;
  for (const auto& [name, note] : notes) {
    std::string low = note;
    for (auto& c : low) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (low.empty() || low == "ok" || low == "ok." || low == "none") continue;
    out += "- " + name + ": " + note + "\n";
  }
  return out;
}

Expected<PlotReview> review_plots(StageContext& ctx, const store::Idea& idea, const fs::path& dir,
                        const std::vector<std::string>& pngs, const std::vector<std::string>& run_labels,
                        int max_images) {
  std::vector<llm::ContentPart> images;
  for (size_t i = 0; i < pngs.size() && static_cast<int>(i) < max_images; ++i)
    if (auto part = llm::png_part_from_file(dir / pngs[i]); part.ok()) images.push_back(*part);

  auto ask = [&](bool with_images) -> Expected<json> {
    llm::Request request;
    request.system = std::string(prompt(with_images ? "plots_system_vision" : "plots_system"));
    llm::Message message = llm::Message::user(
        render("plots_captions", {{"idea", idea.idea_json},
                                  {"figures", json(pngs).dump()},
                                  {"runs", json(run_labels).dump()},
                                  {"vision", with_images ? std::string(prompt("plots_vision")) : ""}}));
    if (with_images)
      for (const auto& img : images) message.parts.push_back(img);
    request.messages.push_back(message);
    request.temperature = 0.2;
    return llm::complete_json(*ctx.llm, request, {{"captions", llm::JsonType::object}}, {"plots", idea.id});
  };

  PlotReview review;
  auto answer = ask(!images.empty());
  if (!answer.ok() && !images.empty() && answer.error().kind == ErrorKind::invalid_input) {
    log::warn("plots", "the model refused the figures as images (" + answer.error().message + "); captions from names");
    images.clear();
    answer = ask(false);
  }
  if (!answer.ok()) {
    ErrorKind k = answer.error().kind;
    if (k == ErrorKind::budget_exceeded || k == ErrorKind::cancelled || k == ErrorKind::io) return answer.error();
    log::warn("plots", "idea " + idea.name + ": no usable captions from the model (" + answer.error().message +
                           "); plain captions");
    return review;
  }
  review.images = static_cast<int>(images.size());
  const json& captions = (*answer)["captions"];
  const json notes = answer->contains("notes") && (*answer)["notes"].is_object() ? (*answer)["notes"] : json::object();
  for (const auto& png : pngs) {
    if (captions.contains(png) && captions[png].is_string()) review.captions[png] = captions[png].get<std::string>();
    if (review.images > 0 && notes.contains(png) && notes[png].is_string()) review.notes[png] = notes[png].get<std::string>();
  }
  return review;
}

Expected<std::string> fix_plot_script(StageContext& ctx, const store::Idea& idea, const fs::path& dir,
                                      const std::string& problems, const std::vector<std::string>& run_labels) {
  SHOAL_TRY(tp, template_prompt(ctx.tpl));
  SHOAL_TRY(code, code_listing(ctx.tpl, dir));
  llm::Request request = coder_request(ctx, tp);
  request.messages.push_back(llm::Message::user(
      render("plots_fix", {{"notes", problems}, {"runs", json(run_labels).dump()}, {"code", code}})));
  SHOAL_TRY(reply, ctx.llm->complete(request, {.stage = "plots", .idea_id = idea.id}));
  CoderReply parsed = parse_coder_reply(reply.text());
  if (!parsed.problem.empty()) return parsed.problem;
  if (parsed.blocks.empty()) return std::string("the reply held no edit of plot.py");
  return apply_reply(ctx, dir, parsed);
}

}  // namespace shoal::agent
