/** The built-in dashboards, in navigation order. */
import { capacityDashboard } from './capacity.js';
import { compareDashboard } from './compare.js';
import { alertsDashboard, samplesDashboard } from './lists.js';
import { overviewDashboard } from './overview.js';
import { qualityDashboard } from './quality.js';
import { quantityDashboard } from './quantity.js';
import type { DashboardDefinition } from './types.js';

/** Every built-in dashboard, in the order the navigation shows them. */
export const BUILTIN_DASHBOARDS: readonly DashboardDefinition[] = [
  overviewDashboard,
  quantityDashboard,
  compareDashboard,
  capacityDashboard,
  qualityDashboard,
  samplesDashboard,
  alertsDashboard,
];
