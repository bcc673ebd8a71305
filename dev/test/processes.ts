import { readFileSync, readdirSync } from 'node:fs';
import { setTimeout as wait } from 'node:timers/promises';

// When the runner is interrupted, node:test aborts its files but leaves their processes running, and with
// them each file's test server and workers. The runner stops the whole tree below it instead.

/** Parent of each process, from /proc; empty where there is no /proc. */
function parents(): Map<number, number> {
  const byPid = new Map<number, number>();
  let entries: string[];
  try {
    entries = readdirSync('/proc').filter((e) => /^\d+$/.test(e));
  } catch {
    return byPid;
  }
  for (const entry of entries) {
    try {
      // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so read after the last ')'.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      byPid.set(Number(entry), ppid);
    } catch {
      // gone meanwhile
    }
  }
  return byPid;
}

/** Every process below `root`, at the moment of the call. */
export function descendants(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const [pid, ppid] of parents()) children.set(ppid, [...(children.get(ppid) ?? []), pid]);
  const found: number[] = [];
  for (let queue = [...(children.get(root) ?? [])]; queue.length > 0;) {
    const pid = queue.shift()!;
    found.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return found;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * SIGTERM to every process below `root` (taken all at once: a killed parent's children would move to init
 * and out of reach), then SIGKILL to those still there after `graceMs`. Returns how many it signalled.
 */
export async function stopDescendants(root = process.pid, graceMs = 5_000): Promise<number> {
  const tree = descendants(root);
  const signal = (pid: number, s: NodeJS.Signals) => {
    try {
      process.kill(pid, s);
    } catch {
      // gone meanwhile
    }
  };
  tree.forEach((pid) => signal(pid, 'SIGTERM'));
  for (const deadline = Date.now() + graceMs; tree.some(alive) && Date.now() < deadline;) await wait(100);
  tree.filter(alive).forEach((pid) => signal(pid, 'SIGKILL'));
  return tree.length;
}
