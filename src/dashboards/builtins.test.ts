import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parser } from '@prometheus-io/lezer-promql';
import { parse } from 'yaml';
import { BUILTIN_DASHBOARDS } from './builtins.js';
import { QUALITY_ALERT_THRESHOLDS } from './queries.js';
import { dashboardDefinitionSchema, dashboardsConfigSchema } from './schema.js';
import { globToRegExp, loadUserDashboards } from './user.js';

/** The page's variables replaced by sample values, as the page and Grafana do. */
function fill(expr: string): string {
  return expr.replace(/\$__rate_interval|\$__range/g, '60s').replace(/\$component/g, '.*');
}

describe('built-in dashboards', () => {
  it('are the seven pages in navigation order, each valid under the schema', () => {
    assert.deepEqual(
      BUILTIN_DASHBOARDS.map((d) => d.id),
      ['overview', 'quantity', 'compare', 'capacity', 'quality', 'samples', 'alerts'],
    );
    for (const d of BUILTIN_DASHBOARDS) {
      const result = dashboardDefinitionSchema.safeParse(d);
      assert.equal(result.success, true, `${d.id}: ${JSON.stringify(result.error?.issues)}`);
    }
  });

  it('hold PromQL that parses', () => {
    for (const d of BUILTIN_DASHBOARDS)
      for (const p of d.panels)
        for (const q of p.queries) {
          parser.parse(fill(q.expr)).iterate({
            enter: (node) =>
              assert.equal(node.type.isError, false, `${d.id}/${p.id}/${q.refId}: ${q.expr}`),
          });
        }
  });

  it('draw quality thresholds equal to the default alert rules', () => {
    const file = new URL('../alerting/default-rules/quality.yaml', import.meta.url);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      return; // the rules ship with the alerting part; nothing to compare without them
    }
    const rules = parse(text).groups.flatMap((g: { rules: unknown[] }) => g.rules) as {
      labels?: { criterion?: string };
      threshold?: { value: number };
    }[];
    const fromRules = Object.fromEntries(
      rules
        .filter((r) => r.labels?.criterion && r.threshold)
        .map((r) => [r.labels!.criterion!, r.threshold!.value]),
    );
    for (const [criterion, value] of Object.entries(fromRules))
      assert.equal(QUALITY_ALERT_THRESHOLDS[criterion], value, criterion);
  });
});

describe('user dashboards', () => {
  it('matches file names with *, ? and {a,b}', () => {
    const re = globToRegExp('*.{yaml,yml}');
    assert.deepEqual(
      ['a.yaml', 'b.yml', 'c.json', 'd.yaml.bak'].map((n) => re.test(n)),
      [true, true, false, false],
    );
  });

  it('loads valid files and reports every problem with file and path', () => {
    const dir = mkdtempSync(join(tmpdir(), 'llmwatch-dash-'));
    try {
      const config = dashboardsConfigSchema.parse({});
      assert.deepEqual(loadUserDashboards(config, dir), []);
      mkdirSync(join(dir, 'dashboards'));
      const good =
        'id: mine\ntitle: Mine\npanels:\n  - id: up\n    title: Up\n    unit: requests\n' +
        '    layout: { x: 0, y: 0, w: 12, h: 8 }\n    queries: [{ refId: A, expr: up }]\n';
      writeFileSync(join(dir, 'dashboards', 'a.yaml'), good);
      const loaded = loadUserDashboards(config, dir);
      assert.deepEqual(
        loaded.map((d) => [d.id, d.defaultRange, d.panels[0]!.queries[0]!.legend]),
        [['mine', '1h', '']],
      );

      writeFileSync(
        join(dir, 'dashboards', 'b.yaml'),
        good.replace('unit: requests', 'unit: parsecs').replace('w: 12', 'w: 30'),
      );
      writeFileSync(join(dir, 'dashboards', 'c.yml'), good.replace('id: mine', 'id: quantity'));
      writeFileSync(join(dir, 'dashboards', 'd.yaml'), 'id: [oops');
      assert.throws(
        () => loadUserDashboards(config, dir),
        (err: { code: string; problems: { path: string }[] }) => {
          assert.equal(err.code, 'config_invalid');
          assert.deepEqual(
            err.problems.map((p) => p.path.replace(dir, 'DIR')),
            [
              'DIR/dashboards/b.yaml: panels.0.unit',
              'DIR/dashboards/b.yaml: panels.0.layout.w',
              'DIR/dashboards/c.yml: id',
              'DIR/dashboards/d.yaml: line 1',
            ],
          );
          return true;
        },
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
