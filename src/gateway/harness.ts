/**
 * Starts a gateway behind a plain HTTP server on 127.0.0.1 (port 0), the way the main server
 * mounts it, for tests and the benchmark.
 */
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Sample } from '../store/types.js';
import { configSchema } from '../config/schema.js';
import { createSilentLogger } from '../core/log.js';
import { createMetricRegistry, type MetricRegistry } from '../ingest/registry.js';
import { createGateway, type Gateway, type GatewayOptions } from './gateway.js';

/** A gateway listening on loopback. */
export interface GatewayServer {
  url: string;
  gateway: Gateway;
  registry: MetricRegistry;
  close(): Promise<void>;
}

/**
 * Starts a gateway for `rawConfig` (validated with the config schema, so defaults apply).
 * `nowMs` is passed to the gateway as its request clock; `extra` adds gateway options (capture).
 */
export async function startGatewayServer(
  rawConfig: unknown,
  nowMs?: () => number,
  extra: Pick<GatewayOptions, 'capture'> = {},
): Promise<GatewayServer> {
  const config = configSchema.parse(rawConfig);
  const registry = createMetricRegistry();
  const gateway = createGateway({
    config,
    registry,
    logger: createSilentLogger(),
    nowMs,
    ...extra,
  });
  const server = createServer((req, res) => {
    if (req.url?.startsWith('/v1/')) gateway.handle(req, res);
    else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    gateway,
    registry,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await gateway.close();
    },
  };
}

/** A reply read to its end: status, headers and the raw body text. */
export interface RawReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** Sends one request with node:http (a fresh connection) and reads the whole reply. */
export function sendRaw(
  baseUrl: string,
  method: string,
  path: string,
  body?: string | Buffer,
  headers: Record<string, string> = {},
): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    const req = request(`${baseUrl}${path}`, { method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Latest value of the series with exactly `labels` (besides __name__); undefined if absent. */
export function valueOf(
  samples: Sample[],
  name: string,
  labels: Record<string, string>,
): number | undefined {
  const found = samples.filter(
    (s) =>
      s.labels.__name__ === name &&
      Object.keys(s.labels).length === Object.keys(labels).length + 1 &&
      Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
  return found.at(-1)?.value;
}
