/**
 * Inhibition: a firing source alert mutes target alerts that share the values of the rule's
 * `equal` labels, e.g. a critical alert for a component mutes its warnings. As in Alertmanager,
 * an alert that matches both the source and the target side of a rule cannot be muted by
 * another alert that also matches both sides (so a rule never mutes every alert of a set).
 */
import type { Labels } from '../../store/types.js';
import type { InhibitRuleConfig } from './config.js';
import { matchesAll } from './matchers.js';

/** An alert as the inhibitor needs it. */
export interface InhibitCandidate {
  fingerprint: string;
  labels: Labels;
}

/**
 * True when some alert in `firingSources` (the currently firing alerts) inhibits `target`.
 * An alert never inhibits itself.
 */
export function isInhibited(
  rules: readonly InhibitRuleConfig[],
  target: InhibitCandidate,
  firingSources: Iterable<InhibitCandidate>,
): boolean {
  const sources = [...firingSources];
  for (const rule of rules) {
    if (!matchesAll(rule.targetMatchers, target.labels)) continue;
    const targetIsSource = matchesAll(rule.sourceMatchers, target.labels);
    for (const source of sources) {
      if (source.fingerprint === target.fingerprint) continue;
      if (!matchesAll(rule.sourceMatchers, source.labels)) continue;
      if (targetIsSource && matchesAll(rule.targetMatchers, source.labels)) continue;
      const equal = rule.equal.every(
        (name) => (source.labels[name] ?? '') === (target.labels[name] ?? ''),
      );
      if (equal) return true;
    }
  }
  return false;
}
