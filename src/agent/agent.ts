/**
 * The GPU agent: every `intervalSeconds` it reads the GPU source, attributes GPUs to copies,
 * builds the gpu_* / host_* samples, appends them as one remote-write batch to the on-disk
 * buffer and lets the pusher send the buffer to the server in order. A failed reading is a
 * warning naming the command, never the end of the loop; polls never overlap.
 */
import { cpus } from 'node:os';
import { isLlmwatchError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import { encodeWriteRequest } from '../ingest/remote-write/codec.js';
import type { Sample } from '../store/types.js';
import { attributeGpus, copyProcessTrees, type CopyMatcher } from './attribution.js';
import { openBatchBuffer, type BatchBuffer } from './buffer.js';
import { collectSnapshot } from './collect.js';
import type { AgentConfig } from './config.js';
import { readProcessTable } from './proc.js';
import { createPusher, type Pusher } from './push.js';
import type { GpuSnapshot } from './reading.js';
import { buildSamples } from './samples.js';

/** Agent dependencies; only `config` and `logger` are required. */
export interface AgentOptions {
  config: AgentConfig;
  logger: Logger;
  /** Root of the process table. Default "/proc". */
  procRoot?: string;
  /** Clock in Unix ms. Default Date.now. */
  nowMs?: () => number;
  /** Pusher retry settings (tests shorten them). */
  backoffBaseMs?: number;
  backoffMaxMs?: number;
}

/** What one poll did. */
export interface PollResult {
  /** Samples appended to the buffer. */
  samples: Sample[];
  /** The error message when the GPU source could not be read (the poll still sends host_info). */
  error?: string;
}

/** A running (or startable) agent. */
export interface Agent {
  /** Starts the poll loop; the first poll runs at once. */
  start(): void;
  /** Polls once and waits for the pusher to try sending everything buffered. */
  pollOnce(): Promise<PollResult>;
  /** Stops the loop and the pusher, waiting for work in progress. */
  stop(): Promise<void>;
  readonly buffer: BatchBuffer;
  readonly pusher: Pusher;
}

/** Creates an agent. Throws LlmwatchError `agent_buffer_unusable` for a bad buffer directory. */
export function createAgent(options: AgentOptions): Agent {
  const { config, logger } = options;
  const nowMs = options.nowMs ?? Date.now;
  const buffer = openBatchBuffer(config.bufferDir, config.bufferMaxBytes);
  const pusher = createPusher({
    url: new URL('api/v1/write', config.server.endsWith('/') ? config.server : `${config.server}/`)
      .href,
    buffer,
    logger,
    requestTimeoutMs: config.commandTimeoutSeconds * 1000,
    backoffBaseMs: options.backoffBaseMs,
    backoffMaxMs: options.backoffMaxMs,
  });
  const copies: CopyMatcher[] = config.copies.map((c) => ({
    ...c,
    processPattern: c.processPattern === undefined ? undefined : new RegExp(c.processPattern),
  }));
  const needsCmdline = copies.some((c) => c.processPattern !== undefined);
  const loggedWarnings = new Set<string>();
  const cpu = createCpuMeter();
  let pollFailures = 0;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<unknown> | undefined;
  let stopped = false;

  const collectAndBuffer = async (): Promise<PollResult> => {
    const timestampMs = Math.round(nowMs());
    let snapshot: GpuSnapshot = { gpus: [], processes: [], warnings: [] };
    let error: string | undefined;
    try {
      snapshot = await collectSnapshot(config);
    } catch (err) {
      pollFailures++;
      error = (err as Error).message;
      const code = isLlmwatchError(err) ? err.code : undefined;
      logger.warn({ code, err: error, source: config.source }, 'agent poll failed');
    }
    for (const warning of snapshot.warnings) {
      if (loggedWarnings.has(warning) || loggedWarnings.size > 1000) continue;
      loggedWarnings.add(warning);
      logger.warn({ warning }, 'agent reading incomplete');
    }
    const table = readProcessTable({ procRoot: options.procRoot, withCmdline: needsCmdline });
    const trees = copyProcessTrees(copies, table);
    const owners = attributeGpus(snapshot.gpus, snapshot.processes, copies, trees);
    const context = { instance: config.instance, instanceType: config.instanceType, timestampMs };
    const samples = buildSamples(snapshot.gpus, owners, context);
    const own = { instance: config.instance, source: 'agent' };
    const at = (name: string, value: number) =>
      samples.push({ labels: { __name__: name, ...own }, timestampMs, value });
    const cpuRatio = cpu();
    if (cpuRatio !== undefined) at('host_cpu_utilization_ratio', cpuRatio);
    at('llmwatch_agent_poll_failures_total', pollFailures);
    at('llmwatch_agent_buffer_dropped_batches_total', buffer.droppedBatches);
    at('llmwatch_agent_rejected_batches_total', pusher.rejectedBatches);
    at('llmwatch_agent_buffered_batches', buffer.pendingBatches);

    const body = encodeWriteRequest(
      samples.map((s) => ({ labels: s.labels, samples: [{ timestampMs, value: s.value }] })),
    );
    const droppedBefore = buffer.droppedBatches;
    buffer.append(body);
    if (buffer.droppedBatches > droppedBefore) {
      logger.error(
        { dropped: buffer.droppedBatches - droppedBefore, maxBytes: config.bufferMaxBytes },
        'agent buffer full, oldest batches dropped',
      );
    }
    return error === undefined ? { samples } : { samples, error };
  };

  const tick = async () => {
    try {
      await collectAndBuffer();
    } catch (err) {
      logger.error({ err: (err as Error).message }, 'agent poll crashed');
    }
    void pusher.drain();
    if (!stopped) timer = setTimeout(run, config.intervalSeconds * 1000);
  };
  const run = () => {
    inFlight = tick();
  };

  return {
    start() {
      if (timer !== undefined || inFlight !== undefined) return;
      logger.info(
        { instance: config.instance, source: config.source, server: config.server },
        'agent started',
      );
      run();
    },
    async pollOnce() {
      const result = await collectAndBuffer();
      await pusher.drain();
      return result;
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await inFlight;
      await pusher.stop();
      logger.info({}, 'agent stopped');
    },
    buffer,
    pusher,
  };
}

/** Returns a function giving the host's busy CPU share (0..1) since its previous call. */
function createCpuMeter(): () => number | undefined {
  let previous: { busy: number; total: number } | undefined;
  return () => {
    let busy = 0;
    let total = 0;
    for (const cpu of cpus()) {
      const t = cpu.times;
      const all = t.user + t.nice + t.sys + t.idle + t.irq;
      total += all;
      busy += all - t.idle;
    }
    const last = previous;
    previous = { busy, total };
    if (!last || total <= last.total) return undefined;
    return Math.min(1, Math.max(0, (busy - last.busy) / (total - last.total)));
  };
}
