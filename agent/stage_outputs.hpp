// Each stage's output as the stage runner stores it (stage_executions.output_json) and reads
// it back when a resumed run finds the stage done. This is the only place stage outputs
// become JSON; within a run they travel as their types. What is read back is what later
// stages use (ids, metrics, the selection); the rest stays in the store's own tables.
#pragma once

#include <nlohmann/json.hpp>

#include "agent/stages/baseline.hpp"
#include "agent/stages/experiments.hpp"
#include "agent/stages/ideas.hpp"
#include "agent/stages/novelty.hpp"
#include "agent/stages/paper.hpp"
#include "agent/stages/plots.hpp"
#include "agent/stages/rank.hpp"
#include "agent/stages/review.hpp"
#include "agent/stages/revision.hpp"

namespace shoal::agent {

void to_json(nlohmann::json& j, const BaselineOut& o);
void from_json(const nlohmann::json& j, BaselineOut& o);
void to_json(nlohmann::json& j, const IdeasOut& o);
void from_json(const nlohmann::json& j, IdeasOut& o);
void to_json(nlohmann::json& j, const NoveltyOut& o);
void from_json(const nlohmann::json& j, NoveltyOut& o);
void to_json(nlohmann::json& j, const RankOut& o);
void from_json(const nlohmann::json& j, RankOut& o);
void to_json(nlohmann::json& j, const ExperimentOutcome& o);
void from_json(const nlohmann::json& j, ExperimentOutcome& o);
void to_json(nlohmann::json& j, const PlotsOut& o);
void from_json(const nlohmann::json& j, PlotsOut& o);
void to_json(nlohmann::json& j, const WriteupResult& o);
void from_json(const nlohmann::json& j, WriteupResult& o);
void to_json(nlohmann::json& j, const ReviewOutcome& o);
void from_json(const nlohmann::json& j, ReviewOutcome& o);
void to_json(nlohmann::json& j, const RevisionOutcome& o);
void from_json(const nlohmann::json& j, RevisionOutcome& o);

}  // namespace shoal::agent
