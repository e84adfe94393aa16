/**
 * Finds files that ship with the project (traces, the tiny model), whether running from src/
 * under tsx or from the compiled dist/.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The folder holding llmwatch's package.json. Throws if it cannot be found. */
export function findProjectRoot(start = dirname(fileURLToPath(import.meta.url))): string {
  let dir = start;
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'test/fixtures'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) {
      throw new Error(
        `cannot find the llmwatch project folder above ${start}; run from a checkout`,
      );
    }
    dir = parent;
  }
}
