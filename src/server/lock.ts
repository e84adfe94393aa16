/**
 * One llmwatch process per data folder: a lock file holding the owner's PID. A lock left by a
 * process that no longer runs (for example after `kill -9`) is taken over.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LlmwatchError } from '../core/errors.js';

/** A held lock; `release()` removes the file if this process still owns it. */
export interface DataDirLock {
  path: string;
  release(): void;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the lock of `dir`, or throws `store_in_use` naming the other process and the fix. */
export function lockDataDir(dir: string): DataDirLock {
  const path = join(dir, 'llmwatch.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(path, String(process.pid), { flag: 'wx' });
      return {
        path,
        release: () => {
          try {
            if (readFileSync(path, 'utf8').trim() === String(process.pid)) rmSync(path);
          } catch {
            // Already gone: nothing to release.
          }
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const owner = Number(readFileSync(path, 'utf8').trim());
      if (Number.isInteger(owner) && owner > 0 && (owner === process.pid || isRunning(owner))) {
        throw new LlmwatchError(
          'store_in_use',
          `the data folder ${dir} is used by another llmwatch process (pid ${owner}); stop it ` +
            'or give this one another store.path',
        );
      }
      rmSync(path, { force: true }); // left by a process that is gone: take it over
    }
  }
  throw new LlmwatchError('store_in_use', `cannot lock ${path}; remove it if no llmwatch runs`);
}
