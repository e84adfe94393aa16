import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isLlmwatchError } from '../core/errors.js';
import { parsePromql } from './parse.js';
import { createPromqlEngine } from './engine.js';
import { createMemoryStore } from './memory-store.js';

function parseFailure(query: string): { code: string; message: string } {
  try {
    parsePromql(query);
  } catch (err) {
    assert.ok(isLlmwatchError(err), `expected LlmwatchError for ${query}`);
    return { code: err.code, message: err.message };
  }
  assert.fail(`expected ${JSON.stringify(query)} to fail`);
}

const deep = `${'('.repeat(1050)}x${')'.repeat(1050)}`;

const ERROR_CASES: Array<[string, string]> = [
  ['', '1:1: parse error: no expression found in input'],
  ['sum(', '1:5: parse error: unexpected end of input'],
  ['foo{a="b"', '1:10: parse error: unexpected end of input'],
  ['foo(x)', '1:1: parse error: unknown function with name "foo"'],
  ['rate(x[5m]) by (a)', '1:13: parse error: unexpected "by"'],
  ['a +\n  * b', '2:3: parse error: unexpected "*"'],
  ['"abc', '1:1: parse error: unterminated quoted string'],
  ['x{a="\\q"}', '1:5: parse error: invalid escape sequence "\\q" in string'],
  [
    'rate(x)',
    '1:6: parse error: expected type range vector in call to function "rate", got instant vector',
  ],
  ['abs(x, y)', '1:1: parse error: expected 1 argument(s) in call to "abs", got 2'],
  ['{a=""}', '1:1: parse error: vector selector must contain at least one non-empty matcher'],
  ['{a=~".*"}', '1:1: parse error: vector selector must contain at least one non-empty matcher'],
  ['foo{__name__="bar"}', '1:1: parse error: metric name must not be set twice: "foo"'],
  ['1 > 2', '1:1: parse error: comparisons between scalars must use BOOL modifier'],
  ['x + bool 1', '1:1: parse error: bool modifier can only be used on comparison operators'],
  [
    'sum(x[5m])',
    '1:5: parse error: expected type instant vector in aggregation expression, got range vector',
  ],
  ['abs(x)[5m]', '1:1: parse error: ranges only allowed for vector selectors'],
  ['x offset 5m [1m]', '1:1: parse error: no offset modifiers allowed before range'],
  [
    '"a" + 1',
    '1:1: parse error: binary expression must contain only scalar and instant vector types',
  ],
  ['1 + on(a) x', '1:5: parse error: vector matching only allowed between instant vectors'],
  [
    '1' + '+1'.repeat(40_000),
    '1:65537: parse error: query is 80001 characters long, over the limit of 65536; shorten it',
  ],
  [deep, '1:1001: parse error: expression nested deeper than 1000 levels; simplify the query'],
];

test('parse errors carry the line:col position and Prometheus wording', () => {
  for (const [query, message] of ERROR_CASES) {
    const failure = parseFailure(query);
    assert.equal(failure.code, 'promql_parse', query);
    assert.equal(failure.message, message, query);
  }
});

test('invalid regex is a parse error at the string', () => {
  const failure = parseFailure('x{a=~"("}');
  assert.equal(failure.code, 'promql_parse');
  assert.match(failure.message, /^1:6: parse error: invalid regular expression "\("/);
});

const UNSUPPORTED_CASES: Array<[string, string]> = [
  ['limit_ratio(0.5, x)', '1:1: unsupported: aggregation limit_ratio is not implemented yet'],
  ['info(x)', '1:1: unsupported: function info() is not implemented yet'],
  ['x[5m] anchored', '1:1: unsupported: the anchored modifier is not implemented yet'],
  ['a </ b', '1:3: unsupported: the </ operator is not implemented yet'],
  ['x[1m+1s]', '1:3: unsupported: duration arithmetic is not implemented yet'],
];

test('unsupported features are rejected, never evaluated wrongly', () => {
  for (const [query, message] of UNSUPPORTED_CASES) {
    const failure = parseFailure(query);
    assert.equal(failure.code, 'promql_parse', query);
    assert.equal(failure.message, message, query);
  }
});

test('selectors keep all four matcher types, offsets and ranges', () => {
  const parsed = parsePromql('rate(foo{a="b", c!="d", e=~"f.*", g!~\'h|i\'}[1h30m] offset -2m)');
  assert.equal(parsed.type, 'vector');
  assert.deepEqual(parsed.expr, {
    kind: 'call',
    func: 'rate',
    args: [
      {
        kind: 'matrixSelector',
        rangeMs: 5_400_000,
        selector: {
          kind: 'vectorSelector',
          offsetMs: -120_000,
          at: null,
          matchers: [
            { name: '__name__', type: '=', value: 'foo' },
            { name: 'a', type: '=', value: 'b' },
            { name: 'c', type: '!=', value: 'd' },
            { name: 'e', type: '=~', value: 'f.*' },
            { name: 'g', type: '!~', value: 'h|i' },
          ],
        },
      },
    ],
  });
});

test('literals, name-only selectors and operator precedence', () => {
  const cases: Array<[string, unknown]> = [
    [
      '{__name__=~"a|b"}',
      {
        kind: 'vectorSelector',
        offsetMs: 0,
        at: null,
        matchers: [{ name: '__name__', type: '=~', value: 'a|b' }],
      },
    ],
    [
      '{"foo"}',
      {
        kind: 'vectorSelector',
        offsetMs: 0,
        at: null,
        matchers: [{ name: '__name__', type: '=', value: 'foo' }],
      },
    ],
    ['-(1)', { kind: 'number', value: -1 }],
    ['0x1F', { kind: 'number', value: 31 }],
    ['1_000', { kind: 'number', value: 1000 }],
    ['5m', { kind: 'number', value: 300 }],
    ['`a\\n`', { kind: 'string', value: 'a\\n' }],
    ['"a\\n\\x41"', { kind: 'string', value: 'a\nA' }],
  ];
  for (const [query, expr] of cases) assert.deepEqual(parsePromql(query).expr, expr, query);

  const pow = parsePromql('2 ^ 3 ^ 2').expr;
  assert.equal(pow.kind === 'binary' && pow.rhs.kind, 'binary');
  const mixed = parsePromql('1 + 2 * 3').expr;
  assert.equal(mixed.kind === 'binary' && mixed.op, '+');
});

test('long chains and deep nesting up to the limit parse and evaluate without overflowing the stack', async () => {
  const engine = createPromqlEngine(createMemoryStore());
  const chain = (n: number, op: string) => Array.from({ length: n }, () => '1').join(` ${op} `);
  /** The query's one value: the scalar, or the single series' value. */
  const instant = async (q: string): Promise<number> => {
    const result = await engine.instantQuery(q, 60_000);
    if (result.resultType === 'scalar') return Number(result.result[1]);
    assert.equal(result.resultType, 'vector', q.slice(0, 40));
    const [only] = result.resultType === 'vector' ? result.result : [];
    return Number(only?.value[1]);
  };
  assert.equal(await instant(chain(450, '+')), 450);
  assert.equal(await instant(`${'abs('.repeat(400)}vector(-3)${')'.repeat(400)}`), 3);
  assert.equal(await instant(`${'(1 + '.repeat(499)}1${')'.repeat(499)}`), 500);
  const grouped = Array.from({ length: 10 }, () => `(${chain(100, '+')})`).join(' + ');
  assert.equal(await instant(grouped), 1000);
});

test('a chain longer than the parser follows says to group it in parentheses', () => {
  const failure = parseFailure(Array.from({ length: 800 }, () => 'up').join(' or '));
  assert.match(
    failure.message,
    /^1:\d+: parse error: unexpected "up"; the expression before it chains \d+ binary operators/,
  );
  assert.match(failure.message, /group the operands in parentheses/);
  // An ordinary syntax error gets no such hint.
  assert.equal(parseFailure('up +* 1').message.includes('chains'), false);
});
