/**
 * Format checks: valid JSON when the request asked for JSON, and length bounds.
 */
import { guarded, type EvaluationSample, type Evaluator } from './types.js';

/** Options of the format evaluator. */
export interface FormatOptions {
  /** Fewest characters a response may have. Default: no lower bound. */
  minChars?: number;
  /** Most characters a response may have. Default: no upper bound. */
  maxChars?: number;
}

/** The request's `response_format.type` ("json_object", "json_schema", "text") or null. */
export function requestedFormat(request: unknown): string | null {
  if (typeof request !== 'object' || request === null) return null;
  const format = (request as { response_format?: unknown }).response_format;
  if (typeof format !== 'object' || format === null) return null;
  const type = (format as { type?: unknown }).type;
  return typeof type === 'string' ? type : null;
}

function jsonCheck(
  sample: EvaluationSample,
  text: string,
): { name: string; passed: boolean } | null {
  const type = requestedFormat(sample.request);
  if (type !== 'json_object' && type !== 'json_schema') return null;
  try {
    JSON.parse(text);
    return { name: 'json', passed: true };
  } catch {
    return { name: 'json', passed: false };
  }
}

/**
 * Criterion `format`: runs the checks that apply (JSON parse when the request's
 * response_format is json_object or json_schema; minChars/maxChars when set) and scores the
 * share that passed; details.checks lists each with passed true/false. Returns null (does not
 * apply) when no check applies.
 * Limitation: a json_schema request is only checked for valid JSON, not against the schema.
 */
export function createFormatEvaluator(options: FormatOptions = {}): Evaluator {
  return guarded('format', (sample, text) => {
    const checks: Array<{ name: string; passed: boolean }> = [];
    const json = jsonCheck(sample, text);
    if (json !== null) checks.push(json);
    if (options.minChars !== undefined) {
      checks.push({ name: 'min_chars', passed: text.length >= options.minChars });
    }
    if (options.maxChars !== undefined) {
      checks.push({ name: 'max_chars', passed: text.length <= options.maxChars });
    }
    if (checks.length === 0) return null;
    const passed = checks.filter((c) => c.passed).length;
    return {
      criterion: 'format',
      outcome: 'scored',
      score: passed / checks.length,
      details: { checks, lengthChars: text.length },
    };
  });
}
