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
import { spawn, type ChildProcess } from 'node:child_process';
import {
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LlmwatchError } from '../../src/core/errors.js';

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

const LOG_TAIL_CHARS = 8000;
const POLL_INTERVAL_MS = 50;

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

/** Socket inodes held open by process `pid`. */
function socketInodes(pid: number): Set<string> {
  const inodes = new Set<string>();
  const fdDir = `/proc/${pid}/fd`;
  for (const fd of readdirSync(fdDir)) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(join(fdDir, fd)));
      if (match) inodes.add(match[1] as string);
    } catch {
      // The descriptor closed between readdir and readlink.
    }
  }
  return inodes;
}

/** The TCP port process `pid` listens on at 127.0.0.1, or undefined while it has none. */
function findListenPort(pid: number): number | undefined {
  const inodes = socketInodes(pid);
  if (inodes.size === 0) return undefined;
  const lines = readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1);
  for (const line of lines) {
    const fields = line.trim().split(/\s+/);
    // fields: sl local_address rem_address st ... inode (index 9)
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
    const res = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(1000) });
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
  const child = spawn(
    binaryPath,
    [
      `--config.file=${configPath}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      '--web.listen-address=127.0.0.1:0',
      '--web.enable-remote-write-receiver',
      '--storage.tsdb.retention.time=36500d',
      `--query.lookback-delta=${opts.lookbackDeltaSeconds ?? 300}s`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
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
      const port = findListenPort(child.pid);
      if (port) url = `http://127.0.0.1:${port}`;
    }
    if (url && (await isReady(url))) return { url, logTail: () => log, close };
    await sleep(POLL_INTERVAL_MS);
  }

  await close();
  const why = spawnError
    ? `could not be started (${spawnError.message})`
    : child.exitCode !== null || child.signalCode !== null
      ? `exited (code ${child.exitCode}, signal ${child.signalCode})`
      : `was not ready within ${readyTimeoutMs} ms`;
  throw new LlmwatchError(
    'prometheus_start_failed',
    `test: Prometheus ${binaryPath} ${why}; its log ends with:\n${log}`,
  );
}
