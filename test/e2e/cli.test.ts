/**
 * The `llmwatch` command line, run as a user would (through tsx, so no build is needed).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function llmwatch(args: string[], env: NodeJS.ProcessEnv = {}) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout: 30_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

test('config check accepts the documented vLLM fleet example', () => {
  const run = llmwatch(['config', 'check', 'examples/vllm-fleet.yaml']);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(
    run.stdout,
    'examples/vllm-fleet.yaml: valid (2 component(s), 1 extra scrape target(s))\n',
  );
});

test('config check accepts the documented quality and alerting example', () => {
  const run = llmwatch(['config', 'check', 'examples/quality-alerts.yaml']);
  assert.equal(run.code, 0, run.stderr);
});

test('config check names every bad field and exits non-zero', () => {
  const dir = mkdtempSync(join(tmpdir(), 'llmwatch-cli-'));
  const file = join(dir, 'bad.yaml');
  writeFileSync(
    file,
    [
      'server: { port: 70000 }',
      'store: { flushIntervalSeconds: -1 }',
      'components:',
      '  - name: chat',
      '    models: [m]',
      '    copies: [{ name: a, url: "not a url" }]',
      '    colour: blue',
      'scrape: { targets: [{ url: "${NOT_SET_FOR_TEST}" }] }',
    ].join('\n'),
  );
  const run = llmwatch(['config', 'check', file]);
  rmSync(dir, { recursive: true, force: true });
  assert.equal(run.code, 1);
  assert.match(run.stderr, /has 6 problem\(s\)/);
  for (const expected of [
    'line 8: environment variable NOT_SET_FOR_TEST is not set',
    'server.port',
    'store.flushIntervalSeconds',
    'components.0.copies.0.url',
    'components.0: Unrecognized key: "colour"',
    'scrape.targets.0.url',
  ]) {
    assert.ok(run.stderr.includes(`- ${expected}`), `stderr names ${expected}:\n${run.stderr}`);
  }
});
test('config check on a missing file says which file and what to do', () => {
  const run = llmwatch(['config', 'check', '/nonexistent/llmwatch.yaml']);
  assert.equal(run.code, 1);
  assert.match(run.stderr, /cannot read \/nonexistent\/llmwatch\.yaml/);
});

test('replay rejects a malformed trace with its line and exit code 2', () => {
  const dir = mkdtempSync(join(tmpdir(), 'llmwatch-cli-'));
  const file = join(dir, 'trace.csv');
  writeFileSync(file, 'TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:17:03.98,12,x\n');
  const run = llmwatch(['replay', file, '--target', 'http://127.0.0.1:9', '--model', 'm']);
  rmSync(dir, { recursive: true, force: true });
  assert.equal(run.code, 2);
  assert.match(run.stdout + run.stderr, /trace\.csv:2:\d+: GeneratedTokens must be an integer/);
});

test('unknown commands and bad flags are refused with usage help', () => {
  assert.equal(llmwatch(['frobnicate']).code, 1);
  const run = llmwatch(['demo', '--speedup', 'fast']);
  assert.equal(run.code, 1);
  assert.match(run.stderr, /expected a positive number, got "fast"/);
});

test('eval calibrate refuses bad options before running', () => {
  const base = ['eval', 'calibrate', '--dataset', 'x.csv', '--criterion', 'toxicity'];
  const rows = llmwatch([...base, '--rows', 'bogus']);
  assert.equal(rows.code, 1);
  assert.match(rows.stderr, /'bogus' is invalid\. Allowed choices are odd, even, all/);
  const threshold = llmwatch([...base, '--threshold', '5']);
  assert.match(threshold.stderr, /expected a number from 0 to 1, got "5"/);
  const out = llmwatch([...base, '--out', '/nonexistent-llmwatch/x.json']);
  assert.match(out.stderr, /folder "\/nonexistent-llmwatch" does not exist/);
});

test('grafana export reads relative alerting.ruleFiles globs from the config file folder', () => {
  // Run from the repository root: the globs must not be resolved against the current folder.
  const dir = mkdtempSync(join(tmpdir(), 'llmwatch-cli-'));
  try {
    mkdirSync(join(dir, 'rules'));
    writeFileSync(
      join(dir, 'rules', 'team.yml'),
      'groups:\n  - name: team\n    rules:\n      - alert: TeamRelativeRule\n' +
        '        expr: sum by (component) (llm_requests_waiting) > 10\n',
    );
    const config = join(dir, 'llmwatch.yaml');
    writeFileSync(config, 'alerting:\n  defaultRules: false\n  ruleFiles: ["rules/*.yml"]\n');
    const out = join(dir, 'out');
    const run = llmwatch(['grafana', 'export', '--out', out, '-c', config]);
    assert.equal(run.code, 0, run.stderr);
    const text = readFileSync(join(out, 'provisioning/alerting/rules.yaml'), 'utf8');
    assert.match(text, /title: TeamRelativeRule/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('grafana export converts the shipped rules and those of alerting.ruleFiles', () => {
  const dir = mkdtempSync(join(tmpdir(), 'llmwatch-cli-'));
  try {
    const rules = join(dir, 'team.yaml');
    writeFileSync(
      rules,
      'groups:\n  - name: team\n    rules:\n      - alert: TeamQueueLong\n' +
        '        expr: sum by (component) (llm_requests_waiting) > 10\n        for: 5m\n',
    );
    const config = join(dir, 'llmwatch.yaml');
    writeFileSync(config, `alerting:\n  ruleFiles: [${JSON.stringify(rules)}]\n`);
    const out = join(dir, 'out');
    const run = llmwatch(['grafana', 'export', '--out', out, '-c', config]);
    assert.equal(run.code, 0, run.stderr);
    const text = readFileSync(join(out, 'provisioning/alerting/rules.yaml'), 'utf8');
    assert.match(text, /title: TeamQueueLong/);
    assert.match(text, /title: LowSafetyScore/, 'the shipped rules are exported too');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
