/**
 * Request/response pairs built from labelled texts, sent to llmwatch's pairs API
 * (POST /api/llmwatch/pairs), as a user would send pairs scored elsewhere.
 */
import { LlmwatchError } from '../../core/errors.js';
import type { LabelledText, LabelledTexts } from './labelled.js';

/** One native pair as the pairs API takes it. */
export interface DemoPair {
  requestId: string;
  component: string;
  model: string;
  request: { messages: { role: 'user'; content: string }[] };
  response: { text: string; finishReason: string };
  /** Unix ms. */
  timestamp: number;
}

/** The request every demo pair carries: the labelled texts are scored as replies to it. */
export const DEMO_REQUEST_TEXT = 'Please answer the previous message in the thread.';

/** Builds one pair per text for `component`; ids are "<prefix>-<dataset>-<row>". */
export function pairsFromTexts(
  texts: readonly LabelledText[],
  target: { component: string; model: string; idPrefix: string; timestampMs: number },
): DemoPair[] {
  return texts.map((t) => ({
    requestId: `${target.idPrefix}-${t.dataset}-${t.index}`,
    component: target.component,
    model: target.model,
    request: { messages: [{ role: 'user', content: DEMO_REQUEST_TEXT }] },
    response: { text: t.text, finishReason: 'stop' },
    timestamp: target.timestampMs,
  }));
}

/**
 * Picks `count` texts for the component at position `slot` (0, 1, ...): round-robin over the
 * three sets, each component starting at a different offset so they see different rows.
 * Deterministic. `count` beyond what the sets hold is cut to what they hold.
 */
export function mixedTexts(texts: LabelledTexts, count: number, slot: number): LabelledText[] {
  const sets = [texts.toxicity, texts.moderation, texts.politeness];
  const out: LabelledText[] = [];
  for (let i = 0; out.length < count && i < count * 2; i += 1) {
    const set = sets[i % sets.length] as LabelledText[];
    const row = Math.floor(i / sets.length) + slot * Math.ceil(count / sets.length);
    const text = set[row % set.length];
    if (text !== undefined && !out.includes(text)) out.push(text);
  }
  return out;
}

/**
 * Posts `pairs` to `<serverUrl>/api/llmwatch/pairs` in batches of `batchSize` (default 100)
 * and returns how many the server accepted as new. Throws LlmwatchError `demo_pairs_rejected`
 * with the server's answer when a batch is refused.
 */
export async function postPairs(
  serverUrl: string,
  pairs: readonly DemoPair[],
  batchSize = 100,
): Promise<number> {
  let accepted = 0;
  for (let at = 0; at < pairs.length; at += batchSize) {
    const res = await fetch(`${serverUrl}/api/llmwatch/pairs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(pairs.slice(at, at + batchSize)),
    });
    const text = await res.text();
    if (!res.ok) {
      throw new LlmwatchError(
        'demo_pairs_rejected',
        `demo: POST /api/llmwatch/pairs answered ${res.status}: ${text.slice(0, 300)}`,
      );
    }
    const body = JSON.parse(text) as { accepted?: number; enqueued?: number };
    accepted += body.accepted ?? body.enqueued ?? 0;
  }
  return accepted;
}
