/**
 * HTTP handler for the dashboard web UI: the page, its static assets (plain browser ES modules,
 * no build step), uPlot from node_modules, and dashboard definitions as JSON.
 */
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LlmwatchError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import { BUILTIN_DASHBOARDS } from './builtins.js';
import type { DashboardDefinition } from './types.js';

/** Options of createDashboardHandler. */
export interface DashboardHandlerOptions {
  logger: Logger;
  /**
   * Dashboards served under /api/llmwatch/dashboards/<id> and shown at /d/<id>, in navigation
   * order. Default: the built-ins (BUILTIN_DASHBOARDS); add user dashboards after them.
   */
  dashboards?: readonly DashboardDefinition[];
  /** Id of the dashboard "/" shows. Default "quantity" (the first dashboard when absent). */
  home?: string;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json; charset=utf-8',
};

/** Asset names: one path segment, letters, digits, dot, dash, underscore; no leading dot. */
const ASSET_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*(\.[A-Za-z0-9]+)+$/;

const PAGE_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
  "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/**
 * Finds the package root (the nearest folder above `startDir` holding package.json).
 * Throws LlmwatchError "dashboards_package_root" when none is found up to the file system root.
 */
export function findPackageRoot(startDir: string): string {
  let dir = resolve(startDir);
  for (let depth = 0; depth < 64; depth++) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new LlmwatchError(
    'dashboards_package_root',
    `dashboards: no package.json found above ${startDir}; run llmwatch from its installed package`,
  );
}

/**
 * Locates the web UI folder. From the source tree (tsx) it sits beside this file; after `tsc`
 * into dist/ it is `src/dashboards/web` under the package root. Throws LlmwatchError
 * "dashboards_assets_missing" when neither holds index.html.
 */
export function findWebDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [join(here, 'web'), join(findPackageRoot(here), 'src', 'dashboards', 'web')];
  for (const dir of candidates) {
    if (existsSync(join(dir, 'index.html'))) return dir;
  }
  throw new LlmwatchError(
    'dashboards_assets_missing',
    `dashboards: web UI files not found in ${candidates.join(' or ')}; ` +
      'reinstall llmwatch with its src/dashboards/web folder',
  );
}

/** Absolute paths of the uPlot files the page loads, resolved through Node's module lookup. */
function findUplotFiles(): Record<string, string> {
  const require = createRequire(import.meta.url);
  return {
    'uPlot.esm.js': require.resolve('uplot/dist/uPlot.esm.js'),
    'uPlot.min.css': require.resolve('uplot/dist/uPlot.min.css'),
  };
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  });
  res.end(JSON.stringify(body));
}

function sendNotFound(res: ServerResponse, what: string): void {
  sendJson(res, 404, { status: 'error', error: `not found: ${what}` });
}

/**
 * Creates the dashboard request handler. It returns true when it handled the request (the page
 * at "/" and "/d/<id>", "/assets/*", "/api/llmwatch/dashboards[/<id>]", including their 404 and 405
 * answers) and false for any other path, which the caller then routes or answers with 404.
 * Throws LlmwatchError at creation when the web UI files cannot be found.
 */
export function createDashboardHandler(
  opts: DashboardHandlerOptions,
): (req: IncomingMessage, res: ServerResponse) => boolean {
  const { logger } = opts;
  const dashboards = opts.dashboards ?? BUILTIN_DASHBOARDS;
  const homeId = dashboards.some((d) => d.id === (opts.home ?? 'quantity'))
    ? (opts.home ?? 'quantity')
    : (dashboards[0]?.id ?? 'quantity');
  const webDir = findWebDir();
  const uplotFiles = findUplotFiles();
  const dashboardJson = new Map(dashboards.map((d) => [d.id, JSON.stringify(d)]));
  // Limitation: the page is read once here, so edits to index.html need a restart (assets do not).
  const indexHtml = readFileSync(join(webDir, 'index.html'));

  /** Streams one file; a read failure is a 404 when missing, else a 500 and an error log. */
  function sendFile(req: IncomingMessage, res: ServerResponse, path: string, cache: string): void {
    const type = CONTENT_TYPES[extname(path)];
    if (type === undefined) return sendNotFound(res, req.url ?? '');
    readFile(path).then(
      (body) => {
        res.writeHead(200, {
          'content-type': type,
          'content-length': body.length,
          'cache-control': cache,
          'x-content-type-options': 'nosniff',
        });
        res.end(req.method === 'HEAD' ? undefined : body);
      },
      (err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT' || err.code === 'EISDIR') return sendNotFound(res, req.url ?? '');
        logger.error({ err, path }, 'dashboard asset read failed');
        sendJson(res, 500, { status: 'error', error: 'dashboard asset could not be read' });
      },
    );
  }

  function serveAsset(req: IncomingMessage, res: ServerResponse, rawName: string): void {
    let name: string;
    try {
      name = decodeURIComponent(rawName);
    } catch {
      return sendNotFound(res, rawName);
    }
    const uplot = uplotFiles[name];
    if (uplot !== undefined) return sendFile(req, res, uplot, 'public, max-age=86400');
    // One plain file name only: no separators, no "..", no hidden files.
    if (!ASSET_NAME.test(name)) return sendNotFound(res, rawName);
    const path = resolve(webDir, name);
    if (!path.startsWith(webDir + sep)) return sendNotFound(res, rawName);
    sendFile(req, res, path, 'no-cache');
  }

  return (req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const pageId = /^\/d\/([a-z0-9][a-z0-9-]*)\/?$/.exec(path)?.[1];
    const isPage = path === '/' || path === '/index.html' || pageId !== undefined;
    const isAsset = path.startsWith('/assets/');
    const isApi =
      path === '/api/llmwatch/dashboards' || path.startsWith('/api/llmwatch/dashboards/');
    if (!isPage && !isAsset && !isApi) return false;

    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'application/json; charset=utf-8' });
      res.end(
        JSON.stringify({ status: 'error', error: `method ${req.method} not allowed on ${path}` }),
      );
      return true;
    }

    if (isPage) {
      if (pageId !== undefined && !dashboardJson.has(pageId)) {
        sendNotFound(res, `dashboard ${JSON.stringify(pageId)}`);
        return true;
      }
      res.writeHead(200, {
        'content-type': CONTENT_TYPES['.html'],
        'cache-control': 'no-cache',
        'content-security-policy': PAGE_CSP,
        'x-content-type-options': 'nosniff',
      });
      res.end(req.method === 'HEAD' ? undefined : indexHtml);
    } else if (isAsset) {
      serveAsset(req, res, path.slice('/assets/'.length));
    } else if (path === '/api/llmwatch/dashboards') {
      sendJson(res, 200, {
        home: homeId,
        dashboards: dashboards.map((d) => ({ id: d.id, title: d.title })),
      });
    } else {
      const id = path.slice('/api/llmwatch/dashboards/'.length);
      const json = dashboardJson.get(id);
      if (json === undefined) sendNotFound(res, `dashboard ${JSON.stringify(id)}`);
      else {
        res.writeHead(200, {
          'content-type': CONTENT_TYPES['.json'],
          'cache-control': 'no-cache',
          'x-content-type-options': 'nosniff',
        });
        res.end(req.method === 'HEAD' ? undefined : json);
      }
    }
    return true;
  };
}
