/**
 * Deploy and configuration-change annotations: an in-memory store and the HTTP handler for
 * GET/POST /api/llmwatch/annotations. Dashboards draw them as vertical markers on charts.
 * Limitation: annotations live in memory only; a restart forgets them, and past `maxCount` the
 * oldest are dropped.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';

/** One annotation. */
export interface Annotation {
  /** When it happened, Unix milliseconds. */
  time: number;
  /** What happened, shown on the chart; 1..500 characters. */
  text: string;
  /** The component it concerns; absent means every component. */
  component?: string;
  /** What kind of event: "deploy", "config", or any short word. */
  kind: string;
}

/** An in-memory, time-ordered annotation store. */
export interface AnnotationStore {
  /** Adds one annotation (kept in time order); drops the oldest beyond the store's capacity. */
  add(annotation: Annotation): void;
  /** Annotations with startMs <= time <= endMs, oldest first, optionally for one component. */
  list(startMs: number, endMs: number, component?: string): Annotation[];
}

/** Creates a store holding at most `maxCount` annotations (default 10000). */
export function createAnnotationStore(maxCount = 10_000): AnnotationStore {
  const items: Annotation[] = [];
  return {
    add(annotation) {
      let i = items.length;
      while (i > 0 && items[i - 1]!.time > annotation.time) i--;
      items.splice(i, 0, annotation);
      if (items.length > maxCount) items.splice(0, items.length - maxCount);
    },
    list(startMs, endMs, component) {
      return items.filter(
        (a) =>
          a.time >= startMs &&
          a.time <= endMs &&
          (component === undefined || a.component === undefined || a.component === component),
      );
    },
  };
}

const postSchema = z.strictObject({
  time: z.int().min(0).optional(),
  text: z.string().min(1).max(500),
  component: z.string().min(1).max(200).optional(),
  kind: z
    .string()
    .regex(/^[a-z][a-z0-9_-]{0,31}$/, 'kind is a short lowercase word like "deploy"')
    .default('deploy'),
});

/** Largest POST body accepted, in bytes. */
const MAX_BODY_BYTES = 16 * 1024;

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
  });
  res.end(JSON.stringify(body));
}

/** Parses a time parameter: Unix milliseconds, or an RFC 3339 date. NaN when malformed. */
function parseTimeMs(text: string | null, fallback: number): number {
  if (text === null || text === '') return fallback;
  if (/^\d+$/.test(text)) return Number(text);
  return Date.parse(text);
}

async function readBody(req: IncomingMessage): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return null;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Creates the handler of /api/llmwatch/annotations. GET takes `start` and `end` (Unix ms or
 * RFC 3339; default the last 24 hours) and optional `component`, and answers
 * `{annotations:[...]}`. POST takes one annotation as JSON (`time` defaults to now, `kind` to
 * "deploy") and answers 201 with it. Bad input gets 400 with `{status:"error", error}` naming the
 * field; other methods 405. Resolves false for other paths.
 */
export function createAnnotationsHandler(
  store: AnnotationStore,
  now: () => number = Date.now,
): (req: IncomingMessage, res: ServerResponse) => Promise<boolean> {
  return async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== '/api/llmwatch/annotations') return false;

    if (req.method === 'GET') {
      const nowMs = now();
      const endMs = parseTimeMs(url.searchParams.get('end'), nowMs);
      const startMs = parseTimeMs(url.searchParams.get('start'), endMs - 86_400_000);
      if (!Number.isFinite(startMs) || !Number.isFinite(endMs) || startMs > endMs) {
        send(res, 400, {
          status: 'error',
          error: 'start and end must be Unix milliseconds or RFC 3339 dates with start <= end',
        });
        return true;
      }
      const component = url.searchParams.get('component') ?? undefined;
      send(res, 200, { annotations: store.list(startMs, endMs, component || undefined) });
      return true;
    }

    if (req.method === 'POST') {
      const text = await readBody(req);
      if (text === null) {
        send(res, 413, { status: 'error', error: `body larger than ${MAX_BODY_BYTES} bytes` });
        return true;
      }
      let raw: unknown;
      try {
        raw = JSON.parse(text);
      } catch {
        send(res, 400, { status: 'error', error: 'body must be JSON like {"text":"deployed v2"}' });
        return true;
      }
      const parsed = postSchema.safeParse(raw);
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        send(res, 400, {
          status: 'error',
          error: `${issue.path.join('.') || 'body'}: ${issue.message}`,
        });
        return true;
      }
      const { time, text: note, component, kind } = parsed.data;
      const annotation: Annotation = {
        time: time ?? now(),
        text: note,
        kind,
        ...(component ? { component } : {}),
      };
      store.add(annotation);
      send(res, 201, annotation);
      return true;
    }

    res.writeHead(405, { allow: 'GET, POST', 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify({ status: 'error', error: `method ${req.method} not allowed` }));
    return true;
  };
}
