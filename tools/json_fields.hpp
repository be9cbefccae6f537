// Tolerant reads of fields from engine responses, where any field may be missing or null.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

namespace shoal::tools {

// j[key] when it is a string; "" when j is not an object or the field is missing, null or not a string.
inline std::string string_field(const nlohmann::json& j, const char* key) {
  if (!j.is_object()) return "";
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

// j[key] when it is a number (rounded toward zero); `fallback` otherwise.
inline int64_t int_field(const nlohmann::json& j, const char* key, int64_t fallback = 0) {
  if (!j.is_object()) return fallback;
  auto it = j.find(key);
  return it != j.end() && it->is_number() ? it->get<int64_t>() : fallback;
}

// j[key] when it is an object or array; a null json otherwise.
inline const nlohmann::json& node_field(const nlohmann::json& j, const char* key) {
  static const nlohmann::json null_json;
  if (!j.is_object()) return null_json;
  auto it = j.find(key);
  return it != j.end() && (it->is_object() || it->is_array()) ? *it : null_json;
}

}  // namespace shoal::tools
