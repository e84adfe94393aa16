/**
 * JSON API of the alert evaluator:
 * - `GET /api/llmwatch/alerts` → `{ alerts: AlertView[] }` (instances not in state normal);
 * - `GET /api/llmwatch/alerts/history?rule=&component=&start=&end=&limit=` →
 *   `{ transitions: TransitionView[] }`, newest first. `start`/`end` are RFC 3339 or Unix time
 *   (seconds, or milliseconds when above 1e11); `at` in the answer is Unix ms.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AlertEngine } from './engine.js';
import type { HistoryFilter } from './state-db.js';

/** A handler answer. */
export interface ApiAnswer {
  status: number;
  body: unknown;
}

function parseTimeMs(text: string): number | undefined {
  if (/^-?\d+(\.\d+)?$/.test(text)) {
    const value = Number(text);
    return Math.round(Math.abs(value) > 1e11 ? value : value * 1000);
  }
  const parsed = Date.parse(text);
  return Number.isNaN(parsed) ? undefined : parsed;
}

function badRequest(message: string): ApiAnswer {
  return { status: 400, body: { status: 'error', errorType: 'bad_data', error: message } };
}

/**
 * Answers the alert API for `path` (without query string) and its query `params`; returns null
 * for a path it does not own. Bad parameters get a 400 naming the parameter.
 */
export function answerAlertsApi(
  alerting: Pick<AlertEngine, 'alerts' | 'history'>,
  path: string,
  params: URLSearchParams,
): ApiAnswer | null {
  if (path === '/api/llmwatch/alerts') return { status: 200, body: { alerts: alerting.alerts() } };
  if (path !== '/api/llmwatch/alerts/history') return null;

  const filter: HistoryFilter = {};
  const rule = params.get('rule');
  const component = params.get('component');
  if (rule) filter.rule = rule;
  if (component) filter.component = component;
  for (const name of ['start', 'end'] as const) {
    const raw = params.get(name);
    if (!raw) continue;
    const ms = parseTimeMs(raw);
    if (ms === undefined) {
      return badRequest(`${name} must be RFC 3339 or a Unix time, got ${JSON.stringify(raw)}`);
    }
    filter[name === 'start' ? 'startMs' : 'endMs'] = ms;
  }
  const limit = params.get('limit');
  if (limit) {
    const value = Number(limit);
    if (!Number.isInteger(value) || value < 1 || value > 10_000) {
      return badRequest(`limit must be an integer from 1 to 10000, got ${JSON.stringify(limit)}`);
    }
    filter.limit = value;
  }
  return { status: 200, body: { transitions: alerting.history(filter) } };
}

/**
 * A node:http handler for the alert API: answers GET requests on its paths and resolves true,
 * resolves false for other paths; other methods on its paths get 405.
 */
export function createAlertsApiHandler(alerting: Pick<AlertEngine, 'alerts' | 'history'>) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    let answer = answerAlertsApi(alerting, url.pathname, url.searchParams);
    if (!answer) return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      answer = { status: 405, body: { status: 'error', error: 'use GET' } };
    }
    const text = JSON.stringify(answer.body);
    res.writeHead(answer.status, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(text),
    });
    res.end(req.method === 'HEAD' ? undefined : text);
    return true;
  };
}
