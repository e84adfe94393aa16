/**
 * Runs a GPU tool (nvidia-smi) with a time limit. The child runs in its own process group so a
 * hung tool and anything it started are killed together (SIGKILL) when the limit passes.
 * Output beyond `maxOutputBytes` also kills it. Failures throw LlmwatchError with code
 * `agent_command_timeout`, `agent_command_failed` (non-zero exit or signal),
 * `agent_command_not_found` or `agent_command_output_too_large`; the message names the command.
 */
import { spawn } from 'node:child_process';
import { LlmwatchError } from '../core/errors.js';

/** Limits for one command run. */
export interface RunLimits {
  /** Wall-clock limit in ms. */
  timeoutMs: number;
  /** Largest stdout accepted, in bytes. Default 16 MiB. */
  maxOutputBytes?: number;
}

/** Runs `command args...` and resolves with its stdout (UTF-8). */
export function runCommand(command: string, args: string[], limits: RunLimits): Promise<string> {
  const shown = `${command} ${args.join(' ')}`;
  const maxBytes = limits.maxOutputBytes ?? 16 * 1024 * 1024;
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const out: Buffer[] = [];
    let outBytes = 0;
    let stderr = '';
    let failure: LlmwatchError | undefined;
    const killGroup = () => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    };
    const timer = setTimeout(() => {
      failure = new LlmwatchError(
        'agent_command_timeout',
        `${shown} did not finish within ${limits.timeoutMs} ms and was killed; check the GPU driver or raise agent.commandTimeoutSeconds`,
      );
      killGroup();
    }, limits.timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => {
      outBytes += chunk.length;
      if (outBytes > maxBytes && failure === undefined) {
        failure = new LlmwatchError(
          'agent_command_output_too_large',
          `${shown} printed more than ${maxBytes} bytes; killed`,
        );
        killGroup();
      } else out.push(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderr.length < 2000) stderr += chunk.toString('utf8');
    });
    child.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      const code = err.code === 'ENOENT' ? 'agent_command_not_found' : 'agent_command_failed';
      const hint =
        err.code === 'ENOENT' ? '; install the NVIDIA driver tools or set agent.nvidiaSmiPath' : '';
      reject(new LlmwatchError(code, `${shown} could not start (${err.message})${hint}`));
    });
    // 'exit', not 'close': a killed tool's grandchildren may hold the pipes open.
    child.on('exit', (status, signal) => {
      clearTimeout(timer);
      if (failure) return reject(failure);
      if (status !== 0) {
        const why = signal ? `was killed by ${signal}` : `exited with status ${String(status)}`;
        const detail = stderr.trim().split('\n')[0]?.slice(0, 300) ?? '';
        return reject(
          new LlmwatchError(
            'agent_command_failed',
            `${shown} ${why}${detail ? `: ${detail}` : ''}`,
          ),
        );
      }
      // 'exit' can precede the last 'data' event: wait for the end of stdout, or at most 1 s
      // when a leftover grandchild keeps the pipe open.
      const finish = () => {
        clearTimeout(grace);
        resolve(Buffer.concat(out).toString('utf8'));
      };
      const grace = setTimeout(finish, 1000);
      if (child.stdout.readableEnded) finish();
      else child.stdout.once('end', finish);
    });
  });
}
