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
  /** POSTs sent again after a connection error (each at most RETRIES times). */
  retries: number;
}

/** Times one POST is sent again after a connection error before the feed fails. */
const RETRIES = 3;

/**
 * Sends `steps` scrapes of `fleet` (from `startMs`) to `${url}/api/v1/write`, about
 * `samplesPerRequest` samples per request, `concurrency` requests in flight.
 *
 * As Prometheus's own remote-write sender does, the series are split into `concurrency` shards
 * and each shard is sent by one worker, its requests in time order, so every series' samples
 * arrive in order. (Splitting by time instead, two scrapes in flight at once, would hand a
 * server about half of all samples out of order: Prometheus then keeps them in its out-of-order
 * head and writes overlapping blocks it must merge, which is neither what it does when scraping
 * nor when fed by a real sender.)
 *
 * Bodies are encoded in rounds of a few per shard before the round's POSTs start, and only the
 * POSTs are timed, so the figure is the server's remote-write ingest rate (HTTP + snappy +
 * protobuf + append), not the client's encoder. A POST that fails on the connection (reset,
 * broken pipe) is sent again, up to RETRIES times, as a real sender retries; an answer other
 * than 2xx fails the feed. A fresh fleet (same seed) must be passed for each server.
 */
export async function feedRemoteWrite(
  url: string,
  fleet: Fleet,
  startMs: number,
  steps: number,
  opts: { samplesPerRequest: number; concurrency: number },
): Promise<FeedResult> {
  const seriesCount = fleet.labels.length;
  const shards = Math.max(1, Math.min(opts.concurrency, seriesCount));
  const shardOf = (i: number) => Math.floor((i * shards) / seriesCount);
  const stepsPerRequest = Math.max(1, Math.round((opts.samplesPerRequest * shards) / seriesCount));
  const values = new Float64Array(seriesCount);
  let step = 0;
  let postMs = 0;
  let requests = 0;
  let retries = 0;
  const post = async (body: Buffer): Promise<void> => {
    for (let attempt = 0; ; attempt++) {
      try {
        await postRemoteWrite(url, body);
        return;
      } catch (err) {
        const code = (err as { cause?: { code?: string } }).cause?.code;
        const onConnection = code === 'EPIPE' || code === 'ECONNRESET' || code === 'UND_ERR_SOCKET';
        if (!onConnection || attempt >= RETRIES) throw err;
        retries++;
      }
    }
  };
  while (step < steps) {
    const bodies: Buffer[][] = Array.from({ length: shards }, () => []);
    for (let b = 0; b < 8 && step < steps; b++) {
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
      for (let shard = 0; shard < shards; shard++) {
        const part = series.filter((_, i) => shardOf(i) === shard);
        (bodies[shard] as Buffer[]).push(encodeWriteRequest(part));
      }
    }
    const t0 = performance.now();
    await Promise.all(
      bodies.map(async (shardBodies) => {
        for (const body of shardBodies) await post(body);
      }),
    );
    postMs += performance.now() - t0;
    for (const shardBodies of bodies) requests += shardBodies.length;
  }
  return { samples: steps * seriesCount, postMs, requests, retries };
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
