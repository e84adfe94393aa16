/**
 * Plain instant vector selectors answered from rollups (rollup-plan.ts, the instant selector
 * rule): each bucket ending on an evaluation time gives that time's sample, and the buckets
 * become sparse raw columns that the evaluator reads as it reads raw samples.
 */
import type { RollupSeriesData, SeriesColumns } from '../store/types.js';
import type { RollupRead } from './rollup-plan.js';

/**
 * The samples the buckets of a lookback read give, as raw columns: per series and evaluation
 * time t, the last sample of the bucket ending at t when it is newer than t - lookbackDeltaMs
 * and no staleness marker followed it in the bucket (nothing otherwise, which the evaluator
 * treats as raw data whose latest point is a marker or too old). Series with no such sample
 * are left out. Undefined when a bucket that would give a sample does not know its last point
 * (blocks written before schema version 8): read raw samples instead.
 */
export function lookbackColumns(
  buckets: readonly RollupSeriesData[],
  read: RollupRead,
  lookbackDeltaMs: number,
): SeriesColumns[] | undefined {
  const firstEndMs = read.fromMs + read.resolutionMs;
  const lastEndMs = read.toMs + read.resolutionMs;
  const stepMs = read.stepMs ?? 0;
  const out: SeriesColumns[] = [];
  for (const series of buckets) {
    const { startsMs, lasts, lastTimestampsMs, lastPointTimestampsMs } = series;
    const n = startsMs.length;
    const timestampsMs = new Float64Array(n);
    const values = new Float64Array(n);
    let kept = 0;
    for (let i = 0; i < n; i++) {
      const endMs = (startsMs[i] as number) + read.resolutionMs;
      if (endMs < firstEndMs || endMs > lastEndMs) continue;
      if (stepMs > 0 ? (endMs - firstEndMs) % stepMs !== 0 : endMs !== firstEndMs) continue;
      const sampleMs = lastTimestampsMs[i] as number;
      if (sampleMs <= endMs - lookbackDeltaMs) continue;
      const lastPointMs = lastPointTimestampsMs[i] as number;
      if (Number.isNaN(lastPointMs)) return undefined;
      if (lastPointMs > sampleMs) continue;
      timestampsMs[kept] = sampleMs;
      values[kept] = lasts[i] as number;
      kept++;
    }
    if (kept === 0) continue;
    out.push({
      labels: series.labels,
      timestampsMs: timestampsMs.subarray(0, kept),
      values: values.subarray(0, kept),
    });
  }
  return out;
}
