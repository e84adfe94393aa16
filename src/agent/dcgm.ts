/**
 * Maps a DCGM exporter scrape (Prometheus text, parsed by scrape/exposition.ts) onto GPU
 * readings. Series are keyed by the `gpu` label plus `GPU_I_ID` on MIG slices (gpu "0/3") and
 * the `UUID` label.
 * Utilization is DCGM_FI_DEV_GPU_UTIL / 100, or DCGM_FI_PROF_GR_ENGINE_ACTIVE when GPU_UTIL is
 * absent (MIG); memory total is DCGM_FI_DEV_FB_TOTAL, else FB_USED + FB_FREE + FB_RESERVED
 * (all MiB). DCGM's "blank" sentinels and non-finite values are left out, never stored as 0.
 * Series without a `gpu` label cannot be placed and are skipped.
 *
 * Sentinels are recognised by the scraper's `isDcgmValue`, so both paths agree on missing data.
 * Limitation: the scraper's DCGM mapping (scrape/dcgm.ts) writes samples for scraped targets;
 * this one builds readings for attribution, so the field rules are kept in both places.
 *
 * Limitation: DCGM reports no process IDs, so in DCGM mode GPUs are attributed to copies by
 * configuration only (gpus / gpuUuids), not by processes.
 */
import type { MetricFamily } from '../scrape/exposition.js';
import type { GpuReading } from './reading.js';
import { isDcgmValue } from '../scrape/dcgm.js';

const MIB = 1024 * 1024;

interface Raw {
  reading: GpuReading;
  fields: Map<string, number>;
}

/** Builds one reading per GPU or MIG slice from exporter families, in first-seen order. */
export function mapDcgm(families: readonly MetricFamily[]): GpuReading[] {
  const byKey = new Map<string, Raw>();
  for (const family of families) {
    if (!family.name.startsWith('DCGM_FI_')) continue;
    for (const sample of family.samples) {
      const index = sample.labels.gpu;
      if (index === undefined || !/^\d+$/.test(index)) continue;
      const instance = sample.labels.GPU_I_ID;
      const gpu = instance !== undefined && instance !== '' ? `${index}/${instance}` : index;
      const key = `${gpu}|${sample.labels.UUID ?? ''}`;
      let raw = byKey.get(key);
      if (!raw) {
        const reading: GpuReading = {
          gpu,
          uuid: sample.labels.UUID ?? '',
          model: sample.labels.modelName ?? '',
        };
        if (gpu !== index) reading.parentGpu = index;
        raw = { reading, fields: new Map() };
        byKey.set(key, raw);
      }
      if (isDcgmValue(sample.value)) raw.fields.set(family.name, sample.value);
    }
  }
  return [...byKey.values()].map(finishReading);
}

function finishReading({ reading, fields }: Raw): GpuReading {
  const util = fields.get('DCGM_FI_DEV_GPU_UTIL');
  const engine = fields.get('DCGM_FI_PROF_GR_ENGINE_ACTIVE');
  if (util !== undefined) reading.utilizationRatio = util / 100;
  else if (engine !== undefined) reading.utilizationRatio = engine;

  const used = fields.get('DCGM_FI_DEV_FB_USED');
  const free = fields.get('DCGM_FI_DEV_FB_FREE');
  const total = fields.get('DCGM_FI_DEV_FB_TOTAL');
  const reserved = fields.get('DCGM_FI_DEV_FB_RESERVED') ?? 0;
  if (used !== undefined) reading.memoryUsedBytes = used * MIB;
  if (total !== undefined) reading.memoryTotalBytes = total * MIB;
  else if (used !== undefined && free !== undefined) {
    reading.memoryTotalBytes = (used + free + reserved) * MIB;
  }

  const power = fields.get('DCGM_FI_DEV_POWER_USAGE');
  if (power !== undefined) reading.powerWatts = power;
  const temperature = fields.get('DCGM_FI_DEV_GPU_TEMP');
  if (temperature !== undefined) reading.temperatureCelsius = temperature;
  return reading;
}
