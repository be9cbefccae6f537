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
      // 3 (research loop): the plan and headline metric of each experiment node, the seed a
      // node was re-run with, a run's owner lock (one orchestrator at a time), and paper checks.
      R"sql(
ALTER TABLE nodes ADD COLUMN plan TEXT NOT NULL DEFAULT '';
ALTER TABLE nodes ADD COLUMN metric REAL;
ALTER TABLE nodes ADD COLUMN seed INTEGER;
ALTER TABLE nodes ADD COLUMN step INTEGER NOT NULL DEFAULT 0;
ALTER TABLE runs ADD COLUMN owner TEXT;
ALTER TABLE runs ADD COLUMN heartbeat_ms INTEGER;
ALTER TABLE papers ADD COLUMN checks_json TEXT NOT NULL DEFAULT '{}';
ALTER TABLE papers ADD COLUMN error TEXT NOT NULL DEFAULT '';
CREATE INDEX reviews_kind ON reviews(reviewer_kind, paper_id);
CREATE INDEX papers_idea ON papers(idea_id);
)sql",
      // 4 (web catalog): one row per paper with its review aggregates, kept by triggers so
      // that any writer (C++, Python, sqlite3) keeps it true, and a full-text index over paper
      // titles and abstracts (store/catalog.hpp). Sorting 10,000 papers by a score is then
      // an index walk instead of an aggregate over every review.
      R"sql(
CREATE TABLE paper_catalog (
  id             INTEGER PRIMARY KEY,         -- also the rowid of the paper's full-text row
  paper_id       TEXT NOT NULL UNIQUE REFERENCES papers(id) ON DELETE CASCADE,
  idea_id        TEXT NOT NULL,
  run_id         TEXT NOT NULL,
  created_ms     INTEGER NOT NULL,
  refresh        INTEGER NOT NULL DEFAULT 0,  -- bumped to make the refresh trigger recompute the row
  current        INTEGER NOT NULL DEFAULT 0,  -- 1: the newest compiled attempt of its idea
  score          REAL,                        -- the meta-review's overall, else the AI reviews' mean
  ai_overall     REAL,
  ai_count       INTEGER NOT NULL DEFAULT 0,
  meta_overall   REAL,
  human_overall  REAL,
  human_count    INTEGER NOT NULL DEFAULT 0,
  originality    REAL,                        -- AI reviews' means, one per score of the form
  quality        REAL,
  clarity        REAL,
  significance   REAL,
  soundness      REAL,
  presentation   REAL,
  contribution   REAL,
  confidence     REAL,
  decision       TEXT,                        -- the meta-review's, else the AI majority
  human_decision TEXT                         -- the human majority
);
CREATE INDEX paper_catalog_idea ON paper_catalog(idea_id);
CREATE INDEX paper_catalog_run ON paper_catalog(run_id, current);
CREATE INDEX paper_catalog_score ON paper_catalog(current, score);
CREATE INDEX paper_catalog_ai ON paper_catalog(current, ai_overall);
CREATE INDEX paper_catalog_meta ON paper_catalog(current, meta_overall);
CREATE INDEX paper_catalog_human ON paper_catalog(current, human_overall);
CREATE INDEX paper_catalog_created ON paper_catalog(current, created_ms);
CREATE INDEX paper_catalog_originality ON paper_catalog(current, originality);
CREATE INDEX paper_catalog_quality ON paper_catalog(current, quality);
CREATE INDEX paper_catalog_clarity ON paper_catalog(current, clarity);
CREATE INDEX paper_catalog_significance ON paper_catalog(current, significance);
CREATE INDEX paper_catalog_soundness ON paper_catalog(current, soundness);
CREATE INDEX paper_catalog_presentation ON paper_catalog(current, presentation);
CREATE INDEX paper_catalog_contribution ON paper_catalog(current, contribution);
CREATE INDEX paper_catalog_confidence ON paper_catalog(current, confidence);
-- The LLM calls behind an idea (its page lists them with their cost).
CREATE INDEX llm_calls_idea ON llm_calls(idea_id);

-- The one place the aggregates are computed: bumping `refresh` recomputes a row.
CREATE TRIGGER paper_catalog_refresh AFTER UPDATE OF refresh ON paper_catalog BEGIN
  UPDATE paper_catalog SET
    current = (NEW.paper_id IS (SELECT id FROM papers WHERE idea_id = NEW.idea_id AND status = 'compiled'
                                ORDER BY attempt DESC LIMIT 1)),
    (score, ai_overall, ai_count, meta_overall, human_overall, human_count, originality, quality, clarity,
     significance, soundness, presentation, contribution, confidence, decision, human_decision) = (
      SELECT coalesce(avg(overall) FILTER (WHERE reviewer_kind = 'meta'), avg(overall) FILTER (WHERE reviewer_kind = 'ai')),
             avg(overall) FILTER (WHERE reviewer_kind = 'ai'),
             count(overall) FILTER (WHERE reviewer_kind = 'ai'),
             avg(overall) FILTER (WHERE reviewer_kind = 'meta'),
             avg(overall) FILTER (WHERE reviewer_kind = 'human'),
             count(overall) FILTER (WHERE reviewer_kind = 'human'),
             avg(originality) FILTER (WHERE reviewer_kind = 'ai'),
             avg(quality) FILTER (WHERE reviewer_kind = 'ai'),
             avg(clarity) FILTER (WHERE reviewer_kind = 'ai'),
             avg(significance) FILTER (WHERE reviewer_kind = 'ai'),
             avg(soundness) FILTER (WHERE reviewer_kind = 'ai'),
             avg(presentation) FILTER (WHERE reviewer_kind = 'ai'),
             avg(contribution) FILTER (WHERE reviewer_kind = 'ai'),
             avg(confidence) FILTER (WHERE reviewer_kind = 'ai'),
             coalesce((SELECT m.decision FROM reviews m WHERE m.paper_id = NEW.paper_id AND m.reviewer_kind = 'meta'
                       AND m.decision IN ('accept', 'reject') ORDER BY m.created_ms DESC, m.id DESC LIMIT 1),
                      CASE WHEN sum(decision = 'accept' AND reviewer_kind = 'ai') > sum(decision = 'reject' AND reviewer_kind = 'ai')
                           THEN 'accept'
                           WHEN sum(decision = 'reject' AND reviewer_kind = 'ai') > 0 THEN 'reject' END),
             CASE WHEN sum(decision = 'accept' AND reviewer_kind = 'human') > sum(decision = 'reject' AND reviewer_kind = 'human')
                  THEN 'accept'
                  WHEN sum(decision = 'reject' AND reviewer_kind = 'human') > 0 THEN 'reject' END
      FROM reviews WHERE paper_id = NEW.paper_id)
  WHERE paper_id = NEW.paper_id;
END;

-- Full text of the titles and abstracts of the listed papers (current = 1) only, so a search
-- counts its matches without a join; a row's rowid is its paper's paper_catalog.id.
CREATE VIRTUAL TABLE papers_fts USING fts5(title, abstract, tokenize = 'unicode61 remove_diacritics 2');
CREATE TRIGGER paper_catalog_current AFTER UPDATE OF current ON paper_catalog WHEN NEW.current IS NOT OLD.current BEGIN
  DELETE FROM papers_fts WHERE rowid = NEW.id;
  INSERT INTO papers_fts (rowid, title, abstract)
    SELECT NEW.id, title, abstract FROM papers WHERE id = NEW.paper_id AND NEW.current = 1;
END;
CREATE TRIGGER paper_catalog_delete AFTER DELETE ON paper_catalog BEGIN
  DELETE FROM papers_fts WHERE rowid = OLD.id;
END;

CREATE TRIGGER paper_catalog_paper_insert AFTER INSERT ON papers BEGIN
  INSERT INTO paper_catalog (paper_id, idea_id, run_id, created_ms)
    SELECT NEW.id, NEW.idea_id, i.run_id, NEW.created_ms FROM ideas i WHERE i.id = NEW.idea_id;
  UPDATE paper_catalog SET refresh = refresh + 1 WHERE idea_id = NEW.idea_id;
END;
CREATE TRIGGER paper_catalog_paper_status AFTER UPDATE OF status, attempt ON papers BEGIN
  UPDATE paper_catalog SET refresh = refresh + 1 WHERE idea_id = NEW.idea_id;
END;
CREATE TRIGGER paper_catalog_paper_text AFTER UPDATE OF title, abstract ON papers BEGIN
  DELETE FROM papers_fts WHERE rowid = (SELECT id FROM paper_catalog WHERE paper_id = OLD.id);
  INSERT INTO papers_fts (rowid, title, abstract)
    SELECT id, NEW.title, NEW.abstract FROM paper_catalog WHERE paper_id = NEW.id AND current = 1;
END;
CREATE TRIGGER paper_catalog_paper_delete AFTER DELETE ON papers BEGIN
  UPDATE paper_catalog SET refresh = refresh + 1 WHERE idea_id = OLD.idea_id;
END;
CREATE TRIGGER paper_catalog_review_insert AFTER INSERT ON reviews BEGIN
  UPDATE paper_catalog SET refresh = refresh + 1 WHERE paper_id = NEW.paper_id;
END;
CREATE TRIGGER paper_catalog_review_update AFTER UPDATE ON reviews BEGIN
  UPDATE paper_catalog SET refresh = refresh + 1 WHERE paper_id IN (OLD.paper_id, NEW.paper_id);
END;
CREATE TRIGGER paper_catalog_review_delete AFTER DELETE ON reviews BEGIN
  UPDATE paper_catalog SET refresh = refresh + 1 WHERE paper_id = OLD.paper_id;
END;

-- Papers written before this migration.
INSERT INTO paper_catalog (paper_id, idea_id, run_id, created_ms)
  SELECT p.id, p.idea_id, i.run_id, p.created_ms FROM papers p JOIN ideas i ON i.id = p.idea_id;
UPDATE paper_catalog SET refresh = refresh + 1;
)sql",
      // 5 (reviews): a review whose reply was unusable is stored as failed, with no scores
      // (never as zeros) and the reason.
      R"sql(
ALTER TABLE reviews ADD COLUMN status TEXT NOT NULL DEFAULT 'done' CHECK (status IN ('done','failed'));
ALTER TABLE reviews ADD COLUMN error TEXT NOT NULL DEFAULT '';
)sql",
      // 6 (providers): a reply cut at the token limit is flagged; a reply a stage could not
      // use carries the reason, and the response cache never serves it again.
      R"sql(
ALTER TABLE llm_calls ADD COLUMN truncated INTEGER NOT NULL DEFAULT 0;
ALTER TABLE llm_calls ADD COLUMN rejected TEXT;
)sql",
      // 7 (reproductions): each `shoal reproduce` of a paper, its outcome and, per metric, the
      // stored and the measured value (store/reproductions.hpp).
      R"sql(
CREATE TABLE reproductions (
  id           INTEGER PRIMARY KEY,
  paper_id     TEXT NOT NULL REFERENCES papers(id) ON DELETE CASCADE,
  outcome      TEXT NOT NULL CHECK (outcome IN ('reproduced','differs')),
  details_json TEXT NOT NULL DEFAULT '{}',
  created_ms   INTEGER NOT NULL
);
CREATE INDEX reproductions_paper ON reproductions(paper_id, created_ms);
)sql",
      // 8 (evolve): what a search knows of a node beyond its run, as a JSON object: for evolve,
      // the generation, island, archive cell, descriptors, second parent, operator, model and
      // cost of the LLM call that wrote it, or why it was rejected without a run.
      R"sql(
ALTER TABLE nodes ADD COLUMN search_json TEXT NOT NULL DEFAULT '{}';
)sql",
  };
  return list;
}

}  // namespace shoal::store
