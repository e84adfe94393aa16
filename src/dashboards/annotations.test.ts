import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { createAnnotationStore, createAnnotationsHandler } from './annotations.js';

describe('annotations', () => {
  it('keeps time order and capacity, and filters by window and component', () => {
    const store = createAnnotationStore(3);
    for (const time of [30, 10, 20, 40])
      store.add({
        time,
        text: `t${time}`,
        kind: 'deploy',
        ...(time === 20 ? { component: 'a' } : {}),
      });
    assert.deepEqual(
      store.list(0, 100).map((a) => a.time),
      [20, 30, 40],
    );
    assert.deepEqual(
      store.list(25, 35).map((a) => a.time),
      [30],
    );
    assert.deepEqual(
      store.list(0, 100, 'b').map((a) => a.time),
      [30, 40],
    );
  });

  it('serves GET and POST with clear 4xx answers', async () => {
    const handler = createAnnotationsHandler(createAnnotationStore(), () => 1_000_000);
    const server = createServer((req, res) => {
      void handler(req, res).then((handled) => {
        if (!handled) res.writeHead(418).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/llmwatch/annotations`;
    try {
      const post = (body: string) => fetch(base, { method: 'POST', body });
      const created = await post('{"text":"deployed v2","component":"a"}');
      assert.equal(created.status, 201);
      assert.deepEqual(await created.json(), {
        time: 1_000_000,
        text: 'deployed v2',
        kind: 'deploy',
        component: 'a',
      });
      assert.equal((await post('{"text":"cfg","kind":"config","time":500000}')).status, 201);
      const bad = await post('{"text":""}');
      assert.equal(bad.status, 400);
      assert.match(((await bad.json()) as { error: string }).error, /^text: /);
      assert.equal((await post('nope')).status, 400);
      const list = await fetch(`${base}?start=400000&end=1000000`);
      assert.deepEqual(
        ((await list.json()) as { annotations: { text: string }[] }).annotations.map((a) => a.text),
        ['cfg', 'deployed v2'],
      );
      assert.equal((await fetch(`${base}?start=9&end=1`)).status, 400);
      assert.equal((await fetch(base, { method: 'DELETE' })).status, 405);
      assert.equal((await fetch(`${base}x`)).status, 418);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});
