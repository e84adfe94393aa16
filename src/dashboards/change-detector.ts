/**
 * Detects deploy-like changes from the data itself and records them as annotations: a copy that
 * starts serving another model (the engine's `model` label changes), or a quality criterion whose
 * pinned judge identity changes (the `judge` label changes). The first value seen after start is
 * the baseline, not a change.
 */
import type { Logger } from '../core/log.js';
import type { PromqlEngine } from '../promql/index.js';
import type { AnnotationStore } from './annotations.js';

/** One kind of watched identity: a query grouping by key labels plus the watched label. */
interface Watch {
  kind: string;
  query: string;
  keyLabels: readonly string[];
  valueLabel: string;
  describe: (key: Record<string, string>, from: string, to: string) => string;
}

const WATCHES: readonly Watch[] = [
  {
    kind: 'deploy',
    query: 'group by (component, copy, model) (llm_requests_running{source="engine"})',
    keyLabels: ['component', 'copy'],
    valueLabel: 'model',
    describe: (k, from, to) => `model on ${k.component}/${k.copy} changed: ${from} → ${to}`,
  },
  {
    kind: 'judge',
    query: 'group by (component, criterion, judge) (llm_quality_score_count{judge!~"det:.*"})',
    keyLabels: ['component', 'criterion'],
    valueLabel: 'judge',
    describe: (k, from, to) => `${k.criterion} judge changed on ${k.component}: ${from} → ${to}`,
  },
];

/** A running detector. */
export interface ChangeDetector {
  /** Checks once at `timeMs` (tests call it directly). */
  checkOnce(timeMs: number): Promise<number>;
  stop(): void;
}

/**
 * Starts checking every `intervalMs` (default 30 s). Query errors are logged and retried at the
 * next tick. Limitation: the baseline lives in memory, so a change made while llmwatch was down
 * is not annotated.
 */
export function startChangeDetector(opts: {
  engine: PromqlEngine;
  annotations: AnnotationStore;
  logger: Logger;
  intervalMs?: number;
}): ChangeDetector {
  const seen = new Map<string, string>();
  let running = false;

  async function checkOnce(timeMs: number): Promise<number> {
    let added = 0;
    for (const watch of WATCHES) {
      const result = await opts.engine.instantQuery(watch.query, timeMs);
      if (result.resultType !== 'vector') continue;
      // Group values by key first: while a rolling change is in progress both values are
      // present; wait until one remains, so the annotation is written once.
      const byKey = new Map<string, { key: Record<string, string>; values: Set<string> }>();
      for (const { metric } of result.result) {
        const key = Object.fromEntries(watch.keyLabels.map((l) => [l, metric[l] ?? '']));
        const id = `${watch.kind}\u0000${watch.keyLabels.map((l) => key[l]).join('\u0000')}`;
        const entry = byKey.get(id) ?? { key, values: new Set<string>() };
        entry.values.add(metric[watch.valueLabel] ?? '');
        byKey.set(id, entry);
      }
      for (const [id, { key, values }] of byKey) {
        if (values.size !== 1) continue;
        const [value] = [...values] as [string];
        const before = seen.get(id);
        seen.set(id, value);
        if (before === undefined || before === value) continue;
        opts.annotations.add({
          time: timeMs,
          text: watch.describe(key, before, value),
          component: key.component || undefined,
          kind: watch.kind,
        });
        added++;
      }
    }
    return added;
  }

  const timer = setInterval(() => {
    if (running) return;
    running = true;
    checkOnce(Date.now())
      .catch((err: unknown) => opts.logger.warn({ err }, 'change detection failed'))
      .finally(() => (running = false));
  }, opts.intervalMs ?? 30_000);
  timer.unref();
  return { checkOnce, stop: () => clearInterval(timer) };
}
