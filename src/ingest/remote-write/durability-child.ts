/**
 * Helper process for durability.test.ts (not a test itself): serves the remote-write receiver on
 * 127.0.0.1 (ephemeral port) over the SQLite store at argv[2], prints its URL and waits to be
 * killed, exiting by itself after 20 s.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSilentLogger } from '../../core/log.js';
import { createSqliteStore } from '../../store/sqlite-store.js';
import { handleRemoteWrite } from './receiver.js';

const path = process.argv[2];
if (path === undefined) throw new Error('usage: durability-child.ts <db path>');
const store = createSqliteStore({ path });
const deps = { store, logger: createSilentLogger() };
const server = createServer((req, res) => void handleRemoteWrite(deps, req, res));
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`http://127.0.0.1:${port}/api/v1/write\n`);
});
setTimeout(() => process.exit(2), 20_000).unref();
await new Promise((resolve) => setTimeout(resolve, 20_000));
