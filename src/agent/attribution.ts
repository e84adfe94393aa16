/**
 * Decides which copy owns each GPU or MIG slice. Configuration first (a copy's `gpus` indices or
 * `gpuUuids`, in configuration order), then processes: a compute process that nvidia-smi reports
 * on a GPU belongs to a copy when its PID is in the copy's process tree (the copy's PID, the PID
 * in its PID file, or the processes whose command line matches its pattern, plus descendants).
 * A MIG slice with no owner of its own inherits its parent GPU's owner.
 *
 * Limitation: a GPU shared by two copies is attributed to the first one found (configuration
 * order, then process order); the other copy gets no samples for it.
 */
import { readFileSync } from 'node:fs';
import type { GpuProcess, GpuReading } from './reading.js';
import { processTree, type ProcessInfo } from './proc.js';

/** How to recognise one copy's GPUs. Every field but component and copy is optional. */
export interface CopyMatcher {
  component: string;
  copy: string;
  /** `gpu` labels owned outright: indices ("0") or MIG slices ("0/3"). */
  gpus?: string[];
  /** GPU UUIDs owned outright (whole GPUs). */
  gpuUuids?: string[];
  /** The copy's main process ID. */
  pid?: number;
  /** A file holding the copy's main process ID, read every poll. */
  pidFile?: string;
  /** Regular expression matched against each process's command line. */
  processPattern?: RegExp;
}

/** The owner of a GPU. */
export interface GpuOwner {
  component: string;
  copy: string;
}

/**
 * Finds each copy's process tree in `table`. `selfPid` (the agent) never matches a pattern.
 * A missing or unreadable PID file gives no processes for that copy.
 */
export function copyProcessTrees(
  copies: readonly CopyMatcher[],
  table: ReadonlyMap<number, ProcessInfo>,
  selfPid = process.pid,
): Set<number>[] {
  return copies.map((copy) => {
    const roots: number[] = [];
    if (copy.pid !== undefined) roots.push(copy.pid);
    if (copy.pidFile !== undefined) {
      const pid = readPidFile(copy.pidFile);
      if (pid !== undefined) roots.push(pid);
    }
    if (copy.processPattern !== undefined) {
      for (const info of table.values()) {
        if (info.pid !== selfPid && copy.processPattern.test(info.cmdline)) roots.push(info.pid);
      }
    }
    return processTree(roots, table);
  });
}

function readPidFile(path: string): number | undefined {
  try {
    const text = readFileSync(path, 'utf8').trim();
    return /^\d+$/.test(text) ? Number(text) : undefined;
  } catch {
    return undefined;
  }
}

/** Maps `gpu` label to owner for every attributed GPU or slice. */
export function attributeGpus(
  gpus: readonly GpuReading[],
  processes: readonly GpuProcess[],
  copies: readonly CopyMatcher[],
  trees: readonly Set<number>[],
): Map<string, GpuOwner> {
  const owners = new Map<string, GpuOwner>();
  const claim = (gpu: string, copy: CopyMatcher) => {
    if (!owners.has(gpu)) owners.set(gpu, { component: copy.component, copy: copy.copy });
  };

  for (const copy of copies) {
    for (const reading of gpus) {
      const byIndex = copy.gpus?.includes(reading.gpu) === true;
      const byUuid =
        reading.parentGpu === undefined &&
        reading.uuid !== '' &&
        copy.gpuUuids?.includes(reading.uuid) === true;
      if (byIndex || byUuid) claim(reading.gpu, copy);
    }
  }

  for (const proc of processes) {
    const at = trees.findIndex((tree) => tree.has(proc.pid));
    const copy = copies[at];
    if (copy === undefined) continue;
    const label =
      proc.gpu ?? gpus.find((g) => g.parentGpu === undefined && g.uuid === proc.gpuUuid)?.gpu;
    if (label !== undefined) claim(label, copy);
  }

  for (const reading of gpus) {
    const parentOwner = reading.parentGpu === undefined ? undefined : owners.get(reading.parentGpu);
    if (parentOwner && !owners.has(reading.gpu)) owners.set(reading.gpu, parentOwner);
  }
  return owners;
}
