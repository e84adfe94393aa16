import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { BUILTIN_DASHBOARDS } from '../dashboards/builtins.js';
import { runGrafanaExport } from './export.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '..', '..');
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
const TSC_TIMEOUT_MS = 90_000;

/** Runs tsc on a temporary project; resolves with its exit code and output. */
function tsc(project: string): Promise<{ code: number; output: string }> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [TSC, '-p', project],
      { timeout: TSC_TIMEOUT_MS, maxBuffer: 8 << 20 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
        done({ code, output: `${stdout}${stderr}` });
      },
    );
  });
}

/**
 * Writes each JSON text as `const d: GrafanaDashboardJson = <json> satisfies ...` into a temporary
 * TypeScript project that imports Grafana's published types, and type-checks it.
 */
async function typeCheckJson(
  texts: Record<string, string>,
): Promise<{ code: number; output: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'llmwatch-grafana-schema-'));
  try {
    const typesPath = join(HERE, 'schema-types.js');
    for (const [name, text] of Object.entries(texts)) {
      writeFileSync(
        join(dir, `${name}.ts`),
        `import type { GrafanaDashboardJson } from ${JSON.stringify(typesPath)};\n` +
          `export const d: GrafanaDashboardJson = ${text.trim()} satisfies GrafanaDashboardJson;\n`,
      );
    }
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'ESNext',
          moduleResolution: 'Bundler',
          strict: true,
          noEmit: true,
          skipLibCheck: true,
          types: [],
        },
        include: ['*.ts'],
      }),
    );
    return await tsc(join(dir, 'tsconfig.json'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('exported dashboards against @grafana/schema', () => {
  it('type-check every exported dashboard JSON file as Grafana Dashboard', async () => {
    const out = mkdtempSync(join(tmpdir(), 'llmwatch-grafana-'));
    try {
      runGrafanaExport({ outDir: out, config: { server: { host: '127.0.0.1', port: 9400 } } });
      const texts: Record<string, string> = {};
      for (const d of BUILTIN_DASHBOARDS) {
        texts[d.id.replace(/\W/g, '_')] = readFileSync(
          join(out, `dashboards/llmwatch-${d.id}.json`),
          'utf8',
        );
      }
      assert.equal(Object.keys(texts).length, BUILTIN_DASHBOARDS.length);
      const result = await typeCheckJson(texts);
      assert.equal(result.output, '');
      assert.equal(result.code, 0);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it('rejects a non-conforming copy (bad thresholds mode, panel without type, string schemaVersion)', async () => {
    const out = mkdtempSync(join(tmpdir(), 'llmwatch-grafana-'));
    try {
      runGrafanaExport({
        outDir: out,
        config: { server: { host: '127.0.0.1', port: 9400 } },
        dashboards: [BUILTIN_DASHBOARDS.find((d) => d.id === 'quality')!],
      });
      const json = JSON.parse(readFileSync(join(out, 'dashboards/llmwatch-quality.json'), 'utf8'));
      const broken = structuredClone(json);
      broken.panels[0].fieldConfig.defaults.thresholds.mode = 'relative';
      const noType = structuredClone(json);
      delete noType.panels[0].type;
      const versionText = structuredClone(json);
      versionText.schemaVersion = '39';
      const result = await typeCheckJson({
        good: JSON.stringify(json),
        mode: JSON.stringify(broken),
        notype: JSON.stringify(noType),
        version: JSON.stringify(versionText),
      });
      assert.equal(result.code, 2);
      const files = [...result.output.matchAll(/(\w+)\.ts\(\d+,\d+\): error TS\d+/gm)].map(
        (m) => m[1],
      );
      assert.deepEqual([...new Set(files)].sort(), ['mode', 'notype', 'version']);
      assert.match(result.output, /"relative"/);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
