/**
 * HTTP API of the evaluation records: `GET /api/llmwatch/evaluations` (filtered, paged) and
 * `GET /api/llmwatch/evaluations/<id>`.
 */
import { isLlmwatchError } from '../../core/errors.js';
import { parseTimeParam } from '../../query/params.js';
import type { EvaluationRecords, RecordFilter } from './store.js';

/** A JSON reply: HTTP status and body. */
export interface ApiReply {
  status: number;
  body: unknown;
}

/** Path prefix of the API. */
export const EVALUATIONS_PATH = '/api/llmwatch/evaluations';

/** Records per page when `limit` is not given. */
export const DEFAULT_LIMIT = 100;
/** Largest `limit` accepted. */
export const MAX_LIMIT = 1000;

class BadParam extends Error {}

function bad(name: string, raw: string, want: string): never {
  throw new BadParam(
    `parameter ${name}=${JSON.stringify(raw.slice(0, 100))} is invalid; use ${want}`,
  );
}

function numberParam(params: URLSearchParams, name: string): number | undefined {
  const raw = params.get(name);
  if (raw === null || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0 || value > 1) bad(name, raw, 'a number from 0 to 1');
  return value;
}

function timeParam(params: URLSearchParams, name: string): number | undefined {
  const raw = params.get(name);
  if (raw === null || raw === '') return undefined;
  try {
    return parseTimeParam(name, raw);
  } catch (err) {
    if (isLlmwatchError(err)) bad(name, raw, 'an RFC3339 time or Unix seconds');
    throw err;
  }
}

/** The cursor is base64url of "sort:key:id", so a cursor from one sort is refused by another. */
function encodeCursor(sort: string, last: [number, number]): string {
  return Buffer.from(`${sort}:${last[0]}:${last[1]}`).toString('base64url');
}

function decodeCursor(raw: string, sort: string): [number, number] {
  const parts = Buffer.from(raw, 'base64url').toString('utf8').split(':');
  const [kind, key, id] = [parts[0], Number(parts[1]), Number(parts[2])];
  if (parts.length !== 3 || kind !== sort || !Number.isFinite(key) || !Number.isSafeInteger(id)) {
    bad('cursor', raw, `the nextCursor of a previous reply with the same sort (${sort})`);
  }
  return [key, id];
}

function parseFilter(params: URLSearchParams): RecordFilter {
  const text = (name: string) => {
    const value = params.get(name);
    return value === null || value === '' ? undefined : value;
  };
  const sortRaw = text('sort') ?? 'time';
  if (sortRaw !== 'time' && sortRaw !== 'score') bad('sort', sortRaw, '"time" or "score"');
  const limitRaw = text('limit');
  const limit = limitRaw === undefined ? DEFAULT_LIMIT : Number(limitRaw);
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
    bad('limit', limitRaw ?? '', `a whole number from 1 to ${MAX_LIMIT}`);
  }
  const cursor = text('cursor');
  const startMs = timeParam(params, 'start');
  const endMs = timeParam(params, 'end');
  if (startMs !== undefined && endMs !== undefined && startMs > endMs) {
    bad('end', text('end') ?? '', 'a time at or after start');
  }
  return {
    component: text('component'),
    criterion: text('criterion'),
    judge: text('judge'),
    outcome: text('outcome'),
    requestId: text('requestId'),
    minScore: numberParam(params, 'minScore'),
    maxScore: numberParam(params, 'maxScore'),
    startMs,
    endMs,
    sort: sortRaw,
    limit,
    after: cursor === undefined ? undefined : decodeCursor(cursor, sortRaw),
  };
}

function errorReply(status: number, code: string, message: string): ApiReply {
  return { status, body: { error: { code, message } } };
}

/**
 * Creates the handler. `handle(path, params)` answers `GET /api/llmwatch/evaluations` with
 * `{ evaluations, nextCursor }` (newest first; lowest scores first with sort=score; nextCursor
 * null on the last page) and `/api/llmwatch/evaluations/<id>` with `{ evaluation }` or 404.
 * Bad parameters give 400 with `{ error: { code: "bad_param", message } }` naming the parameter;
 * other paths give null (not handled).
 */
export function createEvaluationsApi(records: EvaluationRecords) {
  return function handleEvaluationsApi(path: string, params: URLSearchParams): ApiReply | null {
    if (path === EVALUATIONS_PATH || path === `${EVALUATIONS_PATH}/`) {
      let filter: RecordFilter;
      try {
        filter = parseFilter(params);
      } catch (err) {
        if (err instanceof BadParam) return errorReply(400, 'bad_param', err.message);
        throw err;
      }
      const { records: page, last } = records.list(filter);
      const nextCursor = last === null ? null : encodeCursor(filter.sort ?? 'time', last);
      return { status: 200, body: { evaluations: page, nextCursor } };
    }
    if (!path.startsWith(`${EVALUATIONS_PATH}/`)) return null;
    const idText = path.slice(EVALUATIONS_PATH.length + 1);
    const id = Number(idText);
    if (!/^[1-9][0-9]{0,15}$/.test(idText) || !Number.isSafeInteger(id)) {
      return errorReply(
        400,
        'bad_param',
        `evaluation id ${JSON.stringify(idText.slice(0, 40))} is not a positive whole number`,
      );
    }
    const record = records.get(id);
    if (record === null) return errorReply(404, 'not_found', `no evaluation with id ${id}`);
    return { status: 200, body: { evaluation: record } };
  };
}
