/**
 * Routing tables: model name to component, and the choice of a copy by least outstanding
 * requests (ties broken round robin).
 */
import { Pool } from 'undici';
import type { Config } from '../config/schema.js';
import type { GaugeSeries } from '../ingest/registry.js';
import type { GatewayFamilies, ModelSeries } from './metrics.js';

/** One copy with its connection pool and live load. */
export interface CopyRoute {
  name: string;
  /** Upstream path prefix from the copy URL ("" for "http://host:8000"). */
  basePath: string;
  pool: Pool;
  /** Requests sent to this copy whose upstream exchange has not finished. */
  outstanding: number;
  /** Requests in flight above which other copies are preferred (Infinity: no limit). */
  maxOutstanding: number;
  outstandingGauge: GaugeSeries;
  /** Series handles per requested model, created on the first request. */
  seriesByModel: Map<string, ModelSeries>;
}

/** One component: its copies and the round-robin cursor. */
export interface ComponentRoute {
  name: string;
  endpoint: string;
  copies: CopyRoute[];
  cursor: number;
}

/** Builds the model table. Later components lose a model name already claimed by an earlier one. */
export function buildRoutes(
  config: Config,
  families: GatewayFamilies,
): { byModel: Map<string, ComponentRoute>; components: ComponentRoute[] } {
  const byModel = new Map<string, ComponentRoute>();
  const components: ComponentRoute[] = [];
  const pool = config.gateway;
  for (const component of config.components) {
    const route: ComponentRoute = {
      name: component.name,
      endpoint: component.endpoint,
      cursor: 0,
      copies: component.copies.map((copy) => {
        const url = new URL(copy.url);
        const gauge = families.outstanding.series({ component: component.name, copy: copy.name });
        gauge.set(0);
        return {
          name: copy.name,
          basePath: url.pathname.replace(/\/+$/, ''),
          pool: new Pool(url.origin, {
            headersTimeout: pool.upstreamHeadersTimeoutSeconds * 1000,
            bodyTimeout: pool.upstreamBodyTimeoutSeconds * 1000,
            keepAliveTimeout: 30_000,
          }),
          outstanding: 0,
          maxOutstanding: copy.maxOutstanding ?? Infinity,
          outstandingGauge: gauge,
          seriesByModel: new Map(),
        };
      }),
    };
    components.push(route);
    for (const model of component.models) if (!byModel.has(model)) byModel.set(model, route);
  }
  return { byModel, components };
}

/**
 * Picks the copy with the fewest outstanding requests among those below their `maxOutstanding`;
 * when every copy is at its limit, the one with the fewest anyway (requests are never refused
 * here). Among equals, the scan starts at a cursor that advances on every pick, so idle copies
 * take turns.
 */
export function pickCopy(component: ComponentRoute): CopyRoute {
  const copies = component.copies;
  const n = copies.length;
  const start = component.cursor % n;
  component.cursor = (start + 1) % n;
  let best = copies[start] as CopyRoute;
  for (let k = 1; k < n; k++) {
    const candidate = copies[(start + k) % n] as CopyRoute;
    if (isLessLoaded(candidate, best)) best = candidate;
  }
  return best;
}

function isLessLoaded(a: CopyRoute, b: CopyRoute): boolean {
  const aFull = a.outstanding >= a.maxOutstanding;
  const bFull = b.outstanding >= b.maxOutstanding;
  if (aFull !== bFull) return bFull;
  return a.outstanding < b.outstanding;
}
