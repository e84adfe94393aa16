import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { runRulesCheck, runRulesTest } from './cli.js';
import { defaultRulesDir } from './config.js';
import { compileTemplate } from './template.js';

const dir = mkdtempSync(join(tmpdir(), 'llmwatch-rules-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function capture() {
  const lines: string[] = [];
  return {
    lines,
    output: { out: (l: string) => lines.push(l), err: (l: string) => lines.push(l) },
  };
}

test('rules check reports every problem with file, group and rule', () => {
  const file = join(dir, 'bad.yaml');
  writeFileSync(
    file,
    `groups:
  - name: g
    rules:
      - alert: Ok
        expr: up == 0
      - alert: Bad
        expr: sum(
        for: five
        threshold: { op: above, value: 0.5 }
        recoveryThreshold: 0.9
        annotations: { summary: '{{ $lables.x }}' }
`,
  );
  const { lines, output } = capture();
  assert.equal(runRulesCheck([file], output), 1);
  assert.equal(lines[0], `${file}: FAILED: 4 problem(s)`);
  const at = `  ${file}: group "g" (groups[0]), rule "Bad" (rules[1]): `;
  assert.equal(lines[1], `${at}for: must be a duration like "5m" or "1h30m", got "five"`);
  assert.ok(lines[2]?.startsWith(`${at}expr: `), lines[2]);
  assert.equal(
    lines[3],
    `${at}recoveryThreshold 0.9 must be at or below the threshold 0.5 for op "above"`,
  );
  assert.ok(
    lines[4]?.startsWith(`${at}annotations.summary: unknown operand "$lables.x"`),
    lines[4],
  );
  assert.equal(lines.length, 5);
});

test('rules check passes the shipped default rules', () => {
  const { lines, output } = capture();
  assert.equal(runRulesCheck([join(defaultRulesDir(), '*.yaml')], output), 0);
  assert.deepEqual(
    lines.map((l) => l.replace(/^.*\//, '')),
    [
      'gpu.yaml: SUCCESS: 1 group(s), 3 rule(s)',
      'quality.yaml: SUCCESS: 1 group(s), 4 rule(s)',
      'serving.yaml: SUCCESS: 1 group(s), 3 rule(s)',
    ],
  );
});

test('rules test passes the default rules unit tests', async () => {
  const { lines, output } = capture();
  const code = await runRulesTest([join(defaultRulesDir(), 'tests', '*.yaml')], output);
  assert.equal(code, 0, lines.join('\n'));
  assert.equal(lines.filter((l) => l.endsWith(': PASS')).length, 5);
});

test('rules test fails with expected and actual alerts', async () => {
  writeFileSync(
    join(dir, 'r.yaml'),
    `groups:
  - name: g
    rules:
      - alert: Down
        expr: up
        threshold: { op: below, value: 1 }
        for: 2m
`,
  );
  const testFile = join(dir, 'r.test.yaml');
  writeFileSync(
    testFile,
    `rule_files: [r.yaml]
tests:
  - name: down fires
    input_series:
      - series: 'up{job="x"}'
        values: '1 0 0 0 0'
    alert_rule_test:
      - eval_time: 2m
        alertname: Down
        exp_alerts: [{ labels: { job: x } }]
      - eval_time: 3m
        alertname: Down
        exp_alerts: [{ labels: { job: x } }]
`,
  );
  const { lines, output } = capture();
  assert.equal(await runRulesTest([testFile], output), 1);
  assert.deepEqual(lines, [
    `${testFile}: down fires: FAIL`,
    '    alertname Down at 2m:\n' +
      '      expected: [firing {"job":"x"}]\n' +
      '      got:      [pending {"job":"x","alertname":"Down"}]',
    'FAILED: 1 test(s)',
  ]);
});

test('templates render values, labels and humanized numbers', () => {
  const data = {
    labels: { component: 'qwen' },
    value: 0.123456789,
    samples: 12,
    externalUrl: 'http://x',
  };
  const render = (text: string, value = data.value) =>
    compileTemplate(text).render({ ...data, value });
  assert.equal(
    render('{{ $labels.component }} {{ $value }} n={{ $samples }}'),
    'qwen 0.123457 n=12',
  );
  assert.equal(render('{{ printf "%.2f" $value }}'), '0.12');
  assert.equal(render('{{ $value | humanizePercentage }}'), '12.35%');
  assert.equal(render('{{ humanize $value }}', 1234567), '1.235M');
  assert.equal(render('{{ humanize $value }}', 0.0042), '4.2m');
  assert.equal(render('{{ humanizeDuration $value }}', 3725), '1h 2m 5s');
  assert.equal(render('{{ humanizeDuration $value }}', 0.25), '250ms');
  assert.equal(render('{{ $labels.missing }}|{{ $externalURL }}'), '|http://x');
  assert.throws(() => compileTemplate('{{ exec "rm" }}'), /unknown function "exec"/);
  assert.throws(() => compileTemplate('{{ $value'), /unclosed "\{\{"/);
});

test('rules check: an anchor reused by 150 rules is fine; an alias bomb is a clear error', () => {
  const rule = (i: number, labels: string) =>
    `      - alert: A${i}\n        expr: up\n        threshold: {op: above, value: 1}\n        labels: ${labels}\n`;
  let text = 'groups:\n  - name: g\n    rules:\n' + rule(0, '&common {severity: warning}');
  for (let i = 1; i < 150; i++) text += rule(i, '*common');
  const reused = join(dir, 'anchors.yaml');
  writeFileSync(reused, text);
  const ok = capture();
  assert.equal(runRulesCheck([reused], ok.output), 0);

  const levels = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
  for (let i = 1; i < 8; i++) {
    const prev = String.fromCharCode(96 + i);
    const next = String.fromCharCode(97 + i);
    levels.push(
      `${next}: &${next} [*${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}]`,
    );
  }
  const bomb = join(dir, 'bomb.yaml');
  writeFileSync(bomb, `${levels.join('\n')}\ngroups: []\n`);
  const out = capture();
  assert.equal(runRulesCheck([bomb], out.output), 1);
  assert.match(out.lines.join('\n'), /YAML: .*alias.*; use fewer aliases/i);
});

test('rules test fails when a rule file it names matches nothing', async () => {
  const file = join(dir, 'missing-files.test.yaml');
  writeFileSync(
    file,
    [
      'rule_files: [does-not-exist.yaml, "nomatch*.yaml"]',
      'evaluation_interval: 1m',
      'tests:',
      '  - input_series: [{ series: up, values: "1" }]',
      '    alert_rule_test: [{ eval_time: 1m, alertname: Down, exp_alerts: [] }]',
    ].join('\n'),
  );
  const out = capture();
  assert.equal(await runRulesTest([file], out.output), 1);
  assert.match(
    out.lines.join('\n'),
    /FAILED to load: rule_files "does-not-exist.yaml", "nomatch\*.yaml" match no file/,
  );
});
