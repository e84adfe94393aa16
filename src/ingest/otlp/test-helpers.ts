/** Helpers for the OTLP tests: run the converter on JSON, and look samples up. */
import type { Sample } from '../../store/types.js';
import { DEFAULT_OTLP_CONFIG, type OtlpConfig } from './config.js';
import { convertRequest, type ConvertedRequest } from './convert.js';
import { normalizeMetricsRequest } from './normalize.js';
import { createOtlpState, type OtlpState } from './state.js';

/** Decodes an OTLP JSON object and converts it, committing the state. */
export function convertJson(
  json: unknown,
  options: { config?: Partial<OtlpConfig>; state?: OtlpState } = {},
): ConvertedRequest {
  const config = { ...DEFAULT_OTLP_CONFIG, ...options.config };
  const state = options.state ?? createOtlpState(config.maxDeltaSeries);
  const tx = state.begin();
  const result = convertRequest(normalizeMetricsRequest(json, 10_000), config, tx);
  tx.commit();
  return result;
}

/** `name{a="1",b="2"}` with labels sorted, for compact exact assertions. */
export function seriesText(labels: Record<string, string>): string {
  const { __name__: name = '', ...rest } = labels;
  const inner = Object.keys(rest)
    .sort()
    .map((k) => `${k}=${JSON.stringify(rest[k])}`)
    .join(',');
  return `${name}{${inner}}`;
}

/** Every sample as `series @t value`, sorted. */
export function samplesText(samples: readonly Sample[]): string[] {
  return samples.map((s) => `${seriesText(s.labels)} @${s.timestampMs} ${s.value}`).sort();
}

/** [timestampMs, value] pairs of the samples named `name` whose labels include `subset`. */
export function pick(
  samples: readonly Sample[],
  name: string,
  subset: Record<string, string> = {},
): [number, number][] {
  return samples
    .filter(
      (s) =>
        s.labels.__name__ === name && Object.entries(subset).every(([k, v]) => s.labels[k] === v),
    )
    .map((s): [number, number] => [s.timestampMs, s.value]);
}
