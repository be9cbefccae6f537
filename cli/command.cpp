#include "cli/command.hpp"

namespace shoal::cli {

store::Store Context::open_store(store::OpenMode mode) const {
  return store::Store::open(db_path(), mode).value();
}

const Handler* Commands::chosen(const CLI::App& app) const {
  for (const CLI::App* sub : app.get_subcommands()) {
    if (const Handler* deeper = chosen(*sub)) return deeper;
    if (auto it = handlers_.find(sub); it != handlers_.end()) return &it->second;
  }
  return nullptr;
}

}  // namespace shoal::cli
