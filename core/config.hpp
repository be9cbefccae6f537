// The one config table and its resolution.
//
// Every setting has a key, an environment variable (SHOAL_ + upper-case key), a default
// and a one-line description. Precedence, highest first:
//   1. command line (a dedicated flag such as --model, or --set key=value)
//   2. environment (SHOAL_MODEL=...)
//   3. config file (JSON object; --config FILE, else SHOAL_CONFIG, else <home>/config.json)
//   4. the default in the table
// Unknown keys and badly typed values are errors that name the key and its source.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/expected.hpp"

namespace shoal {

enum class SettingType { string, integer, number, boolean, choice };

struct Setting {
  std::string key;
  std::string default_value;
  std::string description;
  SettingType type = SettingType::string;
  std::vector<std::string> choices = {};  // for SettingType::choice
  double min = 0;                          // for integer and number: smallest allowed value
  // A run's own setting: its value when the run is created is stored with the run
  // (Config::run_snapshot) and a resume uses that value, not the one in force then.
  bool per_run = false;

  // SHOAL_<KEY>, e.g. SHOAL_BUDGET_USD.
  std::string env_var() const;
};

// All settings Shoal knows, in display order.
const std::vector<Setting>& setting_table();

// nullptr when `key` is not a setting.
const Setting* find_setting(std::string_view key);

enum class Source { default_value, file, env, cli, run };
std::string_view to_string(Source source);

class Config {
 public:
  using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;

  struct Inputs {
    std::map<std::string, std::string> cli;    // key -> value given on the command line
    std::optional<std::filesystem::path> file;  // explicit config file (--config)
    EnvLookup env;                              // environment lookup; defaults to getenv
  };

  // Resolves every setting from the inputs; the first problem found is returned as an error.
  static Expected<Config> resolve(const Inputs& inputs);

  // The value of a known key (a programming error, thrown, for an unknown key).
  const std::string& get(std::string_view key) const;
  int64_t get_int(std::string_view key) const;
  double get_double(std::string_view key) const;
  bool get_bool(std::string_view key) const;
  Source source(std::string_view key) const;

  // This config with `values` set on the command-line layer (the highest): how a command's
  // own flags (--ideas 5) and Python keyword arguments feed the table. Each value is checked
  // against its setting; an unknown key or a bad value is an error naming it.
  Expected<Config> with_cli(const std::map<std::string, std::string>& values) const;

  // The per-run settings' values in force (key -> value), stored with a run when it is created.
  std::map<std::string, std::string> run_snapshot() const;

  // This config for a stored run: each per-run setting takes its value from `snapshot`
  // (source run), except where the command line set it now (an override on resume; see
  // overridden_run_keys). Keys missing from the snapshot (a run from an older Shoal) keep
  // their defaults. A snapshot value that no longer validates is an error naming it.
  Expected<Config> for_run(const std::map<std::string, std::string>& snapshot) const;

  // The per-run settings that the command line sets: overrides of a run's snapshot.
  std::vector<std::string> cli_run_keys() const;

  // The config file that was read, if any.
  const std::optional<std::filesystem::path>& file() const { return file_; }

 private:
  struct Entry {
    std::string value;
    Source source = Source::default_value;
  };
  const Entry& entry(std::string_view key) const;
  std::map<std::string, Entry, std::less<>> entries_;
  std::optional<std::filesystem::path> file_;
};

// Checks `value` against the setting's type; the error names the key and `origin`.
Status validate_setting(const Setting& setting, const std::string& value, std::string_view origin);

}  // namespace shoal
