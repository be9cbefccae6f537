#include <doctest/doctest.h>

#include <fstream>
#include <map>

#include "core/config.hpp"
#include "temp_dir.hpp"

using namespace shoal;

namespace {

Config::EnvLookup env_of(std::map<std::string, std::string> vars) {
  return [vars](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    return it == vars.end() ? std::nullopt : std::optional<std::string>(it->second);
  };
}

void write(const std::filesystem::path& p, const std::string& text) { std::ofstream(p) << text; }

}  // namespace

TEST_CASE("precedence is cli > env > file > default") {
  test::TempDir dir;
  write(dir / "c.json", R"({"model": "file-model", "budget_usd": 3, "parallel": 4})");
  Config::Inputs in{{{"model", "cli-model"}}, dir / "c.json", env_of({{"SHOAL_MODEL", "env-model"}, {"SHOAL_BUDGET_USD", "5"}})};
  auto cfg = Config::resolve(in).value();
  CHECK(cfg.get("model") == "cli-model");
  CHECK(cfg.source("model") == Source::cli);
  CHECK(cfg.get_double("budget_usd") == 5.0);
  CHECK(cfg.source("budget_usd") == Source::env);
  CHECK(cfg.get_int("parallel") == 4);
  CHECK(cfg.source("parallel") == Source::file);
  CHECK(cfg.get("search") == "linear");
  CHECK(cfg.source("search") == Source::default_value);
}

TEST_CASE("the config file defaults to <home>/config.json") {
  test::TempDir dir;
  write(dir / "config.json", R"({"ideas": 7})");
  auto cfg = Config::resolve({{}, std::nullopt, env_of({{"SHOAL_HOME", dir.path().string()}})}).value();
  CHECK(cfg.get_int("ideas") == 7);
  REQUIRE(cfg.file().has_value());
}

TEST_CASE("unknown keys are errors that name the key and the source") {
  test::TempDir dir;
  write(dir / "c.json", R"({"budget": 3})");
  auto from_file = Config::resolve({{}, dir / "c.json", env_of({})});
  REQUIRE_FALSE(from_file.ok());
  CHECK(from_file.error().kind == ErrorKind::invalid_input);
  CHECK(from_file.error().message.find("'budget'") != std::string::npos);
  CHECK(from_file.error().message.find("c.json") != std::string::npos);

  auto from_cli = Config::resolve({{{"modle", "x"}}, std::nullopt, env_of({})});
  REQUIRE_FALSE(from_cli.ok());
  CHECK(from_cli.error().message.find("command line") != std::string::npos);
}

TEST_CASE("bad values are errors") {
  auto neg = Config::resolve({{{"budget_usd", "-1"}}, std::nullopt, env_of({})});
  REQUIRE_FALSE(neg.ok());
  CHECK(neg.error().message.find("at least") != std::string::npos);
  CHECK_FALSE(Config::resolve({{{"parallel", "2.5"}}, std::nullopt, env_of({})}).ok());
  CHECK_FALSE(Config::resolve({{{"search", "random"}}, std::nullopt, env_of({})}).ok());
  auto bad_env = Config::resolve({{}, std::nullopt, env_of({{"SHOAL_IDEAS", "many"}})});
  REQUIRE_FALSE(bad_env.ok());
  CHECK(bad_env.error().message.find("SHOAL_IDEAS") != std::string::npos);
}

TEST_CASE("a broken config file names the file and the JSON problem") {
  test::TempDir dir;
  write(dir / "c.json", "{\"model\": ");
  auto r = Config::resolve({{}, dir / "c.json", env_of({})});
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message.find("not valid JSON") != std::string::npos);
  auto missing = Config::resolve({{}, dir / "nope.json", env_of({})});
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().kind == ErrorKind::not_found);
}

TEST_CASE("every setting has an env variable and a description") {
  for (const auto& s : setting_table()) {
    CHECK(s.env_var().rfind("SHOAL_", 0) == 0);
    CHECK_FALSE(s.description.empty());
    CHECK(validate_setting(s, s.default_value, "default").ok());
  }
}

TEST_CASE("a command's flags are values on the command-line layer, checked like --set") {
  auto cfg = Config::resolve({{}, std::nullopt, env_of({{"SHOAL_SEED_RUNS", "4"}})}).value();
  auto flagged = cfg.with_cli({{"seed_runs", "3"}, {"drafts", "1"}}).value();
  CHECK(flagged.get_int("seed_runs") == 3);
  CHECK(flagged.source("seed_runs") == Source::cli);
  CHECK(cfg.get_int("seed_runs") == 4);  // the original is unchanged
  auto bad = cfg.with_cli({{"drafts", "0"}});
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().message.find("'drafts'") != std::string::npos);
  CHECK(cfg.with_cli({{"no_such_knob", "1"}}).error().message.find("unknown setting 'no_such_knob'") != std::string::npos);
}

TEST_CASE("a run keeps its own settings: the snapshot wins over env and file, the command line overrides it") {
  auto at_create = Config::resolve({{{"seed_runs", "4"}, {"review_ensemble", "2"}}, std::nullopt, env_of({})}).value();
  auto snapshot = at_create.run_snapshot();
  CHECK(snapshot.at("seed_runs") == "4");
  CHECK(snapshot.at("review_ensemble") == "2");
  CHECK(snapshot.count("llm_base_url") == 0);  // machine settings are not the run's
  CHECK(snapshot.count("home") == 0);

  // Later, with other values in the environment and one on the command line.
  auto later = Config::resolve({{{"drafts", "5"}}, std::nullopt,
                                env_of({{"SHOAL_SEED_RUNS", "9"}, {"SHOAL_LLM_BASE_URL", "http://127.0.0.1:1"}})})
                   .value();
  auto run = later.for_run(snapshot).value();
  CHECK(run.get_int("seed_runs") == 4);  // the run's, not the environment's 9
  CHECK(run.source("seed_runs") == Source::run);
  CHECK(run.get_int("review_ensemble") == 2);
  CHECK(run.get_int("drafts") == 5);  // overridden on purpose
  CHECK(run.get("llm_base_url") == "http://127.0.0.1:1");  // a machine setting stays live
  CHECK(later.cli_run_keys() == std::vector<std::string>{"drafts"});

  // A snapshot without a key (an older run) gives the default; a bad stored value is named.
  auto older = later.for_run({{"ideas", "2"}}).value();
  CHECK(older.get_int("seed_runs") == 3);
  auto broken = later.for_run({{"ideas", "zero"}});
  REQUIRE_FALSE(broken.ok());
  CHECK(broken.error().message.find("'ideas'") != std::string::npos);
}
