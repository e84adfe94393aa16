/**
 * The routing tree: which route (and so which receiver, grouping and timing) each alert goes
 * to, and the stable group key of an alert on a route. Semantics follow Alertmanager: the root
 * matches everything; an alert descends into the first child that matches and stops there,
 * unless that child sets `continue`, in which case later siblings are tried too; when no child
 * matches, the parent route itself takes the alert.
 */
import type { Labels } from '../../store/types.js';
import type { ChildRouteConfig, NotifyConfig } from './config.js';
import { formatMatcher, matchesAll, type Matcher } from './matchers.js';

/** A route with every inherited field filled in; timings in milliseconds. */
export interface ResolvedRoute {
  /** Stable id from the route's position and matchers, e.g. `{}/0{component="chat"}`. */
  id: string;
  matchers: Matcher[];
  receiver: string;
  /** Labels that form the group; `["..."]` means all labels. */
  groupBy: string[];
  groupWaitMs: number;
  groupIntervalMs: number;
  repeatIntervalMs: number;
  continue: boolean;
  routes: ResolvedRoute[];
}

type Root = NonNullable<NotifyConfig['route']>;

function resolveChild(route: ChildRouteConfig, parent: ResolvedRoute, index: number) {
  const resolved: ResolvedRoute = {
    id: `${parent.id}/${index}{${route.matchers.map(formatMatcher).join(',')}}`,
    matchers: route.matchers,
    receiver: route.receiver ?? parent.receiver,
    groupBy: route.groupBy ?? parent.groupBy,
    groupWaitMs: (route.groupWaitSeconds ?? parent.groupWaitMs / 1000) * 1000,
    groupIntervalMs: (route.groupIntervalSeconds ?? parent.groupIntervalMs / 1000) * 1000,
    repeatIntervalMs: (route.repeatIntervalSeconds ?? parent.repeatIntervalMs / 1000) * 1000,
    continue: route.continue,
    routes: [],
  };
  resolved.routes = route.routes.map((child, i) => resolveChild(child, resolved, i));
  return resolved;
}

/** Builds the resolved tree from the parsed root route. */
export function resolveRoutes(root: Root): ResolvedRoute {
  const resolved: ResolvedRoute = {
    id: '{}',
    matchers: [],
    receiver: root.receiver,
    groupBy: root.groupBy,
    groupWaitMs: root.groupWaitSeconds * 1000,
    groupIntervalMs: root.groupIntervalSeconds * 1000,
    repeatIntervalMs: root.repeatIntervalSeconds * 1000,
    continue: false,
    routes: [],
  };
  resolved.routes = root.routes.map((child, i) => resolveChild(child, resolved, i));
  return resolved;
}

/** The routes that take an alert with `labels` (at least the root when it matches). */
export function matchRoutes(route: ResolvedRoute, labels: Labels): ResolvedRoute[] {
  if (!matchesAll(route.matchers, labels)) return [];
  const taken: ResolvedRoute[] = [];
  for (const child of route.routes) {
    const hits = matchRoutes(child, labels);
    if (hits.length === 0) continue;
    taken.push(...hits);
    if (!child.continue) break;
  }
  return taken.length > 0 ? taken : [route];
}

/** The labels that identify an alert's group on `route`. */
export function groupLabelsOf(route: ResolvedRoute, labels: Labels): Labels {
  if (route.groupBy.includes('...')) return { ...labels };
  const out: Labels = {};
  for (const name of route.groupBy) {
    const value = labels[name];
    if (value !== undefined && value !== '') out[name] = value;
  }
  return out;
}

/** Labels as `{a="1", b="2"}`, sorted by name: the stable text used in group keys. */
export function formatLabels(labels: Labels): string {
  const parts = Object.keys(labels)
    .sort()
    .map((name) => `${name}=${JSON.stringify(labels[name])}`);
  return `{${parts.join(', ')}}`;
}

/** The group key, stable across restarts while the route tree is unchanged. */
export function groupKeyOf(route: ResolvedRoute, groupLabels: Labels): string {
  return `${route.id}:${formatLabels(groupLabels)}`;
}
