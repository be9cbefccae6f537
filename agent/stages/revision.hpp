// The revision stage (setting paper_revisions, LLM runs only): the model revises the paper to
// answer its review (agent/papers/reviser.hpp); the revised paper is compiled as new attempts
// of the idea and reviewed again. The earlier version and its reviews stay.
#pragma once

#include <string>

#include "agent/papers/reviser.hpp"
#include "agent/stage_context.hpp"

namespace shoal::agent {

struct RevisionIn {
  std::string idea_id;
  std::string paper_id;  // the reviewed paper to revise
  std::string stage;     // "revision", "revision_2", ...: names the scratch folders
};

using RevisionOut = RevisionOutcome;

// Revises and reviews again. invalid_input when the revision changes nothing; the model's
// errors as they come.
Expected<RevisionOut> run_revision(StageContext& ctx, const RevisionIn& in);

}  // namespace shoal::agent
