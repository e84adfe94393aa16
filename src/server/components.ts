/**
 * The component list the dashboards offer as a filter: configured gateway components plus any
 * `component` label attached to extra scrape targets.
 */
import type { Config } from '../config/schema.js';

/** One component as the UI sees it. */
export interface ComponentSummary {
  name: string;
  endpoint: string;
  models: string[];
  copies: string[];
}

/** Lists components from the configuration, sorted by name. */
export function listComponents(config: Config): ComponentSummary[] {
  const byName = new Map<string, ComponentSummary>();
  for (const component of config.components) {
    byName.set(component.name, {
      name: component.name,
      endpoint: component.endpoint,
      models: [...component.models],
      copies: component.copies.map((copy) => copy.name),
    });
  }
  for (const target of config.scrape.targets) {
    const name = target.labels.component;
    if (!name) continue;
    const entry = byName.get(name) ?? {
      name,
      endpoint: target.labels.endpoint ?? 'default',
      models: [],
      copies: [],
    };
    const copy = target.labels.copy;
    if (copy && !entry.copies.includes(copy)) entry.copies.push(copy);
    byName.set(name, entry);
  }
  return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
}
