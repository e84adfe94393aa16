/**
 * The durable evaluation queue: redacted pairs, one job per (pair, evaluator), leased by
 * workers. Finishing a job and storing its evaluation is one transaction guarded by the lease
 * token, so a crash re-runs only unfinished jobs and no evaluation is stored twice.
 */
import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import { LlmwatchError } from '../../core/errors.js';
import type { PiiType } from '../redact/types.js';
import type { EvaluationSample } from '../evaluators/types.js';
import type { PipelineSample } from './deterministic.js';
import type { Outcome } from './evaluator.js';
import { redactPair } from './redact-pair.js';

/** A pair to enqueue, unredacted; it is redacted before anything is written. */
export interface PairInput {
  /** Request id; a pair whose (component, requestId) is already queued is skipped. */
  requestId: string;
  component: string;
  model: string;
  /** Where the pair came from: "gateway" or "ingest". */
  source: string;
  request: unknown;
  responseText: string | null;
  finishReason: string | null;
  /** When the request was made, Unix ms. */
  createdAtMs: number;
}

/** A job handed to a worker, with its (redacted) sample. */
export interface LeasedJob {
  id: number;
  pairId: number;
  criterion: string;
  judge: string;
  /** Leases so far, this one included. */
  attempts: number;
  leaseToken: string;
  model: string;
  sample: EvaluationSample & PipelineSample;
}

/** What a finished job stores. */
export interface EvaluationWrite {
  outcome: Outcome;
  score: number | null;
  reasoning: string | null;
  details: Record<string, unknown>;
  latencyMs: number;
  inputTokens: number | null;
  outputTokens: number | null;
  costDollars: number | null;
  createdAtMs: number;
}

/** Options of createEvaluationQueue. */
export interface QueueOptions {
  /** How long a lease lasts, ms. */
  leaseMs: number;
  /** Most unfinished jobs; enqueue beyond it throws `quality_queue_full`. */
  maxPendingJobs: number;
  /** PII types to redact for a component. */
  redactionTypesFor(component: string): readonly PiiType[];
  /** Wall clock, Unix ms. Default Date.now. */
  nowMs?: () => number;
}

/** Job counts by state. */
export interface QueueCounts {
  pending: number;
  leased: number;
  done: number;
}

/** The queue returned by createEvaluationQueue. */
export interface EvaluationQueue {
  /**
   * Redacts and stores `pairs` with one job per evaluator, in one transaction (all or none).
   * Returns how many pairs were new. Throws LlmwatchError `quality_queue_full` when the
   * unfinished jobs would pass maxPendingJobs.
   */
  enqueue(
    pairs: readonly PairInput[],
    evaluators: ReadonlyArray<{ criterion: string; judge: string }>,
  ): number;
  /** Leases up to `limit` due jobs of `judge` (pending and due, or with an expired lease). */
  lease(judge: string, limit: number): LeasedJob[];
  /** Stores the evaluation and marks the job done; false (nothing stored) if the lease was lost. */
  complete(job: LeasedJob, write: EvaluationWrite): boolean;
  /** Marks the job done without a record (the evaluator does not apply); false if lease lost. */
  skip(job: LeasedJob): boolean;
  /** Puts the job back, due after `delayMs`; false if the lease was lost. */
  retry(job: LeasedJob, delayMs: number, error: string): boolean;
  /** Returns every leased job to pending (at start: leases of a dead process). Returns the count. */
  releaseAll(): number;
  counts(): QueueCounts;
  /** Earliest due time of a pending job, Unix ms; null when none. */
  nextDueMs(): number | null;
}

interface JobRow {
  id: number;
  pair_id: number;
  criterion: string;
  judge: string;
  attempts: number;
  request_id: string;
  component: string;
  model: string;
  request_json: string | null;
  response_text: string | null;
  finish_reason: string | null;
  pii_counts_json: string;
}

/** Creates the queue over an open quality database (see openQualityDb). */
export function createEvaluationQueue(db: Database.Database, opts: QueueOptions): EvaluationQueue {
  const nowMs = opts.nowMs ?? Date.now;
  const insertPair = db.prepare(
    `INSERT OR IGNORE INTO pairs (request_id, component, model, source, request_json, response_text,
       finish_reason, pii_counts_json, created_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertJob = db.prepare(
    `INSERT OR IGNORE INTO jobs (pair_id, criterion, judge, state, due_at_ms) VALUES (?, ?, ?, 'pending', ?)`,
  );
  const countUnfinished = db
    .prepare(`SELECT count(*) AS n FROM jobs WHERE state != 'done'`)
    .pluck();
  const leaseJobs = db.prepare(
    `UPDATE jobs SET state = 'leased', lease_token = @token, lease_until_ms = @until,
       attempts = attempts + 1
     WHERE id IN (SELECT id FROM jobs WHERE judge = @judge AND
       ((state = 'pending' AND due_at_ms <= @now) OR (state = 'leased' AND lease_until_ms < @now))
       ORDER BY due_at_ms, id LIMIT @limit)`,
  );
  const leasedRows = db.prepare(
    `SELECT j.id, j.pair_id, j.criterion, j.judge, j.attempts, p.request_id, p.component, p.model,
       p.request_json, p.response_text, p.finish_reason, p.pii_counts_json
     FROM jobs j JOIN pairs p ON p.id = j.pair_id WHERE j.lease_token = ? ORDER BY j.id`,
  );
  const finishJob = db.prepare(
    `UPDATE jobs SET state = 'done', lease_token = NULL, last_error = NULL
     WHERE id = ? AND state = 'leased' AND lease_token = ?`,
  );
  const insertEvaluation = db.prepare(
    `INSERT INTO evaluations (job_id, pair_id, request_id, component, model, criterion, judge,
       outcome, score, reasoning, details_json, latency_ms, input_tokens, output_tokens,
       cost_dollars, created_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const retryJob = db.prepare(
    `UPDATE jobs SET state = 'pending', lease_token = NULL, due_at_ms = ?, last_error = ?
     WHERE id = ? AND state = 'leased' AND lease_token = ?`,
  );

  const enqueue = db.transaction(
    (
      pairs: readonly PairInput[],
      evaluators: ReadonlyArray<{ criterion: string; judge: string }>,
    ) => {
      const unfinished = countUnfinished.get() as number;
      const adding = pairs.length * evaluators.length;
      if (unfinished + adding > opts.maxPendingJobs) {
        throw new LlmwatchError(
          'quality_queue_full',
          `the evaluation queue holds ${unfinished} unfinished jobs and ${adding} more would pass quality.pipeline.maxPendingJobs (${opts.maxPendingJobs}); retry later or raise the limit`,
        );
      }
      let added = 0;
      const due = nowMs();
      for (const pair of pairs) {
        const red = redactPair(
          pair.request,
          pair.responseText,
          opts.redactionTypesFor(pair.component),
        );
        const info = insertPair.run(
          pair.requestId,
          pair.component,
          pair.model,
          pair.source,
          red.request === undefined ? null : JSON.stringify(red.request),
          red.responseText,
          pair.finishReason,
          JSON.stringify(red.responsePiiCounts),
          pair.createdAtMs,
        );
        if (info.changes === 0) continue; // already queued
        added++;
        for (const e of evaluators) insertJob.run(info.lastInsertRowid, e.criterion, e.judge, due);
      }
      return added;
    },
  );

  const lease = db.transaction((judge: string, limit: number): LeasedJob[] => {
    const token = randomUUID();
    const now = nowMs();
    leaseJobs.run({ token, until: now + opts.leaseMs, judge, now, limit });
    return (leasedRows.all(token) as JobRow[]).map((row) => ({
      id: row.id,
      pairId: row.pair_id,
      criterion: row.criterion,
      judge: row.judge,
      attempts: row.attempts,
      leaseToken: token,
      model: row.model,
      sample: {
        requestId: row.request_id,
        component: row.component,
        request: row.request_json === null ? undefined : (JSON.parse(row.request_json) as unknown),
        responseText: row.response_text,
        finishReason: row.finish_reason,
        responsePiiCounts: JSON.parse(row.pii_counts_json) as Record<string, number>,
      },
    }));
  });

  const complete = db.transaction((job: LeasedJob, w: EvaluationWrite): boolean => {
    if (finishJob.run(job.id, job.leaseToken).changes !== 1) return false;
    insertEvaluation.run(
      job.id,
      job.pairId,
      job.sample.requestId,
      job.sample.component,
      job.model,
      job.criterion,
      job.judge,
      w.outcome,
      w.score,
      w.reasoning,
      JSON.stringify(w.details),
      w.latencyMs,
      w.inputTokens,
      w.outputTokens,
      w.costDollars,
      w.createdAtMs,
    );
    return true;
  });

  return {
    enqueue: (pairs, evaluators) => (pairs.length === 0 ? 0 : enqueue(pairs, evaluators)),
    lease: (judge, limit) => (limit <= 0 ? [] : lease(judge, limit)),
    complete,
    skip: (job) => finishJob.run(job.id, job.leaseToken).changes === 1,
    retry: (job, delayMs, error) =>
      retryJob.run(nowMs() + delayMs, error.slice(0, 500), job.id, job.leaseToken).changes === 1,
    releaseAll: () =>
      db
        .prepare(`UPDATE jobs SET state = 'pending', lease_token = NULL WHERE state = 'leased'`)
        .run().changes,
    counts() {
      const rows = db
        .prepare(`SELECT state, count(*) AS n FROM jobs GROUP BY state`)
        .all() as Array<{
        state: keyof QueueCounts;
        n: number;
      }>;
      const out: QueueCounts = { pending: 0, leased: 0, done: 0 };
      for (const row of rows) out[row.state] = row.n;
      return out;
    },
    nextDueMs: () =>
      (db.prepare(`SELECT min(due_at_ms) FROM jobs WHERE state = 'pending'`).pluck().get() as
        number | null) ?? null,
  };
}
