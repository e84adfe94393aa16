import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createSqliteStore } from './sqlite-store.js';

const childScript = fileURLToPath(new URL('./durability-child.ts', import.meta.url));

/** Runs the child until it prints "acked", then kills it with SIGKILL. */
async function runAndKill(path: string, extra: string[]): Promise<NodeJS.Signals | null> {
  const child = spawn(process.execPath, ['--import', 'tsx', childScript, path, ...extra], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => {
    child.on('exit', (_code, signal) => resolve(signal));
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  let output = '';
  await new Promise<void>((resolve) => {
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('acked\n')) resolve();
    });
    child.on('exit', () => resolve());
  });
  // Let it get into the middle of later batches before killing it.
  await new Promise((resolve) => setTimeout(resolve, 50));
  child.kill('SIGKILL');
  const signal = await exited;
  clearTimeout(timer);
  assert.equal(output.startsWith('acked\n'), true, `child output: ${output}`);
  return signal;
}

for (const [title, extra] of [
  ['with default chunking', []],
  ['with chunks cut and the log trimmed while running', ['5']],
] as const) {
  it(`keeps an acknowledged batch after kill -9, and later batches are all-or-nothing, ${title}`, async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'llmwatch-durability-'));
    try {
      const path = join(dir, 'metrics.db');
      assert.equal(await runAndKill(path, [...extra]), 'SIGKILL');

      const store = createSqliteStore({ path });
      const durable = await store.select(
        [{ name: '__name__', type: '=', value: 'durable' }],
        0,
        1e9,
      );
      assert.equal(durable.length, 100);
      for (const series of durable) {
        const s = Number(series.labels.s);
        assert.deepEqual(
          series.timestampsMs,
          Array.from({ length: 50 }, (_, t) => t * 1000),
        );
        assert.deepEqual(
          series.values,
          Array.from({ length: 50 }, (_, t) => s * 1000 + t),
        );
      }
      const later = await store.select([{ name: '__name__', type: '=', value: 'later' }], 0, 1e9);
      for (const series of later) assert.equal(series.values.length, 1000);
      t.diagnostic(`later batches found complete: ${later.length}`);
      await store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
