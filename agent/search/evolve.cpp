#include "agent/search/evolve.hpp"

#include <algorithm>
#include <future>
#include <cstdio>
#include <functional>

#include "agent/prompts.hpp"
#include "agent/search/code_edit.hpp"
#include "agent/search/evolve_population.hpp"
#include "agent/search/node_runner.hpp"
#include "agent/search/seeds.hpp"
#include "agent/stage_llm.hpp"
#include "core/text.hpp"
#include "experiments/baseline.hpp"
#include "llm/prices.hpp"
#include "store/blobs.hpp"
#include "store/nodes.hpp"

namespace shoal::agent {
namespace fs = std::filesystem;
using evolve::Program;

nlohmann::json evolve_search_json(const EvolveFacts& f) {
  nlohmann::json descriptors = nlohmann::json::object();
  for (const auto& [k, v] : f.descriptors) descriptors[k] = v;
  nlohmann::json j = {{"strategy", "evolve"},
                      {"generation", f.generation},
                      {"island", f.island},
                      {"operator", f.op},
                      {"parents", f.parents},
                      {"model", f.model},
                      {"cost_usd", f.cost_usd},
                      {"descriptors", descriptors},
                      {"cell", f.cell ? nlohmann::json(*f.cell) : nlohmann::json(nullptr)}};
  if (f.rejected) j["rejected"] = {{"similar_to", f.rejected->first}, {"similarity", f.rejected->second}};
  return j;
}

namespace {

constexpr int kTriesPerCandidate = 2;  // the model's candidate, then one correction of an unusable reply
constexpr size_t kPopulationShown = 12;  // programs listed in a prompt, fittest first
constexpr size_t kPlanChars = 160;
constexpr size_t kLabelChars = 60;

// A program's stored node and how it came to be (parallel to the population's programs).
struct Member {
  store::Node node;
  EvolveFacts facts;
  std::vector<std::string> args;
  std::string outcome;  // describe_outcome() against the baseline
  std::string written;  // the search_json last stored
};

// One candidate to make.
struct Slot {
  int index = 0;  // within the generation
  int island = 0;
  std::string op;
  std::vector<int> parents;
  int model = 0;
};

// What the model made of a slot.
struct Proposal {
  bool usable = false;
  CoderReply reply;
  std::string code_hash, code;
  double cost_usd = 0;
  fs::path dir;
};

// Who a rejected candidate was too close to: a program of the population, or a candidate of
// this generation (or, when generations overlap, of the one still running) by its slot.
struct Owner {
  int program = -1;      // index into the population; -1: a candidate
  size_t slot = 0;       // the candidate's slot
  bool running = false;  // the candidate belongs to the generation still running
};

// A generation made ready to run: its slots, the model's proposals, the candidates that run
// and those rejected as near-duplicates.
struct Prepared {
  int generation = 0;
  std::vector<Slot> slots;
  std::vector<Proposal> proposals;                     // one per slot
  std::vector<std::vector<std::string>> changes;       // each candidate's sorted change (usable ones)
  std::vector<NodeRequest> requests;                   // the candidates that run
  std::vector<size_t> request_slot;                    // their slots
  struct Rejection {
    size_t slot;
    Owner owner;
    double similarity;
  };
  std::vector<Rejection> rejections;
  std::map<size_t, std::string> slot_node;             // the node each run candidate became (set by record)
  double cost_usd() const {
    double c = 0;
    for (const auto& p : proposals) c += p.cost_usd;
    return c;
  }
};

// The editable files of a code snapshot as one text, by file name.
Expected<std::string> snapshot_text(store::Store& store, const std::string& code_hash) {
  SHOAL_TRY(text, store::get_blob(store, code_hash));
  auto files = nlohmann::json::parse(text, nullptr, false);
  if (!files.is_object()) return fail(ErrorKind::corrupt, "code snapshot " + code_hash + " is not a JSON object");
  std::string out;
  for (auto& [name, content] : files.items())
    if (content.is_string()) out += "### " + name + "\n" + content.get<std::string>() + "\n";
  return out;
}

double call_cost(const llm::Client& client, const llm::Response& r) {
  // At list price from the tokens (every input token at the full price, whatever the provider's
  // prompt cache held): the same for a reply the response cache serves again, so a resumed search
  // scores the models as the first pass did.
  return llm::cost_usd(client.model_info().price, llm::Usage{r.tokens_in, r.tokens_out, 0, 0});
}

class Evolution {
 public:
  Evolution(StageContext& ctx, const store::Idea& idea) : ctx_(ctx), idea_(idea) {}

  Expected<ExperimentOutcome> run();

 private:
  StageContext& ctx_;
  const store::Idea& idea_;
  TemplatePrompt tp_;
  std::optional<store::Node> baseline_;
  std::string baseline_text_;
  std::optional<double> baseline_metric_;
  llm::Request base_;
  evolve::PopulationOptions opt_;
  std::vector<std::pair<std::string, llm::Client*>> models_;
  std::string root_code_;
  std::vector<Program> programs_;
  std::vector<Member> members_;
  std::vector<evolve::Pull> pulls_;
  std::vector<store::Node> stored_;  // the idea's nodes when the search started (rejected ones are found here)
  int runs_ = 0, failed_ = 0, rejected_ = 0;

  std::string label(int i) const { return "P" + std::to_string(i); }
  Status add_root();
  std::string population_text() const;
  Expected<Proposal> propose(StageContext& c, const Slot& slot, int generation, const std::string& population) const;
  // Generation g's slots and proposals, the near-duplicates rejected. `running`: the generation
  // whose runs are still going on (evolve_overlap), whose candidates count as seen and whose
  // cost as spent. nullopt: the search's own budget is spent.
  Expected<std::optional<Prepared>> prepare(int g, const Prepared* running);
  // Runs the generation's candidates on a store connection of their own (safe beside prepare).
  std::vector<Expected<NodeOutcome>> run_candidates(const Prepared& gen);
  // Adds the results to the population and stores the rejected candidates; `before` is the
  // generation before (for rejections that name one of its candidates).
  Status record(Prepared& gen, std::vector<Expected<NodeOutcome>>& ran, const Prepared* before);
  EvolveFacts facts_of(const Prepared& gen, size_t slot) const;
  Status migrate(int g);
  Status write_search_facts();
  void add_program(const store::Node& node, EvolveFacts facts, std::vector<std::string> args, const std::string& code,
                   bool migrant);
  Expected<ExperimentOutcome> finish(int generations);
};

void Evolution::add_program(const store::Node& node, EvolveFacts facts, std::vector<std::string> args,
                            const std::string& code, bool migrant) {
  Program p;
  p.id = node.id;
  p.generation = facts.generation;
  p.island = facts.island;
  if (node.status == "done") p.fitness = node.metric;
  p.descriptors = evolve::read_descriptors(node.metrics_json, node.duration_s, opt_.descriptors);
  p.code = code;
  p.change = evolve::changed_lines(root_code_, code);
  std::sort(p.change.begin(), p.change.end());
  p.migrant = migrant;
  facts.descriptors = p.descriptors;
  programs_.push_back(std::move(p));
  Member m{node, std::move(facts), std::move(args),
           describe_outcome(node, baseline_metric_, opt_.higher_is_better, 1500), ""};
  members_.push_back(std::move(m));
}

// Generation 0: the template's code with the stored baseline's results (no run), or run once
// when there is no baseline to take them from.
Status Evolution::add_root() {
  fs::path dir = ctx_.idea_dir(idea_.id) / "g0";
  SHOAL_CHECK(prepare_folder(ctx_, dir, ""));
  SHOAL_TRY(hash, store_code_snapshot(ctx_, dir));
  SHOAL_TRY(code, snapshot_text(ctx_.store, hash));
  root_code_ = code;
  EvolveFacts facts;
  facts.op = "baseline";
  store::Node node;
  if (baseline_ && baseline_->status == "done") {
    std::string command = "results of baseline node " + baseline_->id + ": " + baseline_->command;
    SHOAL_TRY(previous, store::find_finished_node(ctx_.store, idea_.id, "", hash, command));
    if (previous) {
      node = *previous;
    } else {
      node.idea_id = idea_.id;
      node.template_hash = ctx_.tpl.hash;
      node.kind = "evolve";
      node.code_hash = hash;
      node.command = command;
      node.plan = "the template's baseline (generation 0 of the evolution; its stored results, not run again)";
      node.status = "running";
      node.search_json = evolve_search_json(facts).dump();
      SHOAL_TRY(added, store::add_node(ctx_.store, node));
      node = added;
      node.status = "done";
      node.exit_code = 0;
      node.metrics_json = baseline_->metrics_json;
      node.metric = baseline_metric_;
      node.duration_s = baseline_->duration_s;
      node.stdout_tail = baseline_->stdout_tail;
      SHOAL_CHECK(store::finish_node(ctx_.store, node));
    }
  } else {
    NodeRequest nr{idea_.id, "", "evolve", "the template's code (generation 0 of the evolution)", 0, std::nullopt, dir,
                   "run_0", {}, evolve_search_json(facts).dump()};
    SHOAL_TRY(ran, run_node(ctx_, nr));
    node = ran.node;
    if (!ran.reused) {
      ++runs_;
      if (!ran.ok()) ++failed_;
    }
  }
  add_program(node, facts, {}, root_code_, false);
  // Every island starts from the root.
  return {};
}

std::string Evolution::population_text() const {
  std::vector<int> order;
  for (int i = 0; i < static_cast<int>(programs_.size()); ++i)
    if (!programs_[i].migrant) order.push_back(i);
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
    const auto &fa = programs_[a].fitness, &fb = programs_[b].fitness;
    if (fa && fb) return evolve::fitter(*fa, *fb, opt_.higher_is_better);
    return fa.has_value() && !fb.has_value();
  });
  std::string out;
  for (size_t k = 0; k < order.size() && k < kPopulationShown; ++k) {
    int i = order[k];
    const Member& m = members_[i];
    out += "- " + label(i) + " (generation " + std::to_string(m.facts.generation) + ", " + m.facts.op + "): " +
           clip(m.node.plan, kPlanChars) + " -> " +
           (programs_[i].fitness ? "metric " + number_text(*programs_[i].fitness) : m.node.status == "done" ? "no metric" : "failed") +
           "\n";
  }
  if (order.size() > kPopulationShown)
    out += "(and " + std::to_string(order.size() - kPopulationShown) + " more)\n";
  return out;
}

Expected<Proposal> Evolution::propose(StageContext& c, const Slot& slot, int generation,
                                      const std::string& population) const {
  Proposal p;
  const std::string name = "g" + std::to_string(generation) + "_c" + std::to_string(slot.index);
  p.dir = c.idea_dir(idea_.id) / name;
  const Member& first = members_[slot.parents[0]];
  SHOAL_CHECK(prepare_folder(c, p.dir, first.node.code_hash));
  SHOAL_TRY(code, code_listing(c.tpl, p.dir));
  const auto& m = c.tpl.manifest;
  std::map<std::string, std::string> vars = {
      {"population", population},
      {"candidate", std::to_string(slot.index + 1)},
      {"generation", std::to_string(generation)},
      {"island", std::to_string(slot.island)},
      {"metric", m.metric.empty() ? "the metric" : m.metric},
      {"direction", opt_.higher_is_better ? "higher is better" : "lower is better"},
      {"parent", label(slot.parents[0])},
      {"parent_plan", first.node.plan},
      {"parent_outcome", first.outcome},
      {"code", code}};
  if (slot.op == "crossover") {
    const Member& other = members_[slot.parents[1]];
    fs::path other_dir = c.idea_dir(idea_.id) / (name + "_other");
    SHOAL_CHECK(prepare_folder(c, other_dir, other.node.code_hash));
    SHOAL_TRY(other_code, code_listing(c.tpl, other_dir));
    std::error_code ec;
    fs::remove_all(other_dir, ec);
    vars["other"] = label(slot.parents[1]);
    vars["other_plan"] = other.node.plan;
    vars["other_outcome"] = other.outcome;
    vars["other_code"] = other_code;
  }
  llm::Request request = base_;
  set_coder_messages(request, tp_, idea_, baseline_text_,
                     render(slot.op == "crossover" ? "evolve_crossover" : "evolve_mutate", vars));
  llm::Client& client = *models_[slot.model].second;
  for (int attempt = 1; attempt <= kTriesPerCandidate; ++attempt) {
    if (c.cancel.cancelled()) return fail(ErrorKind::cancelled, "the run was cancelled");
    SHOAL_TRY(response, client.complete(request, {"experiments", idea_.id}));
    if (response.texts.empty()) return fail(ErrorKind::remote, "the model returned no answer in the evolution");
    p.cost_usd += call_cost(client, response);
    const std::string& text = response.texts.front();
    CoderReply reply = parse_coder_reply(text);
    if (reply.all_done) reply.problem = "ALL_DONE does not apply here: write this candidate's change";
    std::string feedback;
    if (!reply.problem.empty()) {
      feedback = render("experiments_bad_reply", {{"problem", reply.problem}});
    } else {
      SHOAL_TRY(failures, apply_reply(c, p.dir, reply));
      if (!failures.empty()) feedback = render("experiments_edits_failed", {{"failures", failures}});
    }
    if (!feedback.empty()) {
      request.messages.push_back(llm::Message::assistant(text));
      request.messages.push_back(llm::Message::user(feedback));
      continue;
    }
    SHOAL_TRY(hash, store_code_snapshot(c, p.dir));
    SHOAL_TRY(snapshot, snapshot_text(c.store, hash));
    p.usable = true;
    p.reply = std::move(reply);
    p.code_hash = hash;
    // Flags are part of a program: a candidate that only changes them differs from its parent.
    p.code = snapshot + (p.reply.args.empty() ? "" : "### flags\n" + join(p.reply.args, " ") + "\n");
    return p;
  }
  return p;
}

Expected<std::optional<Prepared>> Evolution::prepare(int g, const Prepared* running) {
  const auto& s = ctx_.settings;
  // How many candidates this generation affords (a running generation's proposals are paid).
  double spent = running ? running->cost_usd() : 0;
  for (const auto& p : pulls_) spent += p.cost_usd;
  size_t paid = pulls_.size() + (running ? running->slots.size() : 0);
  std::optional<double> remaining;
  if (s.evolve_budget_usd > 0) remaining = s.evolve_budget_usd - spent;
  int count = evolve::plan_slots(std::max(1, s.parallel_nodes), remaining, paid == 0 ? 0 : spent / static_cast<double>(paid));
  if (count == 0) return std::optional<Prepared>();

  // The choices, one slot after another, from the results so far only.
  Prepared gen;
  gen.generation = g;
  evolve::Archive archive = evolve::build_archive(programs_, opt_);
  std::vector<evolve::Pull> planned = pulls_;
  if (running)  // its models are in use, their gains not known yet
    for (const auto& slot : running->slots) planned.push_back({slot.model, 0, 0, true});
  for (int k = 0; k < count; ++k) {
    auto rng = evolve::EvolveRng::for_slot(static_cast<uint64_t>(s.evolve_seed), g, k);
    Slot slot;
    slot.index = k;
    slot.island = k % opt_.islands;
    bool cross = rng.uniform() < opt_.crossover;
    slot.parents = evolve::pick_parents(programs_, archive, slot.island, cross, opt_, rng);
    if (slot.parents.empty()) slot.parents = {0};  // nothing works yet: start again from the root
    slot.op = slot.parents.size() == 2 ? "crossover" : "mutate";
    slot.model = evolve::pick_model(static_cast<int>(models_.size()), planned);
    planned.push_back({slot.model, 0, 0, true});
    gen.slots.push_back(slot);
  }

  // The model writes every candidate (at once).
  std::string population = population_text();
  std::vector<std::function<Expected<Proposal>(StageContext&)>> asks;
  for (const auto& slot : gen.slots) {
    ctx_.progress({idea_.id, "experiments", "generation " + std::to_string(g) + "/" + std::to_string(s.evolve_generations) +
                                                 ": candidate " + std::to_string(slot.index + 1) + " (" + slot.op + ", " +
                                                 models_[slot.model].first + ")"});
    asks.push_back([this, slot, g, &population](StageContext& c) { return propose(c, slot, g, population); });
  }
  auto proposals = run_parallel(ctx_, asks);
  for (auto& p : proposals) {
    if (!p.ok()) return p.error();
    gen.proposals.push_back(std::move(*p));
  }

  // Near-duplicates are rejected before they cost a run (compared with each program's change
  // against the root, computed once: Program::change).
  gen.changes.resize(gen.slots.size());
  std::vector<const std::vector<std::string>*> seen;
  std::vector<Owner> seen_owner;
  for (int i = 0; i < static_cast<int>(programs_.size()); ++i) {
    seen.push_back(&programs_[i].change);
    seen_owner.push_back({i, 0, false});
  }
  if (running)
    for (size_t j = 0; j < running->request_slot.size(); ++j) {
      seen.push_back(&running->changes[running->request_slot[j]]);
      seen_owner.push_back({-1, running->request_slot[j], true});
    }
  for (size_t k = 0; k < gen.slots.size(); ++k) {
    const Proposal& p = gen.proposals[k];
    if (!p.usable) continue;
    gen.changes[k] = evolve::changed_lines(root_code_, p.code);
    std::sort(gen.changes[k].begin(), gen.changes[k].end());
    auto hit = evolve::most_similar_change(gen.changes[k], seen);
    if (hit.index >= 0 && hit.similarity > opt_.similarity) {
      gen.rejections.push_back({k, seen_owner[hit.index], hit.similarity});
      continue;
    }
    seen.push_back(&gen.changes[k]);
    seen_owner.push_back({-1, k, false});
    EvolveFacts facts = facts_of(gen, k);
    gen.requests.push_back(NodeRequest{idea_.id, members_[gen.slots[k].parents[0]].node.id, "evolve", p.reply.plan, g,
                                       std::nullopt, p.dir,
                                       "run_" + std::to_string(g) + "_" + std::to_string(gen.slots[k].index + 1),
                                       p.reply.args, evolve_search_json(facts).dump()});
    gen.request_slot.push_back(k);
  }
  return std::optional<Prepared>(std::move(gen));
}

EvolveFacts Evolution::facts_of(const Prepared& gen, size_t k) const {
  const Slot& slot = gen.slots[k];
  EvolveFacts facts;
  facts.generation = gen.generation;
  facts.island = slot.island;
  facts.op = slot.op;
  for (int parent : slot.parents) facts.parents.push_back(members_[parent].node.id);
  facts.model = models_[slot.model].first;
  facts.cost_usd = gen.proposals[k].cost_usd;
  return facts;
}

std::vector<Expected<NodeOutcome>> Evolution::run_candidates(const Prepared& gen) {
  std::vector<std::function<Expected<NodeOutcome>(StageContext&)>> jobs;
  for (const auto& nr : gen.requests) jobs.push_back([nr](StageContext& c) { return run_node(c, nr); });
  // Each on a connection of its own, even alone: with evolve_overlap this runs beside prepare(),
  // which uses ctx_'s.
  std::vector<std::future<Expected<NodeOutcome>>> running;
  for (const auto& job : jobs)
    running.push_back(std::async(std::launch::async, [this, &job] { return on_own_connection<NodeOutcome>(ctx_, job); }));
  std::vector<Expected<NodeOutcome>> results;
  for (auto& f : running) results.push_back(f.get());
  return results;
}

Status Evolution::record(Prepared& gen, std::vector<Expected<NodeOutcome>>& ran, const Prepared* before) {
  const int g = gen.generation;
  for (auto& r : ran)
    if (!r.ok()) return r.error();
  // A candidate whose proposal never became usable still cost its model (no gain).
  for (size_t k = 0; k < gen.slots.size(); ++k)
    if (!gen.proposals[k].usable) pulls_.push_back({gen.slots[k].model, 0, gen.proposals[k].cost_usd, false});
  for (size_t j = 0; j < ran.size(); ++j) {
    size_t k = gen.request_slot[j];
    const NodeOutcome& out = *ran[j];
    ++runs_;
    if (!out.ok()) ++failed_;
    const auto parent_fitness = programs_[gen.slots[k].parents[0]].fitness;
    add_program(out.node, facts_of(gen, k), gen.proposals[k].reply.args, gen.proposals[k].code, false);
    gen.slot_node[k] = out.node.id;
    pulls_.push_back({gen.slots[k].model, evolve::improvement(programs_.back().fitness, parent_fitness, opt_.higher_is_better),
                      gen.proposals[k].cost_usd, false});
  }
  // The rejected candidates: a node each (never run), naming the program they were too close to.
  for (const auto& r : gen.rejections) {
    const Proposal& p = gen.proposals[r.slot];
    EvolveFacts facts = facts_of(gen, r.slot);
    std::string similar_to;
    if (r.owner.program >= 0) similar_to = members_[r.owner.program].node.id;
    else if (!r.owner.running) similar_to = gen.slot_node[r.owner.slot];
    else if (before) similar_to = before->slot_node.at(r.owner.slot);
    facts.rejected = std::make_pair(similar_to, r.similarity);
    const std::string parent_id = facts.parents.front();
    auto found = std::find_if(stored_.begin(), stored_.end(), [&](const store::Node& n) {
      return n.status == "rejected" && n.parent_id == parent_id && n.code_hash == p.code_hash && n.step == g;
    });
    store::Node node;
    if (found != stored_.end()) {
      node = *found;
    } else {
      node.idea_id = idea_.id;
      node.template_hash = ctx_.tpl.hash;
      node.parent_id = parent_id;
      node.kind = "evolve";
      node.code_hash = p.code_hash;
      node.command = "not run: its change is " + number_text(r.similarity) + " similar to node " + similar_to + "'s";
      node.plan = clip(p.reply.plan, 2000);
      node.step = g;
      node.status = "rejected";
      node.search_json = evolve_search_json(facts).dump();
      SHOAL_TRY(added, store::add_node(ctx_.store, node));
      node = added;
      stored_.push_back(node);
    }
    SHOAL_CHECK(store::set_node_search(ctx_.store, node.id, evolve_search_json(facts).dump()));
    ++rejected_;
    pulls_.push_back({gen.slots[r.slot].model, 0, p.cost_usd, false});
  }
  return {};
}

Status Evolution::migrate(int g) {
  for (auto [from, to] : evolve::migrations(programs_, g, opt_)) {
    const Member source = members_[from];
    const std::string code = programs_[from].code;
    std::string command = "migrant of node " + source.node.id + " to island " + std::to_string(to);
    EvolveFacts facts;
    facts.generation = g;
    facts.island = to;
    facts.op = "migrant";
    facts.parents = {source.node.id};
    facts.model = source.facts.model;
    SHOAL_TRY(previous, store::find_finished_node(ctx_.store, idea_.id, source.node.id, source.node.code_hash, command));
    store::Node node;
    if (previous) {
      node = *previous;
    } else {
      node.idea_id = idea_.id;
      node.template_hash = ctx_.tpl.hash;
      node.parent_id = source.node.id;
      node.kind = "evolve";
      node.code_hash = source.node.code_hash;
      node.command = command;
      node.plan = source.node.plan;
      node.step = g;
      node.status = "running";
      node.search_json = evolve_search_json(facts).dump();
      SHOAL_TRY(added, store::add_node(ctx_.store, node));
      node = added;
      node.status = source.node.status;
      node.exit_code = source.node.exit_code;
      node.metrics_json = source.node.metrics_json;
      node.metric = source.node.metric;
      node.duration_s = source.node.duration_s;
      SHOAL_CHECK(store::finish_node(ctx_.store, node));
    }
    add_program(node, facts, source.args, code, true);
  }
  return {};
}

Status Evolution::write_search_facts() {
  evolve::Archive archive = evolve::build_archive(programs_, opt_);
  for (size_t i = 0; i < members_.size(); ++i) {
    Member& m = members_[i];
    m.facts.cell = evolve::cell_of(archive, programs_[i], opt_);
    std::string json = evolve_search_json(m.facts).dump();
    if (json == m.written) continue;
    SHOAL_CHECK(store::set_node_search(ctx_.store, m.node.id, json));
    m.written = json;
  }
  return {};
}

Expected<ExperimentOutcome> Evolution::run() {
  const auto& s = ctx_.settings;
  if (!ctx_.llm) return fail(ErrorKind::internal, "the evolution with a model needs a model, and the run has none");
  SHOAL_TRY(tp, template_prompt(ctx_.tpl));
  tp_ = tp;
  SHOAL_TRY(baseline, store::find_baseline(ctx_.store, ctx_.tpl.hash, s.smoke ? "baseline_smoke" : "baseline"));
  baseline_ = baseline;
  opt_.higher_is_better = ctx_.tpl.manifest.higher_is_better;
  opt_.islands = std::max(1, s.evolve_islands);
  opt_.bins = std::max(1, s.evolve_cells);
  opt_.crossover = s.evolve_crossover;
  opt_.similarity = s.evolve_similarity;
  opt_.migration_every = s.evolve_migration_every;
  opt_.descriptors = split_list(s.evolve_descriptors);
  baseline_text_ = baseline_text(baseline_, opt_.higher_is_better);
  baseline_metric_ = baseline_metric(ctx_.tpl, baseline_);
  base_ = coder_request(ctx_, tp_);
  models_ = ctx_.models;
  if (models_.empty()) models_.push_back({s.model, ctx_.llm});
  SHOAL_TRY(stored, store::list_nodes(ctx_.store, idea_.id));
  stored_ = stored;

  SHOAL_CHECK(add_root());
  SHOAL_CHECK(write_search_facts());
  // Generation after generation. With evolve_overlap, generation g+1 is proposed while g runs
  // (its parents from the results up to g-1), so the slots do not wait for the model between
  // generations; the choices still depend only on stored results, so a resume replays them.
  int done = 0;
  std::optional<Prepared> before, current;
  SHOAL_TRY(first, prepare(1, nullptr));
  current = std::move(first);
  for (int g = 1; g <= s.evolve_generations && current; ++g) {
    if (ctx_.cancel.cancelled()) return fail(ErrorKind::cancelled, "the run was cancelled");
    std::optional<Prepared> next;
    std::vector<Expected<NodeOutcome>> ran;
    if (s.evolve_overlap && g < s.evolve_generations) {
      auto runs = std::async(std::launch::async, [this, &current] { return run_candidates(*current); });
      auto prepared = prepare(g + 1, &*current);
      ran = runs.get();
      if (!prepared.ok()) return prepared.error();
      next = std::move(*prepared);
    } else {
      ran = run_candidates(*current);
    }
    SHOAL_CHECK(record(*current, ran, before ? &*before : nullptr));
    SHOAL_CHECK(migrate(g));
    SHOAL_CHECK(write_search_facts());
    done = g;
    before = std::move(current);
    current.reset();
    if (s.evolve_overlap) {
      current = std::move(next);
    } else if (g < s.evolve_generations) {
      if (ctx_.cancel.cancelled()) return fail(ErrorKind::cancelled, "the run was cancelled");
      SHOAL_TRY(prepared, prepare(g + 1, nullptr));
      current = std::move(prepared);
    }
  }
  return finish(done);
}

Expected<ExperimentOutcome> Evolution::finish(int generations) {
  const bool hib = opt_.higher_is_better;
  ExperimentOutcome out;
  if (baseline_) out.plotted.push_back({baseline_->id, "Baseline"});
  out.nodes = runs_;
  out.failed = failed_;
  std::vector<int> ranked;
  for (int i = 0; i < static_cast<int>(programs_.size()); ++i)
    if (!programs_[i].migrant && programs_[i].fitness) ranked.push_back(i);
  std::stable_sort(ranked.begin(), ranked.end(), [&](int a, int b) {
    return evolve::fitter(*programs_[a].fitness, *programs_[b].fitness, hib);
  });
  if (ranked.empty())
    return fail(ErrorKind::invalid_input, "no program of idea " + idea_.name + " reported the metric in the evolution (" +
                                              std::to_string(programs_.size()) + " program(s)); the node logs say why "
                                              "(shoal status " + ctx_.run_id + ")");
  out.best_node_id = members_[ranked.front()].node.id;
  out.best_metric = programs_[ranked.front()].fitness;

  // Seeds that count: the two best programs of different code re-run with seeds.
  std::vector<SeedCandidate> candidates;
  std::vector<std::string> codes;
  for (int i : ranked) {
    if (candidates.size() == 2) break;
    if (std::find(codes.begin(), codes.end(), programs_[i].code) != codes.end()) continue;
    codes.push_back(programs_[i].code);
    candidates.push_back({members_[i].node, members_[i].args, "program " + label(i)});
  }
  SHOAL_TRY(seeds, confirm_into_outcome(ctx_, idea_, candidates, generations + 1, out));
  int chosen = ranked.front();
  if (seeds.chosen)
    for (int i : ranked)
      if (members_[i].node.id == seeds.chosen->parent_id) chosen = i;
  // The plots: the chosen program's line of primary parents from the root, then its seeds.
  std::vector<int> line;
  for (int i = chosen; i >= 0;) {
    line.insert(line.begin(), i);
    const auto& parents = members_[i].facts.parents;
    int next = -1;
    if (!parents.empty())
      for (int j = 0; j < static_cast<int>(members_.size()); ++j)
        if (members_[j].node.id == parents.front()) next = j;
    if (next == i || line.size() > members_.size()) break;
    i = next;
  }
  for (int i : line)
    if (members_[i].node.status == "done" && members_[i].facts.op != "baseline" && members_[i].facts.op != "migrant")
      out.plotted.push_back({members_[i].node.id, clip(label(i) + ": " + members_[i].node.plan, kLabelChars)});
  out.plotted.insert(out.plotted.end(), seeds.plotted.begin(), seeds.plotted.end());

  std::string notes = "# " + idea_.title + "\n\n## Evolution\n" + std::to_string(generations) + " generation(s), " +
                      std::to_string(opt_.islands) + " island(s), " + std::to_string(programs_.size()) +
                      " program(s), " + std::to_string(rejected_) + " candidate(s) rejected as near-duplicates\n\n" +
                      "## Programs, fittest first\n" + population_text() + "\nBest: " + label(chosen) + "\n";
  if (!seeds.notes.empty()) notes += "\n## Seed re-runs\n" + seeds.notes;
  SHOAL_CHECK(save_notes(ctx_, idea_.id, notes));
  return out;
}

}  // namespace

Expected<ExperimentOutcome> run_evolve(StageContext& ctx, const store::Idea& idea) {
  Evolution evolution(ctx, idea);
  return evolution.run();
}

}  // namespace shoal::agent
