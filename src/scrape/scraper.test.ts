import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { configSchema } from '../config/schema.js';
import { createSilentLogger } from '../core/log.js';
import type { Sample } from '../store/types.js';
import { createScraper } from './scraper.js';
import { buildTargets } from './targets.js';

const capture = readFileSync(
  new URL('../../test/fixtures/metrics/datadog-vllm-opt125m-mixed.metrics.txt', import.meta.url),
);
const NOW = 1_700_000_000_000;
const servers: Server[] = [];

after(async () => {
  for (const server of servers) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

async function serve(handler: RequestListener): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const text =
  (body: string | Buffer, chunked = false): RequestListener =>
  (_req, res) => {
    const headers: Record<string, string> = { 'content-type': 'text/plain; version=0.0.4' };
    if (!chunked) headers['content-length'] = String(Buffer.byteLength(body));
    res.writeHead(200, headers);
    res.end(body);
  };

function makeConfig(
  copies: Array<{ name: string; url: string }>,
  scrape: Record<string, unknown> = {},
) {
  return configSchema.parse({
    scrape,
    components: [
      {
        name: 'chat',
        models: ['opt'],
        endpoint: 'prod',
        copies: copies.map((c) => ({ ...c, engine: 'vllm' })),
      },
    ],
  });
}

function collect() {
  const batches: Sample[][] = [];
  const find = (name: string, copy: string) =>
    batches.flat().filter((s) => s.labels.__name__ === name && s.labels.copy === copy);
  return { batches, find, sink: (samples: Sample[]) => void batches.push(samples) };
}

describe('createScraper', () => {
  it('scrapes a real capture and marks a malformed target down with the line number', async () => {
    const good = await serve(text(capture));
    const bad = await serve(text('# TYPE a gauge\na 1\na{x="1"} abc\n'));
    const out = collect();
    const scraper = createScraper({
      config: makeConfig([
        { name: 'good', url: good },
        { name: 'bad', url: `${bad}/` },
      ]),
      sink: out.sink,
      logger: createSilentLogger(),
      nowMs: () => NOW,
    });
    assert.deepEqual(
      scraper.targets().map((t) => t.health),
      ['unknown', 'unknown'],
    );
    await scraper.scrapeOnce();

    const [goodHealth, badHealth] = scraper.targets();
    assert.deepEqual(
      { ...goodHealth, lastDurationMs: 0 },
      {
        url: `${good}/metrics`,
        component: 'chat',
        copy: 'good',
        engine: 'vllm',
        mappedEngine: 'vllm',
        health: 'up',
        lastError: null,
        lastScrapeMs: NOW,
        lastDurationMs: 0,
        samples: 185,
      },
    );
    assert.equal(badHealth?.health, 'down');
    assert.equal(badHealth?.url, `${bad}/metrics`);
    assert.equal(badHealth?.lastError, 'line 3: expected a value after the labels, got "abc"');
    assert.equal(badHealth?.samples, 0);

    const labels = { component: 'chat', copy: 'good', endpoint: 'prod', source: 'engine' };
    assert.deepEqual(out.find('up', 'good'), [
      { labels: { __name__: 'up', ...labels }, value: 1, timestampMs: NOW },
    ]);
    assert.deepEqual(out.find('up', 'bad'), [
      { labels: { __name__: 'up', ...labels, copy: 'bad' }, value: 0, timestampMs: NOW },
    ]);
    assert.equal(out.find('scrape_samples_scraped', 'good')[0]?.value, 185);
    assert.equal(out.find('scrape_samples_scraped', 'bad')[0]?.value, 0);
    assert.equal(out.find('scrape_duration_seconds', 'bad').length, 1);
    assert.deepEqual(out.find('llm_input_tokens_total', 'good'), [
      {
        labels: { __name__: 'llm_input_tokens_total', ...labels, model: 'facebook/opt-125m' },
        value: 5,
        timestampMs: NOW,
      },
    ]);
    assert.deepEqual(out.find('vllm:prompt_tokens_total', 'good'), [
      {
        labels: {
          __name__: 'vllm:prompt_tokens_total',
          model_name: 'facebook/opt-125m',
          ...labels,
        },
        value: 5,
        timestampMs: NOW,
      },
    ]);
    // 169 raw (185 minus 16 python/process), 43 canonical (6 + 19 TTFT + 13 e2e + 5 ITL), 3 per target.
    assert.equal(out.batches.flat().filter((s) => s.labels.copy === 'good').length, 169 + 43 + 3);
    assert.equal(out.batches.flat().filter((s) => s.labels.copy === 'bad').length, 3);
  });

  it('times out a slow target, rejects oversized and failing ones, keeps the rest up', async () => {
    const held: Array<() => void> = [];
    const slow = await serve((_req, res) => held.push(() => res.end('a 1\n')));
    const good = await serve(text('vllm:num_requests_waiting 2\n'));
    const big = await serve(text(capture, true));
    const bigDeclared = await serve(text(capture));
    const failing = await serve((_req, res) => {
      res.writeHead(503);
      res.end('busy');
    });
    const closed = await serve(text(''));
    const closedServer = servers[servers.length - 1];
    await new Promise((resolve) => closedServer?.close(resolve));

    const out = collect();
    const scraper = createScraper({
      config: makeConfig(
        [
          { name: 'slow', url: slow },
          { name: 'good', url: good },
          { name: 'big', url: big },
          { name: 'bigDeclared', url: bigDeclared },
          { name: 'failing', url: failing },
          { name: 'closed', url: closed },
        ],
        { timeoutSeconds: 0.3, intervalSeconds: 1, maxBodyBytes: 1000 },
      ),
      sink: out.sink,
      logger: createSilentLogger(),
      nowMs: () => NOW,
    });
    await scraper.scrapeOnce();
    for (const release of held) release();

    const byCopy = Object.fromEntries(scraper.targets().map((t) => [t.copy, t]));
    assert.equal(byCopy.good?.health, 'up');
    assert.deepEqual(
      out.find('llm_requests_waiting', 'good').map((s) => s.value),
      [2],
    );
    assert.equal(
      byCopy.slow?.lastError,
      `${slow}/metrics did not answer within 300 ms; raise scrape.timeoutSeconds or check the target`,
    );
    assert.ok(
      (byCopy.slow?.lastDurationMs ?? 0) >= 290,
      `slow took ${byCopy.slow?.lastDurationMs}`,
    );
    for (const name of ['big', 'bigDeclared']) {
      const url = name === 'big' ? big : bigDeclared;
      assert.equal(
        byCopy[name]?.lastError,
        `body of ${url}/metrics is larger than scrape.maxBodyBytes (1000 bytes); raise the limit or reduce the target's metrics`,
      );
    }
    assert.equal(
      byCopy.failing?.lastError,
      `${failing}/metrics answered HTTP 503; check the URL and metricsPath of the target`,
    );
    assert.match(
      byCopy.closed?.lastError ?? '',
      /^cannot fetch http:\/\/127\.0\.0\.1:\d+\/metrics: fetch failed \(.*ECONNREFUSED.*\); check that the target is running$/,
    );
    for (const name of ['slow', 'big', 'bigDeclared', 'failing', 'closed']) {
      assert.equal(byCopy[name]?.health, 'down', name);
      assert.deepEqual(
        out.find('up', name).map((s) => s.value),
        [0],
        name,
      );
    }
  });

  it('loops without overlapping itself and stops cleanly', async () => {
    let active = 0;
    let maxActive = 0;
    let requests = 0;
    const slowish = await serve((_req, res) => {
      requests++;
      active++;
      maxActive = Math.max(maxActive, active);
      setTimeout(() => {
        active--;
        res.end('vllm:num_requests_running 1\n');
      }, 80);
    });
    const out = collect();
    const scraper = createScraper({
      config: makeConfig([{ name: 'a', url: slowish }], {
        intervalSeconds: 0.02,
        timeoutSeconds: 0.01 + 1,
      }),
      sink: out.sink,
      logger: createSilentLogger(),
    });
    scraper.start();
    scraper.start();
    for (let i = 0; i < 100 && out.batches.length < 3; i++) await sleep(20);
    await scraper.stop();
    const batchesAtStop = out.batches.length;
    // A request aborted by stop() may still reach the in-process server a moment later.
    await sleep(50);
    const requestsAtStop = requests;
    await sleep(150);

    assert.ok(batchesAtStop >= 3, `only ${batchesAtStop} scrapes`);
    assert.equal(maxActive, 1);
    assert.equal(out.batches.length, batchesAtStop);
    assert.equal(requests, requestsAtStop);
    assert.equal(scraper.targets()[0]?.health, 'up');
  });

  it('stop() cancels a scrape in flight without marking the target down', async () => {
    const hung = await serve(() => undefined);
    const out = collect();
    const scraper = createScraper({
      config: makeConfig([{ name: 'hung', url: hung }], { intervalSeconds: 10, timeoutSeconds: 5 }),
      sink: out.sink,
      logger: createSilentLogger(),
    });
    scraper.start();
    await sleep(50);
    const started = Date.now();
    await scraper.stop();
    assert.ok(Date.now() - started < 1000);
    assert.equal(out.batches.length, 0);
    assert.equal(scraper.targets()[0]?.health, 'unknown');
  });

  it('a throwing sink is contained', async () => {
    const good = await serve(text('vllm:num_requests_running 1\n'));
    const scraper = createScraper({
      config: makeConfig([{ name: 'a', url: good }]),
      sink: () => {
        throw new Error('disk full');
      },
      logger: createSilentLogger(),
    });
    await scraper.scrapeOnce();
    assert.equal(scraper.targets()[0]?.health, 'up');
  });
});

describe('buildTargets', () => {
  it('takes copies with an engine and the extra targets', () => {
    const config = configSchema.parse({
      components: [
        {
          name: 'chat',
          models: ['qwen', 'qwen-alias'],
          copies: [
            { name: 'c0', url: 'http://10.0.0.5:8000/', engine: 'vllm' },
            { name: 'c1', url: 'http://10.0.0.6:8000' },
            { name: 'c2', url: 'http://10.0.0.7:8000/base', engine: 'vllm', metricsPath: '/m' },
          ],
        },
      ],
      scrape: {
        targets: [
          { url: 'http://10.0.0.9:9000/metrics' },
          {
            url: 'http://10.0.0.9:9001/metrics',
            labels: { component: 'emb', copy: 'e0', model: 'bge' },
          },
        ],
      },
    });
    const base = { component: 'chat', endpoint: 'default', source: 'engine' };
    assert.deepEqual(buildTargets(config), [
      {
        url: 'http://10.0.0.5:8000/metrics',
        engine: 'vllm',
        labels: { ...base, copy: 'c0' },
        model: 'qwen',
      },
      {
        url: 'http://10.0.0.7:8000/base/m',
        engine: 'vllm',
        labels: { ...base, copy: 'c2' },
        model: 'qwen',
      },
      {
        url: 'http://10.0.0.9:9000/metrics',
        engine: 'auto',
        labels: { endpoint: 'default', copy: '10.0.0.9:9000', source: 'engine' },
        model: undefined,
      },
      {
        url: 'http://10.0.0.9:9001/metrics',
        engine: 'auto',
        labels: {
          endpoint: 'default',
          component: 'emb',
          copy: 'e0',
          model: 'bge',
          source: 'engine',
        },
        model: 'bge',
      },
    ]);
  });
});
