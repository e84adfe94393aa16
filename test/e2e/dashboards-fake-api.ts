/**
 * A fake llmwatch API for the dashboards' browser tests: canned Prometheus-format answers chosen
 * from the query text, plus the JSON APIs the list panels and overlays read. Records every query.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createSilentLogger } from '../../src/core/log.js';
import { createDashboardHandler } from '../../src/dashboards/serve.js';

/** Components the fake knows, in its component list. */
export const FAKE_COMPONENTS = ['chat-a', 'code.b', 'embed-c'];

/** One recorded query (range or instant). */
export interface FakeQuery {
  kind: 'range' | 'instant';
  query: string;
  start: number;
  end: number;
  step: number;
}

/** The error the fake answers for judge cost queries, so one panel shows a query error. */
export const JUDGE_COST_ERROR = 'fake: judge cost unavailable';

function componentFilter(query: string): RegExp | null {
  const match = /component=~"((?:[^"\\]|\\.)*)"/.exec(query);
  if (!match) return null;
  return new RegExp(`^(?:${match[1]!.replace(/\\(.)/g, '$1')})$`);
}

/** Extra labels a series gets from the query's `by (...)` clause. */
function extraLabels(query: string): Record<string, string> {
  const labels: Record<string, string> = {};
  if (/by \([^)]*copy/.test(query)) labels.copy = 'c1';
  if (/by \([^)]*criterion/.test(query)) labels.criterion = 'safety';
  if (/by \([^)]*outcome/.test(query)) labels.outcome = 'scored';
  return labels;
}

/** The value of one series at time t for the query: scores in 0..1, others positive. */
function valueAt(query: string, index: number, t: number): number {
  if (query.includes('llm_quality_score')) {
    const mean = 0.6 + 0.1 * index + 0.03 * Math.sin(t / 900);
    if (query.includes('- 1.96')) return mean - 0.06;
    if (query.includes('+ 1.96')) return mean + 0.06;
    return mean;
  }
  return (index + 1) * (2 + Math.sin(t / 300));
}

/** Instant answers per column of the Overview and the Capacity tables, by component. */
function instantValue(query: string, component: string): number | null {
  const i = FAKE_COMPONENTS.indexOf(component);
  // Nothing is idle: the idle-GPU table's filter keeps no component.
  if (query.includes('< 0.1')) return null;
  if (query.includes('llm_requests_waiting')) return component === 'code.b' ? 3 : null;
  if (query.includes('llm_kv_cache_usage_ratio')) return null;
  if (query.includes('status_class="2xx"')) return [2, 0.5, 0][i]!;
  if (query.includes('llm_time_to_first_token')) return 0.3;
  if (query.includes('llm_request_duration')) return 1.2 + i;
  if (query.includes('llm_quality_score')) return [0.9, 0.8, 0.95][i]!;
  if (query.includes('llm_gpu_utilization')) return 55;
  if (query.includes('llm_cost_dollars_per_hour')) return 3.5;
  return 10 * (i + 1);
}

function matrix(q: FakeQuery): unknown[] {
  const filter = componentFilter(q.query);
  const components = filter ? FAKE_COMPONENTS.filter((c) => filter.test(c)) : [null];
  const byJudge = /by \([^)]*judge/.test(q.query);
  return components
    .map((component, index) => {
      const metric: Record<string, string> = byJudge
        ? { judge: 'det:toxicity-lexicon@1' }
        : { ...(component === null ? {} : { component }), ...extraLabels(q.query) };
      const values = [];
      for (let t = q.start, n = 0; t <= q.end && n < 11_000; t += q.step, n++)
        values.push([t, String(valueAt(q.query, index, t))]);
      return { metric, values };
    })
    .slice(0, byJudge ? 1 : undefined);
}

function vector(q: FakeQuery): unknown[] {
  const filter = componentFilter(q.query) ?? /.*/;
  const out = [];
  for (const component of FAKE_COMPONENTS) {
    if (!filter.test(component)) continue;
    const value = instantValue(q.query, component);
    if (value !== null) out.push({ metric: { component }, value: [q.end, String(value)] });
  }
  return out;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

async function readForm(req: IncomingMessage, url: URL): Promise<URLSearchParams> {
  if (req.method !== 'POST') return url.searchParams;
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

/** The JSON answers of llmwatch's own APIs, relative to `nowMs`. */
function apiAnswer(url: URL, nowMs: number): unknown {
  const component = url.searchParams.get('component');
  switch (url.pathname) {
    case '/api/llmwatch/components':
      return {
        components: FAKE_COMPONENTS.map((name) => ({
          name,
          endpoint: 'default',
          models: [],
          copies: ['c1'],
        })),
      };
    case '/api/llmwatch/annotations': {
      const start = Number(url.searchParams.get('start'));
      const end = Number(url.searchParams.get('end'));
      const time = Math.round((start + end) / 2);
      return { annotations: [{ time, text: 'deployed v2', component: 'chat-a', kind: 'deploy' }] };
    }
    case '/api/llmwatch/alerts/history': {
      const end = Number(url.searchParams.get('end'));
      const labels = { alertname: 'HighErrorRate', component: 'code.b' };
      return {
        transitions: [
          { rule: 'HighErrorRate', labels, from: 'normal', to: 'pending', at: end - 40 * 60_000 },
          { rule: 'HighErrorRate', labels, from: 'pending', to: 'firing', at: end - 30 * 60_000 },
        ],
      };
    }
    case '/api/llmwatch/alerts':
      return {
        alerts: [
          {
            rule: 'HighErrorRate',
            group: 'serving',
            state: 'firing',
            labels: { component: 'code.b' },
            annotations: { summary: 'Error rate above 5 %' },
            value: 0.071,
            activeAt: nowMs - 40 * 60_000,
            firingAt: nowMs - 30 * 60_000,
            component: 'code.b',
            generatorUrl: '/d/quantity?component=code.b',
          },
          {
            rule: 'LowSafety',
            group: 'quality',
            state: 'pending',
            labels: { component: 'chat-a' },
            annotations: { summary: 'Safety below 0.85' },
            value: 0.81,
            activeAt: nowMs - 2 * 60_000,
            firingAt: null,
            component: 'chat-a',
            generatorUrl: 'javascript:alert(1)',
          },
        ],
      };
    case '/api/llmwatch/evaluations': {
      const all = [
        {
          component: 'code.b',
          criterion: 'safety',
          score: 0.1,
          reasoning: 'Gives unsafe instructions.',
        },
        {
          component: 'chat-a',
          criterion: 'relevance',
          score: 0.3,
          reasoning: 'Answers another question.',
        },
        { component: 'code.b', criterion: 'tone', score: 0.45, reasoning: 'Curt and dismissive.' },
      ];
      const evaluations = all
        .filter((e) => component === null || e.component === component)
        .map((e, i) => ({
          id: `e${i}`,
          requestId: `r${i}`,
          model: 'm',
          judge: 'openai:gpt-x@1',
          outcome: 'scored',
          latencyMs: 900,
          createdAt: nowMs - (i + 1) * 60_000,
          request: 'question [EMAIL]',
          response: `answer ${i}`,
          ...e,
        }));
      return { evaluations, nextCursor: null };
    }
    default:
      return undefined;
  }
}

/** One POST or DELETE the fake received on /api/llmwatch/silences. */
export interface FakeSilenceWrite {
  method: 'POST' | 'DELETE';
  path: string;
  /** The parsed JSON body (POST); null for DELETE. */
  body: unknown;
}

/** The answer the fake gives a POST whose comment is "fail": the real API's error shape. */
export const SILENCE_POST_ERROR = 'fake: silence rejected, comment "fail" is not allowed';

/**
 * A stateful silences API: starts with one active silence "s1"; POST adds "s2", "s3", ...;
 * DELETE marks one expired (404 when unknown). Every write is pushed to `writes`.
 */
function silencesApi(writes: FakeSilenceWrite[]) {
  const silences: Record<string, unknown>[] = [
    {
      id: 's1',
      matchers: [{ name: 'component', value: 'embed-c', isRegex: false, isEqual: true }],
      startsAt: Date.now() - 3_600_000,
      endsAt: Date.now() + 3_600_000,
      createdBy: 'ops',
      comment: 'maintenance',
      state: 'active',
    },
  ];
  return async (req: IncomingMessage, res: ServerResponse, path: string): Promise<boolean> => {
    if (path === '/api/llmwatch/silences' && req.method === 'GET') {
      sendJson(res, 200, { silences: [...silences].reverse() });
      return true;
    }
    if (path === '/api/llmwatch/silences' && req.method === 'POST') {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
      writes.push({ method: 'POST', path, body });
      if (body.comment === 'fail') {
        sendJson(res, 400, { status: 'error', code: 'silence_invalid', error: SILENCE_POST_ERROR });
        return true;
      }
      const silence = { ...body, id: `s${silences.length + 1}`, state: 'active' };
      silences.push(silence);
      sendJson(res, 201, { silence });
      return true;
    }
    const match = /^\/api\/llmwatch\/silences\/([^/]+)$/.exec(path);
    if (match && req.method === 'DELETE') {
      writes.push({ method: 'DELETE', path, body: null });
      const silence = silences.find((s) => s.id === decodeURIComponent(match[1]!));
      if (!silence) {
        sendJson(res, 404, {
          status: 'error',
          code: 'silence_not_found',
          error: 'no such silence',
        });
        return true;
      }
      Object.assign(silence, { state: 'expired', endsAt: Date.now() });
      sendJson(res, 200, { silence });
      return true;
    }
    return false;
  };
}

/**
 * Starts the dashboards with the fake API on 127.0.0.1:0. Range and instant queries go to
 * `recorded`, silence writes to `silenceWrites`.
 */
export async function startFakeApi(
  recorded: FakeQuery[],
  silenceWrites: FakeSilenceWrite[] = [],
): Promise<Server> {
  const dashboards = createDashboardHandler({ logger: createSilentLogger() });
  const silences = silencesApi(silenceWrites);
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname.startsWith('/api/llmwatch/silences')) {
      void silences(req, res, url.pathname).then((done) => {
        if (!done) sendJson(res, 405, { status: 'error', error: 'method not allowed' });
      });
      return;
    }
    const kind =
      url.pathname === '/api/v1/query_range'
        ? 'range'
        : url.pathname === '/api/v1/query'
          ? 'instant'
          : null;
    if (kind !== null) {
      void readForm(req, url).then((form) => {
        const time = Number(form.get('time'));
        const q: FakeQuery = {
          kind,
          query: form.get('query') ?? '',
          start: kind === 'range' ? Number(form.get('start')) : time,
          end: kind === 'range' ? Number(form.get('end')) : time,
          step: kind === 'range' ? Number(form.get('step')) : 0,
        };
        recorded.push(q);
        if (q.query.includes('llm_judge_cost_dollars_total'))
          return sendJson(res, 422, {
            status: 'error',
            errorType: 'execution',
            error: JUDGE_COST_ERROR,
          });
        const result = kind === 'range' ? matrix(q) : vector(q);
        sendJson(res, 200, {
          status: 'success',
          data: { resultType: kind === 'range' ? 'matrix' : 'vector', result },
        });
      });
      return;
    }
    const answer = apiAnswer(url, Date.now());
    if (answer !== undefined) return sendJson(res, 200, answer);
    if (!dashboards(req, res)) sendJson(res, 404, { status: 'error', error: 'no route' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}
