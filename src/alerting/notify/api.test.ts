import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { answerSilencesRequest, createSilencesHandler } from './api.js';
import { openNotifyDatabase } from './db.js';
import { createSilenceStore } from './silences.js';

const T0 = Date.UTC(2024, 4, 1, 12, 0, 0);

function store(clock = { now: T0 }) {
  return { silences: createSilenceStore(openNotifyDatabase(':memory:'), () => clock.now), clock };
}

const valid = {
  matchers: [{ name: 'component', value: 'chat' }],
  endsAt: '2024-05-01T14:00:00Z',
  createdBy: 'ana',
  comment: 'model upgrade',
};

test('POST, GET and DELETE over HTTP', async () => {
  const { silences, clock } = store();
  const handle = createSilencesHandler(silences);
  const server = createServer((req, res) => {
    void handle(req, res).then((handled) => {
      if (!handled) res.writeHead(404).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/llmwatch/silences`;
  try {
    const created = await fetch(base, { method: 'POST', body: JSON.stringify(valid) });
    assert.equal(created.status, 201);
    const { silence } = (await created.json()) as { silence: { id: string } };
    assert.deepEqual(silence, {
      id: silence.id,
      matchers: [{ name: 'component', value: 'chat', isRegex: false, isEqual: true }],
      startsAt: T0,
      endsAt: T0 + 2 * 3600_000,
      createdBy: 'ana',
      comment: 'model upgrade',
      updatedAt: T0,
      state: 'active',
    });

    const listed = (await (await fetch(base)).json()) as { silences: { id: string }[] };
    assert.deepEqual(
      listed.silences.map((s) => s.id),
      [silence.id],
    );

    clock.now = T0 + 60_000;
    const deleted = await fetch(`${base}/${silence.id}`, { method: 'DELETE' });
    assert.equal(deleted.status, 200);
    const after = (await deleted.json()) as { silence: { state: string; endsAt: number } };
    assert.deepEqual([after.silence.state, after.silence.endsAt], ['expired', T0 + 60_000]);

    const missing = await fetch(`${base}/nope`, { method: 'DELETE' });
    assert.equal(missing.status, 404);
    assert.deepEqual(await missing.json(), {
      status: 'error',
      code: 'silence_not_found',
      error: 'silence "nope" does not exist; list them with GET /api/llmwatch/silences',
    });
    const other = await fetch('http://' + new URL(base).host + '/api/llmwatch/other');
    assert.equal(other.status, 404);
  } finally {
    server.close();
  }
});

test('bad silences are refused with the field and the fix', () => {
  const { silences } = store();
  const post = (body: unknown) =>
    answerSilencesRequest(silences, 'POST', '/api/llmwatch/silences', JSON.stringify(body));
  const cases: [unknown, string][] = [
    [{ ...valid, matchers: [] }, 'silence: matchers: give at least one matcher'],
    [
      { ...valid, matchers: [{ name: '1x', value: 'a' }] },
      'silence: matchers.0.name: must be a label name like "component"',
    ],
    [
      { ...valid, matchers: [{ name: 'copy', value: '(', isRegex: true }] },
      'silence: matcher regex "(" is invalid',
    ],
    [
      { ...valid, matchers: [{ name: 'copy', value: '.*', isRegex: true }] },
      'silence: every matcher also matches an absent label',
    ],
    [{ ...valid, endsAt: 'tomorrow' }, 'silence: endsAt: must be an RFC 3339 time'],
    [
      { ...valid, endsAt: T0 - 1000, startsAt: T0 - 5000 },
      'silence: endsAt (1714564799000) is in the past',
    ],
    [
      { ...valid, startsAt: T0 + 10_000, endsAt: T0 + 5000 },
      'silence: endsAt (1714564805000) must be after startsAt',
    ],
    [{ ...valid, createdBy: ' ' }, 'silence: createdBy: say who creates the silence'],
    [{ ...valid, extra: 1 }, 'silence: body: Unrecognized key: "extra"'],
  ];
  for (const [body, message] of cases) {
    const answer = post(body);
    assert.equal(answer?.status, 400, message);
    const got = answer?.body as { code: string; error: string };
    assert.equal(got.code, 'silence_invalid');
    assert.ok(got.error.startsWith(message), `${got.error} should start with ${message}`);
  }
  const notJson = answerSilencesRequest(silences, 'POST', '/api/llmwatch/silences', '{');
  assert.equal(notJson?.status, 400);
  assert.equal(answerSilencesRequest(silences, 'PUT', '/api/llmwatch/silences', '')?.status, 405);
  assert.equal(silences.list().length, 0);
});

test('silences persist, match by regex and state follows the clock', () => {
  const file = openNotifyDatabase(':memory:');
  const clock = { now: T0 };
  const s1 = createSilenceStore(file, () => clock.now);
  const created = s1.create({
    matchers: [
      { name: 'component', value: 'chat|search', isRegex: true },
      { name: 'severity', value: 'critical', isEqual: false },
    ],
    startsAt: T0 + 60_000,
    endsAt: T0 + 120_000,
    createdBy: 'ana',
    comment: 'deploy',
  });
  assert.equal(created.state, 'pending');
  const labels = { component: 'search', severity: 'warning' };
  assert.deepEqual(s1.silencedBy(labels), []);
  clock.now = T0 + 60_000;
  const s2 = createSilenceStore(file, () => clock.now);
  assert.deepEqual(s2.silencedBy(labels), [created.id]);
  assert.deepEqual(s2.silencedBy({ component: 'search', severity: 'critical' }), []);
  assert.deepEqual(s2.silencedBy({ component: 'chatty', severity: 'warning' }), []);
  clock.now = T0 + 120_000;
  assert.equal(s2.get(created.id)?.state, 'expired');
  assert.deepEqual(s2.silencedBy(labels), []);
});
