import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createSilentLogger } from '../core/log.js';
import { quantityDashboard } from './quantity.js';
import { createDashboardHandler, findPackageRoot, findWebDir } from './serve.js';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** Sends a raw request path (no normalisation, so "../" reaches the server as written). */
function send(port: number, method: string, path: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, timeout: 5000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
    });
    req.on('timeout', () => req.destroy(new Error(`timeout on ${path}`)));
    req.on('error', reject);
    req.end();
  });
}

describe('createDashboardHandler', () => {
  let server: Server;
  let port = 0;

  before(async () => {
    const handle = createDashboardHandler({ logger: createSilentLogger() });
    server = createServer((req, res) => {
      if (handle(req, res)) return;
      res.writeHead(418, { 'content-type': 'text/plain' });
      res.end('not mine');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  after(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('serves the page with HTML type, no-cache and a CSP', async () => {
    const reply = await send(port, 'GET', '/?range=6h');
    assert.equal(reply.status, 200);
    assert.equal(reply.headers['content-type'], 'text/html; charset=utf-8');
    assert.equal(reply.headers['cache-control'], 'no-cache');
    assert.match(String(reply.headers['content-security-policy']), /script-src 'self'/);
    assert.equal(reply.body, readFileSync(`${findWebDir()}/index.html`, 'utf8'));
  });

  it('serves its own assets with JS and CSS types', async () => {
    const js = await send(port, 'GET', '/assets/app.js');
    assert.equal(js.status, 200);
    assert.equal(js.headers['content-type'], 'text/javascript; charset=utf-8');
    assert.equal(js.headers['cache-control'], 'no-cache');
    assert.equal(js.headers['x-content-type-options'], 'nosniff');
    assert.equal(js.body, readFileSync(`${findWebDir()}/app.js`, 'utf8'));

    const css = await send(port, 'GET', '/assets/style.css');
    assert.equal(css.status, 200);
    assert.equal(css.headers['content-type'], 'text/css; charset=utf-8');
  });

  it('serves uPlot from node_modules with a long cache', async () => {
    const root = findPackageRoot(process.cwd());
    const js = await send(port, 'GET', '/assets/uPlot.esm.js');
    assert.equal(js.status, 200);
    assert.equal(js.headers['content-type'], 'text/javascript; charset=utf-8');
    assert.equal(js.headers['cache-control'], 'public, max-age=86400');
    assert.equal(js.body, readFileSync(`${root}/node_modules/uplot/dist/uPlot.esm.js`, 'utf8'));

    const css = await send(port, 'GET', '/assets/uPlot.min.css');
    assert.equal(css.status, 200);
    assert.equal(css.headers['content-type'], 'text/css; charset=utf-8');
  });

  it('answers HEAD with headers and no body', async () => {
    const reply = await send(port, 'HEAD', '/assets/app.js');
    assert.equal(reply.status, 200);
    assert.equal(reply.body, '');
    assert.equal(
      Number(reply.headers['content-length']),
      readFileSync(`${findWebDir()}/app.js`).length,
    );
  });

  it('serves the Quantity definition as JSON', async () => {
    const reply = await send(port, 'GET', '/api/llmwatch/dashboards/quantity');
    assert.equal(reply.status, 200);
    assert.equal(reply.headers['content-type'], 'application/json; charset=utf-8');
    assert.deepEqual(JSON.parse(reply.body), quantityDashboard);

    const list = await send(port, 'GET', '/api/llmwatch/dashboards');
    assert.deepEqual(JSON.parse(list.body), {
      home: 'quantity',
      dashboards: [
        { id: 'overview', title: 'Overview' },
        { id: 'quantity', title: 'Quantity' },
        { id: 'compare', title: 'Compare models' },
        { id: 'capacity', title: 'Cost and capacity' },
        { id: 'quality', title: 'Quality' },
        { id: 'samples', title: 'Samples' },
        { id: 'alerts', title: 'Alerts' },
      ],
    });
    const page = await send(port, 'GET', '/d/compare');
    assert.equal(page.status, 200);
    assert.equal(page.headers['content-type'], 'text/html; charset=utf-8');
    assert.equal((await send(port, 'GET', '/d/nope')).status, 404);
  });

  it('answers 404 for unknown dashboards and assets', async () => {
    const dashboard = await send(port, 'GET', '/api/llmwatch/dashboards/nope');
    assert.equal(dashboard.status, 404);
    assert.deepEqual(JSON.parse(dashboard.body), {
      status: 'error',
      error: 'not found: dashboard "nope"',
    });
    assert.equal((await send(port, 'GET', '/assets/missing.js')).status, 404);
    assert.equal((await send(port, 'GET', '/assets/')).status, 404);
    // A name with a type the handler does not serve.
    assert.equal((await send(port, 'GET', '/assets/app.ts')).status, 404);
  });

  it('refuses path traversal in every spelling', async () => {
    const attempts = [
      '/assets/../serve.ts',
      '/assets/../../../package.json',
      '/assets/%2e%2e/serve.ts',
      '/assets/%2e%2e%2fserve.ts',
      '/assets/..%2f..%2fpackage.json',
      '/assets/..%5cserve.ts',
      '/assets/%2fetc%2fpasswd',
      '/assets/.hidden.js',
      '/assets/app.js%00.css',
      '/assets/%E0%A4%A',
    ];
    for (const path of attempts) {
      const reply = await send(port, 'GET', path);
      // URL parsing turns "/assets/../x" (and "%2e%2e") into "/x": not the handler's path.
      const normalised = new URL(path, 'http://localhost').pathname;
      const expected = normalised.startsWith('/assets/') ? 404 : 418;
      assert.equal(reply.status, expected, `${path} answered ${reply.status}`);
      assert.doesNotMatch(reply.body, /createDashboardHandler|"name": "llmwatch"|root:/);
    }
  });

  it('answers 405 to other methods on its paths and passes other paths on', async () => {
    const post = await send(port, 'POST', '/assets/app.js');
    assert.equal(post.status, 405);
    assert.equal(post.headers.allow, 'GET, HEAD');
    assert.equal((await send(port, 'GET', '/api/v1/query_range')).status, 418);
    assert.equal((await send(port, 'GET', '/assetsx/app.js')).status, 418);
  });
});
