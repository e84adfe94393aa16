/**
 * Turns the demo copies' traffic into simulated GPU readings. Each second the demo reads every
 * copy's cumulative counters; from the change since the previous second it estimates how many
 * requests the copy was running, and from that each of its GPUs' utilisation and memory:
 * - a simulated vLLM copy: running ≈ output tokens per second × seconds per token of one request
 *   (Little's law over the simulator's inter-token delay); utilisation = running / saturation;
 * - the real tiny model: utilisation = share of the second spent generating.
 * Memory = CUDA context + the model's weights on that GPU + the KV cache in use (∝ running).
 *
 * Limitation: a model of a GPU, not a measurement: real vLLM preallocates its KV cache (memory
 * stays near 90 % whatever the load) and real utilisation depends on batch shapes.
 */
import type { SimulatedGpuProcess, SimulatedGpuState } from './smi-table.js';

/** Cumulative counters of one copy, read once per tick. */
export interface CopyCounters {
  /** Output tokens generated so far. */
  outputTokens: number;
  /** Seconds spent generating so far, when the server measures it (node-llama-cpp copy). */
  busySeconds?: number;
}

/** One copy of the demo and the GPUs it runs on. */
export interface DemoGpuCopy {
  component: string;
  copy: string;
  /** nvidia-smi indices of its GPUs (tensor parallel over all of them). */
  gpus: number[];
  /** Reads the copy's cumulative counters. */
  counters: () => CopyCounters;
  /** Model weights held on each of its GPUs, MiB. */
  weightsMiBPerGpu: number;
  /** KV cache per GPU when the copy runs `saturationRequests` requests, MiB. */
  kvMiBPerGpu: number;
}

/** Tuning of the estimate. */
export interface LoadModel {
  /** Real seconds one request waits per generated token (simulated ITL × time scale). */
  secondsPerToken: number;
  /** Running requests at which a GPU reads 100 %. Default 4. */
  saturationRequests: number;
  /** CUDA context per GPU with a process on it, MiB. Default 520. */
  contextMiB: number;
}

/** Estimated running requests (or busy share × saturation) of one copy over one tick. */
export function estimateRunning(
  before: CopyCounters,
  after: CopyCounters,
  elapsedSeconds: number,
  model: LoadModel,
): number {
  if (elapsedSeconds <= 0) return 0;
  if (before.busySeconds !== undefined && after.busySeconds !== undefined) {
    const busyShare = (after.busySeconds - before.busySeconds) / elapsedSeconds;
    return Math.max(0, Math.min(1, busyShare)) * model.saturationRequests;
  }
  const tokensPerSecond = Math.max(0, after.outputTokens - before.outputTokens) / elapsedSeconds;
  return tokensPerSecond * model.secondsPerToken;
}

/**
 * Readings of all `gpuCount` GPUs given each copy's estimated running requests (same order as
 * `copies`); GPUs of no copy are idle and empty. Processes: one per (copy, GPU), with `pid`.
 */
export function simulateGpus(
  gpuCount: number,
  copies: readonly DemoGpuCopy[],
  running: readonly number[],
  model: LoadModel,
  pid: number,
  processName: string,
): { gpus: SimulatedGpuState[]; processes: SimulatedGpuProcess[] } {
  const gpus: SimulatedGpuState[] = [];
  for (let index = 0; index < gpuCount; index++) {
    gpus.push({ index, utilizationRatio: 0, memoryUsedMiB: 0 });
  }
  const processes: SimulatedGpuProcess[] = [];
  copies.forEach((copy, at) => {
    const load = Math.min(1, (running[at] ?? 0) / model.saturationRequests);
    for (const index of copy.gpus) {
      const gpu = gpus[index];
      if (!gpu) continue;
      const processMiB = copy.weightsMiBPerGpu + copy.kvMiBPerGpu * load;
      gpu.utilizationRatio = Math.round(load * 100) / 100;
      gpu.memoryUsedMiB = Math.round(model.contextMiB + processMiB);
      processes.push({ gpuIndex: index, pid, processName, usedMemoryMiB: Math.round(processMiB) });
    }
  });
  return { gpus, processes };
}
