/**
 * Maps NVIDIA DCGM exporter output (`DCGM_FI_*`) onto the `gpu_*` series of the wave-2 contract.
 * See shared/reference/metrics-formats.md §8.
 *
 * Decisions:
 * - Identity: `Hostname` (exporters up to 4.x) or `hostname` → `instance` (else the target's
 *   host), `gpu` → `gpu` ("<gpu>/<GPU_I_ID>" for a MIG slice), `UUID` → `gpu_uuid`,
 *   `modelName` → `gpu_model`. Series with neither `gpu` nor `UUID` cannot be attributed to a
 *   device and are not mapped (their raw samples remain).
 * - Utilisation: whole GPUs use `DCGM_FI_DEV_GPU_UTIL` / 100, falling back to
 *   `DCGM_FI_PROF_GR_ENGINE_ACTIVE` (0..1); MIG slices use `DCGM_FI_PROF_GR_ENGINE_ACTIVE` only,
 *   since DCGM reports no GPU_UTIL for them.
 * - Memory (MiB → bytes): used = `FB_USED`; total = `FB_TOTAL` when exported, else
 *   `FB_USED + FB_FREE + FB_RESERVED` (reserved counted as 0 when the exporter lacks it).
 * - Power `DCGM_FI_DEV_POWER_USAGE` (W), temperature `DCGM_FI_DEV_GPU_TEMP` (°C).
 * - Sentinel values (see isDcgmSentinel), NaN and ±Inf are missing data: no sample, never 0.
 * Limitation: when a GPU appears in several series of one field (e.g. one per Kubernetes pod
 * sharing it), the first series wins.
 */
import type { Labels } from '../store/types.js';
import { deviceLabels, isDcgmSentinel, type DeviceIdentity } from './device.js';
import type { MetricFamily } from './exposition.js';
import type { MapContext, MappedSample } from './mapping.js';

const MIB = 1024 * 1024;
const FIELDS = [
  'DCGM_FI_DEV_GPU_UTIL',
  'DCGM_FI_PROF_GR_ENGINE_ACTIVE',
  'DCGM_FI_DEV_FB_USED',
  'DCGM_FI_DEV_FB_FREE',
  'DCGM_FI_DEV_FB_RESERVED',
  'DCGM_FI_DEV_FB_TOTAL',
  'DCGM_FI_DEV_POWER_USAGE',
  'DCGM_FI_DEV_GPU_TEMP',
] as const;
type Field = (typeof FIELDS)[number];

interface Unit {
  id: DeviceIdentity;
  mig: boolean;
  values: Partial<Record<Field, number>>;
}

/** True when a DCGM sample carries a usable value (not a sentinel, NaN or ±Inf). */
export function isDcgmValue(value: number): boolean {
  return Number.isFinite(value) && !isDcgmSentinel(value);
}

function identityOf(labels: Labels): { key: string; id: DeviceIdentity; mig: boolean } | null {
  const index = labels.gpu ?? '';
  const uuid = labels.UUID ?? '';
  if (index === '' && uuid === '') return null;
  const slice = labels.GPU_I_ID ?? '';
  const instance = labels.Hostname || labels.hostname || undefined;
  const gpu = index !== '' && slice !== '' ? `${index}/${slice}` : index;
  const id: DeviceIdentity = { instance, gpu, gpu_uuid: uuid, gpu_model: labels.modelName };
  return { key: [instance ?? '', uuid, gpu].join('\u0000'), id, mig: slice !== '' };
}

function collectUnits(index: ReadonlyMap<string, MetricFamily>): Unit[] {
  const units = new Map<string, Unit>();
  for (const field of FIELDS) {
    const family = index.get(field);
    if (!family) continue;
    for (const sample of family.samples) {
      if (sample.name !== field || !isDcgmValue(sample.value)) continue;
      const found = identityOf(sample.labels);
      if (!found) continue;
      let unit = units.get(found.key);
      if (!unit) {
        unit = { id: found.id, mig: found.mig, values: {} };
        units.set(found.key, unit);
      }
      if (unit.values[field] === undefined) unit.values[field] = sample.value;
    }
  }
  return [...units.values()];
}

function utilisation(unit: Unit): number | undefined {
  const active = unit.values.DCGM_FI_PROF_GR_ENGINE_ACTIVE;
  if (unit.mig) return active;
  const util = unit.values.DCGM_FI_DEV_GPU_UTIL;
  return util !== undefined ? util / 100 : active;
}

function memoryTotal(unit: Unit): number | undefined {
  const v = unit.values;
  if (v.DCGM_FI_DEV_FB_TOTAL !== undefined) return v.DCGM_FI_DEV_FB_TOTAL * MIB;
  if (v.DCGM_FI_DEV_FB_USED === undefined || v.DCGM_FI_DEV_FB_FREE === undefined) return undefined;
  return (v.DCGM_FI_DEV_FB_USED + v.DCGM_FI_DEV_FB_FREE + (v.DCGM_FI_DEV_FB_RESERVED ?? 0)) * MIB;
}

const OUTPUTS: ReadonlyArray<readonly [string, (unit: Unit) => number | undefined]> = [
  ['gpu_utilization_ratio', utilisation],
  ['gpu_memory_used_bytes', (u) => (u.values.DCGM_FI_DEV_FB_USED ?? NaN) * MIB],
  ['gpu_memory_total_bytes', memoryTotal],
  ['gpu_power_watts', (u) => u.values.DCGM_FI_DEV_POWER_USAGE],
  ['gpu_temperature_celsius', (u) => u.values.DCGM_FI_DEV_GPU_TEMP],
];

/**
 * Maps parsed DCGM exporter families to `gpu_*` samples, one per device (or MIG slice) and
 * metric, metric by metric in order of first appearance of the device.
 */
export function mapDcgm(index: ReadonlyMap<string, MetricFamily>, ctx: MapContext): MappedSample[] {
  const units = collectUnits(index);
  const out: MappedSample[] = [];
  for (const [name, compute] of OUTPUTS) {
    for (const unit of units) {
      const value = compute(unit);
      if (value === undefined || Number.isNaN(value)) continue;
      out.push({ labels: deviceLabels(name, unit.id, ctx), value });
    }
  }
  return out;
}
