import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createSqliteStore } from '../../store/sqlite-store.js';
import { encodeWriteRequest } from './codec.js';

const childScript = fileURLToPath(new URL('./durability-child.ts', import.meta.url));

it('a remote write answered 204 survives kill -9 of the receiver', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'llmwatch-rw-durability-'));
  const path = join(dir, 'metrics.db');
  const child = spawn(process.execPath, ['--import', 'tsx', childScript, path], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => {
    child.on('exit', (_code, signal) => resolve(signal));
  });
  const guard = setTimeout(() => child.kill('SIGKILL'), 20_000);
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.endsWith('\n')) resolve(output.trim());
      });
      child.on('exit', () => reject(new Error(`child exited early: ${output}`)));
    });
    const series = Array.from({ length: 20 }, (_, s) => ({
      labels: { __name__: 'durable', s: String(s) },
      samples: Array.from({ length: 30 }, (_, t) => ({ timestampMs: t * 1000, value: s + t })),
    }));
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-encoding': 'snappy', 'content-type': 'application/x-protobuf' },
      body: new Uint8Array(encodeWriteRequest(series)),
    });
    assert.equal(res.status, 204);
    child.kill('SIGKILL');
    assert.equal(await exited, 'SIGKILL');

    const store = createSqliteStore({ path });
    const stored = await store.select([{ name: '__name__', type: '=', value: 'durable' }], 0, 1e9);
    assert.equal(stored.length, 20);
    for (const data of stored) {
      const s = Number(data.labels.s);
      assert.deepEqual(
        data.timestampsMs,
        Array.from({ length: 30 }, (_, t) => t * 1000),
      );
      assert.deepEqual(
        data.values,
        Array.from({ length: 30 }, (_, t) => s + t),
      );
    }
    await store.close();
  } finally {
    clearTimeout(guard);
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});
