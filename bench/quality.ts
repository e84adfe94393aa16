/**
 * Quality benchmark: what the evaluation pipeline adds per sample, next to the work it wraps.
 *
 * Texts: the labelled sets the demo uses (test/fixtures/quality: Surge toxicity, OpenAI
 * moderation, Stanford politeness), as response texts of generated pairs.
 * - `det_direct`: the six deterministic evaluators called directly on each text (baseline).
 * - `det_pipeline`: the same evaluators through the real pipeline: pairs ingested (redaction,
 *   one SQLite transaction), queued durably, leased, evaluated, recorded as evaluation records
 *   and metrics; timed from ingest to drained.
 * - `judge_direct`: llmwatch's OpenAI-compatible judge client (safety, relevance, tone and the
 *   composite) called directly per sample against a local stand-in judge that answers at once
 *   (src/demo/quality/stand-in-judge.ts), 16 samples at a time (baseline).
 * - `judge_pipeline`: the same judge plus the deterministic evaluators through the pipeline.
 * Also each deterministic evaluator alone, samples/s, called directly.
 *
 * Limitation: the stand-in judge leaves the `model` field out of its replies. With it, the
 * pipeline stops leasing jobs once the judge label gains the served model (the label is fixed
 * when the pipeline starts); see the report of the end-to-end quality alert test.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSilentLogger } from '../src/core/log.js';
import { createMetricRegistry } from '../src/ingest/registry.js';
import { qualityConfigSchema } from '../src/quality/config.js';
import { createQualityPipeline } from '../src/quality/pipeline/pipeline.js';
import { createDeterministicEvaluators } from '../src/quality/pipeline/deterministic.js';
import type { Evaluator } from '../src/quality/pipeline/evaluator.js';
import type { PairInput } from '../src/quality/pipeline/queue.js';
import {
  createJudge,
  createJudgeEvaluators,
  judgeConfigSchema,
} from '../src/quality/judge/index.js';
import { findProjectRoot } from '../src/demo/paths.js';
import { loadLabelledTexts, startStandInJudge } from '../src/demo/quality/index.js';

/** Options of runQualityBench. */
export interface QualityBenchOptions {
  /** Pairs through the deterministic pipeline. Default 1500. */
  detPairs?: number;
  /** Pairs through the judge paths. Default 400. */
  judgePairs?: number;
}

const DET_NAMES = [
  'pii_leak',
  'toxicity',
  'refusal',
  'completeness',
  'format',
  'regex_rules',
] as const;

function textsOf(count: number): string[] {
  const t = loadLabelledTexts(findProjectRoot());
  const all = [...t.toxicity, ...t.moderation, ...t.politeness].map((x) => x.text);
  return Array.from({ length: count }, (_, i) => all[i % all.length] as string);
}

function pairsOf(texts: readonly string[], prefix: string): PairInput[] {
  return texts.map((text, i) => ({
    requestId: `${prefix}-${i}`,
    component: 'bench',
    model: 'bench-model',
    source: 'ingest',
    request: { messages: [{ role: 'user', content: 'Please answer.' }] },
    responseText: text,
    finishReason: 'stop',
    createdAtMs: Date.now(),
  }));
}

const quality = qualityConfigSchema.parse({});

/** Seconds to ingest `pairs` and drain the pipeline with `evaluators`. */
async function throughPipeline(pairs: PairInput[], evaluators: Evaluator[], dir: string) {
  const pipeline = createQualityPipeline({
    config: {
      ...quality,
      pipeline: {
        pollMs: 5,
        deterministicJudge: { concurrency: 64, ratePerSecond: 1e6, burst: 1e6 },
        defaultJudge: { concurrency: 16, ratePerSecond: 1e6, burst: 1e6 },
      },
    },
    evaluators,
    registry: createMetricRegistry(),
    logger: createSilentLogger(),
    dbPath: join(dir, `quality-${pairs[0]?.requestId ?? 'x'}.db`),
  });
  pipeline.start();
  const startedMs = performance.now();
  for (let at = 0; at < pairs.length; at += 500) pipeline.ingest(pairs.slice(at, at + 500));
  const counts = await pipeline.drain(50_000);
  const seconds = (performance.now() - startedMs) / 1000;
  await pipeline.stop();
  if (counts.pending + counts.leased > 0) throw new Error('bench: pipeline did not drain in 50 s');
  return seconds;
}

/** Runs the benchmark (about 10-20 s) and returns a flat record of figures. */
export async function runQualityBench(
  opts: QualityBenchOptions = {},
): Promise<Record<string, number>> {
  const detPairs = opts.detPairs ?? 1500;
  const judgePairs = opts.judgePairs ?? 400;
  const dir = mkdtempSync(join(tmpdir(), 'llmwatch-bench-quality-'));
  const figures: Record<string, number> = {};
  const texts = textsOf(detPairs);
  const samples = pairsOf(texts, 'direct').map((p) => ({ ...p, responsePiiCounts: {} }));
  const det = createDeterministicEvaluators(quality, DET_NAMES);

  try {
    for (const evaluator of det) {
      const startedMs = performance.now();
      for (const sample of samples) await evaluator.evaluate(sample);
      figures[`${evaluator.criterion} direct samples/s`] =
        samples.length / ((performance.now() - startedMs) / 1000);
    }
    let startedMs = performance.now();
    for (const sample of samples) for (const evaluator of det) await evaluator.evaluate(sample);
    const detDirectSeconds = (performance.now() - startedMs) / 1000;
    const detPipelineSeconds = await throughPipeline(pairsOf(texts, 'det'), det, dir);
    figures['det_direct pairs/s (all six)'] = detPairs / detDirectSeconds;
    figures['det_pipeline pairs/s (all six)'] = detPairs / detPipelineSeconds;
    figures['det_direct ms/pair'] = (detDirectSeconds * 1000) / detPairs;
    figures['det_pipeline ms/pair'] = (detPipelineSeconds * 1000) / detPairs;

    const standIn = await startStandInJudge({ unsafeTexts: [], servedModel: null });
    const judgeConfig = judgeConfigSchema.parse({
      provider: 'openai',
      baseUrl: standIn.baseUrl,
      model: 'stand-in-judge',
      concurrency: 16,
      ratePerMinute: 1e7,
    });
    const judge = createJudge(judgeConfig);
    const judgeTexts = texts.slice(0, judgePairs);
    startedMs = performance.now();
    const direct = pairsOf(judgeTexts, 'jd');
    for (let at = 0; at < direct.length; at += 16) {
      await Promise.all(direct.slice(at, at + 16).map((s) => judge.evaluateAll(s)));
    }
    const judgeDirectSeconds = (performance.now() - startedMs) / 1000;
    const judgePipelineSeconds = await throughPipeline(
      pairsOf(judgeTexts, 'jp'),
      [...det, ...createJudgeEvaluators(judge)],
      dir,
    );
    judge.close();
    await standIn.close();
    figures['judge_direct pairs/s (3 criteria + composite)'] = judgePairs / judgeDirectSeconds;
    figures['judge_pipeline pairs/s (judge + six det)'] = judgePairs / judgePipelineSeconds;
    figures['judge_direct ms/pair'] = (judgeDirectSeconds * 1000) / judgePairs;
    figures['judge_pipeline ms/pair'] = (judgePipelineSeconds * 1000) / judgePairs;
    figures['judge calls answered'] = Object.values(standIn.calls).reduce((a, b) => a + b, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return figures;
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop() ?? '')) {
  console.log(await runQualityBench());
}
