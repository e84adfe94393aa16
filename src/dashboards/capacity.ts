/**
 * The Cost and capacity dashboard: GPUs used and free, hosts, GPU compute and memory per
 * component, cost per hour, and tables pointing at idle GPUs and saturated components.
 */
import { COMPONENT_VARIABLE } from './overview.js';
import {
  COMPONENT,
  COST_EMPTY_HINT,
  ENGINE,
  ENGINE_EMPTY_HINT,
  GPU_EMPTY_HINT,
} from './queries.js';
import type { DashboardDefinition } from './types.js';

/** GPU utilisation below which an allocated GPU counts as idle, as a ratio. */
export const IDLE_GPU_RATIO = 0.1;
/** KV-cache use above which a component counts as saturated, as a ratio. */
export const SATURATED_KV_RATIO = 0.9;

/**
 * The Cost and capacity definition.
 * Limitation: the used, free and instance totals are cluster-wide and ignore the component filter.
 */
export const capacityDashboard: DashboardDefinition = {
  id: 'capacity',
  title: 'Cost and capacity',
  description: 'GPUs, hosts, utilisation and cost per component, with idle and saturation hints.',
  variables: [{ ...COMPONENT_VARIABLE }],
  defaultRange: '6h',
  emptyHint: GPU_EMPTY_HINT,
  panels: [
    {
      id: 'gpus',
      title: 'GPUs used and free',
      description: 'GPUs attributed to any component and GPUs attributed to none, on all hosts.',
      unit: 'GPUs',
      queries: [
        { refId: 'used', expr: 'sum(llm_gpus_used)', legend: 'used' },
        { refId: 'free', expr: 'sum(llm_gpus_free)', legend: 'free' },
      ],
      layout: { x: 0, y: 0, w: 12, h: 8 },
      yMin: 0,
    },
    {
      id: 'instances',
      title: 'Instances',
      description: 'GPU hosts seen, and the hosts each component has GPUs on.',
      unit: 'instances',
      queries: [
        { refId: 'all', expr: 'sum(llm_instances)', legend: 'all hosts' },
        {
          refId: 'component',
          expr: `sum by (component) (llm_instances_allocated{${COMPONENT}})`,
          legend: '{{component}}',
        },
      ],
      layout: { x: 12, y: 0, w: 12, h: 8 },
      yMin: 0,
    },
    {
      id: 'gpu-compute',
      title: 'GPU compute',
      description: "Busiest GPU's utilisation among each component's GPUs.",
      unit: '%',
      queries: [
        {
          refId: 'A',
          expr: `100 * max by (component) (llm_gpu_utilization_ratio{${COMPONENT}})`,
          legend: '{{component}}',
        },
      ],
      thresholds: {
        base: 'green',
        steps: [
          { value: 30, color: 'orange' },
          { value: 80, color: 'red' },
        ],
        style: 'line',
      },
      layout: { x: 0, y: 8, w: 12, h: 8 },
      yMin: 0,
      yMax: 100,
    },
    {
      id: 'gpu-memory',
      title: 'GPU memory',
      description: "GPU memory used as a share of the total on each component's GPUs.",
      unit: '%',
      queries: [
        {
          refId: 'A',
          expr: `100 * max by (component) (llm_gpu_memory_usage_ratio{${COMPONENT}})`,
          legend: '{{component}}',
        },
      ],
      thresholds: { base: 'green', steps: [{ value: 85, color: 'red' }], style: 'line' },
      layout: { x: 12, y: 8, w: 12, h: 8 },
      yMin: 0,
      yMax: 100,
    },
    {
      id: 'cost',
      title: 'Cost per hour',
      description: 'GPU allocation plus API token cost per component, US dollars per hour.',
      unit: '$/h',
      queries: [
        {
          refId: 'A',
          expr: `sum by (component) (llm_cost_dollars_per_hour{${COMPONENT}})`,
          legend: '{{component}}',
        },
      ],
      layout: { x: 0, y: 16, w: 12, h: 8 },
      emptyHint: COST_EMPTY_HINT,
      yMin: 0,
    },
    {
      id: 'gpus-allocated',
      title: 'GPUs per component',
      description: 'GPUs each component holds (a GPU shared by N components counts 1/N to each).',
      unit: 'GPUs',
      queries: [
        {
          refId: 'A',
          expr: `sum by (component) (llm_gpus_allocated{${COMPONENT}})`,
          legend: '{{component}}',
        },
      ],
      layout: { x: 12, y: 16, w: 12, h: 8 },
      yMin: 0,
    },
    {
      id: 'idle-gpus',
      type: 'table',
      title: 'Idle GPUs',
      description:
        `Components holding GPUs whose busiest GPU stayed under ${IDLE_GPU_RATIO * 100} % on ` +
        'average over the range: candidates for fewer copies.',
      unit: 'GPUs',
      rowLabel: 'component',
      layout: { x: 0, y: 24, w: 12, h: 7 },
      emptyHint: 'No idle GPUs: every component with GPUs used them in this range.',
      queries: [
        {
          refId: 'gpus',
          title: 'Idle GPUs held',
          unit: 'GPUs',
          expr:
            `avg_over_time(llm_gpus_allocated{${COMPONENT}}[$__range]) and on (component) ` +
            `(max by (component) (avg_over_time(llm_gpu_utilization_ratio{${COMPONENT}}[$__range])) < ${IDLE_GPU_RATIO})`,
          legend: '{{component}}',
          thresholds: { base: 'yellow', steps: [] },
        },
        {
          refId: 'cost',
          title: 'Cost',
          unit: '$/h',
          expr:
            `avg_over_time(llm_cost_dollars_per_hour{${COMPONENT}}[$__range]) and on (component) ` +
            `(max by (component) (avg_over_time(llm_gpu_utilization_ratio{${COMPONENT}}[$__range])) < ${IDLE_GPU_RATIO})`,
          legend: '{{component}}',
        },
      ],
    },
    {
      id: 'saturation',
      type: 'table',
      title: 'Saturation',
      description:
        'Components whose engines queued requests or filled their KV cache past ' +
        `${SATURATED_KV_RATIO * 100} % in the range: candidates for more copies.`,
      unit: 'requests',
      rowLabel: 'component',
      layout: { x: 12, y: 24, w: 12, h: 7 },
      emptyHint:
        'No saturation: no engine queued requests or filled its KV cache. ' + ENGINE_EMPTY_HINT,
      queries: [
        {
          refId: 'waiting',
          title: 'Peak waiting',
          unit: 'requests',
          expr: `max by (component) (max_over_time(llm_requests_waiting{${ENGINE}}[$__range])) > 0`,
          legend: '{{component}}',
          thresholds: { base: 'green', steps: [{ value: 1, color: 'orange' }] },
        },
        {
          refId: 'kv',
          title: 'Peak KV cache',
          unit: '%',
          expr:
            `100 * max by (component) (max_over_time(llm_kv_cache_usage_ratio{${ENGINE}}[$__range]))` +
            ` > ${SATURATED_KV_RATIO * 100}`,
          legend: '{{component}}',
          thresholds: { base: 'green', steps: [{ value: SATURATED_KV_RATIO * 100, color: 'red' }] },
        },
      ],
    },
  ],
};
