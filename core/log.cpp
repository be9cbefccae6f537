#include "core/log.hpp"

#include <atomic>
#include <cstdio>
#include <mutex>
#include <vector>

#include "core/time.hpp"

namespace shoal::log {
namespace {

std::atomic<Level> g_level{Level::info};
std::mutex g_mutex;  // guards g_secrets and output
std::vector<std::string> g_secrets;

std::string_view level_name(Level l) {
  switch (l) {
    case Level::debug: return "debug";
    case Level::info: return "info ";
    case Level::warn: return "warn ";
    case Level::error: return "error";
    case Level::off: return "off  ";
  }
  return "?";
}

std::string redact_locked(std::string text) {
  for (const auto& s : g_secrets) {
    for (auto pos = text.find(s); pos != std::string::npos; pos = text.find(s, pos))
      text.replace(pos, s.size(), "[redacted]");
  }
  return text;
}

}  // namespace

std::optional<Level> parse_level(std::string_view t) {
  if (t == "debug") return Level::debug;
  if (t == "info") return Level::info;
  if (t == "warn") return Level::warn;
  if (t == "error") return Level::error;
  if (t == "off") return Level::off;
  return std::nullopt;
}

void set_level(Level l) { g_level = l; }
Level level() { return g_level; }

void register_secret(std::string secret) {
  if (secret.size() < 8) return;
  std::lock_guard lock(g_mutex);
  g_secrets.push_back(std::move(secret));
}

std::string redact(std::string text) {
  std::lock_guard lock(g_mutex);
  return redact_locked(std::move(text));
}

void write(Level l, std::string_view component, std::string_view message) {
  if (l < g_level.load() || l == Level::off) return;
  std::lock_guard lock(g_mutex);
  std::string line = iso8601(now_ms()) + " " + std::string(level_name(l)) + " [" +
                     std::string(component) + "] " + redact_locked(std::string(message)) + "\n";
  std::fputs(line.c_str(), stderr);
}

}  // namespace shoal::log
