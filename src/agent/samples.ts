/**
 * Turns attributed readings into the wave-2 samples: gpu_utilization_ratio,
 * gpu_memory_used_bytes, gpu_memory_total_bytes, gpu_power_watts, gpu_temperature_celsius
 * (labels instance, gpu, gpu_uuid, gpu_model, source="agent", plus component and copy when
 * owned), gpu_allocated / gpu_free (one per allocation unit) and host_info. Absent readings give
 * no sample. Empty label values are left out, as Prometheus does.
 *
 * The allocation unit is the GPU, or its MIG slices when the source lists slices (then the parent
 * GPU gets no gpu_allocated / gpu_free, so a GPU is never counted twice).
 */
import type { Labels, Sample } from '../store/types.js';
import type { GpuOwner } from './attribution.js';
import type { GpuReading } from './reading.js';

/** Host identity and the poll time. */
export interface SampleContext {
  instance: string;
  /** Cloud instance type ("p4d.24xlarge"), "" when unknown. */
  instanceType: string;
  /** Unix ms, integer. */
  timestampMs: number;
}

const GAUGES: [keyof GpuReading, string][] = [
  ['utilizationRatio', 'gpu_utilization_ratio'],
  ['memoryUsedBytes', 'gpu_memory_used_bytes'],
  ['memoryTotalBytes', 'gpu_memory_total_bytes'],
  ['powerWatts', 'gpu_power_watts'],
  ['temperatureCelsius', 'gpu_temperature_celsius'],
];

/** Builds every sample of one poll, in reading order, then host_info. */
export function buildSamples(
  gpus: readonly GpuReading[],
  owners: ReadonlyMap<string, GpuOwner>,
  context: SampleContext,
): Sample[] {
  const samples: Sample[] = [];
  const at = (labels: Labels, value: number) =>
    samples.push({ labels: withoutEmpty(labels), timestampMs: context.timestampMs, value });
  const parentsWithSlices = new Set(gpus.map((g) => g.parentGpu).filter((p) => p !== undefined));

  for (const reading of gpus) {
    const owner = owners.get(reading.gpu);
    const ownerLabels: Labels = owner ? { component: owner.component, copy: owner.copy } : {};
    const base = {
      instance: context.instance,
      gpu: reading.gpu,
      gpu_uuid: reading.uuid,
      gpu_model: reading.model,
      ...ownerLabels,
      source: 'agent',
    };
    for (const [field, name] of GAUGES) {
      const value = reading[field];
      if (typeof value === 'number') at({ __name__: name, ...base }, value);
    }
    if (parentsWithSlices.has(reading.gpu)) continue;
    const unit = { instance: context.instance, gpu: reading.gpu, source: 'agent' };
    if (owner) at({ __name__: 'gpu_allocated', ...unit, ...ownerLabels }, 1);
    else at({ __name__: 'gpu_free', ...unit }, 1);
  }

  at(
    {
      __name__: 'host_info',
      instance: context.instance,
      instance_type: context.instanceType,
      source: 'agent',
    },
    1,
  );
  return samples;
}

function withoutEmpty(labels: Labels): Labels {
  const out: Labels = {};
  for (const [name, value] of Object.entries(labels)) if (value !== '') out[name] = value;
  return out;
}
