/**
 * Evaluation records: reading stored evaluations with their redacted pair, filtered and paged.
 */
import type Database from 'better-sqlite3';

/** One evaluation as the API returns it. Times are Unix ms. */
export interface EvaluationRecord {
  id: number;
  requestId: string;
  component: string;
  model: string;
  criterion: string;
  judge: string;
  outcome: string;
  /** 0..1; null unless outcome is "scored". */
  score: number | null;
  reasoning: string | null;
  details: Record<string, unknown>;
  latencyMs: number;
  inputTokens: number | null;
  outputTokens: number | null;
  costDollars: number | null;
  createdAt: number;
  /** The redacted request JSON (null when not kept). */
  request: unknown;
  /** The redacted response text. */
  response: string | null;
}

/** Filters of a listing; every field optional. */
export interface RecordFilter {
  component?: string;
  criterion?: string;
  judge?: string;
  outcome?: string;
  requestId?: string;
  minScore?: number;
  maxScore?: number;
  /** Inclusive bounds on createdAt, Unix ms. */
  startMs?: number;
  endMs?: number;
  /** "time": newest first (default); "score": lowest score first (unscored left out). */
  sort?: 'time' | 'score';
  /** Page size; 1..1000. */
  limit: number;
  /** Position after the last record of the previous page: [sort key, id]. */
  after?: [number, number];
}

/** The records reader returned by createEvaluationRecords. */
export interface EvaluationRecords {
  /** A page of records and the key of its last one when more may follow. */
  list(filter: RecordFilter): { records: EvaluationRecord[]; last: [number, number] | null };
  /** One record by id, or null. */
  get(id: number): EvaluationRecord | null;
  /** Number of stored evaluations (tests, status). */
  count(): number;
}

interface Row {
  id: number;
  request_id: string;
  component: string;
  model: string;
  criterion: string;
  judge: string;
  outcome: string;
  score: number | null;
  reasoning: string | null;
  details_json: string;
  latency_ms: number;
  input_tokens: number | null;
  output_tokens: number | null;
  cost_dollars: number | null;
  created_at_ms: number;
  request_json: string | null;
  response_text: string | null;
}

const SELECT = `SELECT e.*, p.request_json, p.response_text FROM evaluations e
  JOIN pairs p ON p.id = e.pair_id`;

function toRecord(row: Row): EvaluationRecord {
  return {
    id: row.id,
    requestId: row.request_id,
    component: row.component,
    model: row.model,
    criterion: row.criterion,
    judge: row.judge,
    outcome: row.outcome,
    score: row.score,
    reasoning: row.reasoning,
    details: JSON.parse(row.details_json) as Record<string, unknown>,
    latencyMs: row.latency_ms,
    inputTokens: row.input_tokens,
    outputTokens: row.output_tokens,
    costDollars: row.cost_dollars,
    createdAt: row.created_at_ms,
    request: row.request_json === null ? null : (JSON.parse(row.request_json) as unknown),
    response: row.response_text,
  };
}

/** Creates the reader over the quality database (see openQualityDb). */
export function createEvaluationRecords(db: Database.Database): EvaluationRecords {
  const byId = db.prepare(`${SELECT} WHERE e.id = ?`);
  return {
    get(id) {
      const row = byId.get(id) as Row | undefined;
      return row === undefined ? null : toRecord(row);
    },
    count: () => db.prepare('SELECT count(*) FROM evaluations').pluck().get() as number,
    list(filter) {
      const where: string[] = [];
      const args: Record<string, string | number> = {};
      const eq = (column: string, name: string, value: string | undefined) => {
        if (value === undefined) return;
        where.push(`e.${column} = @${name}`);
        args[name] = value;
      };
      eq('component', 'component', filter.component);
      eq('criterion', 'criterion', filter.criterion);
      eq('judge', 'judge', filter.judge);
      eq('outcome', 'outcome', filter.outcome);
      eq('request_id', 'requestId', filter.requestId);
      const bound = (sql: string, name: string, value: number | undefined) => {
        if (value === undefined) return;
        where.push(sql);
        args[name] = value;
      };
      bound('e.score >= @minScore', 'minScore', filter.minScore);
      bound('e.score <= @maxScore', 'maxScore', filter.maxScore);
      bound('e.created_at_ms >= @startMs', 'startMs', filter.startMs);
      bound('e.created_at_ms <= @endMs', 'endMs', filter.endMs);

      const byScore = filter.sort === 'score';
      if (byScore) where.push('e.score IS NOT NULL');
      if (filter.after !== undefined) {
        [args.afterKey, args.afterId] = filter.after;
        where.push(
          byScore
            ? '(e.score > @afterKey OR (e.score = @afterKey AND e.id > @afterId))'
            : '(e.created_at_ms < @afterKey OR (e.created_at_ms = @afterKey AND e.id < @afterId))',
        );
      }
      const order = byScore ? 'e.score ASC, e.id ASC' : 'e.created_at_ms DESC, e.id DESC';
      const sql = `${SELECT} ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY ${order} LIMIT ${filter.limit + 1}`;
      const rows = db.prepare(sql).all(args) as Row[];
      const page = rows.slice(0, filter.limit).map(toRecord);
      const lastRecord = page.at(-1);
      const more = rows.length > filter.limit && lastRecord !== undefined;
      const last: [number, number] | null = more
        ? [byScore ? (lastRecord.score as number) : lastRecord.createdAt, lastRecord.id]
        : null;
      return { records: page, last };
    },
  };
}
