/**
 * A small, safe template language for alert labels and annotations, in the spirit of
 * Prometheus's Go templates but without code execution: `{{ $labels.component }}`,
 * `{{ $value }}`, `{{ humanize $value }}`, `{{ $value | humanizePercentage }}`,
 * `{{ printf "%.2f" $value }}`, `{{ $samples }}`, `{{ $externalURL }}`. Anything else is refused
 * when the rule file is loaded, so a typo is reported by `rules check`, not at 3 a.m.
 *
 * Limitation: no conditionals, loops or queries inside templates (Prometheus's `query`
 * function); compute such values in the rule's expression instead.
 */

/** The data a template is rendered with. */
export interface TemplateData {
  /** Labels of the series (and the rule's labels for annotations). */
  labels: Record<string, string>;
  /** The expression's value for the series; NaN when unknown. */
  value: number;
  /** Sample count from the rule's minSamples expression; NaN when the rule has none. */
  samples: number;
  /** llmwatch's external URL. */
  externalUrl: string;
}

type Operand =
  | { kind: 'value' }
  | { kind: 'samples' }
  | { kind: 'externalUrl' }
  | { kind: 'label'; name: string }
  | { kind: 'string'; text: string };

type Part =
  | string
  | { func: 'none' | 'humanize' | 'humanizePercentage' | 'humanizeDuration'; operand: Operand }
  | { func: 'printf'; digits: number; operand: Operand };

/** A compiled template; render never throws. */
export interface CompiledTemplate {
  render(data: TemplateData): string;
}

const FUNCS = new Set(['humanize', 'humanizePercentage', 'humanizeDuration']);

function tokenize(inner: string): string[] {
  const tokens: string[] = [];
  const re = /"(?:[^"\\]|\\.)*"|\||[^\s|]+/g;
  for (const match of inner.matchAll(re)) tokens.push(match[0]);
  return tokens;
}

function parseOperand(token: string | undefined): Operand {
  if (token === '$value') return { kind: 'value' };
  if (token === '$samples') return { kind: 'samples' };
  if (token === '$externalURL') return { kind: 'externalUrl' };
  if (token?.startsWith('$labels.') && /^\$labels\.[a-zA-Z_][a-zA-Z0-9_]*$/.test(token)) {
    return { kind: 'label', name: token.slice('$labels.'.length) };
  }
  if (token?.startsWith('"') && token.endsWith('"') && token.length >= 2) {
    return { kind: 'string', text: JSON.parse(token) as string };
  }
  throw new Error(
    `unknown operand ${JSON.stringify(token ?? '')}; use $value, $samples, $externalURL, ` +
      '$labels.<name> or a "quoted string"',
  );
}

function parseAction(inner: string): Part {
  let tokens = tokenize(inner);
  const pipe = tokens.indexOf('|');
  if (pipe >= 0) {
    if (pipe === 0 || tokens.length !== pipe + 2 || tokens.indexOf('|', pipe + 1) >= 0) {
      throw new Error(`bad pipeline "${inner.trim()}"; write "$value | humanize"`);
    }
    tokens = [tokens[pipe + 1] as string, ...tokens.slice(0, pipe)];
  }
  const [head, ...rest] = tokens;
  if (head === 'printf') {
    const format = /^"%\.(\d)f"$/.exec(rest[0] ?? '');
    if (!format || rest.length !== 2) {
      throw new Error(`printf supports only "%.Nf" with one operand, got "${inner.trim()}"`);
    }
    return { func: 'printf', digits: Number(format[1]), operand: parseOperand(rest[1]) };
  }
  if (head !== undefined && FUNCS.has(head)) {
    if (rest.length !== 1) throw new Error(`${head} takes one operand, got "${inner.trim()}"`);
    return { func: head as 'humanize', operand: parseOperand(rest[0]) };
  }
  if (rest.length !== 0) {
    throw new Error(
      `unknown function ${JSON.stringify(head)}; use humanize, humanizePercentage, ` +
        'humanizeDuration or printf "%.2f"',
    );
  }
  return { func: 'none', operand: parseOperand(head) };
}

/** Formats a value for `{{ $value }}`: at most 6 significant digits, "NaN", "+Inf", "-Inf". */
export function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? '+Inf' : '-Inf';
  return String(Number(value.toPrecision(6)));
}

/** SI-prefixed value like Prometheus's humanize: 1234 → "1.234k", 0.0012 → "1.2m". */
export function humanize(value: number): string {
  if (value === 0 || !Number.isFinite(value)) return formatValue(value);
  const abs = Math.abs(value);
  const big = ['', 'k', 'M', 'G', 'T', 'P', 'E'];
  const small = ['', 'm', 'µ', 'n', 'p', 'f', 'a'];
  if (abs >= 1) {
    let i = 0;
    while (Math.abs(value) / 1000 ** i >= 1000 && i < big.length - 1) i++;
    return `${Number((value / 1000 ** i).toPrecision(4))}${big[i]}`;
  }
  let i = 0;
  while (Math.abs(value) * 1000 ** i < 1 && i < small.length - 1) i++;
  return `${Number((value * 1000 ** i).toPrecision(4))}${small[i]}`;
}

/** Seconds as "1h 2m 3s" (or "250ms" below one second). */
export function humanizeDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return formatValue(seconds);
  const sign = seconds < 0 ? '-' : '';
  const abs = Math.abs(seconds);
  if (abs < 1) return `${sign}${Number((abs * 1000).toPrecision(4))}ms`;
  const parts: string[] = [];
  let rest = abs;
  for (const [unit, size] of [
    ['d', 86400],
    ['h', 3600],
    ['m', 60],
  ] as const) {
    const count = Math.floor(rest / size);
    if (count > 0) parts.push(`${count}${unit}`);
    rest -= count * size;
  }
  if (rest > 0 || parts.length === 0) parts.push(`${Number(rest.toPrecision(4))}s`);
  return sign + parts.join(' ');
}

function operandValue(operand: Operand, data: TemplateData): number | string {
  switch (operand.kind) {
    case 'value':
      return data.value;
    case 'samples':
      return data.samples;
    case 'externalUrl':
      return data.externalUrl;
    case 'label':
      return data.labels[operand.name] ?? '';
    case 'string':
      return operand.text;
  }
}

function renderPart(part: Part, data: TemplateData): string {
  if (typeof part === 'string') return part;
  const raw = operandValue(part.operand, data);
  const num = typeof raw === 'number' ? raw : Number(raw);
  switch (part.func) {
    case 'none':
      return typeof raw === 'number' ? formatValue(raw) : raw;
    case 'printf':
      return Number.isFinite(num) ? num.toFixed(part.digits) : formatValue(num);
    case 'humanize':
      return humanize(num);
    case 'humanizePercentage':
      return Number.isFinite(num) ? `${Number((num * 100).toPrecision(4))}%` : formatValue(num);
    case 'humanizeDuration':
      return humanizeDuration(num);
  }
}

/**
 * Compiles a template. Throws an Error naming the bad action and the accepted forms for an
 * unknown function or variable, or an unclosed `{{`.
 */
export function compileTemplate(text: string): CompiledTemplate {
  const parts: Part[] = [];
  let i = 0;
  while (i < text.length) {
    const open = text.indexOf('{{', i);
    if (open < 0) {
      parts.push(text.slice(i));
      break;
    }
    if (open > i) parts.push(text.slice(i, open));
    const close = text.indexOf('}}', open + 2);
    if (close < 0) throw new Error(`unclosed "{{" at offset ${open}; close it with "}}"`);
    parts.push(parseAction(text.slice(open + 2, close)));
    i = close + 2;
  }
  return { render: (data) => parts.map((part) => renderPart(part, data)).join('') };
}
