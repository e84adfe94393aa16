/**
 * `llmwatch replay FILE --target URL`: loads an Azure trace, checks the gateway answers, replays
 * the trace and prints progress and a summary.
 */
import { Agent, request } from 'undici';

import { isLlmwatchError } from '../../core/errors.js';
import { loadAzureTrace, sliceTrace } from '../trace/azure.js';
import {
  replayTrace,
  resolveReplaySettings,
  type ReplayOptions,
  type ReplayProgress,
} from './replay.js';
import { formatSummary, summaryJson } from './summary.js';

/** Exit codes of the replay command. */
export const REPLAY_EXIT = {
  /** The replay ran and at least one request succeeded (or the trace was empty). */
  ok: 0,
  /** The replay ran but every request failed. */
  allFailed: 1,
  /** The trace file or an option is invalid. */
  invalidInput: 2,
  /** Nothing answered at the target URL. */
  unreachable: 3,
} as const;

/** Options of the replay command. */
export interface ReplayCommandOptions {
  /** Path of an Azure trace CSV. */
  file: string;
  /** Gateway base URL, e.g. "http://127.0.0.1:8080". */
  target: string;
  /** Model name sent in every request. */
  model: string;
  /** Divides inter-arrival times (60 = an hour in a minute). */
  speedup: number;
  /** Replay only the first `limit` requests. */
  limit?: number;
  /** Share of requests that stream, 0..1, default 0.5. */
  streamFraction?: number;
  /** Print one JSON summary object (no progress lines) instead of text. */
  json?: boolean;
  /** "chat" (default) or "completions". */
  api?: 'chat' | 'completions';
  /** Most requests outstanding at once, default 256. */
  maxInFlight?: number;
  /** Cancels the replay (e.g. on Ctrl-C); the summary covers what was sent. */
  signal?: AbortSignal;
}

/** How long the reachability check waits for any HTTP answer, in ms. */
export const PROBE_TIMEOUT_MS = 5_000;
/** Interval between plain progress lines when the output is not a terminal, in ms. */
export const PLAIN_PROGRESS_INTERVAL_MS = 5_000;

/**
 * Runs the replay command, writing to `out`, and resolves with the exit code (REPLAY_EXIT).
 * Never rejects for bad input or an unreachable target: it prints the reason and the fix.
 */
export async function runReplayCommand(
  opts: ReplayCommandOptions,
  out: NodeJS.WritableStream,
): Promise<number> {
  const fail = (code: string, message: string, exitCode: number): number => {
    out.write(opts.json ? `${JSON.stringify({ error: { code, message } })}\n` : `${message}\n`);
    return exitCode;
  };

  let replayOptions: ReplayOptions;
  try {
    let requests = loadAzureTrace(opts.file);
    if (opts.limit !== undefined) requests = sliceTrace(requests, { limit: opts.limit });
    replayOptions = {
      requests,
      targetUrl: opts.target,
      model: opts.model,
      speedup: opts.speedup,
      ...(opts.streamFraction === undefined ? {} : { streamFraction: opts.streamFraction }),
      ...(opts.api === undefined ? {} : { api: opts.api }),
      ...(opts.maxInFlight === undefined ? {} : { maxInFlight: opts.maxInFlight }),
      ...(opts.signal === undefined ? {} : { signal: opts.signal }),
    };
    resolveReplaySettings(replayOptions);
  } catch (err) {
    if (!isLlmwatchError(err)) throw err;
    return fail(err.code, err.message, REPLAY_EXIT.invalidInput);
  }

  const unreachable = await probeTarget(opts.target);
  if (unreachable !== undefined) {
    return fail(
      'replay_target_unreachable',
      `replay: cannot reach the target "${opts.target}" (${unreachable}); start the llmwatch ` +
        'gateway there, or pass its address with --target URL',
      REPLAY_EXIT.unreachable,
    );
  }

  const tty = (out as { isTTY?: boolean }).isTTY === true && opts.json !== true;
  let lastPlainMs = 0;
  const onProgress = (p: ReplayProgress): void => {
    if (opts.json) return;
    if (tty) {
      out.write(`\r${formatProgress(p)}\x1b[K`);
    } else if (p.elapsedMs - lastPlainMs >= PLAIN_PROGRESS_INTERVAL_MS) {
      lastPlainMs = p.elapsedMs;
      out.write(`${formatProgress(p)}\n`);
    }
  };

  let report;
  try {
    report = await replayTrace({ ...replayOptions, onProgress });
  } catch (err) {
    if (!isLlmwatchError(err)) throw err;
    return fail(err.code, err.message, REPLAY_EXIT.invalidInput);
  }
  if (tty) out.write('\n');

  out.write(
    opts.json
      ? `${JSON.stringify(summaryJson(report, opts.file, opts.target))}\n`
      : formatSummary(report),
  );
  return report.sent > 0 && report.succeeded === 0 ? REPLAY_EXIT.allFailed : REPLAY_EXIT.ok;
}

/** One progress line, e.g. "replay: 120/8819 sent, 118 done, 0 failed, 2 in flight, 3.1 s". */
export function formatProgress(p: ReplayProgress): string {
  return (
    `replay: ${p.sent}/${p.total} sent, ${p.completed} done, ${p.failed} failed, ` +
    `${p.inFlight} in flight, ${(p.elapsedMs / 1000).toFixed(1)} s`
  );
}

/**
 * Sends one GET to the target's base URL. Any HTTP answer (even 404) means reachable; returns
 * undefined then, or the network error's message.
 */
async function probeTarget(target: string): Promise<string | undefined> {
  const agent = new Agent({ connect: { timeout: PROBE_TIMEOUT_MS } });
  try {
    const res = await request(target, {
      method: 'GET',
      dispatcher: agent,
      signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
    });
    await res.body.dump();
    return undefined;
  } catch (err) {
    const cause =
      err instanceof Error && err.cause instanceof Error ? `: ${err.cause.message}` : '';
    return err instanceof Error ? `${err.message}${cause}` : String(err);
  } finally {
    await agent.destroy();
  }
}
