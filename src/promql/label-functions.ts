/** label_replace, label_join, sort_by_label and absent(). */
import type { Labels } from '../store/types.js';
import type { ExprNode } from './ast.js';
import { compareLabels } from './labels.js';
import { compileLabelRegex } from './matchers.js';
import { assertUniqueLabels, evalError, type EvalValue, type InstantSample } from './values.js';

const LABEL_NAME_RE = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/**
 * Go's regexp Expand: `$1`, `${1}`, `$name`, `${name}` and `$$`. A name is the longest run of
 * letters, digits and underscores, so "$1x" refers to a group named "1x" (empty here).
 */
function expandTemplate(template: string, match: RegExpExecArray): string {
  let out = '';
  for (let i = 0; i < template.length; i++) {
    const ch = template[i] as string;
    if (ch !== '$' || i + 1 >= template.length) {
      out += ch;
      continue;
    }
    if (template[i + 1] === '$') {
      out += '$';
      i++;
      continue;
    }
    let name: string | undefined;
    let end = i + 1;
    if (template[i + 1] === '{') {
      const close = template.indexOf('}', i + 2);
      if (close > 0) {
        name = template.slice(i + 2, close);
        end = close + 1;
      }
    } else {
      const run = /^[A-Za-z0-9_]+/.exec(template.slice(i + 1));
      if (run) {
        name = run[0];
        end = i + 1 + name.length;
      }
    }
    if (name === undefined || !/^[A-Za-z0-9_]+$/.test(name)) {
      out += ch;
      continue;
    }
    const value = /^\d+$/.test(name) ? match[Number(name)] : match.groups?.[name];
    out += value ?? '';
    i = end - 1;
  }
  return out;
}

function withLabel(sample: InstantSample, name: string, value: string): InstantSample {
  const labels: Labels = { ...sample.labels };
  if (value === '') delete labels[name];
  else labels[name] = value;
  const out: InstantSample = { labels, value: sample.value };
  // Writing __name__ keeps the new name; otherwise a pending name drop still applies.
  if (sample.dropName && name !== '__name__') out.dropName = true;
  return out;
}

/**
 * label_replace(v, dst, replacement, src, regex): where the anchored regex matches the value of
 * `src`, sets `dst` to the expanded replacement (deleting it when empty). Throws for an invalid
 * regex or destination label name.
 */
export function labelReplace(
  samples: InstantSample[],
  dst: string,
  replacement: string,
  src: string,
  pattern: string,
): EvalValue {
  let regex: RegExp;
  try {
    regex = compileLabelRegex(pattern);
  } catch {
    throw evalError(`invalid regular expression in label_replace(): ${pattern}`);
  }
  if (!LABEL_NAME_RE.test(dst)) {
    throw evalError(`invalid destination label name in label_replace(): ${dst}`);
  }
  const out = samples.map((sample) => {
    const match = regex.exec(sample.labels[src] ?? '');
    return match ? withLabel(sample, dst, expandTemplate(replacement, match)) : sample;
  });
  assertUniqueLabels(out);
  return { type: 'vector', samples: out };
}

/** label_join(v, dst, separator, src...): sets `dst` to the joined `src` values. */
export function labelJoin(
  samples: InstantSample[],
  dst: string,
  separator: string,
  sources: string[],
): EvalValue {
  if (!LABEL_NAME_RE.test(dst)) {
    throw evalError(`invalid destination label name in label_join(): ${dst}`);
  }
  for (const src of sources) {
    if (!LABEL_NAME_RE.test(src))
      throw evalError(`invalid source label name in label_join(): ${src}`);
  }
  const out = samples.map((sample) =>
    withLabel(sample, dst, sources.map((src) => sample.labels[src] ?? '').join(separator)),
  );
  assertUniqueLabels(out);
  return { type: 'vector', samples: out };
}

/** Natural order: digit runs compare as numbers, everything else by code unit. */
function naturalCompare(a: string, b: string): number {
  const chunks = /(\d+|\D+)/g;
  const aParts = a.match(chunks) ?? [];
  const bParts = b.match(chunks) ?? [];
  for (let i = 0; i < Math.min(aParts.length, bParts.length); i++) {
    const x = aParts[i] as string;
    const y = bParts[i] as string;
    if (x === y) continue;
    const xNum = /^\d/.test(x);
    const yNum = /^\d/.test(y);
    if (xNum && yNum) {
      const diff = Number(x) - Number(y);
      if (diff !== 0) return diff;
      return x.length - y.length;
    }
    return x < y ? -1 : 1;
  }
  return aParts.length - bParts.length;
}

/** sort_by_label(v, names...): natural order of the named labels' values, then all labels. */
export function sortByLabel(
  samples: InstantSample[],
  names: string[],
  descending: boolean,
): EvalValue {
  const sign = descending ? -1 : 1;
  const sorted = [...samples].sort((a, b) => {
    for (const name of names) {
      const order = naturalCompare(a.labels[name] ?? '', b.labels[name] ?? '');
      if (order !== 0) return sign * order;
    }
    return sign * compareLabels(a.labels, b.labels);
  });
  return { type: 'vector', samples: sorted };
}

/**
 * The labels absent() and absent_over_time() give their one sample: the equality matchers of a
 * selector argument (not the metric name; a label matched twice is left out), else none.
 */
export function absentLabels(arg: ExprNode): Labels {
  const selector =
    arg.kind === 'vectorSelector' ? arg : arg.kind === 'matrixSelector' ? arg.selector : null;
  const labels: Labels = {};
  if (!selector) return labels;
  const seen = new Set<string>();
  const repeated = new Set<string>();
  for (const m of selector.matchers) {
    if (m.name === '__name__') continue;
    if (seen.has(m.name)) repeated.add(m.name);
    seen.add(m.name);
    if (m.type === '=') labels[m.name] = m.value;
  }
  for (const name of repeated) delete labels[name];
  return labels;
}

/** absent(v): empty when `present`, else one sample of value 1. */
export function absent(arg: ExprNode, present: boolean): EvalValue {
  if (present) return { type: 'vector', samples: [] };
  return { type: 'vector', samples: [{ labels: absentLabels(arg), value: 1 }] };
}
