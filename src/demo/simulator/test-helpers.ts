/**
 * Test helpers for the demo model servers: post JSON, read an SSE stream into events, and parse
 * Prometheus exposition text into samples keyed by name and labels. Not used at runtime.
 */

/** Posts `body` as JSON to `url` and returns the response. */
export async function postJson(url: string, body: unknown): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
}

/** Splits an SSE body into its `data:` payloads, in order ("[DONE]" kept as a string). */
export function parseSseData(text: string): string[] {
  return text
    .split('\n\n')
    .filter((block) => block.trim() !== '')
    .map((block) => {
      if (!block.startsWith('data: ')) throw new Error(`not an SSE data block: ${block}`);
      return block.slice('data: '.length);
    });
}

/** A streamed chat or completions chunk, as the tests read it. */
export interface StreamChunk {
  id: string;
  object: string;
  choices: {
    index: number;
    text?: string;
    delta?: { role?: string; content?: string };
    finish_reason: string | null;
  }[];
  usage?: { prompt_tokens: number; completion_tokens: number; total_tokens: number } | null;
}

/** One parsed exposition sample. */
export interface ParsedSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parsed exposition: samples plus the declared type of each family. */
export interface ParsedExposition {
  samples: ParsedSample[];
  types: Map<string, string>;
}

const SAMPLE_LINE =
  /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{((?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*",?)*)\})? (\S+)$/;
const LABEL_PAIR = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;
const META_LINE = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/;

function familyOf(name: string, types: Map<string, string>): string | undefined {
  if (types.has(name)) return name;
  for (const suffix of ['_bucket', '_sum', '_count']) {
    const base = name.endsWith(suffix) ? name.slice(0, -suffix.length) : '';
    if (base !== '' && types.get(base) === 'histogram') return base;
  }
  return undefined;
}

/**
 * Strictly parses exposition text: every line is HELP, TYPE or a sample; HELP precedes TYPE;
 * every sample belongs to a family declared earlier. Throws naming the offending line.
 */
export function parseExpositionStrict(text: string): ParsedExposition {
  const samples: ParsedSample[] = [];
  const types = new Map<string, string>();
  const helps = new Set<string>();
  if (!text.endsWith('\n')) throw new Error('exposition must end with a newline');
  for (const line of text.slice(0, -1).split('\n')) {
    const meta = META_LINE.exec(line);
    if (meta) {
      const [, kind, name = '', rest = ''] = meta;
      if (kind === 'HELP') helps.add(name);
      else if (!helps.has(name)) throw new Error(`TYPE before HELP: ${line}`);
      else if (!['counter', 'gauge', 'histogram'].includes(rest))
        throw new Error(`bad type: ${line}`);
      else types.set(name, rest);
      continue;
    }
    const match = SAMPLE_LINE.exec(line);
    if (!match) throw new Error(`bad sample line: ${line}`);
    const [, name = '', labelText = '', valueText = ''] = match;
    if (familyOf(name, types) === undefined) throw new Error(`sample without TYPE: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, key = '', value = ''] of labelText.matchAll(LABEL_PAIR)) labels[key] = value;
    const value = valueText === '+Inf' ? Infinity : Number(valueText);
    if (Number.isNaN(value)) throw new Error(`bad value: ${line}`);
    samples.push({ name, labels, value });
  }
  return { samples, types };
}

/** The value of the one sample named `name` whose labels include `labels`; throws otherwise. */
export function sampleValue(
  exposition: ParsedExposition,
  name: string,
  labels: Record<string, string> = {},
): number {
  const found = exposition.samples.filter(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
  if (found.length !== 1) throw new Error(`expected one ${name} sample, found ${found.length}`);
  return (found[0] as ParsedSample).value;
}
