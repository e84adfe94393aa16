/**
 * Reads the host's process table from /proc (Linux): each process's parent and, when asked, its
 * command line. Used to find the processes of each copy (a PID, a PID file or a command-line
 * pattern, plus all their descendants). Processes that exit while being read are skipped.
 *
 * Limitation: Linux only; elsewhere the table is empty and only configured GPU lists attribute.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** One process: its parent PID and its command line (arguments joined by spaces; "" if unread). */
export interface ProcessInfo {
  pid: number;
  ppid: number;
  cmdline: string;
}

/** Reads every process under `procRoot` (default "/proc"). Never throws. */
export function readProcessTable(
  options: { procRoot?: string; withCmdline?: boolean } = {},
): Map<number, ProcessInfo> {
  const root = options.procRoot ?? '/proc';
  const table = new Map<number, ProcessInfo>();
  let entries: string[];
  try {
    entries = readdirSync(root);
  } catch {
    return table;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    try {
      const stat = readFileSync(join(root, entry, 'stat'), 'utf8');
      // The command name sits in parentheses and may itself contain ") "; fields follow the last ")".
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ppid = Number(fields[1]);
      const cmdline = options.withCmdline
        ? readFileSync(join(root, entry, 'cmdline'), 'utf8')
            .split('\0')
            .join(' ')
            .trim()
        : '';
      table.set(pid, { pid, ppid: Number.isInteger(ppid) ? ppid : 0, cmdline });
    } catch {
      // exited meanwhile, or not readable: skip
    }
  }
  return table;
}

/** The given PIDs plus all their descendants that are in `table`. */
export function processTree(
  roots: Iterable<number>,
  table: ReadonlyMap<number, ProcessInfo>,
): Set<number> {
  const children = new Map<number, number[]>();
  for (const info of table.values()) {
    const list = children.get(info.ppid);
    if (list) list.push(info.pid);
    else children.set(info.ppid, [info.pid]);
  }
  const tree = new Set<number>();
  const queue = [...roots];
  while (queue.length > 0) {
    const pid = queue.pop() as number;
    if (tree.has(pid)) continue;
    tree.add(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return tree;
}
