/**
 * Starts a real VictoriaMetrics single-node server (Debian's `victoria-metrics` package, 1.79)
 * for benchmarks and end-to-end tests: loopback only, an ephemeral port, a throwaway data
 * directory, remote write accepted at /api/v1/write and the Prometheus query API at
 * /api/v1/query_range.
 *
 * Historical data: VictoriaMetrics accepts any timestamp inside its retention period, so the
 * retention is set to 100 years and old fixed timestamps are kept. The rollup result cache is
 * off by default (`disableCache`), so repeated queries measure the storage, not the cache.
 *
 * Limitation: the port VictoriaMetrics picked is read from /proc (Linux only), like
 * prometheus.ts does.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LlmwatchError } from '../../src/core/errors.js';

/** Where Debian's `victoria-metrics` package installs the server. */
export const DEFAULT_VICTORIA_METRICS_BINARY = '/usr/bin/victoria-metrics';

/** Options of `startVictoriaMetrics`. */
export interface StartVictoriaMetricsOptions {
  /** Server binary; default /usr/bin/victoria-metrics. Missing → "victoria_metrics_missing". */
  binaryPath?: string;
  /** How long to wait for /health, ms; default 30000. */
  readyTimeoutMs?: number;
  /** Turn the rollup result cache off (`-search.disableCache`); default true. */
  disableCache?: boolean;
}

/** A running VictoriaMetrics started by `startVictoriaMetrics`. */
export interface VictoriaMetricsServer {
  /** Base URL, e.g. "http://127.0.0.1:41234" (no trailing slash). */
  url: string;
  /** Process id of the server (for /proc readings such as resident memory). */
  pid: number;
  /** The data directory (`-storageDataPath`), removed by close(). */
  dataDir: string;
  /** Makes recently written samples searchable and persisted (GET /internal/force_flush). */
  forceFlush(): Promise<void>;
  /** The last lines the server logged, for failure messages. */
  logTail(): string;
  /** Stops the server (SIGTERM, then SIGKILL after 10 s) and removes its data directory. */
  close(): Promise<void>;
}

const LOG_TAIL_CHARS = 8000;
const POLL_INTERVAL_MS = 50;

/** The TCP port process `pid` listens on at 127.0.0.1, or undefined while it has none. */
export function findLoopbackListenPort(pid: number): number | undefined {
  const inodes = new Set<string>();
  try {
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      try {
        const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
        if (match) inodes.add(match[1] as string);
      } catch {
        // The descriptor closed between readdir and readlink.
      }
    }
  } catch {
    return undefined;
  }
  if (inodes.size === 0) return undefined;
  for (const line of readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    const [, local, , state] = fields;
    if (state !== '0A' || !local || !inodes.has(fields[9] ?? '')) continue;
    const [hexAddress, hexPort] = local.split(':');
    if (hexAddress === '0100007F' && hexPort) return parseInt(hexPort, 16);
  }
  return undefined;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function isReady(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(1000) });
    await res.arrayBuffer();
    return res.status === 200;
  } catch {
    return false;
  }
}

function waitForExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/**
 * Starts VictoriaMetrics on 127.0.0.1 with an ephemeral port and waits until /health answers
 * 200. Throws LlmwatchError "victoria_metrics_missing" when the binary is absent (install
 * Debian's `victoria-metrics` package), and "victoria_metrics_start_failed" when it exits or is
 * not ready in time (the message carries its log tail); the data directory is removed then.
 */
export async function startVictoriaMetrics(
  opts: StartVictoriaMetricsOptions = {},
): Promise<VictoriaMetricsServer> {
  const binaryPath = opts.binaryPath ?? DEFAULT_VICTORIA_METRICS_BINARY;
  const readyTimeoutMs = opts.readyTimeoutMs ?? 30_000;
  if (!existsSync(binaryPath)) {
    throw new LlmwatchError(
      'victoria_metrics_missing',
      `test: VictoriaMetrics binary ${binaryPath} not found; install Debian's victoria-metrics ` +
        'package (apt-get install victoria-metrics, version 1.79) to run the comparison',
    );
  }

  const dir = mkdtempSync(join(tmpdir(), 'llmwatch-victoria-metrics-'));
  const dataDir = join(dir, 'data');
  const args = [
    `-storageDataPath=${dataDir}`,
    '-httpListenAddr=127.0.0.1:0',
    '-retentionPeriod=100y',
    '-loggerLevel=ERROR',
    '-search.latencyOffset=0s',
  ];
  if (opts.disableCache ?? true) args.push('-search.disableCache');
  const child = spawn(binaryPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  const keepLog = (chunk: Buffer): void => {
    log = (log + chunk.toString('utf8')).slice(-LOG_TAIL_CHARS);
  };
  child.stdout?.on('data', keepLog);
  child.stderr?.on('data', keepLog);
  let spawnError: Error | undefined;
  child.once('error', (err) => (spawnError = err));

  const close = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      if (!(await waitForExit(child, 10_000))) {
        child.kill('SIGKILL');
        await waitForExit(child, 5_000);
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + readyTimeoutMs;
  let url: string | undefined;
  while (Date.now() < deadline) {
    if (spawnError || child.exitCode !== null || child.signalCode !== null) break;
    if (!url && child.pid !== undefined) {
      const port = findLoopbackListenPort(child.pid);
      if (port) url = `http://127.0.0.1:${port}`;
    }
    if (url && child.pid !== undefined && (await isReady(url))) {
      const base = url;
      const forceFlush = async (): Promise<void> => {
        const res = await fetch(`${base}/internal/force_flush`, {
          signal: AbortSignal.timeout(30_000),
        });
        await res.arrayBuffer();
      };
      return { url, pid: child.pid, dataDir, forceFlush, logTail: () => log, close };
    }
    await sleep(POLL_INTERVAL_MS);
  }

  await close();
  const why = spawnError
    ? `could not be started (${spawnError.message})`
    : child.exitCode !== null || child.signalCode !== null
      ? `exited (code ${child.exitCode}, signal ${child.signalCode})`
      : `was not ready within ${readyTimeoutMs} ms`;
  throw new LlmwatchError(
    'victoria_metrics_start_failed',
    `test: VictoriaMetrics ${binaryPath} ${why}; its log ends with:\n${log}`,
  );
}
