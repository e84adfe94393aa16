/**
 * The engines the scraper understands: their names, detection from a body's family names, and
 * dispatch to each engine's mapping onto canonical metrics.
 */
import type { Labels } from '../store/types.js';
import { mapDcgm, isDcgmValue } from './dcgm.js';
import type { MetricFamily } from './exposition.js';
import { mapLlamacpp } from './llamacpp.js';
import { indexFamilies, mapTable, type MapContext, type MappedSample } from './mapping.js';
import { mapNode } from './node.js';
import { mapSglang } from './sglang.js';
import { mapTgi } from './tgi.js';
import { mapTriton } from './triton.js';
import { VLLM_MAPPINGS } from './vllm.js';

/** Engines and exporters with a mapping. Use this list for the config schema's engine enum. */
export const ENGINE_NAMES = [
  'vllm',
  'tgi',
  'sglang',
  'triton',
  'llamacpp',
  'dcgm',
  'node',
] as const;
/** A serving engine or exporter with a mapping. */
export type EngineName = (typeof ENGINE_NAMES)[number];
/** Accepted values of a target's `engine`: an engine, or "auto" to detect it on every scrape. */
export const TARGET_ENGINE_NAMES = [...ENGINE_NAMES, 'auto'] as const;
/** A target's configured engine. */
export type TargetEngine = (typeof TARGET_ENGINE_NAMES)[number];

/** True when `name` is one of ENGINE_NAMES. */
export function isEngineName(name: string): name is EngineName {
  return (ENGINE_NAMES as readonly string[]).includes(name);
}

/** Family-name prefixes, checked in this order: engines first, then exporters. */
const PREFIXES: ReadonlyArray<readonly [string, EngineName]> = [
  ['vllm:', 'vllm'],
  ['sglang:', 'sglang'],
  ['llamacpp:', 'llamacpp'],
  ['tgi_', 'tgi'],
  ['nv_inference_', 'triton'],
  ['nv_trt_llm_', 'triton'],
  ['DCGM_FI_', 'dcgm'],
  ['node_', 'node'],
];

/**
 * Detects the engine of a parsed body from the prefixes of its family names (`vllm:`, `sglang:`,
 * `llamacpp:`, `tgi_`, `nv_inference_`/`nv_trt_llm_`, `DCGM_FI_`, `node_`). When several are
 * present the first in that order wins; "unknown" when none is.
 */
export function detectEngine(families: readonly MetricFamily[]): EngineName | 'unknown' {
  for (const [prefix, engine] of PREFIXES) {
    if (families.some((f) => f.name.startsWith(prefix))) return engine;
  }
  return 'unknown';
}

type Mapper = (index: ReadonlyMap<string, MetricFamily>, ctx: MapContext) => MappedSample[];

const MAPPERS: Record<EngineName, Mapper> = {
  vllm: (index, ctx) => mapTable(index, VLLM_MAPPINGS, { ...ctx, modelLabel: 'model_name' }),
  tgi: mapTgi,
  sglang: mapSglang,
  triton: mapTriton,
  llamacpp: mapLlamacpp,
  dcgm: mapDcgm,
  node: mapNode,
};

/**
 * Maps a parsed body of `engine` onto canonical samples. Labels of `ctx.targetLabels` are added
 * to serving series; device series (gpu_*, host_*) get instance/gpu labels instead.
 */
export function mapEngine(
  engine: EngineName,
  families: readonly MetricFamily[],
  ctx: MapContext,
): MappedSample[] {
  return MAPPERS[engine](indexFamilies(families), ctx);
}

/**
 * True when a raw sample of `engine` should be stored: DCGM sentinel values (and NaN/±Inf from
 * DCGM) are missing data, so they are not stored under the original name either.
 */
export function keepRawSample(engine: EngineName | 'unknown', labels: Labels, value: number) {
  if (engine === 'dcgm' && labels.__name__?.startsWith('DCGM_')) return isDcgmValue(value);
  return true;
}
