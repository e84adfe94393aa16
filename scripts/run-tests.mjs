// Runs every check: formatting, lint, type check, then all tests with Node's test runner.
// `--only-node-tests` skips the static checks; extra arguments narrow the test files.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const args = process.argv.slice(2);
const onlyTests = args.includes('--only-node-tests');
const filters = args.filter((a) => !a.startsWith('--'));

function run(cmd, cmdArgs) {
  console.log(`\n$ ${cmd} ${cmdArgs.join(' ')}`);
  const result = spawnSync(cmd, cmdArgs, { stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`check failed: ${cmd} ${cmdArgs.join(' ')} exited with ${result.status}`);
    process.exit(result.status ?? 1);
  }
}

function findTests(dir) {
  const found = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found.push(...findTests(path));
    else if (name.endsWith('.test.ts')) found.push(path);
  }
  return found;
}

if (!onlyTests) {
  run('npx', ['prettier', '--check', '.']);
  run('npx', ['eslint', '.']);
  run('npx', ['tsc', '-p', 'tsconfig.json', '--noEmit']);
}

let files = [...findTests('src'), ...findTests('test')].sort();
if (filters.length > 0) files = files.filter((f) => filters.some((x) => f.includes(x)));
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}
run('node', ['--import', 'tsx', '--test', '--test-concurrency=2', ...files]);
