/**
 * Helpers for device-level series (GPU and host) mapped from exporters and engines: the labels
 * of the wave-2 GPU contract and DCGM's "blank" sentinel values.
 */
import type { Labels } from '../store/types.js';
import type { MapContext } from './mapping.js';

/** Where a device series comes from. */
export interface DeviceIdentity {
  /** Host name; default: the context's `instance` (the target's host). */
  instance?: string;
  /** GPU index, or "<index>/<MIG GPU instance id>" for a MIG slice. */
  gpu?: string;
  /** "GPU-…" UUID. */
  gpu_uuid?: string;
  /** Marketing name, e.g. "Tesla T4". */
  gpu_model?: string;
}

/**
 * Labels of a device sample: `__name__`, the non-empty identity labels, `source` from the
 * target, and `component`/`copy` only when the target is attributed to a component (has a
 * `component` label); a DCGM or node exporter target that serves a whole host is not.
 */
export function deviceLabels(name: string, id: DeviceIdentity, ctx: MapContext): Labels {
  const labels: Labels = { __name__: name };
  const instance = id.instance || ctx.instance;
  if (instance) labels.instance = instance;
  if (id.gpu) labels.gpu = id.gpu;
  if (id.gpu_uuid) labels.gpu_uuid = id.gpu_uuid;
  if (id.gpu_model) labels.gpu_model = id.gpu_model;
  const { component, copy, source } = ctx.targetLabels;
  if (component) {
    labels.component = component;
    if (copy) labels.copy = copy;
  }
  if (source) labels.source = source;
  return labels;
}

// float64 cannot hold the int64 sentinels 2^63-16 .. 2^63-13: they all parse as 2^63.
const INT64_BLANK = 2 ** 63;
const FP64_BLANK = 2 ** 47;

/**
 * True for DCGM's "no value" sentinels: int32 2147483632..2147483635, int64
 * 9223372036854775792..9223372036854775795 (2^63 once parsed as a float) and fp64 2^47..2^47+3.
 * Such samples are missing data, never values.
 */
export function isDcgmSentinel(value: number): boolean {
  if (value >= 2147483632 && value <= 2147483635 && Number.isInteger(value)) return true;
  if (value >= FP64_BLANK && value <= FP64_BLANK + 3 && Number.isInteger(value)) return true;
  return value === INT64_BLANK;
}
