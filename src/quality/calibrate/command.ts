/**
 * Command functions for the CLI (the lead wires them): `llmwatch eval calibrate --dataset FILE
 * --criterion NAME` and `llmwatch eval run FILE`. Each returns the process exit code and writes
 * results to stdout, progress and problems to stderr.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { isLlmwatchError } from '../../core/errors.js';
import type { EvaluationSample } from '../evaluators/types.js';
import type { JudgeConfig } from '../judge/config.js';
import { createJudge } from '../judge/judge.js';
import {
  DETERMINISTIC_CRITERIA,
  deterministicScorer,
  judgeScorer,
  type Scorer,
} from './evaluator.js';
import { runCalibrate, type CalibrateOptions } from './run.js';
import { parsePairItems } from '../ingest/parse.js';

/** Where a command writes. Default: the process streams. */
export interface CommandIo {
  stdout?: { write(text: string): unknown };
  stderr?: { write(text: string): unknown };
}

/** Options of runCalibrateCommand. */
export interface CalibrateCommandOptions extends CommandIo {
  dataset: string;
  criterion: string;
  /** Default: "deterministic" when the criterion has a deterministic evaluator, else "judge". */
  evaluator?: 'deterministic' | 'judge';
  /** Default "odd" (the held-out half). */
  rows?: CalibrateOptions['rows'];
  out?: string;
  /** The parsed judge configuration (config.quality.judge); needed for --evaluator judge. */
  judgeConfig?: JudgeConfig;
  limit?: number;
  threshold?: number;
  usrScore?: string;
}

/** Runs a calibration and prints the report as JSON. Exit 0, or 2 for bad options or data. */
export async function runCalibrateCommand(opts: CalibrateCommandOptions): Promise<number> {
  const stdout = opts.stdout ?? process.stdout;
  const stderr = opts.stderr ?? process.stderr;
  const kind =
    opts.evaluator ?? (DETERMINISTIC_CRITERIA.includes(opts.criterion) ? 'deterministic' : 'judge');
  let judge: ReturnType<typeof createJudge> | undefined;
  try {
    let scorer: Scorer;
    if (kind === 'judge') {
      if (opts.judgeConfig === undefined) {
        stderr.write(
          'calibrate: --evaluator judge needs a judge in the configuration (quality.judge)\n',
        );
        return 2;
      }
      judge = createJudge(opts.judgeConfig);
      scorer = judgeScorer(judge, opts.criterion);
    } else {
      scorer = deterministicScorer(opts.criterion);
    }
    let lastTenth = -1;
    const report = await runCalibrate({
      dataset: opts.dataset,
      criterion: opts.criterion,
      evaluator: scorer,
      rows: opts.rows ?? 'odd',
      out: opts.out,
      limit: opts.limit,
      threshold: opts.threshold,
      usrScore: opts.usrScore,
      concurrency: opts.judgeConfig?.concurrency,
      onProgress: (done, total) => {
        const tenth = Math.floor((done * 10) / total);
        if (tenth === lastTenth && done !== total) return;
        lastTenth = tenth;
        stderr.write(`calibrate: ${done}/${total} items\n`);
      },
    });
    stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return 0;
  } catch (err) {
    if (!isLlmwatchError(err)) throw err;
    stderr.write(`${err.message}\n`);
    return 2;
  } finally {
    judge?.close();
  }
}

/** Options of runEvalFileCommand. */
export interface EvalFileOptions extends CommandIo {
  /** The parsed judge configuration; without it only deterministic evaluators run. */
  judgeConfig?: JudgeConfig;
  /** Deterministic criteria run on every line. Default: toxicity, refusal, pii_leak, completeness. */
  deterministic?: string[];
  /** Write result lines here instead of stdout. */
  out?: string;
}

/** The 1-based line of "line N", or item number of "item I" (0-based) in a JSON array. */
function lineOf(where: string): number {
  const n = Number(where.slice(where.indexOf(' ') + 1));
  return where.startsWith('item') ? n + 1 : n;
}

/**
 * Scores a file of pairs offline, in the format `POST /api/llmwatch/pairs` reads (JSON lines or a
 * JSON array of `{requestId?, component?, request, response}` or SageMaker data-capture records;
 * request and response may also be plain strings). Writes one JSON line per pair and criterion:
 * {line, id, criterion, judge, outcome, score, reasoning} (`line` is the item number in an array;
 * `id` is the requestId, else `line-N`); then a summary per criterion to stderr. Exit 0, or 2
 * naming the first bad line and field.
 */
export async function runEvalFileCommand(
  file: string,
  opts: EvalFileOptions = {},
): Promise<number> {
  const stderr = opts.stderr ?? process.stderr;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    stderr.write(`eval run: cannot read ${file} (${(err as Error).message}); check the path\n`);
    return 2;
  }
  const samples: { line: number; sample: EvaluationSample }[] = [];
  try {
    const items = parsePairItems(
      text,
      { component: 'offline', nowMs: Date.now(), requestIdFor: (where) => `line-${lineOf(where)}` },
      Number.MAX_SAFE_INTEGER,
    );
    for (const { where, pair } of items) {
      if (pair === null) continue; // a data-capture record of a failed request
      samples.push({
        line: lineOf(where),
        sample: {
          requestId: pair.requestId,
          component: pair.component,
          request: pair.request,
          responseText: pair.responseText,
        },
      });
    }
  } catch (err) {
    if (!isLlmwatchError(err)) throw err;
    stderr.write(`eval run: ${file}: ${err.message}\n`);
    return 2;
  }

  let scorers: Scorer[];
  const criteria = opts.deterministic ?? ['toxicity', 'refusal', 'pii_leak', 'completeness'];
  try {
    scorers = criteria.map(deterministicScorer);
  } catch (err) {
    if (!isLlmwatchError(err)) throw err;
    stderr.write(`${err.message}\n`);
    return 2;
  }
  const judge = opts.judgeConfig === undefined ? undefined : createJudge(opts.judgeConfig);
  const out: string[] = [];
  const summary = new Map<string, { n: number; sum: number; outcomes: Record<string, number> }>();
  const record = (
    line: number,
    id: string,
    criterion: string,
    judgeLabel: string,
    r: { outcome: string; score?: number; reasoning?: string | null },
  ) => {
    out.push(
      JSON.stringify({
        line,
        id,
        criterion,
        judge: judgeLabel,
        outcome: r.outcome,
        score: r.score ?? null,
        reasoning: r.reasoning ?? null,
      }),
    );
    const s = summary.get(criterion) ?? { n: 0, sum: 0, outcomes: {} };
    s.outcomes[r.outcome] = (s.outcomes[r.outcome] ?? 0) + 1;
    if (r.outcome === 'scored' && r.score !== undefined) {
      s.n += 1;
      s.sum += r.score;
    }
    summary.set(criterion, s);
  };
  try {
    for (const [k, { line, sample }] of samples.entries()) {
      for (const [j, scorer] of scorers.entries()) {
        record(
          line,
          sample.requestId,
          criteria[j] as string,
          scorer.label(),
          await scorer.score(sample),
        );
      }
      for (const r of (await judge?.evaluateAll(sample)) ?? [])
        record(line, sample.requestId, r.criterion, r.judge, r);
      stderr.write(`eval run: ${k + 1}/${samples.length} lines\n`);
    }
  } finally {
    judge?.close();
  }
  const body = out.length === 0 ? '' : `${out.join('\n')}\n`;
  if (opts.out !== undefined) writeFileSync(opts.out, body);
  else (opts.stdout ?? process.stdout).write(body);
  for (const [criterion, s] of summary) {
    const mean = s.n === 0 ? 'n/a' : (s.sum / s.n).toFixed(3);
    stderr.write(
      `eval run: ${criterion} mean ${mean} over ${s.n} scored; outcomes ${JSON.stringify(s.outcomes)}\n`,
    );
  }
  return 0;
}
