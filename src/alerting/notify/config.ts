/**
 * Configuration fragment of the notification pipeline, for the lead to mount in the main schema
 * as `alerting.notify` (or `notify`). Shaped like Alertmanager's configuration in llmwatch's
 * camelCase with units in names: a routing tree, receivers with their integrations, inhibition
 * rules, and Alertmanager instances to push alerts to. An empty object is valid: nothing is
 * routed and nothing is pushed.
 */
import { z } from 'zod';
import { parseMatcher, type Matcher } from './matchers.js';

/** A matcher in text form (`component="chat"`, `severity=~"critical|page"`), parsed at load. */
const matcherText = z.string().transform((text, ctx): Matcher => {
  try {
    return parseMatcher(text);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message });
    return z.NEVER;
  }
});

const httpUrl = z.string().refine(
  (value) => {
    try {
      const url = new URL(value);
      return url.protocol === 'http:' || url.protocol === 'https:';
    } catch {
      return false;
    }
  },
  { error: (issue) => `must be an http(s) URL, got ${JSON.stringify(issue.input)}` },
);

/** Fields every integration has. */
const integrationBase = {
  /** Send a notice when the group's alerts resolve. Default true (also for Slack and e-mail). */
  sendResolved: z.boolean().default(true),
  /** Timeout of one delivery attempt, seconds. Default 10. */
  timeoutSeconds: z.number().positive().default(10),
};

/** Generic webhook: the Alertmanager webhook payload, version "4". */
export const webhookConfigSchema = z.strictObject({
  url: httpUrl,
  /** Most alerts per message; the rest are counted in `truncatedAlerts`. 0 = all. Default 0. */
  maxAlerts: z.number().int().min(0).default(0),
  ...integrationBase,
});

/** Slack incoming webhook. */
export const slackConfigSchema = z.strictObject({
  /** The incoming-webhook URL (it fixes the channel). */
  url: httpUrl,
  ...integrationBase,
});

/** PagerDuty Events API v2. */
export const pagerdutyConfigSchema = z.strictObject({
  /** The 32-character integration key. */
  routingKey: z.string().min(1),
  /** Events endpoint. Default https://events.pagerduty.com/v2/enqueue. */
  url: httpUrl.default('https://events.pagerduty.com/v2/enqueue'),
  /** `payload.source`. Default "llmwatch". */
  source: z.string().min(1).default('llmwatch'),
  /** Severity when the alerts carry no valid `severity` label. Default "error". */
  severity: z.enum(['critical', 'error', 'warning', 'info']).default('error'),
  ...integrationBase,
});

/** Amazon SNS Publish (credentials from the keys below or the AWS default chain). */
export const snsConfigSchema = z.strictObject({
  /** Topic ARN, e.g. "arn:aws:sns:eu-west-1:123456789012:llm-alerts". */
  topicArn: z.string().regex(/^arn:[^:]+:sns:[^:]+:\d+:.+$/, 'must be an SNS topic ARN'),
  /** AWS region, e.g. "eu-west-1". */
  region: z.string().min(1),
  /** Endpoint override (tests, VPC endpoints). Default: the region's public endpoint. */
  endpoint: httpUrl.optional(),
  /** Static credentials; both or neither. Default: the AWS SDK's credential chain. */
  accessKeyId: z.string().min(1).optional(),
  secretAccessKey: z.string().min(1).optional(),
  ...integrationBase,
});

/** E-mail over SMTP. */
export const emailConfigSchema = z.strictObject({
  /** Recipients. At least one. */
  to: z.array(z.string().min(3)).min(1),
  /** Sender address. */
  from: z.string().min(3),
  /** SMTP server host and port. Default port 25. */
  host: z.string().min(1),
  port: z.number().int().min(1).max(65535).default(25),
  /** Implicit TLS (port 465). Default false. */
  secure: z.boolean().default(false),
  /** Refuse to send without STARTTLS. Default true; set false only for a local relay. */
  requireTls: z.boolean().default(true),
  username: z.string().optional(),
  password: z.string().optional(),
  ...integrationBase,
});

/** A named receiver: any number of integrations, all notified for each group routed to it. */
export const receiverConfigSchema = z.strictObject({
  name: z.string().min(1),
  webhook: z.array(webhookConfigSchema).default([]),
  slack: z.array(slackConfigSchema).default([]),
  pagerduty: z.array(pagerdutyConfigSchema).default([]),
  sns: z.array(snsConfigSchema).default([]),
  email: z.array(emailConfigSchema).default([]),
});

/** Route fields; unset ones are inherited from the parent route. */
const routeFields = {
  /** Alerts match when every matcher holds. Default: none (match all). */
  matchers: z.array(matcherText).default([]),
  /** Receiver name. */
  receiver: z.string().min(1).optional(),
  /** Labels that split alerts into groups; ["..."] groups by all labels. */
  groupBy: z.array(z.string().min(1)).optional(),
  /** Wait before a new group's first notification, seconds (Alertmanager: 30). */
  groupWaitSeconds: z.number().min(0).optional(),
  /** Wait before notifying a changed group again, seconds (Alertmanager: 300). */
  groupIntervalSeconds: z.number().positive().optional(),
  /** Re-send an unchanged firing group after this long, seconds (Alertmanager: 14400). */
  repeatIntervalSeconds: z.number().positive().optional(),
  /** Keep matching later sibling routes after this one matched. Default false. */
  continue: z.boolean().default(false),
};

/** A parsed child route of the routing tree (unset fields inherit from the parent). */
export interface ChildRouteConfig {
  matchers: Matcher[];
  receiver?: string | undefined;
  groupBy?: string[] | undefined;
  groupWaitSeconds?: number | undefined;
  groupIntervalSeconds?: number | undefined;
  repeatIntervalSeconds?: number | undefined;
  continue: boolean;
  routes: ChildRouteConfig[];
}

/** A child route as written in YAML. */
export interface ChildRouteInput {
  matchers?: string[] | undefined;
  receiver?: string | undefined;
  groupBy?: string[] | undefined;
  groupWaitSeconds?: number | undefined;
  groupIntervalSeconds?: number | undefined;
  repeatIntervalSeconds?: number | undefined;
  continue?: boolean | undefined;
  routes?: ChildRouteInput[] | undefined;
}

/** A child route of the routing tree. */
export const childRouteSchema: z.ZodType<ChildRouteConfig, ChildRouteInput> = z.lazy(() =>
  z.strictObject({ ...routeFields, routes: z.array(childRouteSchema).default([]) }),
);

/** The root route: matches every alert; sets the defaults its children inherit. */
export const rootRouteSchema = z.strictObject({
  receiver: z.string().min(1),
  groupBy: z.array(z.string().min(1)).default(['alertname', 'component']),
  groupWaitSeconds: z.number().min(0).default(30),
  groupIntervalSeconds: z.number().positive().default(300),
  repeatIntervalSeconds: z.number().positive().default(14_400),
  routes: z.array(childRouteSchema).default([]),
});

/** Mutes target alerts while a firing source alert has the same values of the `equal` labels. */
export const inhibitRuleSchema = z.strictObject({
  sourceMatchers: z.array(matcherText).min(1),
  targetMatchers: z.array(matcherText).min(1),
  equal: z.array(z.string().min(1)).default([]),
});

/** A Prometheus Alertmanager that receives every alert (POST /api/v2/alerts), like Prometheus. */
export const alertmanagerTargetSchema = z.strictObject({
  /** Base URL, e.g. "http://alertmanager:9093". */
  url: httpUrl,
  /** Re-send unchanged alerts after this long, seconds. Default 60 (Prometheus's resend delay). */
  resendDelaySeconds: z.number().positive().default(60),
  timeoutSeconds: z.number().positive().default(10),
});

/** The notification configuration fragment. */
export const notifyConfigSchema = z
  .strictObject({
    /** llmwatch's own URL as users reach it, for links in notices. Default "". */
    externalUrl: z.string().default(''),
    /** The routing tree. Absent: no notifications (Alertmanager pushes still happen). */
    route: rootRouteSchema.optional(),
    receivers: z.array(receiverConfigSchema).default([]),
    inhibitRules: z.array(inhibitRuleSchema).default([]),
    alertmanagers: z.array(alertmanagerTargetSchema).default([]),
  })
  .superRefine((cfg, ctx) => {
    const names = new Set<string>();
    cfg.receivers.forEach((r, i) => {
      if (names.has(r.name)) {
        ctx.addIssue({
          code: 'custom',
          path: ['receivers', i, 'name'],
          message: `receiver name ${JSON.stringify(r.name)} is used twice; names must be unique`,
        });
      }
      names.add(r.name);
    });
    const check = (receiver: string | undefined, path: (string | number)[]): void => {
      if (receiver !== undefined && !names.has(receiver)) {
        ctx.addIssue({
          code: 'custom',
          path: [...path, 'receiver'],
          message: `route receiver ${JSON.stringify(receiver)} is not defined; add it under receivers or fix the name`,
        });
      }
    };
    const walk = (routes: ChildRouteConfig[], path: (string | number)[]): void =>
      routes.forEach((r, i) => {
        check(r.receiver, [...path, i]);
        walk(r.routes, [...path, i, 'routes']);
      });
    if (cfg.route) {
      check(cfg.route.receiver, ['route']);
      walk(cfg.route.routes, ['route', 'routes']);
    }
  });

/** The parsed notification configuration. */
export type NotifyConfig = z.infer<typeof notifyConfigSchema>;
/** One parsed receiver. */
export type ReceiverConfig = z.infer<typeof receiverConfigSchema>;
/** One parsed inhibition rule. */
export type InhibitRuleConfig = z.infer<typeof inhibitRuleSchema>;
