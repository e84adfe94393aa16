/**
 * Starts a real Prometheus Alertmanager (Debian's `prometheus-alertmanager` package, 0.25) for
 * end-to-end tests: loopback only, an ephemeral port, a throwaway storage directory, clustering
 * off (`--cluster.listen-address=` empty), and a configuration that routes every alert to one
 * webhook receiver with short timers, so a test sees grouped deliveries within seconds.
 *
 * Limitation: the port Alertmanager picked is read from /proc (Linux only), because it does not
 * print the port it bound when told to listen on port 0.
 */
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LlmwatchError } from '../../src/core/errors.js';
import { startServerProcess } from './server-process.js';

/** Where Debian's `prometheus-alertmanager` package installs the server. */
export const DEFAULT_ALERTMANAGER_BINARY = '/usr/bin/prometheus-alertmanager';

/** Options of `startAlertmanager`. */
export interface StartAlertmanagerOptions {
  /** Where the webhook receiver "hook" posts (a local recording server). */
  webhookUrl: string;
  /** Route `group_by`; default ["alertname", "component"]. */
  groupBy?: string[];
  /** Alertmanager durations; defaults 1s, 1s, 1h. */
  groupWait?: string;
  groupInterval?: string;
  repeatInterval?: string;
  /** `--web.external-url`; default "http://alertmanager.test". */
  externalUrl?: string;
  /** Binary; default /usr/bin/prometheus-alertmanager. Missing → "alertmanager_missing". */
  binaryPath?: string;
  /** How long to wait for /-/ready, ms; default 30000. */
  readyTimeoutMs?: number;
}

/** A running Alertmanager started by `startAlertmanager`. */
export interface AlertmanagerServer {
  /** Base URL, e.g. "http://127.0.0.1:41234". */
  url: string;
  /** The last lines it logged, for failure messages. */
  logTail(): string;
  /** Stops it (SIGTERM, then SIGKILL after 10 s) and removes its directory. */
  close(): Promise<void>;
}

function configYaml(opts: StartAlertmanagerOptions): string {
  return [
    'route:',
    '  receiver: hook',
    `  group_by: ${JSON.stringify(opts.groupBy ?? ['alertname', 'component'])}`,
    `  group_wait: ${opts.groupWait ?? '1s'}`,
    `  group_interval: ${opts.groupInterval ?? '1s'}`,
    `  repeat_interval: ${opts.repeatInterval ?? '1h'}`,
    'receivers:',
    '  - name: hook',
    '    webhook_configs:',
    `      - url: ${JSON.stringify(opts.webhookUrl)}`,
    '        send_resolved: true',
    '',
  ].join('\n');
}

/**
 * Starts Alertmanager and waits for /-/ready. Throws LlmwatchError "alertmanager_missing" when
 * the binary is absent (install Debian's prometheus-alertmanager package) and
 * "alertmanager_start_failed" (with its log tail) when it exits or is not ready in time.
 */
export async function startAlertmanager(
  opts: StartAlertmanagerOptions,
): Promise<AlertmanagerServer> {
  const binaryPath = opts.binaryPath ?? DEFAULT_ALERTMANAGER_BINARY;
  const readyTimeoutMs = opts.readyTimeoutMs ?? 30_000;
  if (!existsSync(binaryPath)) {
    throw new LlmwatchError(
      'alertmanager_missing',
      `test: Alertmanager binary ${binaryPath} not found; install Debian's prometheus-alertmanager ` +
        'package (apt-get install prometheus-alertmanager, version 0.25) so the Alertmanager tests can run',
    );
  }
  const dir = mkdtempSync(join(tmpdir(), 'llmwatch-alertmanager-'));
  const configPath = join(dir, 'alertmanager.yml');
  writeFileSync(configPath, configYaml(opts));
  const server = await startServerProcess({
    name: 'Alertmanager',
    code: 'alertmanager',
    binaryPath,
    dir,
    readyPath: '/-/ready',
    readyTimeoutMs,
    args: [
      `--config.file=${configPath}`,
      `--storage.path=${join(dir, 'data')}`,
      '--web.listen-address=127.0.0.1:0',
      `--web.external-url=${opts.externalUrl ?? 'http://alertmanager.test'}`,
      '--cluster.listen-address=',
      '--log.level=warn',
    ],
  });
  return { url: server.url, logTail: server.logTail, close: server.close };
}
