/**
 * Helpers of the TSDB comparison for the real servers: feeding them by remote write, reading
 * their resident memory and data size from /proc and the file system, and timing queries.
 */
import { readFileSync, readdirSync, readlinkSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { encodeWriteRequest, type EncodableSeries } from '../src/ingest/remote-write/codec.js';
import type { Labels } from '../src/store/types.js';
import { postRemoteWrite } from '../test/support/prometheus-api.js';
import { FLEET_STEP_MS, type Fleet } from './fleet.js';

/** Bytes the files under `dir` occupy on disk (allocated blocks, as `du` counts). */
export function diskBytes(dir: string): number {
  let total = 0;
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return 0;
  }
  for (const name of entries) {
    const path = join(dir, name);
    try {
      const st = statSync(path);
      total += st.isDirectory() ? diskBytes(path) : st.blocks * 512;
    } catch {
      // Removed while walking (compaction, merges).
    }
  }
  return total;
}

/** Resident memory of process `pid` in bytes (VmRSS), or NaN when it cannot be read. */
export function residentBytes(pid: number): number {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/**
 * The process listening on 127.0.0.1:`port`, found through /proc (its socket inode), or
 * undefined. Used for the Prometheus started by test/support/prometheus.ts, which does not
 * expose its pid.
 */
export function pidListeningOn(port: number): number | undefined {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  let inode: string | undefined;
  for (const line of readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f[1] === `0100007F:${hexPort}` && f[3] === '0A') inode = f[9];
  }
  if (inode === undefined) return undefined;
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      for (const fd of readdirSync(`/proc/${pid}/fd`)) {
        if (readlinkSync(`/proc/${pid}/fd/${fd}`) === `socket:[${inode}]`) return Number(pid);
      }
    } catch {
      // Not ours, or exited.
    }
  }
  return undefined;
}

/** The value of `--flag=value` on the command line of process `pid`. */
export function processFlag(pid: number, flag: string): string | undefined {
  const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  return args.find((a) => a.startsWith(`${flag}=`))?.slice(flag.length + 1);
}

/** What feeding one server measured. */
export interface FeedResult {
  samples: number;
  /** Wall time of the POSTs only (bodies encoded beforehand), ms. */
  postMs: number;
  requests: number;
}

/**
 * Sends `steps` scrapes of `fleet` (from `startMs`) to `${url}/api/v1/write`, about
 * `samplesPerRequest` samples per request, `concurrency` requests in flight. Bodies are encoded
 * in rounds of a few dozen before the round's POSTs start, and only the POSTs are timed, so the
 * figure is the server's remote-write ingest rate (HTTP + snappy + protobuf + append), not the
 * client's encoder. A fresh fleet (same seed) must be passed for each server.
 */
export async function feedRemoteWrite(
  url: string,
  fleet: Fleet,
  startMs: number,
  steps: number,
  opts: { samplesPerRequest: number; concurrency: number },
): Promise<FeedResult> {
  const seriesCount = fleet.labels.length;
  const stepsPerRequest = Math.max(1, Math.round(opts.samplesPerRequest / seriesCount));
  const values = new Float64Array(seriesCount);
  let step = 0;
  let postMs = 0;
  let requests = 0;
  while (step < steps) {
    const bodies: Buffer[] = [];
    for (let b = 0; b < opts.concurrency * 8 && step < steps; b++) {
      const series: EncodableSeries[] = fleet.labels.map((labels: Labels) => ({
        labels,
        samples: [],
      }));
      for (let k = 0; k < stepsPerRequest && step < steps; k++, step++) {
        fleet.next(values);
        const timestampMs = startMs + step * FLEET_STEP_MS;
        for (let i = 0; i < seriesCount; i++) {
          series[i]?.samples.push({ timestampMs, value: values[i] as number });
        }
      }
      bodies.push(encodeWriteRequest(series));
    }
    const t0 = performance.now();
    let nextBody = 0;
    const worker = async (): Promise<void> => {
      while (nextBody < bodies.length) {
        const body = bodies[nextBody++] as Buffer;
        await postRemoteWrite(url, body);
      }
    };
    await Promise.all(Array.from({ length: opts.concurrency }, worker));
    postMs += performance.now() - t0;
    requests += bodies.length;
  }
  return { samples: steps * seriesCount, postMs, requests };
}

/** Nearest-rank percentile of `times` (0 < p ≤ 1). */
export function percentile(times: readonly number[], p: number): number {
  if (times.length === 0) return Number.NaN;
  const sorted = [...times].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] as number;
}

/**
 * Runs every query in `queries` through `run` in rounds until `rounds` rounds are done or
 * `budgetMs` has passed (at least one round), returning each call's latency in ms.
 */
export async function timeQueries(
  queries: readonly string[],
  run: (query: string) => Promise<unknown>,
  rounds: number,
  budgetMs: number,
): Promise<number[]> {
  const times: number[] = [];
  const deadline = performance.now() + budgetMs;
  for (const q of queries) await run(q); // warm-up: parse caches, page cache
  for (let r = 0; r < rounds && (r === 0 || performance.now() < deadline); r++) {
    for (const q of queries) {
      const t0 = performance.now();
      await run(q);
      times.push(performance.now() - t0);
    }
  }
  return times;
}
