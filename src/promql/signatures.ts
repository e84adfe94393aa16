/** Argument and return types of the PromQL functions llmwatch implements. */
import type { ValueType } from './ast.js';

/**
 * One function's signature; `minArgs` below `argTypes.length` makes the tail optional, and
 * `variadic` lets the last argument type repeat without limit.
 */
export interface FunctionSignature {
  argTypes: ValueType[];
  minArgs: number;
  returnType: ValueType;
  variadic?: boolean;
}

const rangeFn: FunctionSignature = { argTypes: ['matrix'], minArgs: 1, returnType: 'vector' };
const vectorFn: FunctionSignature = { argTypes: ['vector'], minArgs: 1, returnType: 'vector' };
const dateFn: FunctionSignature = { argTypes: ['vector'], minArgs: 0, returnType: 'vector' };
const scalarFn: FunctionSignature = { argTypes: [], minArgs: 0, returnType: 'scalar' };

const RANGE_FUNCTIONS = [
  'rate',
  'increase',
  'irate',
  'delta',
  'idelta',
  'deriv',
  'changes',
  'resets',
  'avg_over_time',
  'sum_over_time',
  'max_over_time',
  'min_over_time',
  'count_over_time',
  'last_over_time',
  'first_over_time',
  'stddev_over_time',
  'stdvar_over_time',
  'mad_over_time',
  'present_over_time',
  'absent_over_time',
  'ts_of_last_over_time',
  'ts_of_max_over_time',
  'ts_of_min_over_time',
  'ts_of_first_over_time',
];

const VECTOR_FUNCTIONS = [
  'abs',
  'ceil',
  'floor',
  'exp',
  'ln',
  'log2',
  'log10',
  'sqrt',
  'sgn',
  'sin',
  'cos',
  'tan',
  'asin',
  'acos',
  'atan',
  'sinh',
  'cosh',
  'tanh',
  'asinh',
  'acosh',
  'atanh',
  'deg',
  'rad',
  'timestamp',
  'absent',
  'sort',
  'sort_desc',
  'histogram_count',
  'histogram_sum',
  'histogram_avg',
  'histogram_stddev',
  'histogram_stdvar',
];

const DATE_FUNCTIONS = [
  'day_of_month',
  'day_of_week',
  'day_of_year',
  'days_in_month',
  'hour',
  'minute',
  'month',
  'year',
];

/** Supported functions by name. Other Prometheus functions are rejected as unsupported. */
export const FUNCTION_SIGNATURES: ReadonlyMap<string, FunctionSignature> = new Map([
  ...RANGE_FUNCTIONS.map((name) => [name, rangeFn] as const),
  ...VECTOR_FUNCTIONS.map((name) => [name, vectorFn] as const),
  ...DATE_FUNCTIONS.map((name) => [name, dateFn] as const),
  ['quantile_over_time', { argTypes: ['scalar', 'matrix'], minArgs: 2, returnType: 'vector' }],
  ['predict_linear', { argTypes: ['matrix', 'scalar'], minArgs: 2, returnType: 'vector' }],
  [
    'double_exponential_smoothing',
    { argTypes: ['matrix', 'scalar', 'scalar'], minArgs: 3, returnType: 'vector' },
  ],
  ['histogram_quantile', { argTypes: ['scalar', 'vector'], minArgs: 2, returnType: 'vector' }],
  [
    'histogram_fraction',
    { argTypes: ['scalar', 'scalar', 'vector'], minArgs: 3, returnType: 'vector' },
  ],
  ['clamp', { argTypes: ['vector', 'scalar', 'scalar'], minArgs: 3, returnType: 'vector' }],
  ['clamp_min', { argTypes: ['vector', 'scalar'], minArgs: 2, returnType: 'vector' }],
  ['clamp_max', { argTypes: ['vector', 'scalar'], minArgs: 2, returnType: 'vector' }],
  ['round', { argTypes: ['vector', 'scalar'], minArgs: 1, returnType: 'vector' }],
  [
    'label_replace',
    {
      argTypes: ['vector', 'string', 'string', 'string', 'string'],
      minArgs: 5,
      returnType: 'vector',
    },
  ],
  [
    'label_join',
    {
      argTypes: ['vector', 'string', 'string', 'string'],
      minArgs: 3,
      returnType: 'vector',
      variadic: true,
    },
  ],
  [
    'sort_by_label',
    { argTypes: ['vector', 'string'], minArgs: 1, returnType: 'vector', variadic: true },
  ],
  [
    'sort_by_label_desc',
    { argTypes: ['vector', 'string'], minArgs: 1, returnType: 'vector', variadic: true },
  ],
  ['scalar', { argTypes: ['vector'], minArgs: 1, returnType: 'scalar' }],
  ['vector', { argTypes: ['scalar'], minArgs: 1, returnType: 'vector' }],
  ['time', scalarFn],
  ['pi', scalarFn],
]);

/** Functions whose result keeps the input's metric name (all others drop it). */
export const NAME_KEEPING_FUNCTIONS: ReadonlySet<string> = new Set([
  'last_over_time',
  'first_over_time',
  'sort',
  'sort_desc',
  'sort_by_label',
  'sort_by_label_desc',
  'label_replace',
  'label_join',
  'absent',
  'absent_over_time',
  'vector',
]);

/** Prometheus's wording for a value type in error messages. */
export function describeType(type: ValueType): string {
  switch (type) {
    case 'scalar':
      return 'scalar';
    case 'string':
      return 'string';
    case 'vector':
      return 'instant vector';
    case 'matrix':
      return 'range vector';
  }
}
