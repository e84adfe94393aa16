import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parseExposition, parseExpositionAsync } from './exposition.js';

const fixture = (name: string) =>
  readFileSync(new URL(`../../test/fixtures/metrics/${name}`, import.meta.url), 'utf8');

describe('parseExposition: real captures', () => {
  // Expected counts come from the files themselves: samples = non-comment, non-blank lines;
  // families = `# TYPE` lines (every sample in these files belongs to a typed family).
  const captures = [
    { file: 'datadog-vllm-opt125m-mixed.metrics.txt', families: 50, samples: 185 },
    { file: 'sglang-docs-llama3.1-8b.metrics.txt', families: 12, samples: 91 },
    { file: 'datadog-tgi-payload.truncated.metrics.txt', families: 23, samples: 861 },
    { file: 'datadog-triton-densenet-onnx.metrics.txt', families: 32, samples: 377 },
    { file: 'datadog-dcgm-t4-a10g-partly-dummy.metrics.txt', families: 38, samples: 38 },
  ];
  for (const c of captures) {
    it(`${c.file}: ${c.families} families, ${c.samples} samples`, () => {
      const { families } = parseExposition(fixture(c.file));
      assert.equal(families.length, c.families);
      assert.equal(
        families.reduce((n, f) => n + f.samples.length, 0),
        c.samples,
      );
      assert.equal(families.filter((f) => f.type === 'untyped').length, 0);
    });
  }

  it('sglang: _sum printed before buckets comes out after the sorted buckets', () => {
    const { families } = parseExposition(fixture('sglang-docs-llama3.1-8b.metrics.txt'));
    const ttft = families.find((f) => f.name === 'sglang:time_to_first_token_seconds');
    assert.ok(ttft);
    const names = ttft.samples.map((s) => s.name);
    assert.equal(names.indexOf('sglang:time_to_first_token_seconds_sum'), names.length - 2);
    assert.deepEqual(ttft.samples[names.length - 2]?.value, 2351897.9474117756);
    assert.deepEqual(
      ttft.samples.slice(0, 3).map((s) => s.labels.le),
      ['0.001', '0.005', '0.01'],
    );
  });

  it('tgi: counter without HELP and the summary', () => {
    const { families } = parseExposition(fixture('datadog-tgi-payload.truncated.metrics.txt'));
    const concat = families.find((f) => f.name === 'tgi_batch_concat');
    assert.deepEqual(concat && [concat.type, concat.help, concat.samples], [
      'counter',
      '',
      [{ name: 'tgi_batch_concat', labels: { reason: 'chunking' }, value: 3 }],
    ]);
    const skipped = families.find((f) => f.name === 'tgi_request_skipped_tokens');
    assert.deepEqual(
      skipped?.samples.map((s) => [s.name, s.labels.quantile]),
      [
        ['tgi_request_skipped_tokens', '0'],
        ['tgi_request_skipped_tokens', '0.5'],
        ['tgi_request_skipped_tokens', '0.9'],
        ['tgi_request_skipped_tokens', '0.95'],
        ['tgi_request_skipped_tokens', '0.99'],
        ['tgi_request_skipped_tokens', '0.999'],
        ['tgi_request_skipped_tokens', '1'],
        ['tgi_request_skipped_tokens_sum', undefined],
        ['tgi_request_skipped_tokens_count', undefined],
      ],
    );
  });
});

describe('parseExpositionAsync', () => {
  it('gives the same families as parseExposition on every capture, yielding every 7 lines', async () => {
    for (const file of [
      'datadog-vllm-opt125m-mixed.metrics.txt',
      'sglang-docs-llama3.1-8b.metrics.txt',
      'datadog-tgi-payload.truncated.metrics.txt',
      'datadog-triton-densenet-onnx.metrics.txt',
      'datadog-dcgm-t4-a10g-partly-dummy.metrics.txt',
    ]) {
      const text = fixture(file);
      assert.deepEqual(
        await parseExpositionAsync(text, { yieldEveryLines: 7 }),
        parseExposition(text),
      );
    }
  });

  it('rejects with the same line number across a yield', async () => {
    const text = ['a 1', 'b 2', 'c 3', 'd{x="1"} abc'].join('\n');
    await assert.rejects(parseExpositionAsync(text, { yieldEveryLines: 2 }), {
      code: 'scrape_parse',
      message: 'line 4: expected a value after the labels, got "abc"',
    });
  });
});

describe('parseExpositionAsync and the event loop', () => {
  it('lets other callbacks run while it parses', async () => {
    const text = Array.from({ length: 20_000 }, (_, i) => `m{i="${i}"} ${i}`).join('\n');
    let done = false;
    let turns = 0;
    const spin = () => {
      turns++;
      if (!done) setImmediate(spin);
    };
    setImmediate(spin);
    const { families } = await parseExpositionAsync(text, { yieldEveryLines: 1000 });
    done = true;
    assert.equal(families[0]?.samples.length, 20_000);
    assert.ok(turns >= 10, `only ${turns} event-loop turns`);
  });
});
