// Exactly-once effect across kill -9: a child evaluates a batch slowly, is killed mid-batch,
// a second child drains the queue; every job has exactly one evaluation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { tempDbPath } from './test-helpers.js';

const CHILD = fileURLToPath(new URL('./crash-child.ts', import.meta.url));

function countDone(dbPath: string): number {
  try {
    const db = new Database(dbPath, { readonly: true, fileMustExist: true });
    try {
      return db.prepare('SELECT count(*) FROM evaluations').pluck().get() as number;
    } finally {
      db.close();
    }
  } catch {
    return 0; // not created yet
  }
}

test('kill -9 mid-batch: restart re-runs only unfinished jobs, no evaluation lost or doubled', async () => {
  const dbPath = tempDbPath();
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dbPath, 'run'], {
    stdio: 'ignore',
  });
  const exited = new Promise<NodeJS.Signals | null>((resolve) =>
    child.on('exit', (_code, signal) => resolve(signal)),
  );
  let done = 0;
  for (let i = 0; i < 400 && done < 5; i++) {
    await new Promise((resolve) => setTimeout(resolve, 25));
    done = countDone(dbPath);
  }
  child.kill('SIGKILL');
  assert.equal(await exited, 'SIGKILL');
  const doneBeforeRestart = countDone(dbPath);
  assert.ok(
    doneBeforeRestart >= 5 && doneBeforeRestart < 20,
    `killed after ${doneBeforeRestart} of 20`,
  );

  const out = await new Promise<string>((resolve, reject) =>
    execFile(
      process.execPath,
      ['--import', 'tsx', CHILD, dbPath, 'drain'],
      { timeout: 30_000 },
      (err, stdout) => (err ? reject(err) : resolve(stdout)),
    ),
  );
  const result = JSON.parse(out) as { counts: unknown; evaluated: number };
  assert.deepEqual(result.counts, { pending: 0, leased: 0, done: 20 });
  assert.equal(result.evaluated, 20 - doneBeforeRestart);

  const db = new Database(dbPath, { readonly: true });
  const perPair = db
    .prepare(
      'SELECT p.request_id AS id, count(e.id) AS n FROM pairs p LEFT JOIN evaluations e ON e.pair_id = p.id GROUP BY p.id ORDER BY p.id',
    )
    .all() as Array<{ id: string; n: number }>;
  db.close();
  assert.equal(perPair.length, 20);
  assert.deepEqual(
    perPair.map((r) => r.n),
    Array.from({ length: 20 }, () => 1),
  );
});
