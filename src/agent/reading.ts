/**
 * What one poll of a GPU source yields, before attribution: one reading per GPU or MIG slice and
 * the compute processes seen on them. Parsers (CSV, XML, DCGM) fill these; samples.ts turns them
 * into gpu_* samples. A value the source reports as missing (`[N/A]`, `[Not Supported]`, a DCGM
 * sentinel) is left undefined here and becomes an absent sample, never 0.
 */

/** One GPU, or one MIG slice of a GPU. */
export interface GpuReading {
  /** The `gpu` label: the nvidia-smi index ("0"), or "<index>/<gpu instance id>" for a MIG slice. */
  gpu: string;
  /** GPU UUID ("GPU-..."); for a MIG slice the parent's UUID. "" when the source gave none. */
  uuid: string;
  /** Product name, e.g. "NVIDIA H100 80GB HBM3"; "" when unknown. */
  model: string;
  /** Busy share of the last sample period, 0..1. */
  utilizationRatio?: number;
  memoryUsedBytes?: number;
  memoryTotalBytes?: number;
  powerWatts?: number;
  temperatureCelsius?: number;
  /** True when MIG mode is on for this GPU (parent readings only). */
  migEnabled?: boolean;
  /** For a MIG slice: the parent GPU's `gpu` label. */
  parentGpu?: string;
}

/** One compute process seen on a GPU. */
export interface GpuProcess {
  pid: number;
  /** UUID of the (parent) GPU, when the source names it. */
  gpuUuid?: string;
  /** `gpu` label of the GPU or slice, when the source names it (XML does, CSV does not). */
  gpu?: string;
  processName?: string;
  usedMemoryBytes?: number;
}

/** A parsed poll. `warnings` name values that could not be read (they are left out). */
export interface GpuSnapshot {
  gpus: GpuReading[];
  processes: GpuProcess[];
  warnings: string[];
}

const MIB = 1024 * 1024;

/**
 * True for the ways nvidia-smi says "no value": any bracketed text (`[N/A]`, `[Not Supported]`,
 * `[Unknown Error]`, `[Insufficient Permissions]`, ...), plain `N/A`, or an empty field.
 */
export function isMissingValue(raw: string | undefined): boolean {
  if (raw === undefined) return true;
  const text = raw.trim();
  return text === '' || text === 'N/A' || (text.startsWith('[') && text.endsWith(']'));
}

const NUMBER_WITH_UNIT = /^(-?\d+(?:\.\d+)?)(?:\s*(\S+))?$/;

/**
 * Reads a number that may carry a unit ("81559 MiB", "100 %", "67.03 W", "27 C", or a bare
 * "81559" as `nounits` prints it). Returns undefined when the value is missing. Returns
 * `{ invalid: true }` when the text is not a number or carries a unit other than `unit`.
 */
export function parseQuantity(
  raw: string | undefined,
  unit: string,
): number | undefined | { invalid: true } {
  if (isMissingValue(raw)) return undefined;
  const match = NUMBER_WITH_UNIT.exec((raw ?? '').trim());
  if (!match) return { invalid: true };
  if (match[2] !== undefined && match[2] !== unit) return { invalid: true };
  const value = Number(match[1]);
  return Number.isFinite(value) ? value : { invalid: true };
}

/** Collects readable numbers and warns (once per field) about unreadable ones. */
export class QuantityReader {
  readonly warnings: string[] = [];

  constructor(private readonly where: string) {}

  /** Parses `raw` in `unit` and multiplies by `scale`; undefined when missing or invalid. */
  read(field: string, raw: string | undefined, unit: string, scale = 1): number | undefined {
    const parsed = parseQuantity(raw, unit);
    if (parsed === undefined) return undefined;
    if (typeof parsed === 'object') {
      this.warnings.push(
        `${this.where}: ${field} must be a number in ${unit || 'plain units'}, got ${JSON.stringify(raw)}; left out`,
      );
      return undefined;
    }
    return parsed * scale;
  }

  /** Memory in MiB, as bytes. */
  mebibytes(field: string, raw: string | undefined): number | undefined {
    return this.read(field, raw, 'MiB', MIB);
  }

  /** A percentage, as a 0..1 ratio. */
  percentRatio(field: string, raw: string | undefined): number | undefined {
    const value = this.read(field, raw, '%');
    return value === undefined ? undefined : value / 100;
  }
}
