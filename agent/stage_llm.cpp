#include "agent/stage_llm.hpp"

#include "agent/prompts.hpp"
#include "core/file.hpp"
#include "core/text.hpp"

namespace shoal::agent {

Expected<TemplatePrompt> template_prompt(const experiments::Template& tpl) {
  auto path = tpl.dir / "prompt.json";
  SHOAL_TRY(text, read_file(path));
  auto doc = nlohmann::json::parse(text, nullptr, false);
  if (!doc.is_object() || !doc.value("system", nlohmann::json()).is_string() ||
      !doc.value("task_description", nlohmann::json()).is_string())
    return fail(ErrorKind::invalid_input, path.string() + " must be a JSON object with the strings \"system\" and "
                                                          "\"task_description\" (shoal template check says more)");
  return TemplatePrompt{doc["system"].get<std::string>(), doc["task_description"].get<std::string>()};
}

Expected<std::string> ask_text(StageContext& ctx, const llm::Request& request, const std::string& stage,
                               const std::string& idea_id) {
  if (ctx.cancel.cancelled()) return fail(ErrorKind::cancelled, "the run was cancelled");
  if (!ctx.llm) return fail(ErrorKind::internal, "stage " + stage + " needs a model, and the run has none (offline)");
  SHOAL_TRY(response, ctx.llm->complete(request, {stage, idea_id}));
  if (response.texts.empty()) return fail(ErrorKind::remote, "the model returned no answer in stage " + stage);
  return response.texts.front();
}

Expected<JsonReply> ask_json(StageContext& ctx, llm::Request request, const llm::Shape& shape,
                             const std::string& stage, const std::string& idea_id) {
  if (ctx.cancel.cancelled()) return fail(ErrorKind::cancelled, "the run was cancelled");
  if (!ctx.llm) return fail(ErrorKind::internal, "stage " + stage + " needs a model, and the run has none (offline)");
  auto answer = llm::complete_json_answer(*ctx.llm, std::move(request), shape, {stage, idea_id});
  if (!answer.ok()) {
    Error e = answer.error();
    if (e.kind == ErrorKind::remote && !e.transient) e.message = "stage " + stage + ": " + e.message;
    return e;
  }
  return JsonReply{std::move(answer->value), std::move(answer->text)};
}

std::string idea_text(const store::Idea& idea) {
  auto doc = nlohmann::json::parse(idea.idea_json, nullptr, false);
  return doc.is_discarded() ? idea.idea_json : doc.dump(2);
}


}  // namespace shoal::agent
