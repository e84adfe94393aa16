/**
 * The `llmwatch` command line. Commands are thin: they parse flags and call the parts.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { createLogger } from '../core/log.js';
import { isLlmwatchError } from '../core/errors.js';
import { loadConfigFile, validateConfig } from '../config/load.js';
import { startLlmwatch } from '../server/app.js';
import { runDemo } from '../demo/run.js';
import { runReplayCommand } from '../demo/replay/command.js';
import { runAgentCommand } from '../agent/command.js';
import { expandGlobs, ruleFilePatterns, runRulesCheck, runRulesTest } from '../alerting/index.js';
import { runCalibrateCommand, runEvalFileCommand } from '../quality/calibrate/index.js';
import { runGrafanaExport } from '../grafana/export.js';
import { BUILTIN_DASHBOARDS } from '../dashboards/builtins.js';
import { loadUserDashboards } from '../dashboards/user.js';
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Config } from '../config/schema.js';

function positiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0)
    throw new InvalidArgumentError(`expected a positive number, got "${value}"`);
  return n;
}

function unitInterval(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || n > 1) {
    throw new InvalidArgumentError(`expected a number from 0 to 1, got "${value}"`);
  }
  return n;
}

/** An output path whose folder exists, checked before a long run rather than after it. */
function writableFile(value: string): string {
  const folder = dirname(value);
  if (!existsSync(folder)) {
    throw new InvalidArgumentError(
      `folder "${folder}" does not exist; create it or choose another`,
    );
  }
  return value;
}

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    throw new InvalidArgumentError(`expected a port 0-65535, got "${value}"`);
  }
  return n;
}

/** Stops `stop` on SIGINT/SIGTERM and exits. */
function stopOnSignals(stop: () => Promise<void>): void {
  const handler = () => {
    stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', handler);
  process.once('SIGTERM', handler);
}

const program = new Command();
program
  .name('llmwatch')
  .description('Observability for LLMs in production: quantity and quality per model deployment');

program
  .command('serve')
  .description('run the server: gateway, scraper, store, query API and dashboards')
  .option('-c, --config <file>', 'configuration file (YAML)', 'llmwatch.yaml')
  .action(async (opts: { config: string }) => {
    const config = loadConfigFile(opts.config);
    const logger = createLogger(config.log.level);
    const server = await startLlmwatch(config, logger, { configDir: dirname(opts.config) });
    process.on('SIGHUP', () => {
      const result = server.alerting.reload();
      logger.info({ ok: result.ok, problems: result.problems.length }, 'rules reloaded');
    });
    stopOnSignals(() => server.close());
  });

const configCommand = program.command('config').description('work with configuration files');
configCommand
  .command('check <file>')
  .description('validate a configuration file without starting anything')
  .action((file: string) => {
    const config = loadConfigFile(file);
    process.stdout.write(
      `${file}: valid (${config.components.length} component(s), ` +
        `${config.scrape.targets.length} extra scrape target(s))\n`,
    );
  });

program
  .command('demo')
  .description('start local model servers and llmwatch, replay the real Azure traces, keep serving')
  .option('-p, --port <port>', 'llmwatch server port', port, 9400)
  .option(
    '-s, --speedup <factor>',
    'replay speed-up (60 = an hour in a minute)',
    positiveNumber,
    30,
  )
  .option('-n, --limit <count>', 'replay only the first N requests of each trace', positiveNumber)
  .option('--store <file>', 'SQLite file for the demo', './data/demo/llmwatch.db')
  .option('--no-llama', 'do not run the copy on the real tiny model')
  .option('--exit', 'exit after the replay instead of serving the dashboard')
  .action(
    async (opts: {
      port: number;
      speedup: number;
      limit?: number;
      store: string;
      llama: boolean;
      exit?: boolean;
    }) => {
      const logger = createLogger(process.env.LLMWATCH_LOG_LEVEL ?? 'warn');
      const run = await runDemo(
        {
          port: opts.port,
          speedup: opts.speedup,
          limit: opts.limit,
          storePath: opts.store,
          withLlama: opts.llama,
          keepServing: !opts.exit,
        },
        logger,
      );
      if (opts.exit) await run.stop();
      else stopOnSignals(() => run.stop());
    },
  );

program
  .command('agent')
  .description('run on a GPU host: read nvidia-smi or DCGM, attribute GPUs, push to the server')
  .option('-c, --config <file>', 'configuration file with an `agent:` section', 'llmwatch.yaml')
  .action(async (opts: { config: string }) => {
    await runAgentCommand(opts.config);
  });

const rules = program.command('rules').description('alert rules as code');
rules
  .command('check <files...>')
  .description('validate rule files (globs allowed); every error with its file, group and rule')
  .action((files: string[]) => {
    process.exitCode = runRulesCheck(files);
  });
rules
  .command('test <files...>')
  .description('run rule unit tests: input series, evaluation times and expected alerts')
  .action(async (files: string[]) => {
    process.exitCode = await runRulesTest(files);
  });

/** Reads the config when the file exists; commands that can run without one get defaults. */
function optionalConfig(path: string): Config {
  return existsSync(path) ? loadConfigFile(path) : loadConfigFromDefaults();
}

function loadConfigFromDefaults(): Config {
  return validateConfig({});
}

const evalCommand = program.command('eval').description('measure and run quality evaluators');
evalCommand
  .command('calibrate')
  .description('agreement of an evaluator with a human-labelled dataset')
  .requiredOption('--dataset <file>', 'labelled dataset (CSV or JSONL)')
  .requiredOption('--criterion <name>', 'criterion, e.g. toxicity, safety, tone, relevance')
  .addOption(
    new Option('--evaluator <kind>', 'which evaluator')
      .choices(['deterministic', 'judge'])
      .default('deterministic'),
  )
  .addOption(
    new Option('--rows <which>', 'which rows').choices(['odd', 'even', 'all']).default('odd'),
  )
  .option('--out <file>', 'write the report as JSON', writableFile)
  .option('--limit <count>', 'use at most N rows', positiveNumber)
  .option('--threshold <x>', 'score (0..1) below which an item counts as bad', unitInterval)
  .option('-c, --config <file>', 'configuration with quality.judge', 'llmwatch.yaml')
  .action(
    async (opts: {
      dataset: string;
      criterion: string;
      evaluator: 'deterministic' | 'judge';
      rows: 'odd' | 'even' | 'all';
      out?: string;
      limit?: number;
      threshold?: number;
      config: string;
    }) => {
      const judgeConfig = optionalConfig(opts.config).quality.judge;
      process.exitCode = await runCalibrateCommand({ ...opts, judgeConfig });
    },
  );
evalCommand
  .command('run <file>')
  .description('score a JSONL file of {request, response} offline')
  .option('--out <file>', 'write result lines here instead of stdout', writableFile)
  .option('-c, --config <file>', 'configuration with quality.judge', 'llmwatch.yaml')
  .action(async (file: string, opts: { out?: string; config: string }) => {
    const judgeConfig = optionalConfig(opts.config).quality.judge;
    process.exitCode = await runEvalFileCommand(file, { judgeConfig, out: opts.out });
  });

const grafana = program.command('grafana').description('Grafana integration');
grafana
  .command('export')
  .description('write dashboards, alert rules, contact points and a data source for Grafana')
  .requiredOption('--out <dir>', 'output folder')
  .option('--prometheus-url <url>', 'data source URL (default: llmwatch itself)')
  .option('--webhook-url <url>', 'URL for the exported webhook contact point')
  .option('-c, --config <file>', 'configuration file', 'llmwatch.yaml')
  .action((opts: { out: string; prometheusUrl?: string; webhookUrl?: string; config: string }) => {
    const config = optionalConfig(opts.config);
    const dashboards = [
      ...BUILTIN_DASHBOARDS,
      ...loadUserDashboards(config.dashboards, dirname(opts.config)),
    ];
    const result = runGrafanaExport({
      outDir: opts.out,
      config,
      prometheusUrl: opts.prometheusUrl,
      webhookUrl: opts.webhookUrl,
      dashboards,
      // Relative rule globs are relative to the config file, as for `serve`.
      ruleFiles: expandGlobs(ruleFilePatterns(config.alerting), dirname(opts.config)),
    });
    for (const file of result.files) process.stdout.write(`wrote ${file}\n`);
    for (const skipped of result.skipped) process.stdout.write(`skipped ${skipped}\n`);
    for (const adjusted of result.adjusted) process.stdout.write(`adjusted ${adjusted}\n`);
  });

program
  .command('replay <file>')
  .description('replay an Azure LLM inference trace (CSV) against an OpenAI-compatible gateway')
  .requiredOption('-t, --target <url>', 'gateway base URL, e.g. http://127.0.0.1:9400')
  .requiredOption('-m, --model <name>', 'model name to send')
  .option('-s, --speedup <factor>', 'replay speed-up', positiveNumber, 1)
  .option('-n, --limit <count>', 'replay only the first N requests', positiveNumber)
  .option('--stream-fraction <f>', 'share of requests that stream (0..1)', Number, 0.5)
  .option('--json', 'print the final report as JSON')
  .action(
    async (
      file: string,
      opts: {
        target: string;
        model: string;
        speedup: number;
        limit?: number;
        streamFraction: number;
        json?: boolean;
      },
    ) => {
      process.exitCode = await runReplayCommand({ file, ...opts }, process.stdout);
    },
  );

program.parseAsync(process.argv).catch((err: unknown) => {
  if (isLlmwatchError(err)) {
    process.stderr.write(`llmwatch: ${err.message}\n`);
  } else {
    process.stderr.write(`llmwatch: unexpected error: ${(err as Error).stack ?? String(err)}\n`);
  }
  process.exit(1);
});
