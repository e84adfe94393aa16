import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, parseConfigText, substituteEnv } from './load.js';

test('an empty file is a valid configuration with laptop defaults', () => {
  const config = parseConfigText('');
  assert.equal(config.server.host, '127.0.0.1');
  assert.equal(config.server.port, 9400);
  assert.equal(config.store.path, './data/llmwatch.db');
  assert.deepEqual(config.components, []);
});

test('every problem is reported at once, each with its path', () => {
  const text = [
    'server: {port: "x"}',
    'components:',
    '  - name: "a b"',
    '    models: []',
    '    copies: [{name: c, url: "ftp://x"}]',
    '    bogus: 1',
  ].join('\n');
  assert.throws(
    () => parseConfigText(text, 'llmwatch.yaml'),
    (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.equal(err.code, 'config_invalid');
      const paths = err.problems.map((p) => p.path).sort();
      assert.deepEqual(paths, [
        'components.0',
        'components.0.copies.0.url',
        'components.0.models',
        'components.0.name',
        'server.port',
      ]);
      assert.match(err.message, /llmwatch\.yaml has 5 problem/);
      return true;
    },
  );
});

test('cross-field rules: duplicate names, models routed twice, timeout above interval', () => {
  const text = `
scrape: {intervalSeconds: 2, timeoutSeconds: 5}
components:
  - {name: a, models: [m1], copies: [{name: c0, url: "http://127.0.0.1:1"}, {name: c0, url: "http://127.0.0.1:2"}]}
  - {name: a, models: [m2], copies: [{name: c0, url: "http://127.0.0.1:3"}]}
  - {name: b, models: [m1], copies: [{name: c0, url: "http://127.0.0.1:4"}]}
`;
  assert.throws(
    () => parseConfigText(text),
    (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.deepEqual(
        err.problems.map((p) => p.path),
        [
          'components.0.copies.1.name',
          'components.1.name',
          'components.2.models.0',
          'scrape.timeoutSeconds',
        ],
      );
      return true;
    },
  );
});

test('${ENV} substitution with defaults; an unset variable is a problem with its line', () => {
  assert.equal(substituteEnv('a: ${X}\nb: ${Y:-7}', { X: 'secret' }).text, 'a: secret\nb: 7');
  const { problems } = substituteEnv('a: 1\nb: ${MISSING}', {});
  assert.deepEqual(
    problems.map((p) => p.path),
    ['line 2'],
  );
  const config = parseConfigText('server: {port: ${PORT}}', 'x', { PORT: '9999' });
  assert.equal(config.server.port, 9999);
});

test('malformed YAML is reported with its line', () => {
  assert.throws(() => parseConfigText('server:\n  port: [1,\n'), /line \d+: YAML/);
});

test('scrape target labels: invalid and reserved names are refused by name', () => {
  const text = `
scrape:
  targets:
    - url: "http://127.0.0.1:1/metrics?x=1"
      labels: {"bad label": y, __name__: evil, source: gateway, component: ok}
components:
  - {name: a, models: [m], copies: [{name: c, url: "http://127.0.0.1:2/v1?x=1"}]}
`;
  assert.throws(
    () => parseConfigText(text),
    (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.deepEqual(
        err.problems.map((p) => `${p.path}: ${p.message}`),
        [
          'scrape.targets.0.labels.bad label: label names use letters, digits and "_", not starting with a digit',
          'scrape.targets.0.labels.__name__: label "__name__" is reserved by llmwatch; choose another name',
          'scrape.targets.0.labels.source: label "source" is reserved by llmwatch; choose another name',
          'components.0.copies.0.url: must be an http(s) URL like "http://10.0.0.5:8000" without ?query or #fragment, got "http://127.0.0.1:2/v1?x=1"',
        ],
      );
      return true;
    },
  );
});

test('store.blockCacheProtectSeconds: default 60, refused past a day by its path', () => {
  assert.equal(parseConfigText('').store.blockCacheProtectSeconds, 60);
  assert.throws(
    () => parseConfigText('store: {blockCacheProtectSeconds: 1e20}'),
    (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.deepEqual(
        err.problems.map((p) => p.path),
        ['store.blockCacheProtectSeconds'],
      );
      return true;
    },
  );
});
