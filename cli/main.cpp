// The `shoal` binary: parses the command line, resolves the config, runs one command.
// Exceptions stop here and become an exit code (see README.md, "Exit codes").
#include <iostream>

#include "cli/command.hpp"
#include "core/log.hpp"

namespace {

// --set key=value pairs into a map; a pair without '=' is a usage error.
std::map<std::string, std::string> parse_sets(const std::vector<std::string>& sets) {
  std::map<std::string, std::string> out;
  for (const auto& s : sets) {
    auto eq = s.find('=');
    if (eq == std::string::npos || eq == 0)
      throw shoal::ShoalError(shoal::fail(shoal::ErrorKind::invalid_input,
                                          "--set needs key=value, got '" + s + "' (see `shoal config`)"));
    out[s.substr(0, eq)] = s.substr(eq + 1);
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace shoal;
  CLI::App app{"shoal: an autonomous research pipeline (ideas, sandboxed experiments, papers, reviews)"};
  app.require_subcommand(1);
  app.fallthrough();  // global options are accepted after the subcommand too

  std::string home, config_file, log_level;
  std::vector<std::string> sets;
  app.add_option("--home", home, "Folder holding shoal.db and work folders (env SHOAL_HOME, default ./shoal-home)");
  app.add_option("--config", config_file, "JSON config file (env SHOAL_CONFIG, default <home>/config.json)");
  app.add_option("--log-level", log_level, "debug, info, warn, error or off (env SHOAL_LOG_LEVEL)");
  app.add_option("--set", sets, "Set any setting: --set key=value (repeatable; see `shoal config`)");

  cli::Commands commands;
  cli::add_db_commands(app, commands);
  cli::add_llm_commands(app, commands);
  cli::add_template_commands(app, commands);
  cli::add_sandbox_commands(app, commands);
  cli::add_lit_commands(app, commands);
  cli::add_run_commands(app, commands);
  cli::add_review_commands(app, commands);
  cli::add_doctor_commands(app, commands);
  cli::add_export_commands(app, commands);
#ifdef SHOAL_WEB
  cli::add_serve_commands(app, commands);
#endif

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }

  try {
    auto cli_values = parse_sets(sets);
    if (!home.empty()) cli_values["home"] = home;
    if (!log_level.empty()) cli_values["log_level"] = log_level;
    Config::Inputs inputs{cli_values, config_file.empty() ? std::nullopt : std::optional<std::filesystem::path>(config_file), {}};
    cli::Context ctx(Config::resolve(inputs).value());
    log::set_level(*log::parse_level(ctx.config().get("log_level")));
    const cli::Handler* handler = commands.chosen(app);
    if (!handler) {
      std::cerr << app.help();
      return 2;
    }
    return (*handler)(ctx);
  } catch (const ShoalError& e) {
    std::cerr << "shoal: error: " << log::redact(e.error().describe()) << "\n";
    return exit_code(e.error().kind);
  } catch (const std::exception& e) {
    std::cerr << "shoal: internal error: " << log::redact(e.what()) << "\n";
    return 1;
  }
}
