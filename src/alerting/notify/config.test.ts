import assert from 'node:assert/strict';
import { test } from 'node:test';
import { notifyConfigSchema } from './config.js';
import { formatMatcher, matchesAll, parseMatcher } from './matchers.js';
import { groupKeyOf, groupLabelsOf, matchRoutes, resolveRoutes } from './routing.js';

test('matchers: text form parses, formats and matches whole values', () => {
  const table: [string, Record<string, string>, boolean][] = [
    ['component="chat"', { component: 'chat' }, true],
    ['component="chat"', { component: 'chatty' }, false],
    ['component!="chat"', {}, true],
    ['severity=~"critical|page"', { severity: 'page' }, true],
    ['severity=~"crit"', { severity: 'critical' }, false],
    ['severity!~"info|debug"', { severity: 'info' }, false],
    ['copy=a', { copy: 'a' }, true],
    ['team=""', {}, true],
  ];
  for (const [text, labels, want] of table) {
    assert.equal(matchesAll([parseMatcher(text)], labels), want, text);
  }
  assert.equal(formatMatcher(parseMatcher(' sev !~ "a\\"b" ')), 'sev!~"a\\"b"');
  assert.throws(() => parseMatcher('component'), /is not like name="value"/);
  assert.throws(() => parseMatcher('x=~"("'), { code: 'matcher_invalid' });
});

test('schema: Alertmanager timing defaults, inherited by child routes', () => {
  const cfg = notifyConfigSchema.parse({
    route: {
      receiver: 'all',
      routes: [{ matchers: ['component="chat"'], receiver: 'chat', groupWaitSeconds: 5 }],
    },
    receivers: [{ name: 'all' }, { name: 'chat' }],
  });
  const root = resolveRoutes(cfg.route!);
  assert.deepEqual(
    [root.groupWaitMs, root.groupIntervalMs, root.repeatIntervalMs, root.groupBy],
    [30_000, 300_000, 14_400_000, ['alertname', 'component']],
  );
  const [chat] = matchRoutes(root, { alertname: 'X', component: 'chat' });
  assert.deepEqual(
    [chat?.id, chat?.receiver, chat?.groupWaitMs, chat?.groupIntervalMs],
    ['{}/0{component="chat"}', 'chat', 5000, 300_000],
  );
  const labels = { alertname: 'X', component: 'chat', copy: 'a' };
  assert.equal(
    groupKeyOf(chat!, groupLabelsOf(chat!, labels)),
    '{}/0{component="chat"}:{alertname="X", component="chat"}',
  );
  assert.deepEqual(matchRoutes(root, { component: 'search' }), [root]);
  assert.deepEqual(notifyConfigSchema.parse({}).receivers, []);
});

test('schema: unknown receivers, duplicates and bad matchers are all reported', () => {
  const result = notifyConfigSchema.safeParse({
    route: { receiver: 'nobody', routes: [{ matchers: ['component'], receiver: 'ghost' }] },
    receivers: [{ name: 'a' }, { name: 'a' }],
  });
  assert.equal(result.success, false);
  const messages = result.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  assert.deepEqual(messages, [
    'route.routes.0.matchers.0: matcher "component" is not like name="value", name!="value", name=~"regex" or name!~"regex"',
  ]);
  const second = notifyConfigSchema.safeParse({
    route: { receiver: 'nobody', routes: [{ receiver: 'ghost' }] },
    receivers: [{ name: 'a' }, { name: 'a' }],
  });
  assert.deepEqual(
    second.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`),
    [
      'receivers.1.name: receiver name "a" is used twice; names must be unique',
      'route.receiver: route receiver "nobody" is not defined; add it under receivers or fix the name',
      'route.routes.0.receiver: route receiver "ghost" is not defined; add it under receivers or fix the name',
    ],
  );
});
