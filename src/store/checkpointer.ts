/**
 * Checkpoints the store's SQLite write-ahead log (copying committed pages into the database
 * file, then fsync) from a worker thread with its own connection, so that appends do not pay
 * for it. SQLite otherwise runs the checkpoint inside the commit that crosses
 * `wal_autocheckpoint` pages: about 8 MB of page writes and two fsyncs every ~100 appends of a
 * 1,400-series fleet, 10 to 25% of the append time on a busy 2-core machine.
 *
 * The worker runs PASSIVE checkpoints, which never block writers nor wait for them: the
 * appending thread keeps writing while pages are copied. Durability does not change: a commit
 * is in the WAL file before append() resolves either way, and a checkpoint killed half way is
 * redone by SQLite. Back-pressure: the store's own connection keeps an automatic checkpoint at
 * a larger bound (openDatabase's `walAutocheckpointBytes`), so a stalled or failed worker only
 * makes the appends do the work themselves again, with the WAL file bounded.
 *
 * Limitation: the WAL file restarts from its beginning only when a checkpoint has copied every
 * frame before the next write begins; under a steady stream of appends the worker's
 * checkpoint often ends just after one, so the WAL can grow to the larger bound before the
 * appending thread's own checkpoint (then short: the pages are already copied) resets it.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Logger } from '../core/log.js';

/** Options of startCheckpointer. */
export interface CheckpointerOptions {
  /** Time between checkpoints, ms. Default 250. */
  intervalMs?: number;
  /** Receives a warning when a checkpoint fails (the store's own checkpoint then takes over). */
  logger?: Logger;
}

/** A running checkpoint worker. */
export interface Checkpointer {
  /** Stops the worker and closes its connection; resolves once it has exited. */
  stop(): Promise<void>;
}

// The worker, as a CommonJS script: it needs no TypeScript loader, whatever runs the store.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path, { fileMustExist: true, timeout: 0 });
db.pragma('synchronous = NORMAL');
let failed = false;
const checkpoint = () => {
  try {
    // Rounds after the first copy only the frames committed meanwhile: stop when caught up.
    for (let round = 0; round < 4; round++) {
      const [result] = db.pragma('wal_checkpoint(PASSIVE)');
      if (result.busy !== 0 || result.log <= 0 || result.checkpointed >= result.log) break;
    }
    failed = false;
  } catch (err) {
    if (!failed) parentPort.postMessage({ error: String(err && err.message || err) });
    failed = true;
  }
};
const timer = setInterval(checkpoint, workerData.intervalMs);
parentPort.on('message', (message) => {
  if (message !== 'stop') return;
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

/**
 * Starts checkpointing the database at `path` (already created, in WAL mode) from a worker
 * thread. The worker does not keep the process alive; call stop() before closing the store's
 * own connection.
 */
export function startCheckpointer(path: string, opts: CheckpointerOptions = {}): Checkpointer {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    // Plain Node: the script needs none of the parent's loaders (tsx in tests).
    execArgv: [],
    workerData: { path, driver, intervalMs: opts.intervalMs ?? 250 },
  });
  worker.unref();
  worker.on('message', (message: { error?: string }) => {
    if (message.error !== undefined) {
      opts.logger?.warn(
        { path, err: message.error },
        'background checkpoint failed; appends checkpoint the write-ahead log themselves',
      );
    }
  });
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  worker.on('error', (err) => {
    opts.logger?.warn(
      { path, err },
      'background checkpoint worker stopped; appends checkpoint the write-ahead log themselves',
    );
  });
  return {
    async stop() {
      // Held until it exits: the caller's await must keep the event loop alive.
      worker.ref();
      worker.postMessage('stop');
      await exited;
    },
  };
}
