/**
 * Target discovery: file-based target lists (discovery-file.ts) re-read when they change, and
 * the wiring that hands static plus discovered targets to the scraper.
 *
 * Each file is watched through its directory with fs.watch (editors replace files by rename)
 * and also polled every `refreshSeconds`, in case notifications are missing (network file
 * systems, containers). Changes are debounced. A file that cannot be read or parsed keeps its
 * last good targets, and its error is logged and reported by errors() until it is fixed.
 */
import { watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { z } from 'zod';
import type { Config } from '../config/schema.js';
import type { Logger } from '../core/log.js';
import {
  buildFileTargets,
  fileTargetsSchema,
  parseTargetFile,
  type FileTargetsConfig,
} from './discovery-file.js';
import { compileRelabelRules, relabelRuleSchema } from './relabel.js';
import type { Scraper } from './scraper.js';
import { buildTargets, type ScrapeTarget } from './targets.js';

/**
 * Config fragment for discovery, meant to sit inside `scrape`: `fileTargets` (files of targets)
 * and `relabel` (rules applied to every file target). Both default to empty lists.
 */
export const scrapeDiscoveryConfigSchema = z.strictObject({
  /** Files of targets in file_sd format. Default none. */
  fileTargets: z.array(fileTargetsSchema).default([]),
  /** Relabel rules, in order, for every target read from `fileTargets`. Default none. */
  relabel: z.array(relabelRuleSchema).default([]),
});

/** Validated discovery configuration. */
export type ScrapeDiscoveryConfig = z.infer<typeof scrapeDiscoveryConfigSchema>;

/** A file's current problem. */
export interface DiscoveryError {
  path: string;
  /** What is wrong (unreadable, not JSON/YAML, bad shape, a skipped target) and the fix. */
  message: string;
}

/** The running discovery. */
export interface TargetDiscovery {
  /** Reads every file once, then watches them. Resolves after the first read. */
  start(): Promise<void>;
  /** Stops watching and polling; pending reloads are abandoned. */
  stop(): void;
  /** Re-reads every file now (changes are reported through onChange). */
  refresh(): Promise<void>;
  /** Targets of every file, in file order, after relabelling. */
  targets(): ScrapeTarget[];
  /** Current problems, per file. Empty when every file was read cleanly. */
  errors(): DiscoveryError[];
}

/** What createTargetDiscovery needs. */
export interface TargetDiscoveryOptions {
  config: ScrapeDiscoveryConfig;
  /** Called with all discovered targets whenever any file's list changes. */
  onChange: (targets: ScrapeTarget[]) => void;
  logger: Logger;
  /** Quiet time after a change notice before reading, in ms. Default 200. */
  debounceMs?: number;
}

interface FileState {
  file: FileTargetsConfig;
  targets: ScrapeTarget[];
  text: string | null;
  error: string | null;
  problems: string[];
  watcher: FSWatcher | null;
  poll: NodeJS.Timeout | null;
  debounce: NodeJS.Timeout | null;
  reading: Promise<void> | null;
  again: boolean;
}

/** Creates file discovery. Nothing is read until start(). */
export function createTargetDiscovery(options: TargetDiscoveryOptions): TargetDiscovery {
  const { config, onChange, logger } = options;
  const debounceMs = options.debounceMs ?? 200;
  const rules = compileRelabelRules(config.relabel);
  let running = false;
  const files: FileState[] = config.fileTargets.map((file) => ({
    file,
    targets: [],
    text: null,
    error: null,
    problems: [],
    watcher: null,
    poll: null,
    debounce: null,
    reading: null,
    again: false,
  }));
  const all = () => files.flatMap((f) => f.targets);

  async function readOnce(state: FileState): Promise<boolean> {
    const { path } = state.file;
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? String(err);
      fail(state, `cannot read ${path} (${code}); keeping its last good targets`);
      return false;
    }
    if (text === state.text && state.error === null) return false;
    try {
      const result = buildFileTargets(state.file, parseTargetFile(path, text), rules);
      state.text = text;
      state.error = null;
      state.problems = result.problems;
      for (const problem of result.problems)
        logger.warn({ path, problem }, 'discovery target skipped');
      const changed = JSON.stringify(result.targets) !== JSON.stringify(state.targets);
      state.targets = result.targets;
      if (changed) logger.info({ path, targets: result.targets.length }, 'discovery file loaded');
      return changed;
    } catch (err) {
      state.text = text;
      fail(
        state,
        `${err instanceof Error ? err.message : String(err)}; keeping its last good targets`,
      );
      return false;
    }
  }

  function fail(state: FileState, message: string): void {
    if (state.error !== message)
      logger.warn({ path: state.file.path, error: message }, 'discovery file failed');
    state.error = message;
  }

  /** Reads a file, never twice at once; a change during a read triggers one more read. */
  function reload(state: FileState): Promise<void> {
    if (state.reading) {
      state.again = true;
      return state.reading;
    }
    state.reading = (async () => {
      do {
        state.again = false;
        const changed = await readOnce(state);
        if (changed && running) safeNotify();
      } while (state.again && running);
    })().finally(() => {
      state.reading = null;
    });
    return state.reading;
  }

  function safeNotify(): void {
    try {
      onChange(all());
    } catch (err) {
      logger.error({ err: String(err) }, 'discovery onChange failed');
    }
  }

  function schedule(state: FileState): void {
    if (!running) return;
    if (state.debounce) clearTimeout(state.debounce);
    state.debounce = setTimeout(() => {
      state.debounce = null;
      void reload(state);
    }, debounceMs);
    state.debounce.unref();
  }

  function watchFile(state: FileState): void {
    const { path, refreshSeconds } = state.file;
    const name = basename(path);
    try {
      state.watcher = watch(dirname(path), (_event, changed) => {
        if (changed === null || changed.toString() === name) schedule(state);
      });
      state.watcher.on('error', (err) => {
        logger.warn({ path, err: String(err) }, 'discovery watch failed; polling only');
        state.watcher?.close();
        state.watcher = null;
      });
    } catch (err) {
      logger.warn({ path, err: String(err) }, 'discovery watch failed; polling only');
    }
    state.poll = setInterval(() => schedule(state), refreshSeconds * 1000);
    state.poll.unref();
  }

  return {
    async start() {
      if (running) return;
      running = true;
      await Promise.all(files.map((f) => readOnce(f)));
      for (const f of files) watchFile(f);
      safeNotify();
    },
    stop() {
      running = false;
      for (const f of files) {
        f.watcher?.close();
        if (f.poll) clearInterval(f.poll);
        if (f.debounce) clearTimeout(f.debounce);
        f.watcher = null;
        f.poll = null;
        f.debounce = null;
      }
    },
    async refresh() {
      await Promise.all(files.map((f) => reload(f)));
    },
    targets: all,
    errors() {
      return files.flatMap((f) => [
        ...(f.error === null ? [] : [{ path: f.file.path, message: f.error }]),
        ...f.problems.map((message) => ({ path: f.file.path, message })),
      ]);
    },
  };
}

/**
 * Connects discovery to a scraper: the scraper's targets become the static ones of `config`
 * (buildTargets) followed by every discovered target, now and after each change. Call
 * `start()` on the result (before or after the scraper's start) and `stop()` on shutdown.
 */
export function connectDiscovery(options: {
  config: Config;
  discovery: ScrapeDiscoveryConfig;
  scraper: Scraper;
  logger: Logger;
  debounceMs?: number;
}): TargetDiscovery {
  const statics = buildTargets(options.config);
  return createTargetDiscovery({
    config: options.discovery,
    logger: options.logger,
    debounceMs: options.debounceMs,
    onChange: (targets) => options.scraper.setTargets([...statics, ...targets]),
  });
}
