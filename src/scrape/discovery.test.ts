import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { configSchema } from '../config/schema.js';
import { createSilentLogger } from '../core/log.js';
import type { Sample } from '../store/types.js';
import { buildFileTargets, parseTargetFile } from './discovery-file.js';
import {
  connectDiscovery,
  createTargetDiscovery,
  scrapeDiscoveryConfigSchema,
  type TargetDiscovery,
} from './discovery.js';
import { compileRelabelRules, relabelRuleSchema } from './relabel.js';
import { createScraper } from './scraper.js';
import type { ScrapeTarget } from './targets.js';

const dir = mkdtempSync(join(tmpdir(), 'llmwatch-sd-'));
const servers: Server[] = [];
const discoveries: TargetDiscovery[] = [];
after(async () => {
  for (const d of discoveries) d.stop();
  for (const server of servers) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
  rmSync(dir, { recursive: true, force: true });
});

/** Waits (at most 3 s, polling every 20 ms) until `check` is true. */
async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 150 && !check(); i++) await sleep(20);
  assert.ok(check(), 'condition not reached within 3 s');
}

const fileDefaults = (path: string) =>
  scrapeDiscoveryConfigSchema.parse({ fileTargets: [{ path }] }).fileTargets[0]!;

describe('buildFileTargets', () => {
  it('applies file defaults, group overrides and relabel rules; names unusable targets', () => {
    const path = '/etc/llmwatch/targets.yaml';
    const groups = parseTargetFile(
      path,
      [
        '- targets: ["10.0.0.5:8000", "10.0.0.6:8000"]',
        '  labels: {component: chat, team: search}',
        '- targets: ["gpu-1:9400", "bad/address", "10.0.0.7:9100"]',
        '  labels: {__engine__: dcgm, __metrics_path__: /m, source: x}',
        '- targets: ["10.0.0.8:1"]',
        '  labels: {__engine__: ollama}',
      ].join('\n'),
    );
    const rules = compileRelabelRules(
      [
        { sourceLabels: ['__address__'], regex: '([^:]+):.*', targetLabel: 'instance' },
        { action: 'drop', sourceLabels: ['__address__'], regex: '.*:9100' },
        { sourceLabels: ['team'], regex: '(.+)', targetLabel: 'endpoint', replacement: 'fleet-$1' },
      ].map((r) => relabelRuleSchema.parse(r)),
    );
    const result = buildFileTargets({ ...fileDefaults(path), engine: 'vllm' }, groups, rules);
    const chat = (address: string, host: string): ScrapeTarget => ({
      url: `http://${address}/metrics`,
      engine: 'vllm',
      labels: {
        endpoint: 'fleet-search',
        copy: address,
        component: 'chat',
        team: 'search',
        instance: host,
        source: 'engine',
      },
      model: undefined,
    });
    assert.deepEqual(result.targets, [
      chat('10.0.0.5:8000', '10.0.0.5'),
      chat('10.0.0.6:8000', '10.0.0.6'),
      {
        url: 'http://gpu-1:9400/m',
        engine: 'dcgm',
        labels: { endpoint: 'default', copy: 'gpu-1:9400', instance: 'gpu-1', source: 'engine' },
        model: undefined,
      },
    ]);
    assert.deepEqual(result.problems, [
      `${path} [1].targets[0]: label "source" is reserved or invalid; dropped`,
      `${path} [1].targets[1]: address "bad/address" is not "host:port"; skipped`,
      `${path} [2].targets[0]: engine "ollama" is not one of vllm, tgi, sglang, triton, llamacpp, dcgm, node, auto; skipped`,
    ]);
  });

  it('refuses a file of the wrong shape with the path and the fix', () => {
    assert.throws(() => parseTargetFile('/t.json', '{"targets": ["a:1"]}'), {
      code: 'discovery_file_invalid',
      message:
        '/t.json: at [] Invalid input: expected array, received object; expected a list of {targets: ["host:port"], labels: {...}}',
    });
    assert.throws(() => parseTargetFile('/t.json', '[{"targets": ["a:1"'), {
      code: 'discovery_file_invalid',
    });
    assert.deepEqual(parseTargetFile('/t.json', ''), []);
  });
});

describe('createTargetDiscovery', () => {
  it('reads JSON, follows changes (rename too), keeps the last good list on a broken file', async () => {
    const path = join(dir, 'targets.json');
    writeFileSync(path, JSON.stringify([{ targets: ['127.0.0.1:1'], labels: { copy: 'a' } }]));
    const seen: string[][] = [];
    const discovery = createTargetDiscovery({
      config: scrapeDiscoveryConfigSchema.parse({
        fileTargets: [{ path, refreshSeconds: 0.1 }],
      }),
      onChange: (targets) => seen.push(targets.map((t) => t.labels.copy ?? '')),
      logger: createSilentLogger(),
      debounceMs: 20,
    });
    discoveries.push(discovery);
    await discovery.start();
    assert.deepEqual(seen, [['a']]);
    assert.deepEqual(discovery.errors(), []);

    // An editor-style replace: write a temp file, rename it over the watched one (YAML now).
    writeFileSync(`${path}.tmp`, '- targets: ["127.0.0.1:1", "127.0.0.1:2"]\n');
    renameSync(`${path}.tmp`, path);
    await until(() => seen.length === 2);
    assert.deepEqual(seen[1], ['127.0.0.1:1', '127.0.0.1:2']);

    writeFileSync(path, '[{"targets": ["127.0.0.1:3"');
    await until(() => discovery.errors().length === 1);
    assert.match(
      discovery.errors()[0]?.message ?? '',
      /^.*targets\.json: not JSON or YAML .*keeping its last good targets$/,
    );
    assert.deepEqual(
      discovery.targets().map((t) => t.url),
      ['http://127.0.0.1:1/metrics', 'http://127.0.0.1:2/metrics'],
    );

    rmSync(path);
    await until(() => (discovery.errors()[0]?.message ?? '').includes('ENOENT'));
    assert.equal(discovery.targets().length, 2);

    writeFileSync(path, JSON.stringify([{ targets: ['127.0.0.1:3'] }]));
    await until(() => seen.length === 3);
    assert.deepEqual(seen[2], ['127.0.0.1:3']);
    assert.deepEqual(discovery.errors(), []);
    discovery.stop();
  });

  it('starts with a missing file as no targets and an error, then picks the file up by polling', async () => {
    const path = join(dir, 'late.yaml');
    const seen: number[] = [];
    const discovery = createTargetDiscovery({
      config: scrapeDiscoveryConfigSchema.parse({ fileTargets: [{ path, refreshSeconds: 0.05 }] }),
      onChange: (targets) => seen.push(targets.length),
      logger: createSilentLogger(),
      debounceMs: 10,
    });
    discoveries.push(discovery);
    await discovery.start();
    assert.deepEqual(seen, [0]);
    assert.match(discovery.errors()[0]?.message ?? '', /cannot read .*late\.yaml \(ENOENT\)/);
    writeFileSync(path, '- targets: ["127.0.0.1:9"]\n');
    await until(() => seen.length === 2);
    assert.deepEqual(seen, [0, 1]);
    discovery.stop();
  });
});

describe('connectDiscovery with the scraper', () => {
  it('scrapes static and discovered targets; "auto" detects TGI; a dropped target goes away', async () => {
    const tgi = readFileSync(
      new URL(
        '../../test/fixtures/metrics/datadog-tgi-payload.truncated.metrics.txt',
        import.meta.url,
      ),
    );
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      res.end(tgi);
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    const path = join(dir, 'tgi.json');
    writeFileSync(
      path,
      JSON.stringify([{ targets: [address], labels: { component: 'tgi-chat', model: 'llama' } }]),
    );

    const config = configSchema.parse({
      components: [
        {
          name: 'chat',
          models: ['m'],
          copies: [{ name: 'c0', url: `http://${address}`, engine: 'vllm' }],
        },
      ],
    });
    const batches: Sample[][] = [];
    const scraper = createScraper({
      config,
      sink: (s) => void batches.push(s),
      logger: createSilentLogger(),
      nowMs: () => 1000,
    });
    const discovery = connectDiscovery({
      config,
      discovery: scrapeDiscoveryConfigSchema.parse({
        fileTargets: [{ path }],
        relabel: [
          {
            sourceLabels: ['component'],
            regex: 'tgi-(.*)',
            targetLabel: 'endpoint',
            replacement: '$1',
          },
        ],
      }),
      scraper,
      logger: createSilentLogger(),
      debounceMs: 10,
    });
    discoveries.push(discovery);
    await discovery.start();
    await scraper.scrapeOnce();

    assert.deepEqual(
      scraper.targets().map((t) => [t.copy, t.engine, t.mappedEngine, t.health]),
      [
        ['c0', 'vllm', 'vllm', 'up'],
        [address, 'auto', 'tgi', 'up'],
      ],
    );
    const requests = batches
      .flat()
      .filter((s) => s.labels.__name__ === 'llm_requests_total' && s.labels.copy === address);
    assert.deepEqual(requests, [
      {
        labels: {
          __name__: 'llm_requests_total',
          endpoint: 'chat',
          copy: address,
          component: 'tgi-chat',
          model: 'llama',
          source: 'engine',
          status_class: '2xx',
        },
        value: 109,
        timestampMs: 1000,
      },
      {
        labels: {
          __name__: 'llm_requests_total',
          endpoint: 'chat',
          copy: address,
          component: 'tgi-chat',
          model: 'llama',
          source: 'engine',
          status_class: '4xx',
        },
        value: 2,
        timestampMs: 1000,
      },
    ]);
    // The vLLM-configured copy gets the TGI body: raw samples only, no canonical ones.
    const c0 = batches.flat().filter((s) => s.labels.copy === 'c0');
    assert.equal(c0.filter((s) => s.labels.__name__?.startsWith('llm_')).length, 0);

    writeFileSync(path, '[]');
    await until(() => scraper.targets().length === 1);
    assert.equal(scraper.targets()[0]?.copy, 'c0');
    assert.equal(scraper.targets()[0]?.health, 'up');
    discovery.stop();
  });
});
