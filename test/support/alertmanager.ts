/**
 * Starts a real Prometheus Alertmanager (Debian's `prometheus-alertmanager` package, 0.25) for
 * end-to-end tests: loopback only, an ephemeral port, a throwaway storage directory, clustering
 * off (`--cluster.listen-address=` empty), and a configuration that routes every alert to one
 * webhook receiver with short timers, so a test sees grouped deliveries within seconds.
 *
 * Limitation: the port Alertmanager picked is read from /proc (Linux only), because it does not
 * print the port it bound when told to listen on port 0.
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

/** Where Debian's `prometheus-alertmanager` package installs the server. */
export const DEFAULT_ALERTMANAGER_BINARY = '/usr/bin/prometheus-alertmanager';

/** Options of `startAlertmanager`. */
export interface StartAlertmanagerOptions {
  /** Where the webhook receiver "hook" posts (a local recording server). */
  webhookUrl: string;
  /** Route `group_by`; default ["alertname", "component"]. */
  groupBy?: string[];
  /** Alertmanager durations; defaults 1s, 1s, 1h. */
  groupWait?: string;
  groupInterval?: string;
  repeatInterval?: string;
  /** `--web.external-url`; default "http://alertmanager.test". */
  externalUrl?: string;
  /** Binary; default /usr/bin/prometheus-alertmanager. Missing → "alertmanager_missing". */
  binaryPath?: string;
  /** How long to wait for /-/ready, ms; default 30000. */
  readyTimeoutMs?: number;
}

/** A running Alertmanager started by `startAlertmanager`. */
export interface AlertmanagerServer {
  /** Base URL, e.g. "http://127.0.0.1:41234". */
  url: string;
  /** The last lines it logged, for failure messages. */
  logTail(): string;
  /** Stops it (SIGTERM, then SIGKILL after 10 s) and removes its directory. */
  close(): Promise<void>;
}

const LOG_TAIL_CHARS = 8000;

function configYaml(opts: StartAlertmanagerOptions): string {
  return [
    'route:',
    '  receiver: hook',
    `  group_by: ${JSON.stringify(opts.groupBy ?? ['alertname', 'component'])}`,
    `  group_wait: ${opts.groupWait ?? '1s'}`,
    `  group_interval: ${opts.groupInterval ?? '1s'}`,
    `  repeat_interval: ${opts.repeatInterval ?? '1h'}`,
    'receivers:',
    '  - name: hook',
    '    webhook_configs:',
    `      - url: ${JSON.stringify(opts.webhookUrl)}`,
    '        send_resolved: true',
    '',
  ].join('\n');
}

/** The TCP port process `pid` listens on at 127.0.0.1, or undefined while it has none. */
function findListenPort(pid: number): number | undefined {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m?.[1]) inodes.add(m[1]);
    } catch {
      // closed between readdir and readlink
    }
  }
  for (const line of readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    const [address, port] = (f[1] ?? '').split(':');
    if (f[3] === '0A' && address === '0100007F' && port && inodes.has(f[9] ?? '')) {
      return parseInt(port, 16);
    }
  }
  return undefined;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

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
    child.once('exit', () => (clearTimeout(timer), resolve(true)));
  });
}

/**
 * Starts Alertmanager and waits for /-/ready. Throws LlmwatchError "alertmanager_missing" when
 * the binary is absent (install Debian's prometheus-alertmanager package) and
 * "alertmanager_start_failed" (with its log tail) when it exits or is not ready in time.
 */
export async function startAlertmanager(
  opts: StartAlertmanagerOptions,
): Promise<AlertmanagerServer> {
  const binaryPath = opts.binaryPath ?? DEFAULT_ALERTMANAGER_BINARY;
  const readyTimeoutMs = opts.readyTimeoutMs ?? 30_000;
  if (!existsSync(binaryPath)) {
    throw new LlmwatchError(
      'alertmanager_missing',
      `test: Alertmanager binary ${binaryPath} not found; install Debian's prometheus-alertmanager ` +
        'package (apt-get install prometheus-alertmanager, version 0.25) so the Alertmanager tests can run',
    );
  }
  const dir = mkdtempSync(join(tmpdir(), 'llmwatch-alertmanager-'));
  const configPath = join(dir, 'alertmanager.yml');
  writeFileSync(configPath, configYaml(opts));
  const child = spawn(
    binaryPath,
    [
      `--config.file=${configPath}`,
      `--storage.path=${join(dir, 'data')}`,
      '--web.listen-address=127.0.0.1:0',
      `--web.external-url=${opts.externalUrl ?? 'http://alertmanager.test'}`,
      '--cluster.listen-address=',
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let log = '';
  const keep = (chunk: Buffer) => (log = (log + chunk.toString('utf8')).slice(-LOG_TAIL_CHARS));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
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
    await sleep(50);
  }
  await close();
  const why = spawnError
    ? `could not be started (${spawnError.message})`
    : child.exitCode !== null || child.signalCode !== null
      ? `exited (code ${child.exitCode}, signal ${child.signalCode})`
      : `was not ready within ${readyTimeoutMs} ms`;
  throw new LlmwatchError('alertmanager_start_failed', `test: Alertmanager ${why}; log: ${log}`);
}
