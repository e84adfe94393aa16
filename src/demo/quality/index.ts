/**
 * The demo's quality half: after the replay starts, a few hundred labelled texts per component
 * go through the pairs API, so the Quality and Samples pages show real deterministic scores
 * (toxicity, refusal, pii_leak, ...), and LLM-judge scores when a judge is configured from the
 * environment (see {@link demoJudgeFromEnv}).
 */
import { loadLabelledTexts } from './labelled.js';
import { mixedTexts, pairsFromTexts, postPairs } from './pairs.js';

export {
  loadLabelledTexts,
  LABELLED_FILES,
  type LabelledText,
  type LabelledTexts,
} from './labelled.js';
export {
  pairsFromTexts,
  mixedTexts,
  postPairs,
  DEMO_REQUEST_TEXT,
  type DemoPair,
} from './pairs.js';
export {
  startStandInJudge,
  type StandInJudge,
  type StandInJudgeOptions,
} from './stand-in-judge.js';

/** Default pairs per component the demo ingests. */
export const DEMO_QUALITY_PAIRS_PER_COMPONENT = 200;

/** Most pairs per component the demo ingests, whatever is asked. */
export const DEMO_QUALITY_MAX_PAIRS_PER_COMPONENT = 1000;

/** Judge model used when LLMWATCH_JUDGE_MODEL is unset. */
export const DEMO_DEFAULT_JUDGE_MODEL = 'gpt-4o-mini-2024-07-18';

/**
 * The `quality.judge` configuration input from the environment: OPENAI_BASE_URL (required,
 * else undefined: no judge), OPENAI_API_KEY (optional), LLMWATCH_JUDGE_MODEL (default
 * {@link DEMO_DEFAULT_JUDGE_MODEL}). Validation happens with the rest of the demo config, so a
 * bad URL is reported there.
 */
export function demoJudgeFromEnv(
  env: NodeJS.ProcessEnv = process.env,
): Record<string, unknown> | undefined {
  const baseUrl = env.OPENAI_BASE_URL;
  if (baseUrl === undefined || baseUrl === '') return undefined;
  const judge: Record<string, unknown> = {
    provider: 'openai',
    baseUrl,
    model: env.LLMWATCH_JUDGE_MODEL || DEMO_DEFAULT_JUDGE_MODEL,
    // The demo sends a few hundred pairs at once; a local judge keeps up, a hosted one queues.
    ratePerMinute: 600,
    concurrency: 4,
  };
  if (env.OPENAI_API_KEY) judge.apiKey = env.OPENAI_API_KEY;
  return judge;
}

/** Options of ingestDemoQuality. */
export interface DemoQualityOptions {
  serverUrl: string;
  projectRoot: string;
  /** Components and their models, in a fixed order (each gets different rows). */
  components: readonly { name: string; model: string }[];
  /** Pairs per component; capped at {@link DEMO_QUALITY_MAX_PAIRS_PER_COMPONENT}. */
  pairsPerComponent: number;
  /** Judge description for the printed line, or null when only deterministic evaluators run. */
  judge: { baseUrl: string; model: string } | null;
  out: NodeJS.WritableStream;
  /** Unix ms for the pairs. Default Date.now(). */
  nowMs?: number;
}

/** Sends the labelled pairs and prints one line about it; returns pairs accepted. */
export async function ingestDemoQuality(opts: DemoQualityOptions): Promise<number> {
  const texts = loadLabelledTexts(opts.projectRoot);
  const count = Math.min(Math.max(0, opts.pairsPerComponent), DEMO_QUALITY_MAX_PAIRS_PER_COMPONENT);
  const nowMs = opts.nowMs ?? Date.now();
  const pairs = opts.components.flatMap((c, slot) =>
    pairsFromTexts(mixedTexts(texts, count, slot), {
      component: c.name,
      model: c.model,
      idPrefix: `demo-${c.name}`,
      timestampMs: nowMs,
    }),
  );
  const accepted = await postPairs(opts.serverUrl, pairs);
  const judged = opts.judge
    ? `and the LLM judge ${opts.judge.model} at ${opts.judge.baseUrl}`
    : 'only (set OPENAI_BASE_URL, and OPENAI_API_KEY / LLMWATCH_JUDGE_MODEL if needed, for an LLM judge)';
  opts.out.write(
    `quality: ${accepted} labelled responses (toxicity, moderation and politeness sets, ` +
      `${count} per component) sent to the pairs API, scored by the deterministic evaluators ` +
      `${judged}; see the Quality and Samples pages\n`,
  );
  return accepted;
}
