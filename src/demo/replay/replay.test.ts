import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';

import { LlmwatchError } from '../../core/errors.js';
import { loadAzureTrace, sliceTrace, summarizeTrace } from '../trace/azure.js';
import type { TraceRequest } from '../trace/trace.js';
import { startMockOpenAi, type MockBehaviour, type MockOpenAiServer } from './mock-openai.js';
import { buildPrompt, isStreamed } from './prompt.js';
import { endpointUrl, replayTrace, type ReplayProgress } from './replay.js';
import { percentile } from './report.js';

// The mock below speaks OpenAI's wire format (chat.completion JSON and SSE chunk streams with a
// final usage chunk), counts prompt words as tokens and generates exactly max_tokens tokens.

const CODE = fileURLToPath(
  new URL('../../../test/fixtures/traces/azure_llm_inference_2023_code.csv', import.meta.url),
);

function trace(rows: Array<[arrivalMs: number, context: number, generated: number]>) {
  return rows.map(([arrivalMs, contextTokens, generatedTokens], index) => ({
    index,
    arrivalMs,
    contextTokens,
    generatedTokens,
  }));
}

describe('prompt and stream choice', () => {
  it('builds prompts of exactly the asked word count', () => {
    assert.equal(buildPrompt(0, 3), '');
    assert.equal(buildPrompt(3, 0), 'ant bee cat');
    assert.equal(buildPrompt(2, 17), 'bee cat');
    for (const words of [1, 15, 16, 17, 1000, 14050]) {
      const prompt = buildPrompt(words, words);
      assert.equal(prompt.split(' ').length, words);
      assert.equal(prompt.length, 4 * words - 1);
    }
    assert.throws(() => buildPrompt(-1, 0), RangeError);
  });

  it('streams exactly floor(n * fraction) of the first n indexes, spread evenly', () => {
    const pick = (n: number, f: number) =>
      Array.from({ length: n }, (_, i) => i).filter((i) => isStreamed(i, f));
    assert.deepEqual(pick(8, 0.5), [1, 3, 5, 7]);
    assert.deepEqual(pick(10, 0.3), [3, 6, 9]);
    assert.equal(pick(8819, 0.25).length, 2204);
    assert.equal(pick(100, 0).length, 0);
    assert.equal(pick(100, 1).length, 100);
  });

  it('resolves endpoint URLs and rejects non-http ones', () => {
    assert.equal(
      endpointUrl('http://127.0.0.1:9/', 'chat'),
      'http://127.0.0.1:9/v1/chat/completions',
    );
    assert.equal(
      endpointUrl('http://127.0.0.1:9/v1', 'completions'),
      'http://127.0.0.1:9/v1/completions',
    );
    assert.equal(
      endpointUrl('http://127.0.0.1:9/gw', 'chat'),
      'http://127.0.0.1:9/gw/v1/chat/completions',
    );
    assert.throws(() => endpointUrl('ftp://127.0.0.1', 'chat'), LlmwatchError);
    assert.throws(() => endpointUrl('not a url', 'chat'), LlmwatchError);
  });

  it('takes nearest-rank percentiles', () => {
    assert.equal(percentile([], 0.5), null);
    assert.equal(percentile([5, 1, 4, 2, 3], 0.5), 3);
    assert.equal(percentile([5, 1, 4, 2, 3], 0.99), 5);
    assert.equal(percentile([5, 1, 4, 2, 3], 0), 1);
  });
});

describe('replayTrace against a mock OpenAI-compatible server', () => {
  let mock: MockOpenAiServer;
  const behaviours = new Map<number, MockBehaviour>();
  before(async () => {
    mock = await startMockOpenAi((words) => behaviours.get(words) ?? 'ok');
  });
  after(() => mock.close());
  const reset = (): void => {
    mock.reset();
    behaviours.clear();
  };

  it('replays 200 real code-trace rows with exact prompt sizes, max_tokens and usage sums', async () => {
    reset();
    const requests = sliceTrace(loadAzureTrace(CODE), { limit: 200 });
    const summary = summarizeTrace(requests);
    const progress: ReplayProgress[] = [];
    const report = await replayTrace({
      requests,
      targetUrl: mock.url,
      model: 'azure-code',
      speedup: 800,
      onProgress: (p) => progress.push(p),
    });

    assert.equal(report.total, 200);
    assert.equal(report.sent, 200);
    assert.equal(report.succeeded, 200);
    assert.equal(report.failed, 0);
    assert.deepEqual(report.failedByStatus, {});
    assert.equal(report.streamed, 100);
    assert.equal(report.promptWords, summary.contextTokens);
    assert.equal(report.inputTokens, summary.contextTokens);
    assert.equal(report.maxTokens, summary.generatedTokens);
    assert.equal(report.outputTokens, summary.generatedTokens);
    assert.equal(report.missingUsage, 0);
    assert.equal(report.maxTokensAdjusted, 0);
    assert.equal(report.aborted, false);

    const sentPairs = requests.map((r) => `${r.contextTokens}/${r.generatedTokens}`).sort();
    const seenPairs = mock.received.map((r) => `${r.words}/${r.maxTokens}`).sort();
    assert.deepEqual(seenPairs, sentPairs);
    assert.ok(mock.received.every((r) => r.path === '/v1/chat/completions'));
    assert.ok(mock.received.every((r) => r.model === 'azure-code'));
    assert.equal(mock.received.filter((r) => r.stream && r.includeUsage).length, 100);

    for (const [i, record] of report.records.entries()) {
      const row = requests[i];
      assert.equal(record.index, i);
      assert.equal(record.stream, i % 2 === 1);
      assert.equal(record.inputTokens, row?.contextTokens);
      assert.equal(record.outputTokens, row?.generatedTokens);
      if (record.stream) {
        assert.equal(record.contentChunks, row?.generatedTokens);
        assert.equal(typeof record.ttftMs, 'number');
      } else {
        assert.equal(record.ttftMs, undefined);
      }
      assert.equal(record.scheduledMs, (row?.arrivalMs ?? 0) / 800);
    }

    const last = progress[progress.length - 1];
    assert.deepEqual(last && { ...last, elapsedMs: 0 }, {
      total: 200,
      sent: 200,
      completed: 200,
      failed: 0,
      inFlight: 0,
      elapsedMs: 0,
    });
  });

  it('sends in arrival order on the trace schedule divided by speedup', async () => {
    reset();
    // Distinct prompt sizes identify requests; 100 ms of trace apart, 50 ms after speedup 2.
    const requests = trace(Array.from({ length: 8 }, (_, i) => [i * 100, i + 1, 2]));
    const report = await replayTrace({
      requests,
      targetUrl: `${mock.url}/v1/`,
      model: 'm',
      speedup: 2,
      streamFraction: 0,
    });

    assert.deepEqual(
      mock.received.map((r) => r.words),
      [1, 2, 3, 4, 5, 6, 7, 8],
    );
    assert.deepEqual(
      report.records.map((r) => r.scheduledMs),
      [0, 50, 100, 150, 200, 250, 300, 350],
    );
    // The replay re-checks the clock after each timer, so nothing is sent a millisecond early.
    for (const record of report.records) assert.ok(record.sentMs >= record.scheduledMs - 1);
    assert.equal(report.streamed, 0);
    assert.equal(report.targetRatePerSecond, 8 / 0.35);
  });

  it('counts failures by status and keeps token sums to successful requests', async () => {
    reset();
    behaviours.set(7, { status: 500 });
    behaviours.set(8, { status: 429 });
    behaviours.set(9, 'reset');
    behaviours.set(10, 'truncate');
    behaviours.set(11, 'stream_error');
    // Failures are injected by prompt size: index 6 (7 words) -> 500, 7 -> 429, 8 -> reset,
    // 9 (streams: odd index) -> stream without [DONE], 11 (streams) -> error event in the stream.
    const rows: Array<[number, number, number]> = [
      [0, 1, 3],
      [1, 2, 0],
      [2, 3, 4],
      [3, 4, 5],
      [4, 5, 6],
      [5, 6, 7],
      [6, 7, 8],
      [7, 8, 9],
      [8, 9, 10],
      [9, 10, 11],
      [10, 12, 1],
      [11, 11, 2],
    ];
    const report = await replayTrace({
      requests: trace(rows),
      targetUrl: mock.url,
      model: 'm',
      speedup: 1,
      api: 'completions',
    });

    assert.equal(report.sent, 12);
    assert.equal(report.succeeded, 7);
    assert.equal(report.failed, 5);
    assert.deepEqual(report.failedByStatus, {
      '500': 1,
      '429': 1,
      error: 1,
      protocol: 1,
      stream_error: 1,
    });
    assert.deepEqual(
      report.records.map((r) => r.status),
      [200, 200, 200, 200, 200, 200, 500, 429, 'error', 'protocol', 200, 'stream_error'],
    );
    // Successful: indexes 0-5 and 10: words 1+2+3+4+5+6+12, max_tokens 3+1+4+5+6+7+1.
    assert.equal(report.inputTokens, 33);
    assert.equal(report.outputTokens, 27);
    assert.equal(report.promptWords, 78);
    assert.equal(report.maxTokens, 3 + 1 + 4 + 5 + 6 + 7 + 8 + 9 + 10 + 11 + 1 + 2);
    assert.equal(report.maxTokensAdjusted, 1);
    assert.equal(report.records[1]?.maxTokensAdjusted, true);
    assert.equal(mock.received.find((r) => r.words === 2)?.maxTokens, 1);
    assert.ok(mock.received.every((r) => r.path === '/v1/completions'));
  });

  it('holds arrivals beyond maxInFlight and reports how many waited', async () => {
    reset();
    // All five arrive at once; prompt size w answers after 100*w ms, so with 2 slots: 1 and 2
    // go, 3 waits for 1 (100 ms), 4 waits for 2 (200 ms), 5 waits for 3 (400 ms).
    for (let w = 1; w <= 5; w += 1) behaviours.set(w, { delayMs: 100 * w });
    const report = await replayTrace({
      requests: trace(Array.from({ length: 5 }, (_, i) => [0, i + 1, 1])),
      targetUrl: mock.url,
      model: 'm',
      speedup: 1,
      maxInFlight: 2,
    });
    assert.equal(report.succeeded, 5);
    assert.equal(report.waitedForSlot, 3);
    assert.equal(mock.peakConcurrent, 2);
    assert.deepEqual(
      mock.received.map((r) => r.words),
      [1, 2, 3, 4, 5],
    );
    assert.ok(report.maxScheduleLagMs >= 390, `lag ${report.maxScheduleLagMs}`);
  });

  it('records a request past timeoutMs as timeout', async () => {
    reset();
    behaviours.set(3, 'hang');
    const report = await replayTrace({
      requests: trace([
        [0, 3, 1],
        [0, 4, 1],
      ]),
      targetUrl: mock.url,
      model: 'm',
      speedup: 1,
      timeoutMs: 200,
    });
    assert.deepEqual(
      report.records.map((r) => r.status),
      ['timeout', 200],
    );
  });

  it('stops sending when aborted and reports what was sent', async () => {
    reset();
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const report = await replayTrace({
      requests: trace([
        [0, 1, 1],
        [60_000, 2, 1],
        [120_000, 3, 1],
      ]),
      targetUrl: mock.url,
      model: 'm',
      speedup: 1,
      signal: controller.signal,
    });
    assert.equal(report.aborted, true);
    assert.equal(report.total, 3);
    assert.equal(report.sent, 1);
    assert.equal(report.succeeded, 1);
    assert.equal(mock.received.length, 1);
  });

  it('rejects bad options before sending anything', async () => {
    const base = { requests: [] as TraceRequest[], targetUrl: mock.url, model: 'm', speedup: 1 };
    for (const bad of [
      { speedup: 0 },
      { streamFraction: 1.5 },
      { maxInFlight: 0 },
      { targetUrl: 'nope' },
      { model: '' },
    ]) {
      await assert.rejects(
        replayTrace({ ...base, ...bad }),
        (err: unknown) => err instanceof LlmwatchError && err.code === 'replay_invalid_option',
      );
    }
  });
});
