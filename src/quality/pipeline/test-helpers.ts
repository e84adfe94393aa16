/**
 * Helpers for the pipeline's tests: a temporary database path, fake evaluators and pairs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { qualityConfigSchema } from '../config.js';
import type { Evaluator, PipelineResult } from './evaluator.js';
import type { PairInput } from './queue.js';

/** Temporary folders made by tempDbPath, removed when the test process exits. */
const tempDirs: string[] = [];
process.on('exit', () => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

/** A fresh database path in a new temporary folder (removed when the process exits). */
export function tempDbPath(): string {
  const dir = mkdtempSync(join(tmpdir(), 'llmwatch-quality-'));
  tempDirs.push(dir);
  return join(dir, 'quality.db');
}

/** The `quality` config with defaults, plus pipeline settings. */
export function testConfig(
  pipeline: Record<string, unknown> = {},
  quality: Record<string, unknown> = {},
) {
  return {
    ...qualityConfigSchema.parse(quality),
    pipeline: { pollMs: 10, retryBaseMs: 5, retryMaxMs: 20, ...pipeline },
  };
}

/** An evaluator scoring response length / 100 (capped at 1) after `delayMs`. */
export function lengthEvaluator(
  criterion = 'length',
  judge = 'fake:length@1',
  delayMs = 0,
): Evaluator {
  return {
    criterion,
    judge,
    async evaluate(sample): Promise<PipelineResult> {
      if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
      const score = Math.min(1, (sample.responseText ?? '').length / 100);
      return {
        criterion,
        outcome: 'scored',
        score,
        details: {},
        reasoning: `length ${sample.responseText?.length}`,
        usage: { inputTokens: 10, outputTokens: 2 },
        costDollars: 0.001,
      };
    },
  };
}

/** `count` pairs for `component`, request ids "r0".."r<count-1>", response "answer <i>". */
export function pairs(
  count: number,
  component = 'qwen',
  createdAtMs = 1_700_000_000_000,
): PairInput[] {
  return Array.from({ length: count }, (_, i) => ({
    requestId: `r${i}`,
    component,
    model: 'qwen-7b',
    source: 'ingest',
    request: { messages: [{ role: 'user', content: `question ${i}` }] },
    responseText: `answer ${i}`,
    finishReason: 'stop',
    createdAtMs: createdAtMs + i,
  }));
}
