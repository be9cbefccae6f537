#include "core/config.hpp"

#include <cstdlib>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "core/file.hpp"
#include "core/text.hpp"

namespace shoal {
namespace fs = std::filesystem;

const std::vector<Setting>& setting_table() {
  static const std::vector<Setting> table = {
      {"home", "./shoal-home", "folder holding shoal.db and the scratch work folders"},
      {"log_level", "info", "least severe log level printed", SettingType::choice,
       {"debug", "info", "warn", "error", "off"}},
      {"model", "offline", "LLM to use: offline, replay, openai:MODEL, anthropic:MODEL, ollama:MODEL", SettingType::string, {}, 0, true},
      {"llm_base_url", "", "base URL of an OpenAI- or Anthropic-compatible endpoint (empty: provider default)"},
      {"budget_usd", "10", "dollar budget of a run; LLM calls past it are refused", SettingType::number, {}, 0, true},
      {"budget_tokens", "0", "token budget of a run (input + output); 0: no token cap", SettingType::integer, {}, 0, true},
      {"llm_concurrency", "16", "LLM calls in flight at once, per provider", SettingType::integer, {}, 1},
      {"llm_rpm", "0", "LLM requests per minute (token bucket); 0: no limit", SettingType::number, {}, 0},
      {"llm_tpm", "0", "LLM tokens per minute (token bucket, estimated); 0: no limit", SettingType::number, {}, 0},
      {"llm_timeout_s", "3600", "seconds one attempt of an LLM call may take in all (replies stream; see llm_idle_timeout_s)",
       SettingType::number, {}, 1},
      {"llm_idle_timeout_s", "120", "seconds an LLM reply may send nothing before the attempt is ended and retried",
       SettingType::number, {}, 1},
      {"llm_max_retries", "50", "most retries of one LLM call (429, 529, 5xx, timeouts, resets); llm_patience_s usually ends them first",
       SettingType::integer, {}, 0},
      {"llm_patience_s", "900", "seconds one LLM call keeps retrying transient faults (backoff up to 60 s, Retry-After honoured)",
       SettingType::number, {}, 0},
      {"llm_probe_s", "60", "seconds between two probes of a provider that every active idea waits for (a one-token call)",
       SettingType::number, {}, 0.1},
      {"llm_reasoning_effort", "default", "reasoning effort of OpenAI reasoning models (default: the provider's)",
       SettingType::choice, {"default", "minimal", "low", "medium", "high"}},
      {"llm_thinking_budget", "0", "Anthropic extended thinking budget in tokens (0: off; at least 1024 when on)",
       SettingType::integer, {}, 0},
      {"llm_prices_file", "", "JSON price table merged over the built-in one (relative to the home; empty: <home>/prices.json if present)"},
      {"parallel", "2", "ideas advanced at once", SettingType::integer, {}, 1, true},
      {"ideas", "3", "ideas a run carries through to the end", SettingType::integer, {}, 1, true},
      {"generate", "0", "ideas generated before ranking (0: twice `ideas`)", SettingType::integer, {}, 0, true},
      {"idea_batch", "1", "ideas drafted at once; each batch sees the earlier ones (1: one by one)", SettingType::integer,
       {}, 1, true},
      {"reflections", "2", "reflection rounds per generated idea", SettingType::integer, {}, 0, true},
      {"seed_ideas", "", "JSON list of ideas to start from (empty: the template's seed_ideas.json)", SettingType::string,
       {}, 0, true},
      {"novelty", "true", "check each idea's novelty against the literature", SettingType::boolean, {}, 0, true},
      {"novelty_required", "false", "stop the run when the literature cannot be reached for a novelty check (false: go on "
                                    "with the idea marked unchecked)", SettingType::boolean, {}, 0, true},
      {"novelty_rounds", "3", "literature search rounds per novelty check", SettingType::integer, {}, 1, true},
      {"max_runs", "3", "linear search: experiment runs per idea", SettingType::integer, {}, 1, true},
      {"max_attempts", "3", "linear search: attempts (edit and run) per experiment run", SettingType::integer, {}, 1,
       true},
      {"drafts", "2", "tree search: first drafts from the template", SettingType::integer, {}, 1, true},
      {"max_nodes", "8", "tree search: nodes per idea, drafts included", SettingType::integer, {}, 1, true},
      {"max_debug_depth", "2", "tree search: consecutive debug nodes below a failing node", SettingType::integer, {}, 0,
       true},
      {"parallel_nodes", "2", "tree search and evolve: nodes run at once (LLM evolve: candidates per generation)", SettingType::integer, {}, 1, true},
      {"evolve_evaluations", "24", "offline evolve: experiment runs per idea, each a new combination of knob values (the "
                                   "stored baseline is the first and costs none)", SettingType::integer, {}, 1, true},
      {"evolve_population", "4", "offline evolve: the fittest combinations that parents are drawn from (until that many "
                                 "ran, new ones are random)", SettingType::integer, {}, 2, true},
      {"evolve_seed", "1", "evolve (offline and LLM): seed of its random choices (the same seed and results give the same runs)",
       SettingType::integer, {}, 0, true},
      {"evolve_generations", "6", "LLM evolve: generations per idea, each making up to parallel_nodes candidates",
       SettingType::integer, {}, 1, true},
      {"evolve_islands", "2", "LLM evolve: islands, sub-populations that exchange their best every evolve_migration_every "
                              "generations", SettingType::integer, {}, 1, true},
      {"evolve_cells", "4", "LLM evolve: bins per descriptor of the MAP-Elites archive (the fittest program of each cell "
                            "is kept as a parent)", SettingType::integer, {}, 1, true},
      {"evolve_descriptors", "duration_s", "LLM evolve: the archive's descriptors, comma-separated names of final_info "
                                           "numbers (duration_s: the run's time when final_info has none)",
       SettingType::string, {}, 0, true},
      {"evolve_crossover", "0.25", "LLM evolve: probability that a candidate combines two parents (else it mutates one)",
       SettingType::number, {}, 0, true},
      {"evolve_similarity", "0.95", "LLM evolve: a candidate whose change is more similar than this (0..1) to an evaluated "
                                    "program's is rejected before it runs", SettingType::number, {}, 0, true},
      {"evolve_migration_every", "2", "LLM evolve: generations between two migrations of each island's best to the next "
                                      "island (0: never)", SettingType::integer, {}, 0, true},
      {"evolve_overlap", "false", "LLM evolve: propose generation g+1 while generation g runs, its parents chosen from "
                                  "the results up to g-1, so short experiments do not wait for the model between "
                                  "generations (bench/scale)", SettingType::boolean, {}, 0, true},
      {"evolve_models", "", "LLM evolve: models a bandit picks among per candidate by improvement per dollar, "
                            "comma-separated (--model a,b,c sets it; empty: the model setting alone)",
       SettingType::string, {}, 0, true},
      {"evolve_budget_usd", "0", "LLM evolve: dollars one idea's evolution may spend on candidates (0: no cap of its own; "
                                 "budget_usd still caps the run)", SettingType::number, {}, 0, true},
      {"seed_runs", "3", "re-runs of an idea's best two versions with seeds SHOAL_SEED=1..N; the best seed mean is chosen and reported (0: no seed runs)", SettingType::integer,
       {}, 0, true},
      {"smoke", "false", "experiments run with the template's smoke_args (tests, demos)", SettingType::boolean, {}, 0,
       true},
      {"plots", "true", "run the plot stage", SettingType::boolean, {}, 0, true},
      {"paper", "true", "write and review a paper for each finished idea", SettingType::boolean, {}, 0, true},
      {"metric", "", "the headline metric as NAME:max or NAME:min (NAME alone: direction inferred); empty: "
                     "template.json's, else the baseline's first metric", SettingType::string, {}, 0, true},
      {"search", "linear", "experiment search strategy: linear, tree or evolve (islands and a MAP-Elites archive of "
                           "programs the model mutates and crosses) with a model; offline, evolve (a genetic algorithm "
                           "over template.json's knob values) or else the one-knob sweep",
       SettingType::choice, {"linear", "tree", "evolve"}, 0, true},
      {"executor", "local", "where experiments run", SettingType::choice, {"local", "slurm"}, 0, true},
      {"executor_slots", "0", "experiments the local executor runs at once, in CPU slots (0: the number of cores)",
       SettingType::integer, {}, 0},
      {"sandbox_user", "pool", "who runs sandboxed experiments when Shoal runs as root: pool (a shoal-sandbox-N of their own per running job) or one user's name"},
      {"sandbox_cgroup", "auto", "job cgroups for memory/process limits: auto (where writable) or none", SettingType::choice,
       {"auto", "none"}},
      {"slurm_partition", "", "Slurm partition for experiment jobs (empty: the cluster's default)"},
      {"slurm_account", "", "Slurm account to charge (empty: the user's default)"},
      {"slurm_time_min", "0", "Slurm time limit in minutes (0: the job's wall limit plus one)",
       SettingType::integer, {}, 0},
      {"slurm_memory", "", "Slurm memory per job, like 8G (empty: the job's memory limit)"},
      {"slurm_gpus", "-1", "GPUs per Slurm job (-1: as many as the job asks for)", SettingType::integer, {}, -1},
      {"slurm_sbatch_args", "", "extra sbatch flags, separated by spaces"},
      {"slurm_poll_s", "2", "seconds between two squeue polls", SettingType::number, {}, 0.1},
      {"slurm_shared_dir", "", "folder the compute nodes see; work folders must lie under it (empty: not checked)"},
      {"slurm_shoal_binary", "", "path of shoal on the compute nodes (empty: this binary's path)"},
      {"literature_engines", "semantic_scholar,openalex,arxiv",
       "literature search engines, tried in this order (comma-separated: semantic_scholar, openalex, arxiv)", SettingType::string, {}, 0, true},
      {"literature_s2_url", "", "Semantic Scholar API base URL (empty: https://api.semanticscholar.org)"},
      {"literature_openalex_url", "", "OpenAlex API base URL (empty: https://api.openalex.org)"},
      {"literature_arxiv_url", "", "arXiv API base URL (empty: https://export.arxiv.org)"},
      {"literature_max_retries", "3", "retries of a literature request (429, 5xx, network) before the next engine",
       SettingType::integer, {}, 0},
      {"literature_timeout_s", "30", "seconds one literature request may take", SettingType::number, {}, 0.1},
      {"paper_citation_rounds", "3", "literature search rounds of a write-up (0: cite only the template's .bib)",
       SettingType::integer, {}, 0, true},
      {"paper_compile_rounds", "3", "LaTeX fix rounds after a write-up's first compile", SettingType::integer, {}, 0, true},
      {"paper_page_limit", "0", "pages a paper may have; more is fed back as a problem (0: no limit)", SettingType::integer,
       {}, 0, true},
      {"latex_timeout_s", "120", "seconds one LaTeX compile (pdflatex, bibtex, pdflatex x2) may take", SettingType::number,
       {}, 1, true},
      {"min_free_disk_mb", "200", "free disk space (MB) a run needs before each stage and experiment; under it the run "
                                  "pauses (shoal resume continues)", SettingType::integer, {}, 0},
      {"plot_review_images", "4", "figures shown to the model as images for captions and a reader's notes (0: names only)",
       SettingType::integer, {}, 0, true},
      {"plot_fix_rounds", "1", "rounds in which the model edits plot.py for the problems its notes name",
       SettingType::integer, {}, 0, true},
      {"review_ensemble", "3", "independent AI reviews per paper (a meta-review combines them when there are two or more)", SettingType::integer, {}, 1, true},
      {"paper_revisions", "0", "revision rounds after the review: revise to answer it, recompile, review again "
                               "(both versions kept)", SettingType::integer, {}, 0, true},
      {"review_reflections", "1", "reflection rounds per AI review", SettingType::integer, {}, 0, true},
      {"review_page_images", "3", "first pages sent to the reviewer model as images (0: text only)", SettingType::integer,
       {}, 0, true},
      {"review_accept_threshold", "6", "mean overall score (1-10) at which the meta-review accepts", SettingType::number,
       {}, 1, true},
      {"web_host", "127.0.0.1", "address `shoal serve` listens on (0.0.0.0: every interface; reading is open to all who reach it)"},
      {"web_port", "8080", "port `shoal serve` listens on (0: any free port)", SettingType::integer, {}, 0},
      {"web_threads", "0", "threads serving web requests (0: twice the number of cores, at least 4)", SettingType::integer,
       {}, 0},
      {"web_rate_limit", "100", "web requests per second per client address (bursts of 4x); 0: no limit",
       SettingType::number, {}, 0},
  };
  return table;
}

std::string Setting::env_var() const {
  std::string name = "SHOAL_";
  for (char c : key) name += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return name;
}

const Setting* find_setting(std::string_view key) {
  for (const auto& s : setting_table())
    if (s.key == key) return &s;
  return nullptr;
}

std::string_view to_string(Source source) {
  switch (source) {
    case Source::default_value: return "default";
    case Source::file: return "file";
    case Source::env: return "env";
    case Source::cli: return "cli";
    case Source::run: return "run";
  }
  return "?";
}

namespace {

// Parses the whole of `text` as a number; nullopt if anything is left over.
std::optional<double> parse_number(const std::string& text) {
  if (text.empty()) return std::nullopt;
  char* end = nullptr;
  double v = std::strtod(text.c_str(), &end);
  if (*end != '\0') return std::nullopt;
  return v;
}


Error unknown_key(std::string_view key, std::string_view origin) {
  std::vector<std::string> keys;
  for (const auto& s : setting_table()) keys.push_back(s.key);
  return fail(ErrorKind::invalid_input, "unknown setting '" + std::string(key) + "' in " +
                                            std::string(origin) + "; known settings: " + join(keys, ", "));
}

// Reads a JSON config file into key -> string value.
Expected<std::map<std::string, std::string>> read_config_file(const fs::path& path) {
  SHOAL_TRY(text, read_file(path));
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    return fail(ErrorKind::invalid_input, "config file " + path.string() + " is not valid JSON: " + e.what());
  }
  if (!doc.is_object())
    return fail(ErrorKind::invalid_input, "config file " + path.string() + " must hold a JSON object");
  std::map<std::string, std::string> out;
  for (const auto& [key, value] : doc.items()) {
    if (!find_setting(key)) return unknown_key(key, "config file " + path.string());
    if (key == "home")
      return fail(ErrorKind::invalid_input, "config file " + path.string() +
                                                " cannot set 'home' (it is read from the home); use --home or SHOAL_HOME");
    if (value.is_string()) out[key] = value.get<std::string>();
    else if (value.is_number() || value.is_boolean()) out[key] = value.dump();
    else
      return fail(ErrorKind::invalid_input, "setting '" + key + "' in config file " + path.string() +
                                                " must be a string, number or boolean");
  }
  return out;
}

}  // namespace

Status validate_setting(const Setting& s, const std::string& value, std::string_view origin) {
  auto bad = [&](const std::string& expected) {
    return fail(ErrorKind::invalid_input, "setting '" + s.key + "' from " + std::string(origin) + " is '" +
                                              value + "' but must be " + expected);
  };
  switch (s.type) {
    case SettingType::string: return {};
    case SettingType::boolean:
      if (value == "true" || value == "false" || value == "1" || value == "0") return {};
      return bad("true or false");
    case SettingType::choice:
      for (const auto& c : s.choices)
        if (c == value) return {};
      return bad("one of: " + join(s.choices, ", "));
    case SettingType::integer: {
      auto v = parse_number(value);
      if (!v || *v != static_cast<double>(static_cast<int64_t>(*v)) || value.find_first_of(".eE") != std::string::npos)
        return bad("an integer");
      if (*v < s.min) return bad("at least " + std::to_string(static_cast<int64_t>(s.min)));
      return {};
    }
    case SettingType::number: {
      auto v = parse_number(value);
      if (!v) return bad("a number");
      if (*v < s.min) return bad("at least " + std::to_string(s.min));
      return {};
    }
  }
  return {};
}

Expected<Config> Config::resolve(const Inputs& in) {
  EnvLookup env = in.env ? in.env : [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    return v ? std::optional<std::string>(v) : std::nullopt;
  };
  for (const auto& [key, value] : in.cli)
    if (!find_setting(key)) return unknown_key(key, "the command line");

  Config cfg;
  for (const auto& s : setting_table()) cfg.entries_[s.key] = Entry{s.default_value, Source::default_value};

  // Home first: it locates the default config file.
  if (auto v = env("SHOAL_HOME")) cfg.entries_["home"] = {*v, Source::env};
  if (auto it = in.cli.find("home"); it != in.cli.end()) cfg.entries_["home"] = {it->second, Source::cli};

  std::optional<fs::path> file = in.file;
  if (!file)
    if (auto v = env("SHOAL_CONFIG")) file = fs::path(*v);
  if (!file) {
    fs::path fallback = fs::path(cfg.get("home")) / "config.json";
    std::error_code ec;
    if (fs::exists(fallback, ec)) file = fallback;
  }
  if (file) {
    SHOAL_TRY(values, read_config_file(*file));
    for (auto& [key, value] : values) {
      SHOAL_CHECK(validate_setting(*find_setting(key), value, "config file " + file->string()));
      cfg.entries_[key] = {value, Source::file};
    }
    cfg.file_ = file;
  }
  for (const auto& s : setting_table()) {
    if (auto v = env(s.env_var())) {
      SHOAL_CHECK(validate_setting(s, *v, "environment variable " + s.env_var()));
      cfg.entries_[s.key] = {*v, Source::env};
    }
  }
  for (const auto& [key, value] : in.cli) {
    SHOAL_CHECK(validate_setting(*find_setting(key), value, "the command line"));
    cfg.entries_[key] = {value, Source::cli};
  }
  return cfg;
}

const Config::Entry& Config::entry(std::string_view key) const {
  auto it = entries_.find(key);
  if (it == entries_.end()) throw std::logic_error("unknown setting: " + std::string(key));
  return it->second;
}

const std::string& Config::get(std::string_view key) const { return entry(key).value; }
int64_t Config::get_int(std::string_view key) const { return std::stoll(get(key)); }
double Config::get_double(std::string_view key) const { return std::stod(get(key)); }
bool Config::get_bool(std::string_view key) const {
  const auto& v = get(key);
  return v == "true" || v == "1";
}
Source Config::source(std::string_view key) const { return entry(key).source; }

Expected<Config> Config::with_cli(const std::map<std::string, std::string>& values) const {
  Config out = *this;
  for (const auto& [key, value] : values) {
    const Setting* s = find_setting(key);
    if (!s) return unknown_key(key, "the command line");
    SHOAL_CHECK(validate_setting(*s, value, "the command line"));
    out.entries_[key] = {value, Source::cli};
  }
  return out;
}

std::map<std::string, std::string> Config::run_snapshot() const {
  std::map<std::string, std::string> out;
  for (const auto& s : setting_table())
    if (s.per_run) out[s.key] = get(s.key);
  return out;
}

Expected<Config> Config::for_run(const std::map<std::string, std::string>& snapshot) const {
  Config out = *this;
  for (const auto& s : setting_table()) {
    if (!s.per_run || source(s.key) == Source::cli) continue;
    auto it = snapshot.find(s.key);
    Entry e{s.default_value, Source::default_value};
    if (it != snapshot.end()) {
      SHOAL_CHECK(validate_setting(s, it->second, "the run's stored settings"));
      e = {it->second, Source::run};
    }
    out.entries_[s.key] = e;
  }
  return out;
}

std::vector<std::string> Config::cli_run_keys() const {
  std::vector<std::string> out;
  for (const auto& s : setting_table())
    if (s.per_run && source(s.key) == Source::cli) out.push_back(s.key);
  return out;
}

}  // namespace shoal
