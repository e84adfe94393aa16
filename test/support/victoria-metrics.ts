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
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LlmwatchError } from '../../src/core/errors.js';
import { startServerProcess } from './server-process.js';

export { findLoopbackListenPort } from './server-process.js';

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
  const server = await startServerProcess({
    name: 'VictoriaMetrics',
    code: 'victoria_metrics',
    binaryPath,
    args,
    dir,
    readyPath: '/health',
    readyTimeoutMs,
  });
  const forceFlush = async (): Promise<void> => {
    const res = await fetch(`${server.url}/internal/force_flush`, {
      signal: AbortSignal.timeout(30_000),
    });
    await res.arrayBuffer();
  };
  return { ...server, dataDir, forceFlush };
}
