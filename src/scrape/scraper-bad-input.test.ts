// Bad bodies next to good ones: each failing target is marked down with a message naming it
// (or the line), while the other targets in the same scrape stay up with their samples.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import { configSchema } from '../config/schema.js';
import { createSilentLogger } from '../core/log.js';
import type { Sample } from '../store/types.js';
import type { TargetEngine } from './engines.js';
import { createScraper } from './scraper.js';
import type { ScrapeTarget } from './targets.js';

const servers: Server[] = [];
after(async () => {
  for (const server of servers) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

async function serve(body: string | Buffer, declareLength = true): Promise<string> {
  const handler: RequestListener = (_req, res) => {
    const headers: Record<string, string> = { 'content-type': 'text/plain; version=0.0.4' };
    if (declareLength) headers['content-length'] = String(Buffer.byteLength(body));
    res.writeHead(200, headers);
    res.end(body);
  };
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
}

const target = (copy: string, url: string, engine: TargetEngine = 'auto'): ScrapeTarget => ({
  url,
  engine,
  labels: { endpoint: 'default', copy, source: 'engine' },
});

const tgiText = readFileSync(
  new URL('../../test/fixtures/metrics/datadog-tgi-payload.truncated.metrics.txt', import.meta.url),
  'utf8',
);
const dcgmText = readFileSync(
  new URL(
    '../../test/fixtures/metrics/datadog-dcgm-t4-a10g-partly-dummy.metrics.txt',
    import.meta.url,
  ),
  'utf8',
);

describe('scraper on bad input', () => {
  it('marks each bad target down, names it, and keeps the good ones up', async () => {
    const cut = tgiText.indexOf('tgi_request_duration_bucket{le="0.0003375"}') + 30;
    const fiftyMiB = Buffer.alloc(50 * 1024 * 1024, 'a 1\n');
    const urls = {
      good: await serve('# TYPE vllm:num_requests_waiting gauge\nvllm:num_requests_waiting 2\n'),
      truncated: await serve(tgiText.slice(0, cut)),
      garbage: await serve(
        Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0xff]),
      ),
      html: await serve('<html><body>Not Found</body></html>\n'),
      duplicate: await serve('tgi_queue_size 1\ntgi_queue_size 2\n'),
      special: await serve(
        '# TYPE vllm:num_requests_running gauge\n' +
          'vllm:num_requests_running{model_name="m"} NaN\n' +
          '# TYPE vllm:num_requests_waiting gauge\n' +
          'vllm:num_requests_waiting{model_name="m"} +Inf\n' +
          '# TYPE vllm:kv_cache_usage_perc gauge\n' +
          'vllm:kv_cache_usage_perc{model_name="m"} -Inf\n' +
          'odd_labels{note="line1\\nline2",quote="say \\"hi\\"",slash="a\\\\b"} 1\n',
      ),
      huge: await serve(fiftyMiB, false),
      hugeDeclared: await serve(fiftyMiB),
      dcgm: await serve(
        `${dcgmText}\nDCGM_FI_DEV_MEMORY_TEMP{gpu="0",UUID="GPU-x"} 9223372036854775794\n`,
      ),
    };
    const batches: Sample[][] = [];
    const scraper = createScraper({
      config: configSchema.parse({}),
      targets: Object.entries(urls).map(([copy, url]) => target(copy, url)),
      sink: (s) => void batches.push(s),
      logger: createSilentLogger(),
      nowMs: () => 5000,
    });
    await scraper.scrapeOnce();
    const byCopy = Object.fromEntries(scraper.targets().map((t) => [t.copy, t]));
    const find = (name: string, copy: string) =>
      batches.flat().filter((s) => s.labels.__name__ === name && s.labels.copy === copy);

    assert.deepEqual(
      Object.keys(urls).map((copy) => [copy, byCopy[copy]?.health, byCopy[copy]?.mappedEngine]),
      [
        ['good', 'up', 'vllm'],
        ['truncated', 'down', null],
        ['garbage', 'down', null],
        ['html', 'down', null],
        ['duplicate', 'down', null],
        ['special', 'up', 'vllm'],
        ['huge', 'down', null],
        ['hugeDeclared', 'down', null],
        ['dcgm', 'up', 'dcgm'],
      ],
    );
    assert.equal(
      byCopy.truncated?.lastError,
      `line ${tgiText.slice(0, cut).split('\n').length}: expected "=" after label "le", got end of line`,
    );
    assert.match(byCopy.garbage?.lastError ?? '', /^line 1: expected /);
    assert.match(byCopy.html?.lastError ?? '', /^line 1: expected /);
    assert.equal(
      byCopy.duplicate?.lastError,
      'line 2: duplicate series "tgi_queue_size" with the same labels as an earlier line; ' +
        "each series may appear once per scrape (fix the target's exposition)",
    );
    for (const copy of ['huge', 'hugeDeclared']) {
      assert.equal(
        byCopy[copy]?.lastError,
        `body of ${urls[copy as 'huge']} is larger than scrape.maxBodyBytes (10485760 bytes); raise the limit or reduce the target's metrics`,
      );
    }
    for (const copy of ['truncated', 'garbage', 'html', 'duplicate', 'huge', 'hugeDeclared']) {
      assert.deepEqual(
        find('up', copy).map((s) => s.value),
        [0],
        copy,
      );
      assert.equal(batches.flat().filter((s) => s.labels.copy === copy).length, 3, copy);
    }

    assert.deepEqual(
      find('llm_requests_waiting', 'good').map((s) => s.value),
      [2],
    );
    assert.deepEqual(
      ['llm_requests_running', 'llm_requests_waiting', 'llm_kv_cache_usage_ratio'].map((n) =>
        find(n, 'special').map((s) => s.value),
      ),
      [[NaN], [Infinity], [-Infinity]],
    );
    assert.deepEqual(find('odd_labels', 'special')[0]?.labels, {
      __name__: 'odd_labels',
      note: 'line1\nline2',
      quote: 'say "hi"',
      slash: 'a\\b',
      endpoint: 'default',
      copy: 'special',
      source: 'engine',
    });
    // DCGM: the sentinel line is not stored raw; the T4 maps as in the capture test.
    assert.deepEqual(
      find('DCGM_FI_DEV_MEMORY_TEMP', 'dcgm').map((s) => s.value),
      [0],
    );
    assert.deepEqual(
      batches
        .flat()
        .filter((s) => s.labels.__name__ === 'gpu_power_watts')
        .map((s) => [s.labels.instance, s.labels.gpu_uuid, s.value, s.labels.copy]),
      [['424773df46e0', 'GPU-20c56d28-0da5-6d26-a36a-e7af1ce2586e', 8.969, undefined]],
    );
  });
});
