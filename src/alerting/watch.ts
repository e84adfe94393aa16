/**
 * Watches rule files by polling: every `intervalMs` it expands the globs and compares each
 * file's path, size and modification time with the last check, so added, removed and edited
 * files are all noticed (fs.watch misses renames and editors' atomic saves on some systems).
 */
import { statSync } from 'node:fs';
import { expandGlobs } from './load.js';

/** A started-or-stopped file watcher. */
export interface RuleFileWatcher {
  /** Takes the current files as the baseline and starts polling; idempotent. */
  start(): void;
  stop(): void;
}

function signature(patterns: readonly string[], baseDir: string | undefined): string {
  return expandGlobs(patterns, baseDir)
    .map((file) => {
      const stat = statSync(file, { throwIfNoEntry: false });
      return `${file}:${stat?.size ?? -1}:${stat?.mtimeMs ?? -1}`;
    })
    .join('\n');
}

/** Creates a watcher calling `onChange` after a change is seen; intervalMs 0 disables it. */
export function createWatcher(opts: {
  patterns: readonly string[];
  baseDir?: string;
  intervalMs: number;
  onChange: () => void;
}): RuleFileWatcher {
  let timer: NodeJS.Timeout | null = null;
  let last = '';
  return {
    start() {
      if (timer || opts.intervalMs <= 0) return;
      last = signature(opts.patterns, opts.baseDir);
      timer = setInterval(() => {
        const now = signature(opts.patterns, opts.baseDir);
        if (now === last) return;
        last = now;
        opts.onChange();
      }, opts.intervalMs);
      timer.unref();
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = null;
    },
  };
}
