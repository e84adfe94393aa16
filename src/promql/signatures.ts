/** Argument and return types of the PromQL functions llmwatch implements. */
import type { ValueType } from './ast.js';

/** One function's signature; `minArgs` below `argTypes.length` makes the tail optional. */
export interface FunctionSignature {
  argTypes: ValueType[];
  minArgs: number;
  returnType: ValueType;
}

const rangeFn: FunctionSignature = { argTypes: ['matrix'], minArgs: 1, returnType: 'vector' };

/** Supported functions by name. Other Prometheus functions are rejected as unsupported. */
export const FUNCTION_SIGNATURES: ReadonlyMap<string, FunctionSignature> = new Map([
  ['rate', rangeFn],
  ['increase', rangeFn],
  ['irate', rangeFn],
  ['delta', rangeFn],
  ['avg_over_time', rangeFn],
  ['sum_over_time', rangeFn],
  ['max_over_time', rangeFn],
  ['min_over_time', rangeFn],
  ['count_over_time', rangeFn],
  ['histogram_quantile', { argTypes: ['scalar', 'vector'], minArgs: 2, returnType: 'vector' }],
  ['clamp_min', { argTypes: ['vector', 'scalar'], minArgs: 2, returnType: 'vector' }],
  ['clamp_max', { argTypes: ['vector', 'scalar'], minArgs: 2, returnType: 'vector' }],
  ['abs', { argTypes: ['vector'], minArgs: 1, returnType: 'vector' }],
  ['scalar', { argTypes: ['vector'], minArgs: 1, returnType: 'scalar' }],
  ['vector', { argTypes: ['scalar'], minArgs: 1, returnType: 'vector' }],
  ['time', { argTypes: [], minArgs: 0, returnType: 'scalar' }],
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
