import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';

import { loadAzureTrace, sliceTrace, summarizeTrace } from '../trace/azure.js';
import { REPLAY_EXIT, runReplayCommand } from './command.js';
import { startMockOpenAi, type MockOpenAiServer } from './mock-openai.js';

// The mock speaks OpenAI's wire format (see mock-openai.ts); it fails every request whose prompt
// has exactly 999 words, which the "all failed" case uses.

const CODE = fileURLToPath(
  new URL('../../../test/fixtures/traces/azure_llm_inference_2023_code.csv', import.meta.url),
);
const HEADER = 'TIMESTAMP,ContextTokens,GeneratedTokens';

class Capture extends Writable {
  text = '';
  constructor(readonly isTTY = false) {
    super();
  }
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

/** A loopback port with nothing listening: bound once, then released. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('runReplayCommand', () => {
  let mock: MockOpenAiServer;
  let dir: string;
  before(async () => {
    mock = await startMockOpenAi((words) => (words === 999 ? { status: 500 } : 'ok'));
    dir = mkdtempSync(join(tmpdir(), 'llmwatch-replay-'));
  });
  after(async () => {
    await mock.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('exits 2 and names file, line and column for an invalid trace', async () => {
    const file = join(dir, 'bad.csv');
    writeFileSync(file, `${HEADER}\n2023-11-16 18:17:03.9799600,12,x\n`);
    const out = new Capture();
    const code = await runReplayCommand({ file, target: mock.url, model: 'm', speedup: 1 }, out);
    assert.equal(code, REPLAY_EXIT.invalidInput);
    assert.equal(
      out.text,
      `trace ${file}:2:32: GeneratedTokens must be an integer from 0 to 10000000, got "x"\n`,
    );
    assert.equal(mock.received.length, 0);
  });

  it('exits 2 for a missing file, with a JSON error in --json mode', async () => {
    const out = new Capture();
    const file = join(dir, 'missing.csv');
    const code = await runReplayCommand(
      { file, target: mock.url, model: 'm', speedup: 1, json: true },
      out,
    );
    assert.equal(code, REPLAY_EXIT.invalidInput);
    const parsed = JSON.parse(out.text) as { error: { code: string; message: string } };
    assert.equal(parsed.error.code, 'trace_unreadable');
    assert.ok(parsed.error.message.includes(file));
  });

  it('exits 3 naming the URL and the fix when nothing listens at the target', async () => {
    const target = `http://127.0.0.1:${await freePort()}`;
    const out = new Capture();
    const code = await runReplayCommand({ file: CODE, target, model: 'm', speedup: 1 }, out);
    assert.equal(code, REPLAY_EXIT.unreachable);
    assert.match(out.text, /^replay: cannot reach the target "http:\/\/127\.0\.0\.1:\d+" \(/);
    assert.ok(out.text.includes(target));
    assert.ok(out.text.includes('start the llmwatch gateway there, or pass its address'));
  });

  it('exits 2 for an invalid target URL', async () => {
    const out = new Capture();
    const code = await runReplayCommand(
      { file: CODE, target: 'localhost:8080', model: 'm', speedup: 1 },
      out,
    );
    assert.equal(code, REPLAY_EXIT.invalidInput);
    assert.ok(out.text.startsWith('replay: targetUrl must use http or https'));
  });

  it('exits 2 for a bad option before contacting the target', async () => {
    const out = new Capture();
    const target = `http://127.0.0.1:${await freePort()}`;
    const code = await runReplayCommand(
      { file: CODE, target, model: 'm', speedup: 1, streamFraction: 2 },
      out,
    );
    assert.equal(code, REPLAY_EXIT.invalidInput);
    assert.equal(out.text, 'replay: streamFraction must be between 0 and 1, got 2\n');
  });

  it('replays the first 60 real rows and prints an exact JSON summary', async () => {
    mock.received.length = 0;
    const expected = summarizeTrace(sliceTrace(loadAzureTrace(CODE), { limit: 60 }));
    const out = new Capture();
    const code = await runReplayCommand(
      { file: CODE, target: mock.url, model: 'm', speedup: 1000, limit: 60, json: true },
      out,
    );
    assert.equal(code, REPLAY_EXIT.ok);
    const summary = JSON.parse(out.text) as Record<string, unknown>;
    assert.equal(summary.sent, 60);
    assert.equal(summary.succeeded, 60);
    assert.equal(summary.streamed, 30);
    assert.equal(summary.inputTokens, expected.contextTokens);
    assert.equal(summary.outputTokens, expected.generatedTokens);
    assert.equal(summary.records, undefined);
    assert.equal(typeof (summary.latencyMs as { p99: unknown }).p99, 'number');
    assert.equal(mock.received.length, 60);
  });

  it('prints overwritten progress in a terminal and a text summary', async () => {
    const file = join(dir, 'slow.csv');
    const rows = [0, 1, 2, 3].map((s) => `2023-11-16 18:17:0${s}.5000000,3,2`);
    writeFileSync(file, [HEADER, ...rows].join('\r\n'));
    const out = new Capture(true);
    const code = await runReplayCommand(
      { file, target: mock.url, model: 'm', speedup: 2, streamFraction: 1 },
      out,
    );
    assert.equal(code, REPLAY_EXIT.ok);
    assert.match(out.text, /^\rreplay: \d\/4 sent, \d done, 0 failed, \d in flight, \d\.\d s/);
    assert.ok(out.text.includes(`${String.fromCharCode(27)}[K\r`));
    const summary = out.text.slice(out.text.lastIndexOf('\n', out.text.indexOf('replay finished')));
    assert.match(summary, /\nreplay finished: 4\/4 requests sent in \d+\.\d s/);
    assert.ok(summary.includes('  succeeded 4, failed 0, streamed 4\n'));
    assert.ok(summary.includes('  tokens: 12 in, 8 out (usage of successful requests)'));
  });

  it('exits 1 when every request fails', async () => {
    const file = join(dir, 'failing.csv');
    writeFileSync(file, `${HEADER}\n2023-11-16 18:17:03.0000000,999,2\n`);
    const out = new Capture();
    const code = await runReplayCommand({ file, target: mock.url, model: 'm', speedup: 1 }, out);
    assert.equal(code, REPLAY_EXIT.allFailed);
    assert.ok(out.text.includes('  succeeded 0, failed 1 (500: 1), streamed 0\n'));
  });
});
