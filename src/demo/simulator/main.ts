/**
 * Standalone entry point: `node --import tsx src/demo/simulator/main.ts --port 8000
 * --model Qwen2.5-7B-Instruct --style v1 [--time-scale 1] [--seed 1] [--host 127.0.0.1]`.
 * Runs until SIGINT or SIGTERM.
 */
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { createLogger } from '../../core/log.js';
import { LlmwatchError } from '../../core/errors.js';
import { startSimulator, type Simulator, type SimulatorOptions } from './server.js';

/**
 * Parses simulator CLI arguments. Throws LlmwatchError `simulator_args` naming the bad flag
 * (unknown flag, non-numeric port/time scale/seed, style other than v1|v0).
 */
export function parseSimulatorArgs(argv: string[]): SimulatorOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        host: { type: 'string', default: '127.0.0.1' },
        port: { type: 'string', default: '8000' },
        model: { type: 'string', default: 'simulated-model' },
        style: { type: 'string', default: 'v1' },
        'time-scale': { type: 'string', default: '1' },
        seed: { type: 'string', default: '1' },
      },
    }));
  } catch (err) {
    throw new LlmwatchError('simulator_args', `simulator: ${(err as Error).message}`);
  }
  const number = (flag: string, text: string): number => {
    const value = Number(text);
    if (text.trim() === '' || !Number.isFinite(value)) {
      throw new LlmwatchError(
        'simulator_args',
        `simulator: --${flag} must be a number, got "${text}"`,
      );
    }
    return value;
  };
  if (values.style !== 'v1' && values.style !== 'v0') {
    throw new LlmwatchError(
      'simulator_args',
      `simulator: --style must be v1 or v0, got "${values.style}"`,
    );
  }
  return {
    host: values.host,
    port: number('port', values.port),
    modelName: values.model,
    metricsStyle: values.style,
    timeScale: number('time-scale', values['time-scale']),
    seed: number('seed', values.seed),
  };
}

/** Starts a simulator from CLI arguments and closes it on SIGINT/SIGTERM. */
export async function runSimulatorCli(argv: string[]): Promise<Simulator> {
  const logger = createLogger();
  const simulator = await startSimulator({ ...parseSimulatorArgs(argv), logger });
  const stop = (): void => {
    void simulator.close().then(() => logger.info({}, 'simulator stopped'));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return simulator;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runSimulatorCli(process.argv.slice(2)).catch((err: unknown) => {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exitCode = 1;
  });
}
