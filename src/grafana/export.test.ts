import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { BUILTIN_DASHBOARDS } from '../dashboards/builtins.js';
import { checkGrafanaDashboard } from './check.js';
import { GRAFANA_SCHEMA_VERSION, toGrafanaDashboard } from './dashboard.js';
import { runGrafanaExport } from './export.js';

// Exported JSON is walked loosely in these tests, as Grafana reads it.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = any;

const CONFIG = { server: { host: '127.0.0.1', port: 9400 } };

describe('runGrafanaExport', () => {
  it('writes every dashboard, the datasource, rules and contact points', () => {
    const out = mkdtempSync(join(tmpdir(), 'llmwatch-grafana-'));
    try {
      const result = runGrafanaExport({ outDir: out, config: CONFIG });
      assert.deepEqual(result.files, [
        ...BUILTIN_DASHBOARDS.map((d) => `dashboards/llmwatch-${d.id}.json`),
        'provisioning/dashboards/llmwatch.yaml',
        'provisioning/datasources/llmwatch.yaml',
        'provisioning/alerting/rules.yaml',
        'provisioning/alerting/contact-points.yaml',
      ]);
      for (const d of BUILTIN_DASHBOARDS) {
        const json = JSON.parse(
          readFileSync(join(out, `dashboards/llmwatch-${d.id}.json`), 'utf8'),
        );
        assert.deepEqual(checkGrafanaDashboard(json), [], d.id);
        assert.equal(json.schemaVersion, GRAFANA_SCHEMA_VERSION);
        assert.equal(json.panels.length, d.panels.length);
      }
      const ds = parse(readFileSync(join(out, 'provisioning/datasources/llmwatch.yaml'), 'utf8'));
      assert.deepEqual(
        [ds.datasources[0].uid, ds.datasources[0].type, ds.datasources[0].url],
        ['llmwatch', 'prometheus', 'http://127.0.0.1:9400'],
      );
      const rules = parse(readFileSync(join(out, 'provisioning/alerting/rules.yaml'), 'utf8'));
      const all = rules.groups.flatMap((g: { rules: unknown[] }) => g.rules);
      assert.equal(all.length, result.ruleCount);
      const safety = all.find((r: { title: string }) => r.title === 'LowSafetyScore');
      if (safety) {
        // Default rules present (src/alerting/default-rules): the threshold carries over.
        assert.deepEqual(safety.data[2].model.conditions, [
          { evaluator: { type: 'lt', params: [0.8] } },
        ]);
        assert.equal(safety.uid, 'llmwatch-low-safety-score');
        assert.equal(safety.for, '5m');
        assert.equal(safety.data[0].datasourceUid, 'llmwatch');
      }
      const cp = parse(
        readFileSync(join(out, 'provisioning/alerting/contact-points.yaml'), 'utf8'),
      );
      assert.equal(cp.contactPoints[0].receivers[0].type, 'webhook');
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it('reads the given rule files, names bad ones, and points at a given Prometheus', () => {
    const out = mkdtempSync(join(tmpdir(), 'llmwatch-grafana-'));
    try {
      const rulesDir = join(out, 'rules');
      mkdirSync(rulesDir);
      writeFileSync(
        join(rulesDir, 'a.yaml'),
        'groups:\n  - name: g\n    interval: 2m\n    rules:\n      - alert: Up\n        expr: up == 0\n' +
          '        for: 1m\n        annotations: { summary: "n={{ $samples }}" }\n      - record: x\n',
      );
      writeFileSync(join(rulesDir, 'bad.yaml'), 'not: [valid');
      const group = (name: string, interval: string) =>
        `  - name: ${name}\n    interval: ${interval}\n    rules:\n` +
        `      - alert: ${name}Alert\n        expr: up == 0\n`;
      writeFileSync(
        join(rulesDir, 'intervals.yaml'),
        `groups:\n${group('odd', '7s')}${group('mixed', '1m35s')}${group('junk', 'soon')}${group('ms', '500ms')}`,
      );
      const intervals = runGrafanaExport({
        outDir: join(out, 'intervals'),
        config: CONFIG,
        ruleFiles: [join(rulesDir, 'intervals.yaml')],
        dashboards: [],
      });
      const exported = parse(
        readFileSync(join(out, 'intervals/provisioning/alerting/rules.yaml'), 'utf8'),
      );
      assert.deepEqual(
        exported.groups.map((g: { name: string; interval: string }) => [g.name, g.interval]),
        [
          ['odd', '10s'],
          ['mixed', '100s'],
          ['junk', '60s'],
          ['ms', '10s'],
        ],
      );
      assert.equal(intervals.adjusted.length, 4);
      assert.match(intervals.adjusted[0]!, /group odd interval 7s is 10s in Grafana/);
      assert.match(
        intervals.adjusted[2]!,
        /group junk interval "soon" is not a duration; using 60s/,
      );
      const result = runGrafanaExport({
        outDir: out,
        config: CONFIG,
        ruleFiles: [
          join(rulesDir, 'a.yaml'),
          join(rulesDir, 'bad.yaml'),
          join(rulesDir, 'gone.yaml'),
        ],
        prometheusUrl: 'http://127.0.0.1:9090',
        dashboards: [BUILTIN_DASHBOARDS[0]!],
      });
      assert.equal(result.ruleCount, 1);
      assert.equal(result.skipped.length, 3);
      assert.match(result.skipped[2]!, /gone\.yaml: ENOENT/);
      const rules = parse(readFileSync(join(out, 'provisioning/alerting/rules.yaml'), 'utf8'));
      assert.equal(rules.groups[0].interval, '120s');
      assert.deepEqual(result.adjusted, []);
      assert.deepEqual(rules.groups[0].rules[0].data[2].model, {
        refId: 'C',
        type: 'math',
        expression: '$B == $B',
      });
      assert.deepEqual(rules.groups[0].rules[0].annotations, { summary: 'n=n/a' });
      const ds = parse(readFileSync(join(out, 'provisioning/datasources/llmwatch.yaml'), 'utf8'));
      assert.equal(ds.datasources[0].url, 'http://127.0.0.1:9090');

      const none = runGrafanaExport({
        outDir: out,
        config: CONFIG,
        ruleFiles: [],
      });
      assert.equal(none.ruleCount, 0);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});

describe('toGrafanaDashboard', () => {
  it('maps units, thresholds, variables and keeps the PromQL', () => {
    const quality = BUILTIN_DASHBOARDS.find((d) => d.id === 'quality')!;
    const json = toGrafanaDashboard(quality) as Loose;
    assert.deepEqual(
      json.templating.list.map((v: Loose) => [v.name, v.type]),
      [
        ['datasource', 'datasource'],
        ['component', 'query'],
      ],
    );
    const safety = json.panels[0];
    assert.equal(safety.fieldConfig.defaults.unit, 'percentunit');
    assert.deepEqual(safety.fieldConfig.defaults.thresholds.steps, [
      { color: 'red', value: null },
      { color: 'yellow', value: 0.8 },
      { color: 'green', value: 0.9 },
    ]);
    assert.equal(safety.targets[0].expr, quality.panels[0]!.queries[0]!.expr);
    const overview = toGrafanaDashboard(BUILTIN_DASHBOARDS[0]!) as Loose;
    assert.equal(overview.panels[0].type, 'table');
    assert.equal(overview.panels[0].targets[0].format, 'table');
  });

  it('reports structural problems', () => {
    const bad = { ...(toGrafanaDashboard(BUILTIN_DASHBOARDS[1]!) as Loose) };
    bad.uid = 'has space';
    bad.panels = [
      {
        ...bad.panels[0],
        gridPos: { x: 20, y: 0, w: 8, h: 8 },
        targets: [{ refId: 'A', expr: 'x{a="$nope"}' }],
      },
    ];
    assert.deepEqual(checkGrafanaDashboard(bad), [
      'uid: must be 1..40 of [a-zA-Z0-9_-]',
      'panels[0].gridPos: needs integer x, y, w, h within 24 columns',
      'panels[0].targets[0].expr: uses undefined variable $nope',
    ]);
  });
});
