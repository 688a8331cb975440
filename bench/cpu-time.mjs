// CPU time of this process and of its descendants (the embedded PostgreSQL's server and backends),
// read from /proc, for benchmarks run on a shared machine where wall time depends on the load.
import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

function processTable() {
  const out = new Map();
  let entries = [];
  try {
    entries = readdirSync('/proc');
  } catch {
    return out; // not Linux: the descendants' time is unknown
  }
  for (const name of entries) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // rest[0] is field 3 (state): ppid is field 4, utime 14, stime 15, and cutime 16 and
      // cstime 17, the time of its children that have ended: a PostgreSQL backend whose
      // connection the pool closed mid-measurement still counts, through the postmaster.
      out.set(Number(name), {
        ppid: Number(rest[1]),
        ticks: Number(rest[11]) + Number(rest[12]) + Number(rest[13]) + Number(rest[14]),
      });
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** Ticks of CPU used so far by every live descendant of this process. */
function descendantTicks() {
  return treeTicks(process.pid, false);
}

/** Ticks of CPU used so far by process `root` (when `withRoot`) and its live descendants. */
function treeTicks(root, withRoot = true) {
  const table = processTable();
  const children = new Map();
  for (const [pid, p] of table) {
    const list = children.get(p.ppid) ?? [];
    list.push(pid);
    children.set(p.ppid, list);
  }
  let ticks = 0;
  const stack = withRoot ? [root] : [...(children.get(root) ?? [])];
  while (stack.length > 0) {
    const pid = stack.pop();
    ticks += table.get(pid)?.ticks ?? 0;
    stack.push(...(children.get(pid) ?? []));
  }
  return ticks;
}

/** A point to measure CPU time from. */
export function cpuMark() {
  return { own: process.cpuUsage(), children: descendantTicks() };
}

/** CPU seconds since `mark`: this process's (user + system) and its descendants' (the database server). */
export function cpuSince(mark) {
  const own = process.cpuUsage(mark.own);
  return {
    ownS: (own.user + own.system) / 1e6,
    childrenS: Math.max(0, descendantTicks() - mark.children) / TICKS_PER_SECOND,
  };
}

/** '5.5 s CPU (+ 2.1 s database server)'. */
export function cpuText(cpu) {
  return `${cpu.ownS.toFixed(1)} s CPU${cpu.childrenS > 0.05 ? ` (+ ${cpu.childrenS.toFixed(1)} s PostgreSQL)` : ''}`;
}

/**
 * A point to measure a server child's CPU from, and the rest of this process's descendants
 * (the embedded PostgreSQL's server and backends) apart from it.
 */
export function serverCpuMark(serverPid) {
  return { server: treeTicks(serverPid), all: descendantTicks() };
}

/** CPU seconds since `mark`: the server child's, and every other descendant's (PostgreSQL). */
export function serverCpuSince(mark, serverPid) {
  const server = Math.max(0, treeTicks(serverPid) - mark.server);
  const all = Math.max(0, descendantTicks() - mark.all);
  return { serverS: server / TICKS_PER_SECOND, databaseS: Math.max(0, all - server) / TICKS_PER_SECOND };
}
