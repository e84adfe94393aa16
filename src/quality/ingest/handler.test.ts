// POST /api/llmwatch/pairs over a real HTTP server (127.0.0.1, port 0) into a real queue.
// The data-capture lines below were written by hand for this test from the documented
// SageMaker capture format (captureData.endpointInput/endpointOutput with observedContentType,
// mode, data and encoding JSON or BASE64; eventMetadata.eventId and inferenceTime).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSilentLogger } from '../../core/log.js';
import { createMetricRegistry } from '../../ingest/registry.js';
import { sendRaw } from '../../gateway/harness.js';
import { createQualityPipeline, type QualityPipeline } from '../pipeline/pipeline.js';
import { lengthEvaluator, tempDbPath, testConfig } from '../pipeline/test-helpers.js';
import { createPairsIngestHandler } from './handler.js';

let pipeline: QualityPipeline;
let server: Server;
let url: string;

before(async () => {
  pipeline = createQualityPipeline({
    config: testConfig(),
    evaluators: [lengthEvaluator()],
    registry: createMetricRegistry(),
    logger: createSilentLogger(),
    dbPath: tempDbPath(),
  });
  const handle = createPairsIngestHandler({
    ingest: pipeline.ingest,
    logger: createSilentLogger(),
    maxBodyBytes: 4096,
  });
  server = createServer((req, res) => {
    void handle(req, res).then((handled) => {
      if (!handled) {
        res.writeHead(404);
        res.end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await pipeline.stop();
});

const post = (path: string, body: string) =>
  sendRaw(url, 'POST', path, body, { 'content-type': 'application/x-ndjson' });

function captureLine(eventId: string, input: unknown, output: unknown, base64: boolean): string {
  const side = (mode: string, value: unknown) => ({
    observedContentType: 'application/json',
    mode,
    data: base64 ? Buffer.from(JSON.stringify(value)).toString('base64') : JSON.stringify(value),
    encoding: base64 ? 'BASE64' : 'JSON',
  });
  return JSON.stringify({
    captureData: { endpointInput: side('INPUT', input), endpointOutput: side('OUTPUT', output) },
    eventMetadata: { eventId, inferenceTime: '2026-02-19T01:34:30Z' },
    eventVersion: '0',
  });
}

test('native JSONL and JSON array pairs are enqueued, then 202; duplicates reported', async () => {
  const lines = [
    {
      requestId: 'n1',
      component: 'qwen',
      request: { messages: [{ role: 'user', content: 'hi' }] },
      response: { text: 'hello' },
      timestamp: 1_700_000_000_000,
    },
    {
      requestId: 'n2',
      component: 'qwen',
      model: 'q7',
      request: { prompt: 'p' },
      response: { choices: [{ message: { content: 'yo' }, finish_reason: 'stop' }] },
    },
    {
      requestId: 'n3',
      component: 'qwen',
      request: { prompt: 'call a tool' },
      // Only tool calls, no text: nothing to judge, so skipped rather than an error.
      response: {
        choices: [
          { message: { content: null, tool_calls: [{ id: 't' }] }, finish_reason: 'tool_calls' },
        ],
      },
    },
  ];
  const reply = await post(
    '/api/llmwatch/pairs',
    lines.map((l) => JSON.stringify(l)).join('\n') + '\n',
  );
  assert.equal(reply.status, 202);
  assert.deepEqual(JSON.parse(reply.body), { accepted: 2, duplicates: 0, skipped: 1 });
  assert.deepEqual(pipeline.counts(), { pending: 2, leased: 0, done: 0 });
  const again = await post('/api/llmwatch/pairs', JSON.stringify(lines));
  assert.deepEqual(JSON.parse(again.body), { accepted: 0, duplicates: 2, skipped: 1 });
  const row = pipeline.db
    .prepare("SELECT model, finish_reason, created_at_ms FROM pairs WHERE request_id = 'n2'")
    .get();
  assert.equal((row as { model: string }).model, 'q7');
  assert.equal((row as { finish_reason: string }).finish_reason, 'stop');
});

test('SageMaker data-capture lines (JSON and BASE64), error captures skipped', async () => {
  const body = [
    captureLine(
      'ev-1',
      { inputs: 'What is ML?', parameters: { max_new_tokens: 8 } },
      { generated_text: ' Machine learning.' },
      false,
    ),
    captureLine('ev-2', { inputs: 'Mail a@b.co' }, [{ generated_text: 'ok' }], true),
    JSON.stringify({
      captureData: {
        endpointInput: { data: '{}', encoding: 'JSON' },
        endpointOutput: { observedContentType: null, data: '' },
      },
    }),
  ].join('\n');
  const reply = await post('/api/llmwatch/pairs?component=tgi&model=llama-3', body);
  assert.equal(reply.status, 202, reply.body);
  assert.deepEqual(JSON.parse(reply.body), { accepted: 2, duplicates: 0, skipped: 1 });
  const rows = pipeline.db
    .prepare(
      "SELECT request_id, component, model, request_json, response_text, created_at_ms FROM pairs WHERE component = 'tgi' ORDER BY id",
    )
    .all();
  assert.deepEqual(rows, [
    {
      request_id: 'ev-1',
      component: 'tgi',
      model: 'llama-3',
      request_json: '{"inputs":"What is ML?","parameters":{"max_new_tokens":8}}',
      response_text: ' Machine learning.',
      created_at_ms: Date.parse('2026-02-19T01:34:30Z'),
    },
    {
      request_id: 'ev-2',
      component: 'tgi',
      model: 'llama-3',
      request_json: '{"inputs":"Mail [EMAIL]"}',
      response_text: 'ok',
      created_at_ms: Date.parse('2026-02-19T01:34:30Z'),
    },
  ]);
});

test('bad input: 400 naming line and field, nothing enqueued; size, method, path', async () => {
  const before = pipeline.counts().pending;
  const good = JSON.stringify({
    component: 'qwen',
    requestId: 'b1',
    request: { prompt: 'p' },
    response: { text: 't' },
  });
  const cases: Array<[string, string, RegExp]> = [
    [
      '/api/llmwatch/pairs',
      `${good}\n{"component":"qwen","request":{"prompt":"p"},"response":{}}`,
      /^line 2: response must have "text"/,
    ],
    ['/api/llmwatch/pairs', `${good}\n\nnot json`, /^line 3: is not valid JSON/],
    [
      '/api/llmwatch/pairs',
      '[{"request":{"prompt":"p"},"response":{"text":"t"}}]',
      /^item 0: component must be a non-empty string/,
    ],
    [
      '/api/llmwatch/pairs',
      '{"component":"c","request":{"foo":1},"response":{"text":"t"}}',
      /^line 1: request must have "messages"/,
    ],
    [
      '/api/llmwatch/pairs',
      captureLine('e', { inputs: 'x' }, { generated_text: 'y' }, false),
      /^line 1: component must be/,
    ],
    [
      '/api/llmwatch/pairs?component=c',
      captureLine('e', { inputs: 'x' }, { foo: 'y' }, false),
      /^line 1: captureData.endpointOutput.data holds no generated_text/,
    ],
    [
      '/api/llmwatch/pairs?component=c',
      captureLine('e', { inputs: 'x' }, { generated_text: 'y' }, true).replace(
        /"data":"([^"]*)","encoding":"BASE64"\}\}/,
        '"data":"not base64!","encoding":"BASE64"}}',
      ),
      /^line 1: captureData.endpointOutput.data is not valid base64/,
    ],
    [
      '/api/llmwatch/pairs',
      '{"component":"c","request":{"prompt":"p"},"response":{"text":"t"},"timestamp":"soon"}',
      /^line 1: timestamp must be Unix ms or an RFC3339 time/,
    ],
    ['/api/llmwatch/pairs', '   ', /^body: is empty/],
    [
      '/api/llmwatch/pairs',
      '{"component":"a\\"b{c}","request":{"prompt":"p"},"response":{"text":"t"}}',
      /^line 1: component "a\\"b\{c\}" may only use letters, digits/,
    ],
    [
      '/api/llmwatch/pairs',
      '{"component":"c","request":{"prompt":"p"},"response":{"text":"t"},"timestamp":"9999-12-31T00:00:00Z"}',
      /^line 1: timestamp 9999-12-31T00:00:00.000Z is more than a day in the future/,
    ],
  ];
  for (const [path, body, message] of cases) {
    const reply = await post(path, body);
    assert.equal(reply.status, 400, body);
    const error = (JSON.parse(reply.body) as { error: { code: string; message: string } }).error;
    assert.equal(error.code, 'pairs_invalid');
    assert.match(error.message, message);
  }
  assert.equal(pipeline.counts().pending, before);
  assert.equal((await post('/api/llmwatch/pairs', 'x'.repeat(5000))).status, 413);
  assert.equal((await sendRaw(url, 'GET', '/api/llmwatch/pairs')).status, 405);
  assert.equal((await post('/api/llmwatch/other', good)).status, 404);
});
