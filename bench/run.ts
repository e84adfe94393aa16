/**
 * `npm run bench`: runs the gateway benchmark and, when present, the store benchmark, prints the
 * figures and writes them to docs/benchmarks.md with the machine they were measured on.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { runGatewayBench, type PhaseResult } from './gateway.js';

const GATEWAY_GOALS = [
  'Gateway added latency, one request at a time: at most 0.4 ms at p50 and 1 ms at p99.',
  'Recording never blocks or fails a request; the open-loop phases run with recording on and the registry collected every second.',
];

const fmt = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : 'n/a');

function gatewayTable(results: PhaseResult[]): string[] {
  const lines = [
    '| phase | direct p50 ms | direct p99 ms | gateway p50 ms | gateway p99 ms | added p50 ms | added p99 ms | ratio p50 | ratio p99 | requests per path | errors |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const r of results) {
    lines.push(
      `| ${r.name} | ${fmt(r.direct.p50Ms)} | ${fmt(r.direct.p99Ms)} | ${fmt(r.gateway.p50Ms)} | ` +
        `${fmt(r.gateway.p99Ms)} | ${fmt(r.addedP50Ms)} | ${fmt(r.addedP99Ms)} | ` +
        `${fmt(r.ratioP50)} | ${fmt(r.ratioP99)} | ${r.gateway.count} | ${r.direct.errors + r.gateway.errors} |`,
    );
  }
  return lines;
}

function storeTable(figures: Record<string, number>): string[] {
  const lines = ['| figure | value |', '| --- | ---: |'];
  for (const [name, value] of Object.entries(figures)) {
    const shown = Number.isInteger(value) ? String(value) : value.toFixed(3);
    lines.push(`| ${name} | ${shown} |`);
  }
  return lines;
}

/** Sizes of the TSDB comparison, from BENCH_TSDB_SCALES ("COMPONENTSxHOURS,..."). */
function tsdbScales(): Array<{ components: number; hours: number }> {
  const spec = process.env.BENCH_TSDB_SCALES ?? '4x48,20x24,4x720';
  return spec.split(',').map((part) => {
    const m = /^\s*(\d+)x(\d+)\s*$/.exec(part);
    if (m === null) {
      throw new Error(`BENCH_TSDB_SCALES: "${part}" is not COMPONENTSxHOURS, e.g. 4x48`);
    }
    return { components: Number(m[1]), hours: Number(m[2]) };
  });
}

async function main(): Promise<void> {
  const cpuList = cpus();
  const machine = `${cpuList[0]?.model ?? 'unknown CPU'}, ${cpuList.length} cores, Node.js ${process.version}, ${process.platform}`;
  console.log(`machine: ${machine}`);

  console.log('running gateway benchmark...');
  const gateway = await runGatewayBench();
  const gatewayLines = gatewayTable(gateway);
  console.log(gatewayLines.join('\n'));

  let storeLines: string[] | null = null;
  const storeFile = fileURLToPath(new URL('./store.ts', import.meta.url));
  if (existsSync(storeFile)) {
    console.log('running store benchmark...');
    const storeModule = './store.js'; // not a literal: run.ts must compile without store.ts
    const { runStoreBench } = (await import(storeModule)) as {
      runStoreBench: (opts?: { samples?: number }) => Promise<Record<string, number>>;
    };
    storeLines = storeTable(await runStoreBench());
    console.log(storeLines.join('\n'));
  }

  let compareLines: string[] | null = null;
  if (process.env.BENCH_SKIP_TSDB_COMPARE !== '1') {
    const { runTsdbCompare, tsdbCompareTable } = await import('./tsdb-compare.js');
    compareLines = [];
    for (const { components, hours } of tsdbScales()) {
      console.log(
        `running TSDB comparison (llmwatch, Prometheus, VictoriaMetrics): ${components} components, ${hours} h...`,
      );
      const compare = await runTsdbCompare({ components, hours });
      const section = [
        `### ${components} components, ${hours} hours`,
        '',
        `Generated: ${compare.description}.`,
        '',
        ...tsdbCompareTable(compare),
        '',
        ...compare.notes.map((n) => `- ${n}`),
        '',
      ];
      console.log(section.join('\n'));
      compareLines.push(...section);
    }
  }

  console.log('running scrape and agent benchmarks...');
  const { runScrapeBench } = await import('./scrape.js');
  const { runAgentBench } = await import('./agent.js');
  const scrapeLines = storeTable(await runScrapeBench());
  const agentLines = storeTable(await runAgentBench());
  console.log([...scrapeLines, ...agentLines].join('\n'));

  console.log('running Overview page benchmark...');
  const { runOverviewBench } = await import('./overview.js');
  const overviewLines = storeTable(await runOverviewBench());
  console.log(overviewLines.join('\n'));

  console.log('running quality and alert rules benchmarks...');
  const { runQualityBench } = await import('./quality.js');
  const { runRulesBench } = await import('./rules.js');
  const qualityLines = storeTable(await runQualityBench());
  const rulesLines = storeTable(await runRulesBench());
  console.log([...qualityLines, ...rulesLines].join('\n'));

  const doc = [
    '# Benchmarks',
    '',
    `Measured ${new Date().toISOString().slice(0, 10)} on: ${machine}.`,
    '',
    'Reproduce with `npm run bench` (runs `node --import tsx bench/run.ts`, which rewrites this file).',
    '',
    '## Gateway',
    '',
    'A mock OpenAI-compatible upstream (tiny fixed JSON reply; a short SSE stream of 7 events) and',
    'the gateway each run in their own process on 127.0.0.1. Requests go straight to the mock',
    '("direct") or through the gateway, interleaved in the same run. Latency: request sent to reply',
    'body fully read. "sequential": one request at a time, alternating paths, 2,000 per path.',
    '"open loop": requests start on a fixed schedule at 1,000 requests/s, the paths taking turns',
    'in 500 ms blocks, 5 s per path after a 1 s warm-up; latency counts from the scheduled start.',
    'Added = gateway minus direct; ratio = gateway / direct.',
    '',
    'Goals:',
    '',
    ...GATEWAY_GOALS.map((g) => `- ${g}`),
    '',
    ...gatewayLines,
    '',
    'On a machine with few cores the client, the mock and the gateway share the CPUs, so p99 figures',
    'there mostly show scheduling noise; compare the direct and gateway columns of the same run.',
    '',
  ];
  if (storeLines !== null) {
    doc.push(
      '## Metric store',
      '',
      'From `bench/store.ts` (`runStoreBench()`).',
      '',
      ...storeLines,
      '',
    );
  }
  if (compareLines !== null) {
    doc.push(
      '## llmwatch store vs Prometheus and VictoriaMetrics',
      '',
      'From `bench/tsdb-compare.ts` (`runTsdbCompare()`; its file comment says exactly how each',
      'figure is measured). It needs /usr/bin/prometheus and /usr/bin/victoria-metrics. Sizes:',
      "`BENCH_TSDB_SCALES` (default `4x48,20x24,4x720`: 4 components over 48 hours, the issue's",
      'full fleet of 20 components over 24 hours, then 4 components over 30 days; about 2, 5 and',
      '10 minutes on the machine of 2026-12-05). Thirty days of the full fleet (1.2 billion',
      'samples) take about 65 minutes here, so that size is not in the default and was run on',
      'its own (`BENCH_TSDB_COMPONENTS=20 BENCH_TSDB_HOURS=720 node --import tsx',
      'bench/tsdb-compare.ts`): figures in `docs/benchmarks-full-fleet.md`, with those of',
      '`bench/fleet-store.ts` (llmwatch alone). Set BENCH_SKIP_TSDB_COMPARE=1 to skip the comparison.',
      '',
      ...compareLines,
    );
  }
  doc.push(
    '## Scrape and store',
    '',
    'From `bench/scrape.ts` (`runScrapeBench()`): 60 targets serving the real vLLM, TGI and DCGM',
    'captures from a child process; "bare" is an HTTP GET only, "parse" adds parsing, "full" adds',
    'mapping and storing in SQLite. CPU per target from process.cpuUsage.',
    '',
    ...scrapeLines,
    '',
    '## GPU agent',
    '',
    'From `bench/agent.ts` (`runAgentBench()`): polls against the stand-in nvidia-smi printing real',
    "H100 captures; the stand-in's own CPU is reported apart from the agent's.",
    '',
    ...agentLines,
    '',
    '## Overview page',
    '',
    'From `bench/overview.ts` (`runOverviewBench()`): /d/overview (default 1 h range) in headless',
    'Chromium, 5 loads per side, medians; "fleet" is 20 components × 2 copies × 24 h of generated',
    'request, latency and engine series at one sample per minute, "empty store" the baseline.',
    'First paint from the paint timing entries; data ready when no panel is "loading".',
    '',
    ...overviewLines,
    '',
    '## Quality pipeline',
    '',
    'From `bench/quality.ts` (`runQualityBench()`): labelled texts from test/fixtures/quality',
    'through the six deterministic evaluators and a local stand-in judge that answers at once,',
    'called directly (baseline) and through the pipeline (ingest, redaction, durable queue,',
    'evaluators, records and metrics). "pii_leak direct" reads precomputed redaction counts; the',
    'redaction itself runs at ingest and counts on the pipeline side.',
    '',
    ...qualityLines,
    '',
    '## Alert rules',
    '',
    'From `bench/rules.ts` (`runRulesBench()`): one round of 1,000 alert rules over a generated',
    'fleet in a SQLite store, against the same 1,000 expressions run by the PromQL engine directly.',
    '',
    ...rulesLines,
    '',
  );
  const out = fileURLToPath(new URL('../docs/benchmarks.md', import.meta.url));
  writeFileSync(out, doc.join('\n'));
  console.log(`wrote ${out}`);
}

await main();
