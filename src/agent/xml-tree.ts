/**
 * A small, strict XML reader for `nvidia-smi -q -x` output: elements, attributes, text, the five
 * predefined entities and numeric character references; the XML declaration, DOCTYPE, comments
 * and processing instructions are skipped; CDATA is read as text. No namespaces, no external
 * entities (so no entity-expansion attacks). Malformed input throws LlmwatchError `agent_parse`
 * naming the offset. Work is linear in the input size and nesting is capped.
 *
 * Limitation: a DOCTYPE with an internal subset (`[ ... ]`) is not supported; nvidia-smi never
 * writes one.
 */
import { LlmwatchError } from '../core/errors.js';

/** One element: its name, attributes, child elements in order and its direct text (trimmed). */
export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  text: string;
}

/** Limits for untrusted input. */
export interface XmlLimits {
  /** Largest document accepted, in characters. Default 32 Mi. */
  maxChars?: number;
  /** Deepest element nesting accepted. Default 64. */
  maxDepth?: number;
}

const NAME = /[A-Za-z_][\w.:-]*/y;
const ATTRIBUTE = /\s+([A-Za-z_][\w.:-]*)\s*=\s*(?:"([^"<]*)"|'([^'<]*)')/y;
const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Parses a whole document and returns its root element. */
export function parseXml(text: string, limits: XmlLimits = {}): XmlElement {
  const maxChars = limits.maxChars ?? 32 * 1024 * 1024;
  const maxDepth = limits.maxDepth ?? 64;
  if (text.length > maxChars) fail(0, `document is longer than ${maxChars} characters`);
  const stack: XmlElement[] = [];
  const texts: string[][] = [];
  let root: XmlElement | undefined;
  let pos = 0;
  while (pos < text.length) {
    const lt = text.indexOf('<', pos);
    const chunk = text.slice(pos, lt < 0 ? text.length : lt);
    if (chunk.trim() !== '') {
      if (stack.length === 0) fail(pos, 'text outside the root element');
      texts[texts.length - 1]?.push(decodeEntities(chunk, pos));
    }
    if (lt < 0) break;
    pos = lt;
    if (text.startsWith('<?', pos)) pos = skipPast(text, pos, '?>');
    else if (text.startsWith('<!--', pos)) pos = skipPast(text, pos, '-->');
    else if (text.startsWith('<![CDATA[', pos)) {
      const end = skipPast(text, pos, ']]>');
      if (stack.length === 0) fail(pos, 'CDATA outside the root element');
      texts[texts.length - 1]?.push(text.slice(pos + 9, end - 3));
      pos = end;
    } else if (text.startsWith('<!', pos)) {
      if (root !== undefined || stack.length > 0) fail(pos, 'declaration inside the document');
      pos = skipPast(text, pos, '>');
    } else if (text.startsWith('</', pos)) {
      NAME.lastIndex = pos + 2;
      const name = NAME.exec(text)?.[0];
      const open = stack.pop();
      const ownTexts = texts.pop();
      if (name === undefined || open === undefined || open.name !== name) {
        fail(pos, `closing tag </${name ?? '?'}> does not match <${open?.name ?? 'nothing'}>`);
      }
      const gt = text.indexOf('>', pos);
      if (gt < 0 || text.slice(pos + 2 + name.length, gt).trim() !== '')
        fail(pos, 'bad closing tag');
      open.text = (ownTexts ?? []).join('').trim();
      pos = gt + 1;
    } else {
      const element = readStartTag(text, pos);
      if (stack.length === 0 && root !== undefined) fail(pos, 'a second root element');
      const parent = stack[stack.length - 1];
      if (parent) parent.children.push(element.element);
      else root = element.element;
      if (!element.selfClosing) {
        if (stack.length >= maxDepth) fail(pos, `elements nested deeper than ${maxDepth}`);
        stack.push(element.element);
        texts.push([]);
      }
      pos = element.end;
    }
  }
  if (stack.length > 0) fail(text.length, `<${stack[stack.length - 1]?.name}> is never closed`);
  if (root === undefined) fail(0, 'no root element');
  return root;
}

function readStartTag(
  text: string,
  pos: number,
): { element: XmlElement; selfClosing: boolean; end: number } {
  NAME.lastIndex = pos + 1;
  const name = NAME.exec(text)?.[0];
  if (name === undefined) fail(pos, 'expected an element name after "<"');
  const element: XmlElement = { name, attributes: {}, children: [], text: '' };
  let at = pos + 1 + name.length;
  for (;;) {
    ATTRIBUTE.lastIndex = at;
    const match = ATTRIBUTE.exec(text);
    if (!match) break;
    element.attributes[match[1] as string] = decodeEntities(match[2] ?? match[3] ?? '', at);
    at = ATTRIBUTE.lastIndex;
  }
  while (at < text.length && /\s/.test(text[at] as string)) at++;
  if (text.startsWith('/>', at)) return { element, selfClosing: true, end: at + 2 };
  if (text[at] === '>') return { element, selfClosing: false, end: at + 1 };
  return fail(at, `unexpected ${JSON.stringify(text.slice(at, at + 10))} in <${name}>`);
}

function skipPast(text: string, pos: number, terminator: string): number {
  const end = text.indexOf(terminator, pos);
  if (end < 0) fail(pos, `no closing "${terminator}"`);
  return end + terminator.length;
}

function decodeEntities(raw: string, pos: number): string {
  return raw.replace(/&([^;&\s]{1,10});/g, (_all, entity: string) => {
    if (entity.startsWith('#')) {
      const code =
        entity[1] === 'x' ? parseInt(entity.slice(2), 16) : parseInt(entity.slice(1), 10);
      if (Number.isInteger(code) && code > 0 && code <= 0x10ffff) return String.fromCodePoint(code);
    } else if (ENTITIES[entity] !== undefined) return ENTITIES[entity];
    return fail(pos, `unknown entity &${entity};`);
  });
}

function fail(offset: number, message: string): never {
  throw new LlmwatchError('agent_parse', `XML: ${message} (at character ${offset})`);
}

/** The first child element named `name`, if any. */
export function child(element: XmlElement | undefined, name: string): XmlElement | undefined {
  return element?.children.find((c) => c.name === name);
}

/** Follows a path of child names; undefined when any step is missing. */
export function path(element: XmlElement | undefined, ...names: string[]): XmlElement | undefined {
  let current = element;
  for (const name of names) current = child(current, name);
  return current;
}
