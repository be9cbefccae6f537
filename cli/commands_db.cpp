// shoal init, shoal config, shoal db info, shoal db check.
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/command.hpp"
#include "core/file.hpp"
#include "core/log.hpp"
#include "store/info.hpp"

namespace shoal::cli {
namespace {

int run_init(Context& ctx) {
  // The migration lines are for those who ask (--log-level info); a newcomer sees one line.
  if (ctx.config().source("log_level") == Source::default_value) log::set_level(log::Level::warn);
  ensure_writable_dir(ctx.home()).value();
  bool existed = std::filesystem::exists(ctx.db_path());
  auto store = ctx.open_store(store::OpenMode::create);
  std::cout << (existed ? "already initialised: " : "initialised: ") << store.path().string() << " (schema "
            << store.schema_version() << ")\n";
  return 0;
}

int run_config(Context& ctx) {
  const auto& cfg = ctx.config();
  if (cfg.file()) std::cout << "# config file: " << cfg.file()->string() << "\n";
  for (const auto& s : setting_table())
    std::cout << s.key << " = " << cfg.get(s.key) << "    (" << to_string(cfg.source(s.key)) << "; env "
              << s.env_var() << "; default '" << s.default_value << "') " << s.description << "\n";
  return 0;
}

int run_db_info(Context& ctx, bool as_json) {
  auto store = ctx.open_store(store::OpenMode::read_only);
  auto info = store::store_info(store).value();
  if (as_json) {
    nlohmann::json j{{"path", info.path}, {"schema_version", info.schema_version},
                     {"file_bytes", info.file_bytes}, {"rows", info.rows}};
    std::cout << j.dump(2) << "\n";
    return 0;
  }
  std::cout << "database: " << info.path << "\nschema version: " << info.schema_version
            << "\nsize: " << info.file_bytes << " bytes\n";
  for (const auto& [table, count] : info.rows) std::cout << "  " << table << ": " << count << "\n";
  return 0;
}

int run_db_check(Context& ctx) {
  auto store = ctx.open_store(store::OpenMode::read_only);
  auto problems = store::check_store(store).value();
  if (problems.empty()) {
    std::cout << "ok: " << store.path().string() << " passed the integrity and foreign key checks\n";
    return 0;
  }
  for (const auto& p : problems) std::cerr << "problem: " << p << "\n";
  std::cerr << problems.size() << " problem(s) in " << store.path().string()
            << "; restore a backup or move the file aside\n";
  return exit_code(ErrorKind::corrupt);
}

}  // namespace

void add_db_commands(CLI::App& app, Commands& commands) {
  commands.add(app.add_subcommand("init", "Create the home folder and its database (idempotent)"), run_init);
  commands.add(app.add_subcommand("config", "Show every setting: value, where it came from, env variable"),
               run_config);

  auto* db = app.add_subcommand("db", "Inspect the database");
  db->require_subcommand(1);
  auto* info = db->add_subcommand("info", "Schema version, row counts and size");
  static bool as_json = false;
  info->add_flag("--json", as_json, "Print as JSON");
  commands.add(info, [](Context& ctx) { return run_db_info(ctx, as_json); });
  commands.add(db->add_subcommand("check", "Run SQLite's integrity and foreign key checks"), run_db_check);
}

}  // namespace shoal::cli
