/**
 * HTTP handlers for silences:
 * - `GET /api/llmwatch/silences` → 200 `{ silences: Silence[] }` (newest first, with `state`)
 * - `POST /api/llmwatch/silences` with `{matchers:[{name,value,isRegex,isEqual}], startsAt?,
 *   endsAt, createdBy, comment}` (times: Unix ms or RFC 3339) → 201 `{ silence }`
 * - `DELETE /api/llmwatch/silences/<id>` → 200 `{ silence }` (now expired), 404 when unknown
 * Errors: `{ status: "error", code, error }` with 400 (bad body), 404, 405 or 413.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isLlmwatchError } from '../../core/errors.js';
import type { SilenceStore } from './silences.js';

const PREFIX = '/api/llmwatch/silences';
const MAX_BODY_BYTES = 64 * 1024;

/** A handler's answer. */
export interface ApiResponse {
  status: number;
  body: unknown;
}

const fail = (status: number, code: string, error: string): ApiResponse => ({
  status,
  body: { status: 'error', code, error },
});

/**
 * Answers a silences request from its method, path and raw body text; undefined when the path
 * is not a silences path.
 */
export function answerSilencesRequest(
  silences: SilenceStore,
  method: string,
  path: string,
  bodyText: string,
): ApiResponse | undefined {
  if (path === PREFIX || path === `${PREFIX}/`) {
    if (method === 'GET') return { status: 200, body: { silences: silences.list() } };
    if (method !== 'POST') {
      return fail(
        405,
        'method_not_allowed',
        `${method} is not allowed on ${PREFIX}; use GET or POST`,
      );
    }
    let body: unknown;
    try {
      body = JSON.parse(bodyText);
    } catch {
      return fail(
        400,
        'silence_invalid',
        'silence: the body is not JSON; send {"matchers":[...],"endsAt":...,"createdBy":...,"comment":...}',
      );
    }
    try {
      return { status: 201, body: { silence: silences.create(body) } };
    } catch (err) {
      if (isLlmwatchError(err)) return fail(400, err.code, err.message);
      throw err;
    }
  }
  if (!path.startsWith(`${PREFIX}/`)) return undefined;
  const id = decodeURIComponent(path.slice(PREFIX.length + 1));
  if (method !== 'DELETE' && method !== 'GET') {
    return fail(
      405,
      'method_not_allowed',
      `${method} is not allowed on ${PREFIX}/<id>; use GET or DELETE`,
    );
  }
  const silence = method === 'DELETE' ? silences.expire(id) : silences.get(id);
  if (!silence)
    return fail(
      404,
      'silence_not_found',
      `silence ${JSON.stringify(id)} does not exist; list them with GET ${PREFIX}`,
    );
  return { status: 200, body: { silence } };
}

async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The route handler: true when it answered (the path was a silences path). */
export function createSilencesHandler(silences: SilenceStore) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path !== PREFIX && !path.startsWith(`${PREFIX}/`)) return false;
    const method = req.method ?? 'GET';
    const bodyText = method === 'POST' ? await readBody(req) : '';
    const answer =
      bodyText === undefined
        ? fail(
            413,
            'silence_too_large',
            `silence: the body is over ${MAX_BODY_BYTES} bytes; send fewer matchers`,
          )
        : answerSilencesRequest(silences, method, path, bodyText);
    if (!answer) return false;
    const text = JSON.stringify(answer.body);
    res.writeHead(answer.status, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(text),
    });
    res.end(text);
    return true;
  };
}
