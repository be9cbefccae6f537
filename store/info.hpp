// Facts about a store for `shoal db info` and `shoal db check`.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "store/db.hpp"

namespace shoal::store {

struct StoreInfo {
  std::string path;
  int schema_version = 0;
  int64_t file_bytes = 0;               // main file plus WAL
  std::map<std::string, int64_t> rows;  // table -> row count
};

Expected<StoreInfo> store_info(Store& store);

// PRAGMA integrity_check and foreign_key_check; the list of problems (empty when sound).
Expected<std::vector<std::string>> check_store(Store& store);

}  // namespace shoal::store
