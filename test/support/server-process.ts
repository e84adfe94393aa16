/**
 * Starts a real server binary for a test (Prometheus, VictoriaMetrics, Alertmanager) on an
 * ephemeral loopback port, waits until it answers its readiness path, and stops it again.
 * The port is read from /proc (the binary picks it with ":0"), so this works on Linux only.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { LlmwatchError } from '../../src/core/errors.js';

/** A running server started by {@link startServerProcess}. */
export interface ServerProcess {
  /** Base URL, e.g. "http://127.0.0.1:39017". */
  url: string;
  pid: number;
  /** The last few KB of its stdout and stderr. */
  logTail(): string;
  /** SIGTERM, then SIGKILL after 10 s; removes `dir`. */
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
    return undefined; // the process is gone
  }
  if (inodes.size === 0) return undefined;
  for (const line of readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1)) {
    // Fields: sl local_address rem_address st ... inode (index 9); state 0A is LISTEN.
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
    const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
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
 * Spawns `binaryPath args`, which must listen on 127.0.0.1:0, and waits until `readyPath`
 * answers 200. On failure the process is stopped, `dir` removed, and LlmwatchError
 * `<code>_start_failed` thrown with why and the log tail.
 */
export async function startServerProcess(opts: {
  /** Human name for messages, e.g. "Prometheus". */
  name: string;
  /** Error code prefix, e.g. "prometheus". */
  code: string;
  binaryPath: string;
  args: string[];
  /** Temporary folder of this server (config, data); removed on close. */
  dir: string;
  /** Path answering 200 once the server is ready, e.g. "/-/ready". */
  readyPath: string;
  readyTimeoutMs: number;
}): Promise<ServerProcess> {
  const child = spawn(opts.binaryPath, opts.args, { stdio: ['ignore', 'pipe', 'pipe'] });
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
    rmSync(opts.dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + opts.readyTimeoutMs;
  let url: string | undefined;
  while (Date.now() < deadline) {
    if (spawnError || child.exitCode !== null || child.signalCode !== null) break;
    if (!url && child.pid !== undefined) {
      const port = findLoopbackListenPort(child.pid);
      if (port) url = `http://127.0.0.1:${port}`;
    }
    if (url && child.pid !== undefined && (await isReady(`${url}${opts.readyPath}`))) {
      return { url, pid: child.pid, logTail: () => log, close };
    }
    await sleep(POLL_INTERVAL_MS);
  }

  await close();
  const why = spawnError
    ? `could not be started (${spawnError.message})`
    : child.exitCode !== null || child.signalCode !== null
      ? `exited (code ${child.exitCode}, signal ${child.signalCode})`
      : `was not ready within ${opts.readyTimeoutMs} ms`;
  throw new LlmwatchError(
    `${opts.code}_start_failed`,
    `test: ${opts.name} ${opts.binaryPath} ${why}; its log ends with:\n${log}`,
  );
}
