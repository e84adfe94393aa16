/**
 * Renders an OTLP AnyValue as a label value string, as the OpenTelemetry-to-Prometheus
 * compatibility rules ask: strings as they are, booleans "true"/"false", integers in decimal,
 * doubles in shortest form, bytes as base64, arrays and key-value lists as JSON. An empty AnyValue
 * renders as "". Nesting deeper than MAX_ANY_VALUE_DEPTH is refused (otlp_invalid).
 */
import { LlmwatchError } from '../../core/errors.js';
import {
  getField,
  readArray,
  readBool,
  readDouble,
  readInt64,
  readObject,
  readString,
  type Json,
} from './read-json.js';

/** Deepest nesting of arrays/kvlists accepted in one attribute value. */
export const MAX_ANY_VALUE_DEPTH = 8;

/** Renders an AnyValue (absent: ""); throws otlp_invalid naming `path` on a wrong type. */
export function renderAnyValue(value: Json | undefined, path: string): string {
  const plain = toPlain(value, path, 0);
  if (typeof plain === 'string') return plain;
  if (plain === null) return '';
  if (typeof plain === 'number') return formatDouble(plain);
  if (typeof plain === 'boolean') return String(plain);
  return JSON.stringify(plain);
}

type Plain = null | string | number | boolean | Plain[] | { [key: string]: Plain };

function toPlain(value: Json | undefined, path: string, depth: number): Plain {
  if (value === undefined) return null;
  if (depth > MAX_ANY_VALUE_DEPTH) {
    throw new LlmwatchError(
      'otlp_invalid',
      `${path} nests arrays or kvlists deeper than ${MAX_ANY_VALUE_DEPTH} levels; flatten the attribute`,
    );
  }
  const obj = readObject(value, path);
  const stringValue = getField(obj, 'stringValue', 'string_value');
  if (stringValue !== undefined) return readString(stringValue, `${path}.stringValue`);
  const boolValue = getField(obj, 'boolValue', 'bool_value');
  if (boolValue !== undefined) return readBool(boolValue, `${path}.boolValue`);
  const intValue = getField(obj, 'intValue', 'int_value');
  if (intValue !== undefined) return readInt64(intValue, `${path}.intValue`, false).toString();
  const doubleValue = getField(obj, 'doubleValue', 'double_value');
  if (doubleValue !== undefined) return readDouble(doubleValue, `${path}.doubleValue`);
  const bytesValue = getField(obj, 'bytesValue', 'bytes_value');
  if (bytesValue !== undefined) return readString(bytesValue, `${path}.bytesValue`);
  const arrayValue = getField(obj, 'arrayValue', 'array_value');
  if (arrayValue !== undefined) {
    const arrayPath = `${path}.arrayValue.values`;
    const values = readArray(
      getField(readObject(arrayValue, `${path}.arrayValue`), 'values'),
      arrayPath,
    );
    return values.map((v, i) => toPlain(v, `${arrayPath}[${i}]`, depth + 1));
  }
  const kvlistValue = getField(obj, 'kvlistValue', 'kvlist_value');
  if (kvlistValue !== undefined) {
    const listPath = `${path}.kvlistValue.values`;
    const values = readArray(
      getField(readObject(kvlistValue, `${path}.kvlistValue`), 'values'),
      listPath,
    );
    // A prototype-less object, so a key like "__proto__" is stored as data.
    const out = Object.create(null) as Record<string, Plain>;
    values.forEach((item, i) => {
      const kv = readObject(item, `${listPath}[${i}]`);
      const key = readString(getField(kv, 'key'), `${listPath}[${i}].key`);
      out[key] = toPlain(getField(kv, 'value'), `${listPath}[${i}].value`, depth + 1);
    });
    return out;
  }
  return null;
}

/** Shortest round-trip form; NaN and infinities spelled as Prometheus does. */
function formatDouble(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}
