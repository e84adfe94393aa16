import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';

import { LlmwatchError } from '../../core/errors.js';
import { loadAzureTrace, parseAzureTrace, sliceTrace, summarizeTrace } from './azure.js';

const fixture = (name: string): string =>
  fileURLToPath(new URL(`../../../test/fixtures/traces/${name}`, import.meta.url));
const CODE = fixture('azure_llm_inference_2023_code.csv');
const CONV = fixture('azure_llm_inference_2023_conv.csv');

/** Sums the token columns with a plain split, independently of the parser under test. */
function naiveSums(path: string): { rows: number; context: number; generated: number } {
  const lines = readFileSync(path, 'utf8').split('\n').slice(1);
  let context = 0;
  let generated = 0;
  for (const line of lines) {
    const parts = line.split(',');
    context += parseInt(parts[1] ?? '', 10);
    generated += parseInt(parts[2] ?? '', 10);
  }
  return { rows: lines.length, context, generated };
}

function expectInvalid(text: string, message: string): void {
  assert.throws(
    () => parseAzureTrace(text, 'bad.csv'),
    (err: unknown) => {
      assert.ok(err instanceof LlmwatchError);
      assert.equal(err.code, 'trace_invalid');
      assert.equal(err.message, message);
      return true;
    },
  );
}

const HEADER = 'TIMESTAMP,ContextTokens,GeneratedTokens';

describe('loadAzureTrace on the real fixtures', () => {
  it('reads every row of the code trace with exact sums and arrival times', () => {
    const requests = loadAzureTrace(CODE);
    const naive = naiveSums(CODE);
    assert.equal(requests.length, 8819);
    assert.equal(naive.rows, 8819);
    const summary = summarizeTrace(requests);
    assert.equal(summary.contextTokens, naive.context);
    assert.equal(summary.generatedTokens, naive.generated);
    assert.equal(summary.contextTokens, 18059974);
    assert.equal(summary.generatedTokens, 245896);
    assert.equal(summary.zeroGeneratedCount, 0);
    assert.deepEqual(requests[0], {
      index: 0,
      arrivalMs: 0,
      contextTokens: 4808,
      generatedTokens: 10,
    });
    // 18:17:04.4249540 - 18:17:03.9799600
    assert.equal(requests[4]?.arrivalMs, 444.994);
    // 19:14:19.9280160 - 18:17:03.9799600
    assert.deepEqual(requests[8818], {
      index: 8818,
      arrivalMs: 3435948.056,
      contextTokens: 549,
      generatedTokens: 173,
    });
    assert.equal(summary.durationMs, 3435948.056);
  });

  it('reads every row of the conversation trace with exact sums and arrival times', () => {
    const requests = loadAzureTrace(CONV);
    const naive = naiveSums(CONV);
    assert.equal(requests.length, 19366);
    assert.equal(naive.rows, 19366);
    const summary = summarizeTrace(requests);
    assert.equal(summary.count, 19366);
    assert.equal(summary.contextTokens, naive.context);
    assert.equal(summary.generatedTokens, naive.generated);
    assert.equal(summary.contextTokens, 22361870);
    assert.equal(summary.generatedTokens, 4088665);
    assert.equal(summary.zeroGeneratedCount, 0);
    assert.equal(requests[0]?.arrivalMs, 0);
    // 19:14:08.4025270 - 18:15:46.6805900
    assert.equal(requests[19365]?.arrivalMs, 3501721.937);
    assert.equal(requests[19365]?.generatedTokens, 183);
    for (let i = 1; i < requests.length; i += 1) {
      assert.ok((requests[i]?.arrivalMs ?? 0) >= (requests[i - 1]?.arrivalMs ?? 0));
    }
  });

  it('reports an unreadable file with its path', () => {
    assert.throws(
      () => loadAzureTrace('/nonexistent/trace.csv'),
      (err: unknown) =>
        err instanceof LlmwatchError &&
        err.code === 'trace_unreadable' &&
        err.message.includes('"/nonexistent/trace.csv"'),
    );
  });
});

describe('parseAzureTrace', () => {
  it('keeps sub-millisecond precision and accepts LF, a BOM, fewer digits and a final newline', () => {
    const text = `\uFEFF${HEADER}\n2023-11-16 23:59:59.9999999,1,0\n2023-11-17 00:00:00.0000001,2,3\n2023-11-17 00:00:01,4,5\n`;
    assert.deepEqual(parseAzureTrace(text, 'ok.csv'), [
      { index: 0, arrivalMs: 0, contextTokens: 1, generatedTokens: 0 },
      { index: 1, arrivalMs: 0.0002, contextTokens: 2, generatedTokens: 3 },
      { index: 2, arrivalMs: 1000.0001, contextTokens: 4, generatedTokens: 5 },
    ]);
  });

  it('returns no requests for a header-only file', () => {
    assert.deepEqual(parseAzureTrace(`${HEADER}\r\n`, 'empty.csv'), []);
  });

  const cases: Array<[string, string, string]> = [
    [
      'wrong header',
      'time,ctx,gen\n2023-11-16 18:17:03.9799600,1,2',
      'trace bad.csv:1:1: expected the header "TIMESTAMP,ContextTokens,GeneratedTokens", got "time,ctx,gen"',
    ],
    [
      'too few fields',
      `${HEADER}\r\n2023-11-16 18:17:03.9799600,1,2\r\n2023-11-16 18:17:04.0000000,5`,
      'trace bad.csv:3:1: expected 3 comma-separated fields (TIMESTAMP,ContextTokens,GeneratedTokens), got 2',
    ],
    [
      'impossible date',
      `${HEADER}\n2023-02-30 18:17:03.9799600,1,2`,
      'trace bad.csv:2:1: TIMESTAMP must look like "2023-11-16 18:17:03.9799600" (UTC, a real date), got "2023-02-30 18:17:03.9799600"',
    ],
    [
      'time zone suffix',
      `${HEADER}\n2023-11-16 18:17:03.9799600Z,1,2`,
      'trace bad.csv:2:1: TIMESTAMP must look like "2023-11-16 18:17:03.9799600" (UTC, a real date), got "2023-11-16 18:17:03.9799600Z"',
    ],
    [
      'decreasing time',
      `${HEADER}\n2023-11-16 18:17:03.9799600,1,2\n2023-11-16 18:17:03.9799599,1,2`,
      'trace bad.csv:3:1: TIMESTAMP "2023-11-16 18:17:03.9799599" is earlier than the row before it; sort the file by TIMESTAMP',
    ],
    [
      'non-integer context',
      `${HEADER}\n2023-11-16 18:17:03.9799600,1.5,2`,
      'trace bad.csv:2:29: ContextTokens must be an integer from 0 to 10000000, got "1.5"',
    ],
    [
      'negative generated',
      `${HEADER}\n2023-11-16 18:17:03.9799600,1,2\n2023-11-16 18:17:04.9799600,12,-2`,
      'trace bad.csv:3:32: GeneratedTokens must be an integer from 0 to 10000000, got "-2"',
    ],
    [
      'huge count',
      `${HEADER}\n2023-11-16 18:17:03.9799600,99999999999,2`,
      'trace bad.csv:2:29: ContextTokens must be an integer from 0 to 10000000, got "99999999999"',
    ],
  ];
  for (const [name, text, message] of cases) {
    it(`rejects ${name} with file, line and column`, () => expectInvalid(text, message));
  }
});

describe('sliceTrace', () => {
  const requests = [0, 10.5, 20, 35.25, 50].map((arrivalMs, index) => ({
    index,
    arrivalMs,
    contextTokens: index + 1,
    generatedTokens: 2 * index,
  }));

  it('cuts a time window, re-bases arrivals and keeps the original index', () => {
    assert.deepEqual(sliceTrace(requests, { fromMs: 10, toMs: 50 }), [
      { index: 1, arrivalMs: 0, contextTokens: 2, generatedTokens: 2 },
      { index: 2, arrivalMs: 9.5, contextTokens: 3, generatedTokens: 4 },
      { index: 3, arrivalMs: 24.75, contextTokens: 4, generatedTokens: 6 },
    ]);
  });

  it('applies the limit after the window', () => {
    assert.deepEqual(
      sliceTrace(requests, { fromMs: 20, limit: 2 }).map((r) => [r.index, r.arrivalMs]),
      [
        [2, 0],
        [3, 15.25],
      ],
    );
    assert.deepEqual(sliceTrace(requests, { limit: 0 }), []);
    assert.equal(summarizeTrace(sliceTrace(requests, { limit: 3 })).contextTokens, 6);
  });

  it('rejects bad options', () => {
    for (const options of [{ limit: -1 }, { limit: 1.5 }, { fromMs: 5, toMs: 1 }, { toMs: NaN }]) {
      assert.throws(
        () => sliceTrace(requests, options),
        (err: unknown) => err instanceof LlmwatchError && err.code === 'trace_slice_invalid',
      );
    }
  });

  it('summarises an empty trace as zeros', () => {
    assert.deepEqual(summarizeTrace([]), {
      count: 0,
      contextTokens: 0,
      generatedTokens: 0,
      durationMs: 0,
      zeroGeneratedCount: 0,
    });
  });
});
