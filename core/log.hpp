// Logging with levels and a component prefix, to stderr:
//   2026-11-24T08:00:00.123Z info  [store] opened /path/shoal.db (schema 1)
// Registered secrets (API keys) are replaced by "[redacted]" in every line.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace shoal::log {

enum class Level { debug = 0, info = 1, warn = 2, error = 3, off = 4 };

// Parses "debug", "info", "warn", "error", "off"; nullopt for anything else.
std::optional<Level> parse_level(std::string_view text);

// Lines below this level are dropped. Default: info.
void set_level(Level level);
Level level();

// Any later log line containing `secret` shows "[redacted]" instead. Secrets shorter than
// 8 characters are ignored: no real API key is that short, and redacting them would
// garble ordinary text.
void register_secret(std::string secret);

// Replaces registered secrets in `text`.
std::string redact(std::string text);

// Writes one line (thread-safe).
void write(Level level, std::string_view component, std::string_view message);

inline void debug(std::string_view c, std::string_view m) { write(Level::debug, c, m); }
inline void info(std::string_view c, std::string_view m) { write(Level::info, c, m); }
inline void warn(std::string_view c, std::string_view m) { write(Level::warn, c, m); }
inline void error(std::string_view c, std::string_view m) { write(Level::error, c, m); }

}  // namespace shoal::log
