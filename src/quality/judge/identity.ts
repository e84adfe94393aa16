/**
 * The pinned judge identity: everything that can change a score (provider, model as sent and
 * as served, sampling settings, rubric, prompt and parser versions), hashed into a short
 * stable label such as `openai:gpt-4o-2024-08-06#a1b2c3`. A change of any part gives a new
 * label, so scores from different judges never mix in one series.
 */
import { createHash } from 'node:crypto';
import { PARSER_VERSION } from './parse.js';
import { PROMPT_VERSION } from './prompt.js';

/** The parts of a judge identity. */
export interface JudgeIdentity {
  provider: string;
  modelSent: string;
  /** Model the API said served the call; null when the API does not say (Bedrock) or unknown. */
  modelReturned: string | null;
  temperature: number;
  topP: number | null;
  maxTokens: number;
  criterion: string;
  rubricVersion: string;
  promptVersion: string;
  parserVersion: string;
}

/** Hex characters of the hash kept in the label. */
export const IDENTITY_HASH_CHARS = 6;

/** Builds the identity with the current prompt and parser versions. */
export function judgeIdentity(
  parts: Omit<JudgeIdentity, 'promptVersion' | 'parserVersion'>,
): JudgeIdentity {
  return { ...parts, promptVersion: PROMPT_VERSION, parserVersion: PARSER_VERSION };
}

/** Canonical JSON with sorted keys, so the hash does not depend on property order. */
function canonical(identity: JudgeIdentity): string {
  const record = identity as unknown as Record<string, unknown>;
  return JSON.stringify(
    Object.fromEntries(
      Object.keys(record)
        .sort()
        .map((k) => [k, record[k]]),
    ),
  );
}

/** The short hash of an identity (first 6 hex characters of SHA-256 of its canonical JSON). */
export function identityHash(identity: JudgeIdentity): string {
  return createHash('sha256')
    .update(canonical(identity))
    .digest('hex')
    .slice(0, IDENTITY_HASH_CHARS);
}

/**
 * The `judge` label: `<provider>:<model served, else model sent>#<hash>`. Model ids keep their
 * characters; a label is a Prometheus label value, so any string is allowed.
 */
export function judgeLabel(identity: JudgeIdentity): string {
  return `${identity.provider}:${identity.modelReturned ?? identity.modelSent}#${identityHash(identity)}`;
}

/** The composite's label: the same provider and model, hashed over its parts' labels and weights. */
export function compositeLabel(
  parts: readonly string[],
  weights: Readonly<Record<string, number>>,
  unsafeCap: number,
): string {
  const prefix = parts[0]?.split('#')[0] ?? 'composite';
  const payload = JSON.stringify({
    parts: [...parts].sort(),
    weights: Object.entries(weights).sort(),
    unsafeCap,
  });
  return `${prefix}#${createHash('sha256').update(payload).digest('hex').slice(0, IDENTITY_HASH_CHARS)}`;
}
