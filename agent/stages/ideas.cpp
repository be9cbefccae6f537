#include "agent/stages/ideas.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <future>
#include <map>
#include <optional>
#include <set>

#include "agent/prompts.hpp"
#include "agent/search/sweep.hpp"
#include "agent/stage_llm.hpp"
#include "core/file.hpp"
#include "core/log.hpp"
#include "core/text.hpp"
#include "core/time.hpp"
#include "store/catalog.hpp"
#include "store/runs.hpp"

namespace shoal::agent {
namespace {

using nlohmann::json;

constexpr size_t kMaxCodeChars = 16000;  // experiment.py shown to the model, at most
constexpr size_t kMaxArchive = 60;       // earlier ideas of the template listed, at most

const llm::Shape kIdeaShape = {{"Name", llm::JsonType::string},        {"Title", llm::JsonType::string},
                               {"Experiment", llm::JsonType::string},  {"Interestingness", llm::JsonType::number},
                               {"Feasibility", llm::JsonType::number}, {"Novelty", llm::JsonType::number}};

// The first of `keys` that `j` holds as a string, else "".
std::string text_field(const json& j, std::initializer_list<const char*> keys) {
  for (const char* k : keys)
    if (j.contains(k) && j[k].is_string()) return j[k].get<std::string>();
  return "";
}

// The score under `key` (or its lower-case form), a number or a numeric string, clamped to 1..10.
std::optional<double> score(const json& j, const std::string& key) {
  std::string lower = key;
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  for (const auto& k : {key, lower}) {
    if (!j.contains(k)) continue;
    double v = 0;
    if (j[k].is_number()) v = j[k].get<double>();
    else if (j[k].is_string()) v = std::strtod(j[k].get<std::string>().c_str(), nullptr);
    else continue;
    return std::clamp(v, 1.0, 10.0);
  }
  return std::nullopt;
}

// `text` as an identifier: lower-case ASCII letters, digits and single underscores, at most 48 characters.
std::string identifier(const std::string& text) {
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) && c < 128) out += static_cast<char>(std::tolower(c));
    else if (!out.empty() && out.back() != '_') out += '_';
    if (out.size() >= 48) break;
  }
  while (!out.empty() && out.back() == '_') out.pop_back();
  return out;
}


// This run's ideas in the order they were made.
Expected<std::vector<store::Idea>> ideas_of_run(StageContext& ctx) {
  SHOAL_TRY(ideas, store::list_ideas(ctx.store, ctx.run_id));
  std::sort(ideas.begin(), ideas.end(), [](const store::Idea& a, const store::Idea& b) {
    return a.created_ms != b.created_ms ? a.created_ms < b.created_ms : a.name < b.name;
  });
  return ideas;
}

// What came of an earlier run's idea, in a few words ("" for an idea still open).
std::string outcome_of(const store::IdeaSummary& s, const std::string& metric) {
  const auto& i = s.idea;
  char number[64];
  if (i.status == "done") {
    std::string out = "carried out";
    if (i.best_metric) {
      std::snprintf(number, sizeof number, "%.4g", *i.best_metric);
      out += ", best " + (metric.empty() ? std::string("metric") : metric) + " " + number;
    }
    auto review = s.scores.meta_overall ? s.scores.meta_overall : s.scores.ai_overall;
    if (review) {
      std::snprintf(number, sizeof number, "%.1f", *review);
      out += ", AI review overall " + std::string(number) + "/10";
    }
    return out;
  }
  if (i.status == "failed") return "failed: its experiments gave no usable result";
  if (i.status == "skipped" && i.novel && !*i.novel) return "not novel: the literature already has it";
  if (i.status == "skipped") return "not carried out (ranked below others)";
  return "";
}

// What came of each earlier idea, by idea id: only ideas of runs that had ended when this run
// was created, whose outcomes no longer change (so a resumed run builds the same prompts), and
// only the AI's review scores (a human may add one later).
Expected<std::map<std::string, std::string>> earlier_outcomes(StageContext& ctx, const std::vector<store::Idea>& earlier) {
  SHOAL_TRY(run, store::get_run(ctx.store, ctx.run_id));
  std::set<std::string> runs;
  for (const auto& i : earlier)
    if (!i.run_id.empty()) runs.insert(i.run_id);
  std::map<std::string, std::string> out;
  for (const auto& id : runs) {
    SHOAL_TRY(other, store::get_run(ctx.store, id));
    if (!other.ended_ms || *other.ended_ms >= run.created_ms) continue;
    SHOAL_TRY(summaries, store::find_ideas(ctx.store, {.run_id = id}));
    for (const auto& s : summaries)
      if (auto text = outcome_of(s, ctx.tpl.manifest.metric); !text.empty()) out[s.idea.id] = text;
  }
  return out;
}

// The first round's question for the next idea.
std::string generation_prompt(StageContext& ctx, const TemplatePrompt& tp, const json& seeds,
                              const std::vector<store::Idea>& earlier, const std::map<std::string, std::string>& outcomes,
                              const std::vector<store::Idea>& mine) {
  auto code = read_file(ctx.tpl.dir / "experiment.py");
  std::string seed_text;
  for (const auto& s : seeds) seed_text += "```json\n" + s.dump(2) + "\n```\n";
  std::string previous = mine.empty() ? "" : idea_lines(mine);
  for (const auto& i : earlier) {
    auto outcome = outcomes.find(i.id);
    previous += "- " + i.name + ": " + i.title + (outcome == outcomes.end() ? "" : " [" + outcome->second + "]") + "\n";
  }
  if (previous.empty()) previous = idea_lines({});
  return render("ideas_generate", {{"task", tp.task},
                                   {"code", clip(code.ok() ? *code : "(experiment.py is not readable)", kMaxCodeChars)},
                                   {"seeds", seed_text.empty() ? "(none)\n" : seed_text},
                                   {"previous", previous},
                                   {"reflections", std::to_string(ctx.settings.reflections)}});
}

// One idea: the first answer, then up to options.reflections rounds of self-review that stop
// early when the model says "I am done". Returns the last JSON.
Expected<json> propose_idea(StageContext& ctx, const TemplatePrompt& tp, const std::string& question) {
  llm::Request request;
  request.system = render("ideas_system", {{"template_system", tp.system}});
  request.messages = {llm::Message::user(question)};
  request.temperature = 0.75;
  SHOAL_TRY(reply, ask_json(ctx, request, kIdeaShape, "ideas", ""));
  int rounds = ctx.settings.reflections + 1;
  for (int round = 2; round <= rounds; ++round) {
    if (reply.text.find("I am done") != std::string::npos) break;
    if (ctx.cancel.cancelled()) return fail(ErrorKind::cancelled, "the run was cancelled");
    request.messages.push_back(llm::Message::assistant(reply.text));
    request.messages.push_back(llm::Message::user(
        render("ideas_reflect", {{"round", std::to_string(round)}, {"rounds", std::to_string(rounds)}})));
    SHOAL_TRY(next, ask_json(ctx, request, kIdeaShape, "ideas", ""));
    reply = std::move(next);
  }
  return reply.value;
}

}  // namespace

Expected<json> load_seed_ideas(const StageContext& ctx) {
  bool from_options = !ctx.settings.seed_ideas.empty();
  auto path = from_options ? ctx.settings.seed_ideas : ctx.tpl.dir / "seed_ideas.json";
  auto text = read_file(path);
  if (!text.ok()) {
    if (!from_options && text.error().kind == ErrorKind::not_found) return json::array();
    return fail(text.error().kind, "cannot read the seed ideas " + path.string() + ": " + text.error().message);
  }
  auto doc = json::parse(*text, nullptr, false);
  bool objects = doc.is_array() && std::all_of(doc.begin(), doc.end(), [](const json& i) { return i.is_object(); });
  if (!objects)
    return fail(ErrorKind::invalid_input, path.string() + " must be a JSON list of idea objects "
                                                          "({\"Name\": ..., \"Title\": ..., \"Experiment\": ...})");
  return doc;
}

store::Idea idea_from_json(const json& j, const std::string& run_id) {
  store::Idea idea;
  idea.run_id = run_id;
  idea.title = text_field(j, {"Title", "title"});
  idea.name = identifier(text_field(j, {"Name", "name"}));
  if (idea.name.empty()) idea.name = identifier(idea.title);
  if (idea.name.empty()) idea.name = "idea";
  if (idea.title.empty()) idea.title = idea.name;
  idea.interestingness = score(j, "Interestingness");
  idea.feasibility = score(j, "Feasibility");
  idea.novelty = score(j, "Novelty");
  json stored = j.is_object() ? j : json::object();
  stored["Name"] = idea.name;
  if (!stored.contains("Hypothesis")) {
    std::string hypothesis = text_field(j, {"hypothesis", "Idea", "idea"});
    if (!hypothesis.empty()) stored["Hypothesis"] = hypothesis;
  }
  idea.idea_json = stored.dump();
  return idea;
}

namespace {

// The template's ideas.json: a JSON list of idea objects (anything else: none, with a warning).
std::vector<store::Idea> template_archive(const experiments::Template& tpl) {
  auto text = read_file(tpl.dir / "ideas.json");
  if (!text.ok()) return {};
  auto doc = json::parse(*text, nullptr, false);
  if (!doc.is_array()) {
    log::warn("ideas", (tpl.dir / "ideas.json").string() + " is not a JSON list of ideas; it is not shown as earlier ideas");
    return {};
  }
  std::vector<store::Idea> out;
  for (const auto& j : doc)
    if (j.is_object() && out.size() < kMaxArchive) out.push_back(idea_from_json(j, ""));
  return out;
}

}  // namespace

std::string idea_lines(const std::vector<store::Idea>& ideas) {
  std::string out;
  for (const auto& i : ideas) out += "- " + i.name + ": " + i.title + "\n";
  return out.empty() ? "(none yet)\n" : out;
}

Expected<std::vector<store::Idea>> earlier_ideas(StageContext& ctx) {
  SHOAL_TRY(run, store::get_run(ctx.store, ctx.run_id));
  SHOAL_TRY(all, store::ideas_of_template(ctx.store, ctx.tpl.manifest.name));
  std::vector<store::Idea> out;
  for (auto& i : all)
    if (i.run_id != ctx.run_id && i.created_ms < run.created_ms && out.size() < kMaxArchive) out.push_back(i);
  auto from_template = template_archive(ctx.tpl);
  out.insert(out.end(), from_template.begin(), from_template.end());
  return out;
}

namespace {

// The model's ideas: options.generate of them (0 = 2 * options.ideas), each stored with
// add_idea. Resumable: ideas the run already has count towards the number and are kept as
// they are, and the prompts are rebuilt from the store, so a rerun after a crash asks the
// remaining ideas with the same prompts (answered by the LLM cache) and never stores one
// twice. Returns every idea of the run, oldest first.
Expected<std::vector<store::Idea>> generate_ideas(StageContext& ctx) {
  int target = ctx.settings.generate > 0 ? ctx.settings.generate : 2 * ctx.settings.ideas;
  int batch = std::max(1, ctx.settings.idea_batch);
  SHOAL_TRY(tp, template_prompt(ctx.tpl));
  SHOAL_TRY(seeds, load_seed_ideas(ctx));
  SHOAL_TRY(earlier, earlier_ideas(ctx));
  SHOAL_TRY(outcomes, earlier_outcomes(ctx, earlier));
  SHOAL_TRY(mine, ideas_of_run(ctx));
  while (static_cast<int>(mine.size()) < target) {
    if (ctx.cancel.cancelled()) return fail(ErrorKind::cancelled, "the run was cancelled");
    int count = std::min(batch, target - static_cast<int>(mine.size()));
    ctx.progress({"", "ideas", "idea " + std::to_string(mine.size() + 1) +
                                   (count > 1 ? "-" + std::to_string(mine.size() + count) : "") + "/" +
                                   std::to_string(target)});
    // A batch's drafts see the same earlier ideas and are asked at once; they are stored
    // together, so a resumed run asks the same questions (and the LLM cache answers them).
    std::string question = generation_prompt(ctx, tp, seeds, earlier, outcomes, mine);
    std::vector<std::future<Expected<json>>> drafts;
    for (int slot = 1; slot <= count; ++slot) {
      std::string asked = count == 1 ? question
                                     : question + render("ideas_batch", {{"others", std::to_string(count - 1)},
                                                                         {"slot", std::to_string(slot)},
                                                                         {"count", std::to_string(count)}});
      drafts.push_back(std::async(std::launch::async, [&ctx, &tp, asked] { return propose_idea(ctx, tp, asked); }));
    }
    std::vector<json> proposed;
    std::optional<Error> failed;
    for (auto& d : drafts) {  // wait for every draft before returning, even after a failure
      auto r = d.get();
      if (r.ok()) proposed.push_back(std::move(*r));
      else if (!failed) failed = r.error();
    }
    if (failed) return *failed;
    std::vector<store::Idea> fresh;
    for (const auto& p : proposed) {
      store::Idea idea = idea_from_json(p, ctx.run_id);
      std::set<std::string> taken;
      for (const auto& i : mine) taken.insert(i.name);
      for (const auto& i : fresh) taken.insert(i.name);
      std::string base = idea.name;
      for (int n = 2; taken.count(idea.name); ++n) idea.name = base + "_" + std::to_string(n);
      if (idea.name != base) {
        auto stored = json::parse(idea.idea_json);
        stored["Name"] = idea.name;
        idea.idea_json = stored.dump();
      }
      // Strictly increasing creation times keep the order (and so the next prompts) stable.
      int64_t last = !fresh.empty() ? fresh.back().created_ms : mine.empty() ? int64_t{0} : mine.back().created_ms;
      idea.created_ms = std::max(now_ms(), last + 1);
      fresh.push_back(idea);
    }
    SHOAL_TRY(added, store::add_ideas(ctx.store, fresh));
    mine.insert(mine.end(), added.begin(), added.end());
  }
  return mine;
}


// The offline evolution's one idea ("evolve_knobs"): every knob at once (search=evolve).
Expected<store::Idea> evolve_idea(StageContext& ctx, const std::vector<store::Idea>& existing) {
  const auto& m = ctx.tpl.manifest;
  const std::string name = "evolve_knobs";
  for (const auto& i : existing)
    if (i.name == name) return i;
  std::string metric = m.metric.empty() ? "the headline metric" : m.metric;
  std::vector<std::string> flags, names;
  for (const auto& knob : m.knobs) {
    flags.push_back(knob.flag);
    names.push_back(knob_name(knob.flag));
  }
  store::Idea idea;
  idea.run_id = ctx.run_id;
  idea.name = name;
  idea.title = "Which combination of " + join(names, ", ") + " is best for " + metric + " in " + m.name;
  idea.idea_json = json{{"Name", name},
                        {"Title", idea.title},
                        {"Experiment", "Evolve combinations of the values template.json declares for " + join(flags, ", ") +
                                           " with a genetic algorithm (" + std::to_string(ctx.settings.evolve_evaluations) +
                                           " runs) and compare the best with the baseline."},
                        {"Hypothesis", "The knobs interact: a combination changing several of them beats every "
                                       "change of one alone."},
                        {"knobs", flags},
                        {"search", "evolve"},
                        {"population", ctx.settings.evolve_population},
                        {"offline_baseline_agent", true}}
                       .dump();
  return store::add_idea(ctx.store, idea);
}

// The offline agent's ideas: one per knob of the manifest ("sweep_weight_decay"), in manifest
// order, or with search=evolve the one idea of the evolution; stored once (a rerun keeps the
// ideas already stored). invalid_input when the template declares no knobs (the offline agent
// has nothing to study then).
Expected<std::vector<store::Idea>> offline_ideas(StageContext& ctx) {
  const auto& m = ctx.tpl.manifest;
  if (m.knobs.empty())
    return fail(ErrorKind::invalid_input, "template " + m.name +
                                              " declares no knobs in template.json, so the offline agent has nothing "
                                              "to sweep; add \"knobs\" or run with an LLM (--model)");
  SHOAL_TRY(existing, store::list_ideas(ctx.store, ctx.run_id));
  if (ctx.settings.search == "evolve") {
    SHOAL_TRY(idea, evolve_idea(ctx, existing));
    return std::vector<store::Idea>{idea};
  }
  std::vector<store::Idea> out;
  for (const auto& knob : m.knobs) {
    std::string name = "sweep_" + knob_name(knob.flag);
    auto found = std::find_if(existing.begin(), existing.end(), [&](const store::Idea& i) { return i.name == name; });
    if (found != existing.end()) {
      out.push_back(*found);
      continue;
    }
    std::string values;
    for (const auto& v : knob.values) values += (values.empty() ? "" : ", ") + value_text(v);
    std::string metric = m.metric.empty() ? "the headline metric" : m.metric;
    store::Idea idea;
    idea.run_id = ctx.run_id;
    idea.name = name;
    idea.title = "How " + knob_name(knob.flag) + " affects " + metric + " in " + m.name;
    idea.idea_json = json{{"Name", name},
                          {"Title", idea.title},
                          {"Experiment", "Run experiment.py with " + knob.flag + " set to each of " + values +
                                             " and compare " + metric + " with the baseline (" +
                                             value_text(knob.baseline) + ")."},
                          {"Hypothesis", knob.description.empty() ? "Changing " + knob.flag + " changes " + metric + "."
                                                                  : knob.description + " matters for " + metric + "."},
                          {"knob", knob.flag},
                          {"values", knob.values},
                          {"offline_baseline_agent", true}}
                         .dump();
    SHOAL_TRY(added, store::add_idea(ctx.store, idea));
    out.push_back(added);
  }
  return out;
}

}  // namespace

Expected<IdeasOut> run_ideas(StageContext& ctx, const IdeasIn&) {
  IdeasOut out;
  out.offline = ctx.offline();
  SHOAL_TRY(ideas, out.offline ? offline_ideas(ctx) : generate_ideas(ctx));
  out.ideas = std::move(ideas);
  return out;
}

}  // namespace shoal::agent
