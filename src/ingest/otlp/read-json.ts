/**
 * Typed readers for fields of an untrusted plain object (parsed JSON or protobufjs `toObject`
 * output). Absent and `null` fields read as the proto3 default; a present field of the wrong type
 * throws LlmwatchError `otlp_invalid` whose message names the field's path and the bad value.
 */
import { LlmwatchError } from '../../core/errors.js';

/** Any value JSON.parse can produce (numbers may also be NaN/±Infinity from protobuf). */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const SIGNED_INT_RE = /^-?\d+$/;
const UNSIGNED_INT_RE = /^\d+$/;
const DECIMAL_RE = /^-?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const MIN_INT64 = -(1n << 63n);
const MAX_INT64 = (1n << 63n) - 1n;
const MAX_UINT64 = (1n << 64n) - 1n;

/** Returns a field by its lowerCamelCase name, else by its snake_case proto name; null as absent. */
export function getField(
  obj: Record<string, Json>,
  camel: string,
  snake?: string,
): Json | undefined {
  if (Object.hasOwn(obj, camel) && obj[camel] !== null) return obj[camel];
  if (snake !== undefined && Object.hasOwn(obj, snake) && obj[snake] !== null) return obj[snake];
  return undefined;
}

/** A short rendering of a bad value for error messages. */
export function describeValue(value: unknown): string {
  if (typeof value === 'number') return String(value);
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function invalid(path: string, expected: string, value: unknown): LlmwatchError {
  return new LlmwatchError(
    'otlp_invalid',
    `${path} must be ${expected}, got ${describeValue(value)}`,
  );
}

/** A JSON object (not an array). */
export function readObject(value: Json | undefined | unknown, path: string): Record<string, Json> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalid(path, 'an object', value);
  }
  return value as Record<string, Json>;
}

/** An array; absent reads as []. */
export function readArray(value: Json | undefined, path: string): Json[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw invalid(path, 'an array', value);
  return value;
}

/** A string; absent reads as "". */
export function readString(value: Json | undefined, path: string): string {
  if (value === undefined) return '';
  if (typeof value !== 'string') throw invalid(path, 'a string', value);
  return value;
}

/** A boolean; absent reads as false. */
export function readBool(value: Json | undefined, path: string): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean') throw invalid(path, 'true or false', value);
  return value;
}

/**
 * A 64-bit integer sent as a decimal string (the OTLP JSON form) or an integral number; absent
 * reads as 0. `unsigned` refuses negative values (fixed64/uint64 fields).
 */
export function readInt64(value: Json | undefined, path: string, unsigned: boolean): bigint {
  if (value === undefined) return 0n;
  const expected = unsigned
    ? 'a non-negative integer (a decimal string like "1700000000000000000")'
    : 'an integer (a decimal string like "-42")';
  let result: bigint;
  if (typeof value === 'number' && Number.isInteger(value)) result = BigInt(value);
  else if (typeof value === 'string' && (unsigned ? UNSIGNED_INT_RE : SIGNED_INT_RE).test(value)) {
    result = BigInt(value);
  } else throw invalid(path, expected, value);
  const inRange = unsigned
    ? result >= 0n && result <= MAX_UINT64
    : result >= MIN_INT64 && result <= MAX_INT64;
  if (!inRange) throw invalid(path, `${expected} that fits in 64 bits`, value);
  return result;
}

/** A double: a number, or a string "NaN", "Infinity", "-Infinity" or decimal; absent reads as 0. */
export function readDouble(value: Json | undefined, path: string): number {
  if (value === undefined) return 0;
  if (typeof value === 'number') return value;
  if (typeof value === 'string') {
    if (value === 'NaN') return NaN;
    if (value === 'Infinity') return Infinity;
    if (value === '-Infinity') return -Infinity;
    if (DECIMAL_RE.test(value)) return Number(value);
  }
  throw invalid(path, 'a number', value);
}

/** An enum: its integer value or its name from `names`; absent reads as 0. */
export function readEnum(
  value: Json | undefined,
  path: string,
  names: Record<string, number>,
): number {
  if (value === undefined) return 0;
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'string' && Object.hasOwn(names, value)) return names[value] as number;
  throw invalid(path, `an integer or one of ${Object.keys(names).join(', ')}`, value);
}
