// What every `shoal` subcommand shares: the resolved config, the home, and the store.
// Each command group registers its subcommands with add_*_commands(); main() parses,
// resolves the config and runs the chosen command's handler.
#pragma once

#include <CLI/CLI.hpp>

#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "agent/session.hpp"
#include "core/config.hpp"
#include "store/db.hpp"

namespace shoal::cli {

class Context {
 public:
  explicit Context(Config config) : session_(std::move(config)) {}
  const Config& config() const { return session_.config(); }
  // The home's paths, the store, clients and executors, as the settings make them.
  const agent::Session& session() const { return session_; }
  std::filesystem::path home() const { return session_.home(); }
  std::filesystem::path db_path() const { return session_.db_path(); }
  // Opens <home>/shoal.db; errors (missing, corrupt, newer schema) are thrown as ShoalError.
  store::Store open_store(store::OpenMode mode) const;

 private:
  agent::Session session_;
};

// A command's body: returns the process exit code, or throws ShoalError.
using Handler = std::function<int(Context&)>;

// Maps each leaf subcommand to its handler.
class Commands {
 public:
  void add(CLI::App* sub, Handler handler) { handlers_[sub] = std::move(handler); }
  // The handler of the deepest subcommand the user chose; nullptr if none.
  const Handler* chosen(const CLI::App& app) const;

 private:
  std::map<const CLI::App*, Handler> handlers_;
};

// A template argument: a folder, or the name of a bundled template; not_found (thrown) if neither.
std::filesystem::path resolve_template(const std::string& arg);

// Command groups (one file each).
void add_db_commands(CLI::App& app, Commands& commands);
void add_llm_commands(CLI::App& app, Commands& commands);
void add_template_commands(CLI::App& app, Commands& commands);
void add_sandbox_commands(CLI::App& app, Commands& commands);
void add_lit_commands(CLI::App& app, Commands& commands);
void add_run_commands(CLI::App& app, Commands& commands);
void add_review_commands(CLI::App& app, Commands& commands);
void add_doctor_commands(CLI::App& app, Commands& commands);
void add_export_commands(CLI::App& app, Commands& commands);
// Only in a build with the web option (cli/commands_serve.cpp; SHOAL_WEB is defined then).
void add_serve_commands(CLI::App& app, Commands& commands);

}  // namespace shoal::cli
