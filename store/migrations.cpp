// Forward migrations of the store's schema. Migration N takes a database from
// user_version N-1 to N; they are applied in order inside one transaction each.
// Never edit a released migration: add a new one.
#include "store/migrations.hpp"

namespace shoal::store {

const std::vector<std::string_view>& migrations() {
  static const std::vector<std::string_view> list = {
      // 1: the whole product's tables.
      R"sql(
-- One `shoal run`: a template, a model, a budget, many ideas.
CREATE TABLE runs (
  id                TEXT PRIMARY KEY,
  template          TEXT NOT NULL,
  template_hash     TEXT NOT NULL DEFAULT '',
  model             TEXT NOT NULL,
  status            TEXT NOT NULL CHECK (status IN ('pending','running','paused','cancelled','failed','done')),
  config_json       TEXT NOT NULL DEFAULT '{}',
  budget_usd        REAL NOT NULL DEFAULT 0,
  cost_usd          REAL NOT NULL DEFAULT 0,
  unsafe_no_sandbox INTEGER NOT NULL DEFAULT 0,
  created_ms        INTEGER NOT NULL,
  started_ms        INTEGER,
  ended_ms          INTEGER,
  error             TEXT
);
CREATE TABLE ideas (
  id               TEXT PRIMARY KEY,
  run_id           TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  name             TEXT NOT NULL,
  title            TEXT NOT NULL DEFAULT '',
  idea_json        TEXT NOT NULL DEFAULT '{}',
  interestingness  REAL,
  feasibility      REAL,
  novelty          REAL,
  novel            INTEGER,           -- NULL until checked, then 0/1
  novelty_json     TEXT,              -- reasons and the papers compared against
  rank             INTEGER,
  status           TEXT NOT NULL DEFAULT 'pending',
  stage            TEXT,              -- the stage it is in or last finished
  best_metric      REAL,
  created_ms       INTEGER NOT NULL,
  UNIQUE (run_id, name)
);
CREATE INDEX ideas_run ON ideas(run_id);
-- One row per (run, idea, stage): the orchestrator's record of progress. Run-level
-- stages (idea generation) have idea_id NULL.
CREATE TABLE stage_executions (
  id          INTEGER PRIMARY KEY,
  run_id      TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  idea_id     TEXT REFERENCES ideas(id) ON DELETE CASCADE,
  stage       TEXT NOT NULL,
  status      TEXT NOT NULL CHECK (status IN ('running','done','failed','cancelled','skipped')),
  attempts    INTEGER NOT NULL DEFAULT 0,
  started_ms  INTEGER,
  ended_ms    INTEGER,
  cost_usd    REAL NOT NULL DEFAULT 0,
  error_kind  TEXT,
  error       TEXT,
  output_json TEXT
);
CREATE UNIQUE INDEX stage_executions_key ON stage_executions(run_id, coalesce(idea_id, ''), stage);
-- Content-addressed bytes, deduplicated by SHA-256.
CREATE TABLE blobs (
  hash       TEXT PRIMARY KEY,
  size       INTEGER NOT NULL,
  data       BLOB NOT NULL,
  created_ms INTEGER NOT NULL
);
-- Named uses of blobs: code, log, final_info, plot, tex, bib, pdf, page_image, diff...
CREATE TABLE artifacts (
  id         INTEGER PRIMARY KEY,
  hash       TEXT NOT NULL REFERENCES blobs(hash),
  kind       TEXT NOT NULL,
  name       TEXT NOT NULL,
  owner_kind TEXT NOT NULL,   -- run, idea, node, paper, review, template
  owner_id   TEXT NOT NULL,
  mime       TEXT NOT NULL DEFAULT 'application/octet-stream',
  created_ms INTEGER NOT NULL
);
CREATE INDEX artifacts_owner ON artifacts(owner_kind, owner_id);
CREATE INDEX artifacts_hash ON artifacts(hash);
-- Experiment tree: each node is one version of the code and one sandboxed run of it.
CREATE TABLE nodes (
  id            TEXT PRIMARY KEY,
  idea_id       TEXT REFERENCES ideas(id) ON DELETE CASCADE,  -- NULL for a template baseline
  template_hash TEXT NOT NULL DEFAULT '',
  parent_id     TEXT REFERENCES nodes(id),
  kind          TEXT NOT NULL,   -- baseline, draft, improve, debug, ablation
  code_hash     TEXT REFERENCES blobs(hash),
  command       TEXT NOT NULL DEFAULT '',
  status        TEXT NOT NULL DEFAULT 'pending',
  exit_code     INTEGER,
  signal        INTEGER,
  limit_hit     TEXT,
  metrics_json  TEXT,
  stdout_tail   TEXT,
  stderr_tail   TEXT,
  duration_s    REAL,
  created_ms    INTEGER NOT NULL,
  ended_ms      INTEGER
);
CREATE INDEX nodes_idea ON nodes(idea_id);
CREATE INDEX nodes_template ON nodes(template_hash, kind);
CREATE TABLE llm_calls (
  id            INTEGER PRIMARY KEY,
  run_id        TEXT REFERENCES runs(id) ON DELETE SET NULL,
  idea_id       TEXT,
  stage         TEXT,
  provider      TEXT NOT NULL,
  model         TEXT NOT NULL,
  request_hash  TEXT NOT NULL,
  request_json  TEXT NOT NULL,
  response_json TEXT,
  status        TEXT NOT NULL CHECK (status IN ('ok','error','cached')),
  error         TEXT,
  tokens_in     INTEGER NOT NULL DEFAULT 0,
  tokens_out    INTEGER NOT NULL DEFAULT 0,
  tokens_cached INTEGER NOT NULL DEFAULT 0,
  cost_usd      REAL NOT NULL DEFAULT 0,
  latency_ms    INTEGER NOT NULL DEFAULT 0,
  created_ms    INTEGER NOT NULL
);
CREATE INDEX llm_calls_hash ON llm_calls(request_hash);
CREATE INDEX llm_calls_run ON llm_calls(run_id);
CREATE TABLE literature_cache (
  engine        TEXT NOT NULL,
  query         TEXT NOT NULL,
  response_json TEXT NOT NULL,
  fetched_ms    INTEGER NOT NULL,
  PRIMARY KEY (engine, query)
);
-- One row per write-up attempt of an idea.
CREATE TABLE papers (
  id              TEXT PRIMARY KEY,
  idea_id         TEXT NOT NULL REFERENCES ideas(id) ON DELETE CASCADE,
  attempt         INTEGER NOT NULL,
  status          TEXT NOT NULL,       -- compiled, failed
  title           TEXT NOT NULL DEFAULT '',
  abstract        TEXT NOT NULL DEFAULT '',
  tex_hash        TEXT REFERENCES blobs(hash),
  bib_hash        TEXT REFERENCES blobs(hash),
  log_hash        TEXT REFERENCES blobs(hash),
  pdf_hash        TEXT REFERENCES blobs(hash),
  pages           INTEGER,
  unverified_json TEXT NOT NULL DEFAULT '[]',  -- numbers the claim check could not match
  citations_json  TEXT NOT NULL DEFAULT '[]',
  created_ms      INTEGER NOT NULL,
  UNIQUE (idea_id, attempt)
);
-- AI reviews (each of an ensemble), meta-reviews and human reviews, side by side.
CREATE TABLE reviews (
  id            INTEGER PRIMARY KEY,
  paper_id      TEXT NOT NULL REFERENCES papers(id) ON DELETE CASCADE,
  reviewer_kind TEXT NOT NULL CHECK (reviewer_kind IN ('ai','meta','human')),
  reviewer      TEXT NOT NULL,        -- model name or the person's name
  overall       REAL,
  decision      TEXT,                 -- accept, reject
  originality   REAL,
  quality       REAL,
  clarity       REAL,
  significance  REAL,
  soundness     REAL,
  presentation  REAL,
  contribution  REAL,
  confidence    REAL,
  scores_json   TEXT NOT NULL DEFAULT '{}',  -- the whole form as filled in
  text          TEXT NOT NULL DEFAULT '',
  created_ms    INTEGER NOT NULL
);
CREATE INDEX reviews_paper ON reviews(paper_id);
-- Progress log: what happened, in order.
CREATE TABLE events (
  id         INTEGER PRIMARY KEY,
  run_id     TEXT REFERENCES runs(id) ON DELETE CASCADE,
  idea_id    TEXT,
  kind       TEXT NOT NULL,
  message    TEXT NOT NULL,
  data_json  TEXT,
  created_ms INTEGER NOT NULL
);
CREATE INDEX events_run ON events(run_id, id);
)sql",
      // 2 (slurm_jobs): jobs the Slurm executor submitted, so a restarted orchestrator
      // re-attaches to them instead of submitting twice (store/slurm_jobs.hpp).
      R"sql(
CREATE TABLE slurm_jobs (
  id           INTEGER PRIMARY KEY,
  job_id       INTEGER NOT NULL,
  cluster      TEXT NOT NULL DEFAULT '',
  workdir      TEXT NOT NULL,
  result_path  TEXT NOT NULL,
  state        TEXT NOT NULL,
  collected    INTEGER NOT NULL DEFAULT 0,
  submitted_ms INTEGER NOT NULL,
  updated_ms   INTEGER NOT NULL
);
CREATE INDEX slurm_jobs_job ON slurm_jobs(job_id);
CREATE INDEX slurm_jobs_workdir ON slurm_jobs(workdir, collected);
)sql",
  };
  return list;
}

}  // namespace shoal::store
