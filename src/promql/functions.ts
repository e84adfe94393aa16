/**
 * Function calls: dispatch by name, and the functions over instant vectors and scalars (math,
 * clamping, rounding, trigonometry, dates, timestamp, sorting). Range functions live in
 * range-call.ts, label functions in label-functions.ts.
 */
import type { CallNode, ExprNode } from './ast.js';
import { evaluateAt, scalarOf, vectorOf, type EvalContext } from './eval.js';
import { histogramFraction, histogramQuantile } from './histogram.js';
import { absent, labelJoin, labelReplace, sortByLabel } from './label-functions.js';
import { evaluateRangeCall } from './range-call.js';
import type { EvalValue, InstantSample } from './values.js';

const MATH: Record<string, (v: number) => number> = {
  abs: Math.abs,
  ceil: Math.ceil,
  floor: Math.floor,
  exp: Math.exp,
  ln: Math.log,
  log2: Math.log2,
  log10: Math.log10,
  sqrt: Math.sqrt,
  sgn: (v) => (v > 0 ? 1 : v < 0 ? -1 : v),
  sin: Math.sin,
  cos: Math.cos,
  tan: Math.tan,
  asin: Math.asin,
  acos: Math.acos,
  atan: Math.atan,
  sinh: Math.sinh,
  cosh: Math.cosh,
  tanh: Math.tanh,
  asinh: Math.asinh,
  acosh: Math.acosh,
  atanh: Math.atanh,
  deg: (v) => (v * 180) / Math.PI,
  rad: (v) => (v * Math.PI) / 180,
};

/** UTC date parts of a Unix time in seconds, as Prometheus's date functions compute them. */
const DATE: Record<string, (d: Date) => number> = {
  day_of_month: (d) => d.getUTCDate(),
  day_of_week: (d) => d.getUTCDay(),
  day_of_year: (d) => {
    const start = Date.UTC(d.getUTCFullYear(), 0, 1);
    return Math.floor((d.getTime() - start) / 86_400_000) + 1;
  },
  days_in_month: (d) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate(),
  hour: (d) => d.getUTCHours(),
  minute: (d) => d.getUTCMinutes(),
  month: (d) => d.getUTCMonth() + 1,
  year: (d) => d.getUTCFullYear(),
};

/** Applies `fn` to every sample's value; the metric name is dropped. */
function mapValues(samples: InstantSample[], fn: (v: number) => number): EvalValue {
  return {
    type: 'vector',
    samples: samples.map((s) => ({ labels: s.labels, value: fn(s.value), dropName: true })),
  };
}

function sortByValue(samples: InstantSample[], descending: boolean): EvalValue {
  const sorted = [...samples].sort((a, b) => {
    // NaN sorts last in both directions.
    if (Number.isNaN(a.value)) return Number.isNaN(b.value) ? 0 : 1;
    if (Number.isNaN(b.value)) return -1;
    return descending ? b.value - a.value : a.value - b.value;
  });
  return { type: 'vector', samples: sorted };
}

/** Evaluates a call. Throws LlmwatchError "promql_eval" on evaluation errors. */
export function evaluateCall(node: CallNode, timeMs: number, ctx: EvalContext): EvalValue {
  const arg = (i: number): EvalValue => evaluateAt(node.args[i] as ExprNode, timeMs, ctx);
  const vectorArg = (i: number): InstantSample[] => vectorOf(arg(i));
  const scalarArg = (i: number): number => scalarOf(arg(i));
  const stringArg = (i: number): string => {
    const value = arg(i);
    return value.type === 'string' ? value.value : '';
  };

  const math = MATH[node.func];
  if (math) return mapValues(vectorArg(0), math);
  const date = DATE[node.func];
  if (date) {
    const samples = node.args.length > 0 ? vectorArg(0) : [{ labels: {}, value: timeMs / 1000 }];
    return mapValues(samples, (v) =>
      Number.isFinite(v) ? date(new Date(Math.trunc(v) * 1000)) : NaN,
    );
  }

  switch (node.func) {
    case 'time':
      return { type: 'scalar', value: timeMs / 1000 };
    case 'pi':
      return { type: 'scalar', value: Math.PI };
    case 'vector':
      return { type: 'vector', samples: [{ labels: {}, value: scalarArg(0) }] };
    case 'scalar': {
      const samples = vectorArg(0);
      return {
        type: 'scalar',
        value: samples.length === 1 ? (samples[0] as InstantSample).value : NaN,
      };
    }
    case 'timestamp':
      return {
        type: 'vector',
        samples: vectorArg(0).map((s) => ({
          labels: s.labels,
          value: (s.timestampMs ?? timeMs) / 1000,
          dropName: true,
        })),
      };
    case 'clamp': {
      const samples = vectorArg(0);
      const min = scalarArg(1);
      const max = scalarArg(2);
      if (max < min) return { type: 'vector', samples: [] };
      return mapValues(samples, (v) => Math.max(min, Math.min(max, v)));
    }
    case 'clamp_min': {
      const min = scalarArg(1);
      return mapValues(vectorArg(0), (v) => (Number.isNaN(v) ? v : Math.max(min, v)));
    }
    case 'clamp_max': {
      const max = scalarArg(1);
      return mapValues(vectorArg(0), (v) => (Number.isNaN(v) ? v : Math.min(max, v)));
    }
    case 'round': {
      const inverse = node.args.length > 1 ? 1 / scalarArg(1) : 1;
      return mapValues(vectorArg(0), (v) => Math.floor(v * inverse + 0.5) / inverse);
    }
    case 'sort':
      return sortByValue(vectorArg(0), false);
    case 'sort_desc':
      return sortByValue(vectorArg(0), true);
    case 'sort_by_label':
    case 'sort_by_label_desc': {
      const names = node.args.slice(1).map((_, i) => stringArg(i + 1));
      return sortByLabel(vectorArg(0), names, node.func === 'sort_by_label_desc');
    }
    case 'label_replace':
      return labelReplace(vectorArg(0), stringArg(1), stringArg(2), stringArg(3), stringArg(4));
    case 'label_join':
      return labelJoin(
        vectorArg(0),
        stringArg(1),
        stringArg(2),
        node.args.slice(3).map((_, i) => stringArg(i + 3)),
      );
    case 'absent':
      return absent(node.args[0] as ExprNode, vectorArg(0).length > 0);
    case 'histogram_quantile':
      return {
        type: 'vector',
        samples: histogramQuantile(scalarArg(0), vectorArg(1)).map((s) => ({
          ...s,
          dropName: true,
        })),
      };
    case 'histogram_fraction':
      return {
        type: 'vector',
        samples: histogramFraction(scalarArg(0), scalarArg(1), vectorArg(2)),
      };
    case 'histogram_count':
    case 'histogram_sum':
    case 'histogram_avg':
    case 'histogram_stddev':
    case 'histogram_stdvar':
      // These read native histograms only; float samples are ignored, as in Prometheus.
      vectorArg(0);
      return { type: 'vector', samples: [] };
    default:
      return evaluateRangeCall(node, timeMs, ctx);
  }
}
