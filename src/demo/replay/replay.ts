/**
 * Open-loop replay of a production trace against an OpenAI-compatible gateway: every request is
 * sent at its trace arrival time (divided by `speedup`), whether or not earlier ones finished.
 * Limitation: sending and reading responses share one event loop; when they need more CPU than
 * the schedule leaves (very high speed-ups), requests go out late. The report says by how much
 * (maxScheduleLagMs) rather than hiding it.
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

import { Agent } from 'undici';

import { LlmwatchError } from '../../core/errors.js';
import type { TraceRequest } from '../trace/trace.js';
import { buildPrompt, isStreamed } from './prompt.js';
import { sendReplayCall, type ReplayRecord } from './request.js';
import { summarizeRecords, type ReplayReport } from './report.js';

export type { ReplayRecord, ReplayStatus } from './request.js';
export type { ReplayReport } from './report.js';

/** Progress of a running replay, reported at most every PROGRESS_INTERVAL_MS and once at the end. */
export interface ReplayProgress {
  /** Requests in the replay. */
  total: number;
  /** Requests sent so far. */
  sent: number;
  /** Requests finished so far, successful or not. */
  completed: number;
  /** Finished requests that failed. */
  failed: number;
  /** Requests sent and not yet finished. */
  inFlight: number;
  /** Milliseconds since the replay started. */
  elapsedMs: number;
}

/** What to replay, where, and how. */
export interface ReplayOptions {
  /** The requests, in arrival order; arrival times are taken relative to the first one. */
  requests: TraceRequest[];
  /** Gateway base URL, e.g. "http://127.0.0.1:8080" (a trailing "/v1" is accepted). */
  targetUrl: string;
  /** Model name sent in every request. */
  model: string;
  /** Divides inter-arrival times: 60 replays an hour of trace in a minute. Must be > 0. */
  speedup: number;
  /** Share of requests that stream, 0..1, chosen by index (see isStreamed). Default 0.5. */
  streamFraction?: number;
  /** "chat" (/v1/chat/completions, default) or "completions" (/v1/completions). */
  api?: 'chat' | 'completions';
  /**
   * Most requests outstanding at once, default 256. An arrival beyond it waits for a free slot
   * (the replay then falls behind the trace); such arrivals are counted in waitedForSlot.
   */
  maxInFlight?: number;
  /** Per-request limit in ms, default 300000; a request past it is recorded as "timeout". */
  timeoutMs?: number;
  /** Cancels the replay: no new requests are sent, outstanding ones are aborted. */
  signal?: AbortSignal;
  /** Called with progress at most every ~500 ms, and once when the replay ends. */
  onProgress?: (progress: ReplayProgress) => void;
  /** Extra JSON fields merged into every request body (e.g. `{ ignore_eos: true }` for vLLM). */
  extraBody?: Record<string, unknown>;
}

/** Interval between progress reports, in ms. */
export const PROGRESS_INTERVAL_MS = 500;

/**
 * Replays `requests` against the gateway and resolves with what happened once every sent
 * request finished. Each request carries a prompt of exactly `contextTokens` words and
 * `max_tokens = generatedTokens` (1 when the trace says 0; counted in maxTokensAdjusted).
 * Scheduling is relative to one start time, so timer lateness does not accumulate.
 * Failed requests never reject the promise; they are counted by status in the report.
 * Throws LlmwatchError `replay_invalid_option` for a bad URL, speedup, fraction or limit.
 */
export async function replayTrace(opts: ReplayOptions): Promise<ReplayReport> {
  const settings = resolveReplaySettings(opts);
  const { requests, signal } = opts;
  const agent = new Agent({
    connections: settings.maxInFlight,
    keepAliveTimeout: 30_000,
    headersTimeout: settings.timeoutMs,
    bodyTimeout: settings.timeoutMs,
  });
  const cancel = new AbortController();
  const onAbort = (): void => cancel.abort();
  signal?.addEventListener('abort', onAbort, { once: true });
  if (signal?.aborted) cancel.abort();

  const records: ReplayRecord[] = [];
  const outstanding = new Set<Promise<void>>();
  const slotWaiters: Array<() => void> = [];
  const wakeAll = (): void => slotWaiters.splice(0).forEach((wake) => wake());
  cancel.signal.addEventListener('abort', wakeAll, { once: true });
  const counts = { sent: 0, completed: 0, failed: 0, waitedForSlot: 0, maxLagMs: 0 };
  const baseMs = requests[0]?.arrivalMs ?? 0;
  const startMs = performance.now();

  const progress = (): ReplayProgress => ({
    total: requests.length,
    sent: counts.sent,
    completed: counts.completed,
    failed: counts.failed,
    inFlight: outstanding.size,
    elapsedMs: performance.now() - startMs,
  });
  const timer = opts.onProgress
    ? setInterval(() => opts.onProgress?.(progress()), PROGRESS_INTERVAL_MS)
    : undefined;

  for (const trace of requests) {
    const scheduledMs = (trace.arrivalMs - baseMs) / opts.speedup;
    // Timers measure from the event loop's cached clock and can fire a little early: re-check.
    let delayMs = startMs + scheduledMs - performance.now();
    while (delayMs >= 1 && !cancel.signal.aborted) {
      await sleep(delayMs, undefined, { signal: cancel.signal }).catch(() => {});
      delayMs = startMs + scheduledMs - performance.now();
    }
    if (outstanding.size >= settings.maxInFlight && !cancel.signal.aborted) {
      counts.waitedForSlot += 1;
      while (outstanding.size >= settings.maxInFlight && !cancel.signal.aborted) {
        await new Promise<void>((resolve) => slotWaiters.push(resolve));
      }
    }
    if (cancel.signal.aborted) break;

    const sentMs = performance.now() - startMs;
    counts.maxLagMs = Math.max(counts.maxLagMs, sentMs - scheduledMs);
    counts.sent += 1;
    const stream = isStreamed(trace.index, settings.streamFraction);
    const timeoutSignal = AbortSignal.timeout(settings.timeoutMs);
    const call = {
      url: settings.url,
      api: settings.api,
      model: opts.model,
      prompt: buildPrompt(trace.contextTokens, trace.index),
      maxTokens: Math.max(1, trace.generatedTokens),
      stream,
      ...(opts.extraBody ? { extraBody: opts.extraBody } : {}),
    };
    const pending = sendReplayCall(
      call,
      agent,
      AbortSignal.any([cancel.signal, timeoutSignal]),
      timeoutSignal,
    ).then((result) => {
      records.push({
        index: trace.index,
        ...result,
        promptWords: trace.contextTokens,
        maxTokens: call.maxTokens,
        maxTokensAdjusted: trace.generatedTokens === 0,
        scheduledMs,
        sentMs,
      });
      counts.completed += 1;
      if (!result.ok) counts.failed += 1;
      outstanding.delete(pending);
      slotWaiters.shift()?.();
    });
    outstanding.add(pending);
  }

  await Promise.all(outstanding);
  const wallMs = performance.now() - startMs;
  if (timer) clearInterval(timer);
  opts.onProgress?.(progress());
  signal?.removeEventListener('abort', onAbort);
  await agent.close();

  records.sort((a, b) => a.index - b.index);
  return summarizeRecords(records, {
    total: requests.length,
    wallMs,
    traceDurationMs: (requests[requests.length - 1]?.arrivalMs ?? baseMs) - baseMs,
    speedup: opts.speedup,
    waitedForSlot: counts.waitedForSlot,
    maxScheduleLagMs: counts.maxLagMs,
    aborted: cancel.signal.aborted,
  });
}

/** Replay options after defaults and checks. */
export interface ReplaySettings {
  url: string;
  api: 'chat' | 'completions';
  streamFraction: number;
  maxInFlight: number;
  timeoutMs: number;
}

/** Resolves the endpoint URL for a gateway base URL, e.g. ".../v1/chat/completions". */
export function endpointUrl(targetUrl: string, api: 'chat' | 'completions'): string {
  let parsed: URL;
  try {
    parsed = new URL(targetUrl);
  } catch {
    throw invalidOption(`targetUrl must be an http(s) URL like "http://127.0.0.1:8080"`, targetUrl);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw invalidOption(`targetUrl must use http or https`, targetUrl);
  }
  const base = parsed.pathname.replace(/\/+$/, '');
  const prefix = base.endsWith('/v1') ? base : `${base}/v1`;
  parsed.pathname = `${prefix}/${api === 'chat' ? 'chat/completions' : 'completions'}`;
  return parsed.toString();
}

/**
 * Applies defaults and checks the options replayTrace would use, without sending anything.
 * Throws LlmwatchError `replay_invalid_option` naming the bad value and what is expected.
 */
export function resolveReplaySettings(opts: ReplayOptions): ReplaySettings {
  const api = opts.api ?? 'chat';
  if (api !== 'chat' && api !== 'completions') {
    throw invalidOption('api must be "chat" or "completions"', api);
  }
  const url = endpointUrl(opts.targetUrl, api);
  if (!(Number.isFinite(opts.speedup) && opts.speedup > 0)) {
    throw invalidOption(
      'speedup must be a number above 0 (1 = real time, 60 = an hour in a minute)',
      opts.speedup,
    );
  }
  const streamFraction = opts.streamFraction ?? 0.5;
  if (!(streamFraction >= 0 && streamFraction <= 1)) {
    throw invalidOption('streamFraction must be between 0 and 1', streamFraction);
  }
  const maxInFlight = opts.maxInFlight ?? 256;
  if (!(Number.isSafeInteger(maxInFlight) && maxInFlight >= 1)) {
    throw invalidOption('maxInFlight must be an integer of at least 1', maxInFlight);
  }
  const timeoutMs = opts.timeoutMs ?? 300_000;
  if (!(Number.isFinite(timeoutMs) && timeoutMs > 0)) {
    throw invalidOption('timeoutMs must be a number of milliseconds above 0', timeoutMs);
  }
  if (typeof opts.model !== 'string' || opts.model === '') {
    throw invalidOption('model must be a non-empty model name', opts.model);
  }
  return { url, api, streamFraction, maxInFlight, timeoutMs };
}

function invalidOption(what: string, got: unknown): LlmwatchError {
  return new LlmwatchError('replay_invalid_option', `replay: ${what}, got ${JSON.stringify(got)}`);
}
