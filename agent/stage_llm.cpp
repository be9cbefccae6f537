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
  auto parse = [&](const std::string& text) -> Expected<nlohmann::json> {
    SHOAL_TRY(value, llm::extract_json(text));
    SHOAL_CHECK(llm::validate_shape(value, shape));
    return value;
  };
  SHOAL_TRY(first, ask_text(ctx, request, stage, idea_id));
  auto parsed = parse(first);
  if (parsed.ok()) return JsonReply{std::move(*parsed), first};
  request.messages.push_back(llm::Message::assistant(first));
  request.messages.push_back(llm::Message::user(render("json_reask", {{"error", parsed.error().message}})));
  SHOAL_TRY(second, ask_text(ctx, request, stage, idea_id));
  auto reparsed = parse(second);
  if (reparsed.ok()) return JsonReply{std::move(*reparsed), second};
  return fail(ErrorKind::remote, "stage " + stage + ": the model did not return usable JSON, twice: first " +
                                     parsed.error().message + "; then " + reparsed.error().message);
}

std::string idea_text(const store::Idea& idea) {
  auto doc = nlohmann::json::parse(idea.idea_json, nullptr, false);
  return doc.is_discarded() ? idea.idea_json : doc.dump(2);
}


}  // namespace shoal::agent
