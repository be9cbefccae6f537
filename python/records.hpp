// The store's records as JSON objects with flat columns, for the Python frames
// (pandas.DataFrame rows): runs, ideas, nodes, papers, reviews, LLM calls, artifacts.
#pragma once

#include <nlohmann/json.hpp>

#include "store/blobs.hpp"
#include "store/ideas.hpp"
#include "store/llm_calls.hpp"
#include "store/nodes.hpp"
#include "store/papers.hpp"
#include "store/reviews.hpp"
#include "store/runs.hpp"

namespace shoal::python {

nlohmann::json record(const store::Run& r);
nlohmann::json record(const store::Idea& i);
nlohmann::json record(const store::Node& n);
nlohmann::json record(const store::Paper& p);
nlohmann::json record(const store::Review& r);
nlohmann::json record(const store::LlmCall& c);  // without the request and response bodies
nlohmann::json record(const store::Artifact& a);

// A list of records.
template <class T>
nlohmann::json records(const std::vector<T>& items) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& item : items) out.push_back(record(item));
  return out;
}

}  // namespace shoal::python
