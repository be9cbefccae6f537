#include "agent/search/code_edit.hpp"

#include <map>

#include "llm/structured.hpp"
#include "agent/search/node_runner.hpp"
#include "agent/prompts.hpp"
#include "core/file.hpp"
#include "core/hash.hpp"
#include "experiments/final_info.hpp"
#include "store/blobs.hpp"

namespace shoal::agent {
namespace fs = std::filesystem;
namespace {

// The editable files of `workdir` as they are now (nullopt: the file does not exist).
std::map<std::string, std::optional<std::string>> editable_files(const experiments::Template& tpl,
                                                                 const fs::path& workdir) {
  std::map<std::string, std::optional<std::string>> out;
  for (const auto& name : tpl.manifest.editable) {
    auto content = read_file(workdir / name);
    out[name] = content.ok() ? std::optional<std::string>(*content) : std::nullopt;
  }
  return out;
}

// Puts the files back as `saved` holds them (removing those that did not exist).
Status put_back(const fs::path& workdir, const std::map<std::string, std::optional<std::string>>& saved) {
  for (const auto& [name, content] : saved) {
    std::error_code ec;
    fs::remove(workdir / name, ec);
    if (content) SHOAL_CHECK(write_scratch_file(workdir / name, *content));
  }
  return {};
}

}  // namespace

CoderReply parse_coder_reply(const std::string& text) {
  CoderReply reply;
  auto blocks = tools::parse_edit_blocks(text);
  if (!blocks.ok()) {
    reply.problem = "the edit blocks could not be read: " + blocks.error().message;
    return reply;
  }
  reply.blocks = std::move(*blocks);
  if (reply.blocks.empty() && text.find("ALL_DONE") != std::string::npos) {
    reply.all_done = true;
    return reply;
  }
  auto json = llm::extract_json(text);
  if (!json.ok() || !json->is_object() || !json->value("plan", nlohmann::json()).is_string()) {
    reply.problem = "the reply has no JSON object with a \"plan\" string (in a ```json block after the edits)";
    return reply;
  }
  reply.plan = (*json)["plan"].get<std::string>();
  reply.notes = json->value("notes", nlohmann::json("")).is_string() ? json->value("notes", std::string()) : "";
  if (json->contains("args")) {
    const auto& args = (*json)["args"];
    if (!args.is_array()) {
      reply.problem = "\"args\" must be a list of command-line flags and values, e.g. [\"--lr\", \"0.01\"]";
      return reply;
    }
    for (const auto& a : args) {
      if (a.is_string()) reply.args.push_back(a.get<std::string>());
      else if (a.is_number() || a.is_boolean()) reply.args.push_back(a.dump());
      else {
        reply.problem = "every entry of \"args\" must be a string or a number, not " + std::string(a.type_name());
        return reply;
      }
      if (reply.args.back().rfind("--out_dir", 0) == 0) {
        reply.problem = "\"args\" must not set --out_dir: Shoal chooses the output folder of each run";
        return reply;
      }
    }
  }
  return reply;
}

Expected<std::string> code_listing(const experiments::Template& tpl, const fs::path& workdir) {
  std::string out;
  for (const auto& [name, content] : editable_files(tpl, workdir))
    if (content) out += "### " + name + "\n```\n" + *content + (content->empty() || content->back() == '\n' ? "" : "\n") + "```\n\n";
  if (out.empty()) return fail(ErrorKind::not_found, "none of the editable files of template " + tpl.manifest.name +
                                                         " exists in " + workdir.string());
  return out;
}

Expected<std::string> apply_reply(StageContext& ctx, const fs::path& workdir, const CoderReply& reply) {
  if (reply.blocks.empty()) return std::string();
  auto saved = editable_files(ctx.tpl, workdir);
  auto outcome = tools::apply_edit_blocks(workdir, reply.blocks, ctx.tpl.manifest.editable);
  if (outcome.failures.empty()) return std::string();
  SHOAL_CHECK(put_back(workdir, saved));
  std::string message;
  for (const auto& f : outcome.failures) message += "- " + f + "\n";
  return message;
}

std::string baseline_text(const std::optional<store::Node>& baseline, bool higher_is_better) {
  if (!baseline) return render("experiments_no_baseline", {});
  return describe_outcome(*baseline, std::nullopt, higher_is_better);
}

llm::Request coder_request(const StageContext& ctx, const TemplatePrompt& tp) {
  const auto& m = ctx.tpl.manifest;
  std::string editable;
  for (const auto& f : m.editable) editable += (editable.empty() ? "" : ", ") + f;
  llm::Request request;
  request.system = render("experiments_coder_system",
                          {{"template_system", tp.system},
                           {"metric", m.metric.empty() ? "the first metric of final_info.json" : m.metric},
                           {"direction", m.higher_is_better ? "higher" : "lower"},
                           {"editable", editable}});
  request.temperature = 0.5;
  request.max_tokens = 8192;
  return request;
}

void set_coder_messages(llm::Request& request, const TemplatePrompt& tp, const store::Idea& idea,
                        const std::string& baseline, const std::string& step) {
  request.messages = {llm::Message::user(render("experiments_context", {{"task", tp.task},
                                                                        {"title", idea.title},
                                                                        {"idea", idea_text(idea)},
                                                                        {"baseline", baseline}})),
                      llm::Message::assistant(render("experiments_context_ack", {})),
                      llm::Message::user(step)};
  request.stable_prefix = 2;
}

Status save_notes(StageContext& ctx, const std::string& idea_id, const std::string& text) {
  SHOAL_TRY(arts, store::list_artifacts(ctx.store, "idea", idea_id));
  std::string hash = sha256_hex(text);
  for (const auto& a : arts)
    if (a.kind == "notes" && a.hash == hash) return {};
  SHOAL_TRY(art, store::add_artifact(ctx.store, {"notes", "notes.md", "idea", idea_id, "text/markdown"}, text));
  (void)art;
  return {};
}

std::optional<double> baseline_metric(const experiments::Template& tpl, const std::optional<store::Node>& baseline) {
  if (!baseline) return std::nullopt;
  auto info = experiments::parse_final_info(baseline->metrics_json);
  if (!info.ok()) return baseline->metric;
  // From the results, not the stored value: the node is shared by every run of the
  // template, and a run may compare by another metric (the `metric` setting).
  auto metric = experiments::headline_metric(*info, tpl.manifest.metric, tpl.manifest.condition);
  return metric.ok() ? std::optional<double>(*metric) : std::nullopt;
}



}  // namespace shoal::agent
