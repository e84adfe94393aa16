/**
 * The quality database: pairs (redacted), jobs (one per pair and evaluator) and evaluations
 * (the records), in one SQLite file in WAL mode.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { LlmwatchError } from '../../core/errors.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS pairs (
  id INTEGER PRIMARY KEY,
  request_id TEXT NOT NULL,
  component TEXT NOT NULL,
  model TEXT NOT NULL,
  source TEXT NOT NULL,
  request_json TEXT,
  response_text TEXT,
  finish_reason TEXT,
  pii_counts_json TEXT NOT NULL,
  created_at_ms INTEGER NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS pairs_request ON pairs (component, request_id);
CREATE TABLE IF NOT EXISTS jobs (
  id INTEGER PRIMARY KEY,
  pair_id INTEGER NOT NULL REFERENCES pairs (id),
  criterion TEXT NOT NULL,
  judge TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('pending', 'leased', 'done')),
  attempts INTEGER NOT NULL DEFAULT 0,
  due_at_ms INTEGER NOT NULL,
  lease_token TEXT,
  lease_until_ms INTEGER,
  last_error TEXT,
  UNIQUE (pair_id, criterion, judge)
);
CREATE INDEX IF NOT EXISTS jobs_due ON jobs (judge, state, due_at_ms);
CREATE INDEX IF NOT EXISTS jobs_state ON jobs (state);
CREATE TABLE IF NOT EXISTS evaluations (
  id INTEGER PRIMARY KEY,
  job_id INTEGER NOT NULL UNIQUE REFERENCES jobs (id),
  pair_id INTEGER NOT NULL REFERENCES pairs (id),
  request_id TEXT NOT NULL,
  component TEXT NOT NULL,
  model TEXT NOT NULL,
  criterion TEXT NOT NULL,
  judge TEXT NOT NULL,
  outcome TEXT NOT NULL,
  score REAL,
  reasoning TEXT,
  details_json TEXT NOT NULL,
  latency_ms REAL NOT NULL,
  input_tokens INTEGER,
  output_tokens INTEGER,
  cost_dollars REAL,
  created_at_ms INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS evaluations_time ON evaluations (created_at_ms, id);
CREATE INDEX IF NOT EXISTS evaluations_score ON evaluations (score, id);
CREATE INDEX IF NOT EXISTS evaluations_component ON evaluations (component, criterion, created_at_ms);
`;

/**
 * Opens (creating when needed, with its folder) the quality database at `path` in WAL mode
 * with synchronous=FULL, so a committed enqueue or evaluation survives kill -9 and power loss.
 * Throws LlmwatchError `quality_db_open` naming the path when it cannot be opened.
 */
export function openQualityDb(path: string): Database.Database {
  try {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    const db = new Database(path, { timeout: 5000 });
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    db.exec(SCHEMA);
    return db;
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new LlmwatchError(
      'quality_db_open',
      `cannot open the quality database ${JSON.stringify(path)}: ${why}; check quality.pipeline.dbPath and its folder's permissions`,
      { cause: err },
    );
  }
}
