/**
 * Starts a real Prometheus server (Debian's `prometheus` package, 2.42) for end-to-end tests:
 * loopback only, an ephemeral port, a throwaway data directory, no scrape targets, and the
 * remote-write receiver on, so tests can push samples and compare query answers.
 *
 * Historical data: the config sets `storage.tsdb.out_of_order_time_window` (supported since
 * Prometheus 2.39), so samples far in the past and batches written out of time order are
 * accepted. Without it, Prometheus 2.42 rejects samples older than the head block allows
 * (roughly one hour before the newest sample it has). Retention (`--storage.tsdb.retention.time`)
 * is measured from the newest block, not the wall clock, so old fixed timestamps are kept.
 *
 * Limitation: the port Prometheus picked is read from /proc (Linux only), because Prometheus
 * does not print the port it bound when told to listen on port 0.
 */
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LlmwatchError } from '../../src/core/errors.js';
import { startServerProcess } from './server-process.js';

/** Where Debian's `prometheus` package installs the server. */
export const DEFAULT_PROMETHEUS_BINARY = '/usr/bin/prometheus';

/** Options of `startPrometheus`. */
export interface StartPrometheusOptions {
  /** Server binary; default /usr/bin/prometheus. Missing → LlmwatchError "prometheus_missing". */
  binaryPath?: string;
  /** How long to wait for /-/ready, ms; default 30000. */
  readyTimeoutMs?: number;
  /** Lookback of instant selectors, seconds; default 300 (Prometheus's 5m). */
  lookbackDeltaSeconds?: number;
  /** Accepted age of out-of-order samples, a Prometheus duration; default "3650d". */
  outOfOrderTimeWindow?: string;
}

/** A running Prometheus started by `startPrometheus`. */
export interface PrometheusServer {
  /** Base URL, e.g. "http://127.0.0.1:41234" (no trailing slash). */
  url: string;
  /** The last lines Prometheus logged (stdout and stderr), for failure messages. */
  logTail(): string;
  /** Stops the server (SIGTERM, then SIGKILL after 10 s) and removes its data directory. */
  close(): Promise<void>;
}

function configYaml(outOfOrderTimeWindow: string): string {
  // No scrape_configs: the server only holds what the test writes.
  return [
    'global:',
    '  scrape_interval: 1h',
    '  evaluation_interval: 1h',
    'storage:',
    '  tsdb:',
    `    out_of_order_time_window: ${outOfOrderTimeWindow}`,
    '',
  ].join('\n');
}

/**
 * Starts Prometheus on 127.0.0.1 with an ephemeral port and waits until /-/ready answers 200.
 * Throws LlmwatchError "prometheus_missing" when the binary is absent (install Debian's
 * `prometheus` package), and "prometheus_start_failed" when it exits or is not ready in time
 * (the message carries its log tail); the data directory is removed in both cases.
 */
export async function startPrometheus(
  opts: StartPrometheusOptions = {},
): Promise<PrometheusServer> {
  const binaryPath = opts.binaryPath ?? DEFAULT_PROMETHEUS_BINARY;
  const readyTimeoutMs = opts.readyTimeoutMs ?? 30_000;
  if (!existsSync(binaryPath)) {
    throw new LlmwatchError(
      'prometheus_missing',
      `test: Prometheus binary ${binaryPath} not found; install Debian's prometheus package ` +
        '(apt-get install prometheus, version 2.42) so the PromQL comparison tests can run',
    );
  }

  const dir = mkdtempSync(join(tmpdir(), 'llmwatch-prometheus-'));
  const configPath = join(dir, 'prometheus.yml');
  writeFileSync(configPath, configYaml(opts.outOfOrderTimeWindow ?? '3650d'));
  const server = await startServerProcess({
    name: 'Prometheus',
    code: 'prometheus',
    binaryPath,
    dir,
    readyPath: '/-/ready',
    readyTimeoutMs,
    args: [
      `--config.file=${configPath}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      '--web.listen-address=127.0.0.1:0',
      '--web.enable-remote-write-receiver',
      '--storage.tsdb.retention.time=36500d',
      `--query.lookback-delta=${opts.lookbackDeltaSeconds ?? 300}s`,
      '--log.level=warn',
    ],
  });
  return { url: server.url, logTail: server.logTail, close: server.close };
}
