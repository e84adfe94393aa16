import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LlmwatchError } from '../core/errors.js';
import { parseExposition, type MetricFamily } from './exposition.js';

/** Families reduced to comparable plain data. */
function parse(text: string, format?: 'prometheus' | 'openmetrics') {
  return parseExposition(text, format ? { format } : {}).families.map((f: MetricFamily) => ({
    name: f.name,
    type: f.type,
    help: f.help,
    samples: f.samples.map((s) => [s.name, s.labels, s.value, s.timestampMs]),
  }));
}

describe('parseExposition: section 0 rules', () => {
  const cases: Array<{ rule: string; text: string; want: ReturnType<typeof parse> }> = [
    {
      rule: '1. colons in names',
      text: '# TYPE vllm:num_requests_running gauge\nvllm:num_requests_running{model_name="m"} 3\n',
      want: [
        {
          name: 'vllm:num_requests_running',
          type: 'gauge',
          help: '',
          samples: [['vllm:num_requests_running', { model_name: 'm' }, 3, undefined]],
        },
      ],
    },
    {
      rule: '2. TYPE decides, not suffixes: _total histogram, counter without _total',
      text: [
        '# TYPE vllm:iteration_tokens_total histogram',
        'vllm:iteration_tokens_total_bucket{le="1.0"} 2',
        'vllm:iteration_tokens_total_bucket{le="+Inf"} 5',
        'vllm:iteration_tokens_total_count 5',
        'vllm:iteration_tokens_total_sum 40',
        '# TYPE tgi_request_count counter',
        'tgi_request_count 7',
      ].join('\n'),
      want: [
        {
          name: 'vllm:iteration_tokens_total',
          type: 'histogram',
          help: '',
          samples: [
            ['vllm:iteration_tokens_total_bucket', { le: '1.0' }, 2, undefined],
            ['vllm:iteration_tokens_total_bucket', { le: '+Inf' }, 5, undefined],
            ['vllm:iteration_tokens_total_sum', {}, 40, undefined],
            ['vllm:iteration_tokens_total_count', {}, 5, undefined],
          ],
        },
        {
          name: 'tgi_request_count',
          type: 'counter',
          help: '',
          samples: [['tgi_request_count', {}, 7, undefined]],
        },
      ],
    },
    {
      rule: '3. buckets sorted numerically, _sum printed first, two series',
      text: [
        '# TYPE h histogram',
        'h_sum{m="a"} 9.5',
        'h_bucket{le="10",m="a"} 4',
        'h_bucket{m="b",le="+Inf"} 1',
        'h_bucket{le="+Inf",m="a"} 4',
        'h_bucket{le="0.07500000000000001",m="a"} 1',
        'h_bucket{le="2.5",m="a"} 3',
        'h_count{m="a"} 4',
      ].join('\n'),
      want: [
        {
          name: 'h',
          type: 'histogram',
          help: '',
          samples: [
            ['h_bucket', { le: '0.07500000000000001', m: 'a' }, 1, undefined],
            ['h_bucket', { le: '2.5', m: 'a' }, 3, undefined],
            ['h_bucket', { le: '10', m: 'a' }, 4, undefined],
            ['h_bucket', { le: '+Inf', m: 'a' }, 4, undefined],
            ['h_sum', { m: 'a' }, 9.5, undefined],
            ['h_count', { m: 'a' }, 4, undefined],
            ['h_bucket', { m: 'b', le: '+Inf' }, 1, undefined],
          ],
        },
      ],
    },
    {
      rule: '4. summaries: quantiles sorted, quantile label last',
      text: [
        '# HELP s Speculated tokens',
        '# TYPE s summary',
        's_count{model="x"} 3',
        's{model="x",quantile="0.99"} 7',
        's{model="x",quantile="0"} 1',
        's{model="x",quantile="0.5"} 2',
        's_sum{model="x"} 10',
      ].join('\n'),
      want: [
        {
          name: 's',
          type: 'summary',
          help: 'Speculated tokens',
          samples: [
            ['s', { model: 'x', quantile: '0' }, 1, undefined],
            ['s', { model: 'x', quantile: '0.5' }, 2, undefined],
            ['s', { model: 'x', quantile: '0.99' }, 7, undefined],
            ['s_sum', { model: 'x' }, 10, undefined],
            ['s_count', { model: 'x' }, 3, undefined],
          ],
        },
      ],
    },
    {
      rule: '5. any label order, blanks around tokens, trailing comma, empty braces',
      text: 'a{engine="0", le="0.1" ,model_name="m",} 1\nb{} 2\n\tc  3  \n',
      want: [
        {
          name: 'a',
          type: 'untyped',
          help: '',
          samples: [['a', { engine: '0', le: '0.1', model_name: 'm' }, 1, undefined]],
        },
        { name: 'b', type: 'untyped', help: '', samples: [['b', {}, 2, undefined]] },
        { name: 'c', type: 'untyped', help: '', samples: [['c', {}, 3, undefined]] },
      ],
    },
    {
      rule: '5b. escaped label values and HELP text',
      text: [
        '# HELP e back\\\\slash and\\nnewline',
        'e{a="x\\\\y",b="say \\"hi\\"",c="line\\nnext",d="a,b}c=#",t="tab\\t"} 1',
      ].join('\n'),
      want: [
        {
          name: 'e',
          type: 'untyped',
          help: 'back\\slash and\nnewline',
          samples: [
            [
              'e',
              { a: 'x\\y', b: 'say "hi"', c: 'line\nnext', d: 'a,b}c=#', t: 'tab\\t' },
              1,
              undefined,
            ],
          ],
        },
      ],
    },
    {
      rule: '6. values: exponents, Inf, NaN, timestamps in ms',
      text: [
        '# TYPE v gauge',
        'v{i="1"} 8.128902e+06',
        'v{i="2"} 1.7181405583e+09',
        'v{i="3"} 7.358146831393242e-05',
        'v{i="4"} +Inf',
        'v{i="5"} -Inf',
        'v{i="6"} NaN',
        'v{i="7"} .5 1700000000123',
        'v{i="8"} -1E3 -5',
        'v{i="9"} 10.950000000000001',
      ].join('\n'),
      want: [
        {
          name: 'v',
          type: 'gauge',
          help: '',
          samples: [
            ['v', { i: '1' }, 8128902, undefined],
            ['v', { i: '2' }, 1718140558.3, undefined],
            ['v', { i: '3' }, 7.358146831393242e-5, undefined],
            ['v', { i: '4' }, Infinity, undefined],
            ['v', { i: '5' }, -Infinity, undefined],
            ['v', { i: '6' }, NaN, undefined],
            ['v', { i: '7' }, 0.5, 1700000000123],
            ['v', { i: '8' }, -1000, -5],
            ['v', { i: '9' }, 10.950000000000001, undefined],
          ],
        },
      ],
    },
    {
      rule: '7. blank lines, no HELP, free comments, CRLF, no trailing newline',
      text: '# NOTE free text\r\n\r\n# TYPE x counter\r\nx 1\r\n\r\n\r\n# TYPE y gauge\r\ny{a="b"} 2',
      want: [
        { name: 'x', type: 'counter', help: '', samples: [['x', {}, 1, undefined]] },
        { name: 'y', type: 'gauge', help: '', samples: [['y', { a: 'b' }, 2, undefined]] },
      ],
    },
    {
      rule: '8. _created dropped: prometheus_client 0.0.4 style gauge families',
      text: [
        '# TYPE vllm:prompt_tokens_total counter',
        'vllm:prompt_tokens_total{model_name="m"} 5.0',
        '# TYPE vllm:prompt_tokens_created gauge',
        'vllm:prompt_tokens_created{model_name="m"} 1.7e9',
        '# TYPE vllm:iteration_tokens_total histogram',
        'vllm:iteration_tokens_total_count 1',
        'vllm:iteration_tokens_total_created 1.7e9',
        '# TYPE vllm:iteration_tokens_created gauge',
        'vllm:iteration_tokens_created 1.7e9',
        '# TYPE boot_created gauge',
        'boot_created 12',
      ].join('\n'),
      want: [
        {
          name: 'vllm:prompt_tokens_total',
          type: 'counter',
          help: '',
          samples: [['vllm:prompt_tokens_total', { model_name: 'm' }, 5, undefined]],
        },
        {
          name: 'vllm:iteration_tokens_total',
          type: 'histogram',
          help: '',
          samples: [['vllm:iteration_tokens_total_count', {}, 1, undefined]],
        },
        {
          name: 'boot_created',
          type: 'gauge',
          help: '',
          samples: [['boot_created', {}, 12, undefined]],
        },
      ],
    },
    {
      rule: '8b. OpenMetrics: counter base name, _created, UNIT, exemplar, seconds, EOF',
      text: [
        '# TYPE req counter',
        '# UNIT req requests',
        '# HELP req Requests.',
        'req_total{code="200"} 3 1700000000.25 # {trace_id="abc"} 1 1700000000',
        'req_created{code="200"} 1700000000.0',
        '# TYPE mystery unknown',
        'mystery 4',
        '# EOF',
        '',
      ].join('\n'),
      want: [
        {
          name: 'req',
          type: 'counter',
          help: 'Requests.',
          samples: [['req_total', { code: '200' }, 3, 1700000000250]],
        },
        { name: 'mystery', type: 'untyped', help: '', samples: [['mystery', {}, 4, undefined]] },
      ],
    },
    { rule: 'empty body', text: '', want: [] },
    { rule: 'only blanks and comments', text: '\n  \n# just a comment\n', want: [] },
  ];

  for (const c of cases) {
    it(c.rule, () => {
      assert.deepEqual(parse(c.text), c.want);
    });
  }

  it('keeps the UNIT of an OpenMetrics family', () => {
    const { families } = parseExposition('# TYPE d gauge\n# UNIT d seconds\nd 1\n# EOF');
    assert.equal(families[0]?.unit, 'seconds');
  });

  it('reads timestamps as seconds when told the body is OpenMetrics', () => {
    assert.deepEqual(parse('a 1 2.5', 'openmetrics')[0]?.samples, [['a', {}, 1, 2500]]);
  });
});

describe('parseExposition: malformed input names the line', () => {
  const cases: Array<{ text: string; code?: string; message: string }> = [
    {
      text: '# TYPE a gauge\n\na{x="1"} abc',
      message: 'line 3: expected a value after the labels, got "abc"',
    },
    { text: 'a', message: 'line 1: expected a value after the metric name, got end of line' },
    {
      text: 'a{x="1" 3',
      message: 'line 1: expected "," or "}" after the value of label "x", got "3"',
    },
    { text: 'a{x=1} 3', message: 'line 1: expected a quoted value for label "x", got "1} 3"' },
    { text: 'a{x="1} 3', message: 'line 1: expected a closing quote for the value of label "x"' },
    { text: 'a{x="1",x="2"} 3', message: 'line 1: duplicate label "x"' },
    { text: 'a{1x="1"} 3', message: 'line 1: expected a label name or "}", got "1x=\\"1\\"} 3"' },
    {
      text: 'a{__name__="b"} 3',
      message: 'line 1: label names starting with "__" are reserved, got "__name__"',
    },
    { text: 'ok 1\n9a 1', message: 'line 2: expected a metric name, got "9a 1"' },
    { text: 'a 1 2 3', message: 'line 1: expected end of line after the timestamp, got "3"' },
    {
      text: 'a 1 abc',
      message: 'line 1: expected a timestamp or end of line after the value, got "abc"',
    },
    {
      text: 'a 1 1.5',
      message: 'line 1: expected an integer timestamp in milliseconds, got "1.5"',
    },
    {
      text: '# TYPE a countr',
      message:
        'line 1: expected a metric type (counter, gauge, histogram, summary, untyped) after "a", got "countr"',
    },
    {
      text: '# TYPE a gauge\n# TYPE a counter',
      message: 'line 2: second TYPE for "a": "counter" after "gauge"',
    },
    {
      text: 'a 1\n# TYPE a counter',
      message: 'line 2: expected the TYPE of "a" before its samples',
    },
    { text: '# HELP 1a x', message: 'line 1: expected a metric name after "# HELP", got "1a x"' },
    {
      text: '# TYPE h histogram\nh_sum 1\nh_bucket 1',
      message: 'line 3: expected a "le" label on "h_bucket"',
    },
    {
      text: '# TYPE h histogram\nh_bucket{le="abc"} 1',
      message: 'line 2: expected a number in label le, got "abc"',
    },
    {
      text: '# TYPE h histogram\nh 1',
      message: 'line 2: expected a _bucket, _sum or _count sample for histogram "h", got "h"',
    },
    { text: '# TYPE s summary\ns 1', message: 'line 2: expected a "quantile" label on "s"' },
    { text: 'a 1\n# EOF\nb 2', message: 'line 3: expected nothing after "# EOF" (line 2)' },
    {
      text: 'vllm:num_requests_running 1\nvllm:num_requests_running 2',
      message:
        'line 2: duplicate series "vllm:num_requests_running" with the same labels as an earlier line; each series may appear once per scrape (fix the target\'s exposition)',
    },
  ];
  for (const c of cases) {
    it(c.message, () => {
      assert.throws(
        () => parseExposition(c.text),
        (err: unknown) => {
          assert.ok(err instanceof LlmwatchError);
          assert.equal(err.code, 'scrape_parse');
          assert.equal(err.message, c.message);
          return true;
        },
      );
    });
  }
});

describe('parseExposition: limits against hostile input', () => {
  const limitCases: Array<{ name: string; text: string; message: string }> = [
    {
      name: 'a huge line',
      text: `ok 1\na{x="${'y'.repeat(70_000)}"} 1`,
      message: "line 2: longer than 65536 characters; the target's output is not usable",
    },
    {
      name: 'too many labels',
      text: `a{${Array.from({ length: 200 }, (_, i) => `l${i}="v"`).join(',')}} 1`,
      message: "line 1: more than 128 labels on one sample; the target's output is not usable",
    },
    {
      name: 'too many samples',
      text: Array.from({ length: 600_001 }, (_, i) => `m{i="${i}"} ${i}`).join('\n'),
      message:
        "line 500001: more than 500000 samples in one body; the target's output is not usable",
    },
  ];
  for (const c of limitCases) {
    it(c.name, () => {
      assert.throws(
        () => parseExposition(c.text),
        (err: unknown) =>
          err instanceof LlmwatchError && err.code === 'scrape_limit' && err.message === c.message,
      );
    });
  }

  it('honours custom limits', () => {
    assert.throws(
      () => parseExposition('a 1\nb 2\nc 3', { maxSamples: 2 }),
      /line 3: more than 2 samples/,
    );
    assert.throws(
      () => parseExposition('a{x="1",y="2"} 1', { maxLabelsPerSample: 1 }),
      /more than 1 labels/,
    );
    assert.throws(
      () => parseExposition('abcdef 1', { maxLineChars: 5 }),
      /line 1: longer than 5 characters/,
    );
  });

  it('fails fast on an unterminated quote full of backslashes', () => {
    const text = `a{x="${'\\'.repeat(60_001)}`;
    assert.throws(() => parseExposition(text), /line 1: expected a closing quote/);
  });
});
