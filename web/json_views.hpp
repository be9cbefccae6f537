// JSON of the web's own views, which are not store records: file diffs, a node's code diff
// and the agreement view. Store records become JSON through store/records.hpp.
#pragma once

#include <nlohmann/json.hpp>
#include <vector>

#include "core/expected.hpp"
#include "store/catalog.hpp"
#include "store/nodes.hpp"
#include "web/agreement.hpp"
#include "web/diff.hpp"

namespace shoal::web {

using nlohmann::json;

json file_diff_json(const FileDiff& diff);
// A node's code against its parent's (or, for the first version of an idea, the template
// baseline's); with `template_only`, always against the template baseline's:
// {node_id, base_id, base_kind, has_code, files: [file_diff_json]}. invalid_input when a
// snapshot is over 4 MiB (not diffed on request).
Expected<json> node_diff_json(store::Store& store, const store::Node& node, bool template_only);
// The points (store rows) and their statistics.
json agreement_json(const std::vector<store::AgreementRow>& rows, const AgreementStats& stats);

}  // namespace shoal::web
