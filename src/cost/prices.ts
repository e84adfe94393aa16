/**
 * The price table as info-like series, written by the cost recorder at every tick so the cost
 * rules can join it in PromQL (and Grafana can show it):
 * - `llm_instance_price_dollars_per_hour{instance_type}`: whole-instance price, $/h;
 * - `llm_instance_gpus{instance_type}`: GPUs per instance;
 * - `llm_instance_type_configured{instance, instance_type}` = 1: cost.instances, the fallback
 *   for hosts whose agent reports no instance type.
 */
import type { Sample } from '../store/types.js';
import { effectiveInstanceTypes, type CostConfig } from './config.js';

/** Returns the price-table samples at `timeMs` (integer Unix ms), sorted by name for stability. */
export function priceSamples(cost: CostConfig, timeMs: number): Sample[] {
  const samples: Sample[] = [];
  const types = effectiveInstanceTypes(cost);
  for (const name of Object.keys(types).sort()) {
    const { dollarsPerHour, gpus } = types[name]!;
    samples.push(
      {
        labels: { __name__: 'llm_instance_price_dollars_per_hour', instance_type: name },
        timestampMs: timeMs,
        value: dollarsPerHour,
      },
      {
        labels: { __name__: 'llm_instance_gpus', instance_type: name },
        timestampMs: timeMs,
        value: gpus,
      },
    );
  }
  for (const instance of Object.keys(cost.instances).sort()) {
    samples.push({
      labels: {
        __name__: 'llm_instance_type_configured',
        instance,
        instance_type: cost.instances[instance]!,
      },
      timestampMs: timeMs,
      value: 1,
    });
  }
  return samples;
}
