// JSON of the web's own views, which are not store records: file diffs and the agreement
// view. Store records become JSON through store/records.hpp.
#pragma once

#include <nlohmann/json.hpp>
#include <vector>

#include "store/catalog.hpp"
#include "web/agreement.hpp"
#include "web/diff.hpp"

namespace shoal::web {

using nlohmann::json;

json file_diff_json(const FileDiff& diff);
// The points (store rows) and their statistics.
json agreement_json(const std::vector<store::AgreementRow>& rows, const AgreementStats& stats);

}  // namespace shoal::web
