// CPU time of the processes of the local stack, read from /proc/<pid>/stat (Linux): user + system time of the
// process and all its threads; for PostgreSQL, of the postmaster and its backends, those that ended included
// (the postmaster reaps them, so their time moves into its cutime/cstime).
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

const TICK_MS = 1000 / (Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100);

interface ProcStat {
  pid: number;
  comm: string;
  ppid: number;
  pgrp: number;
  /** utime + stime, ms. */
  ownMs: number;
  /** cutime + cstime (children waited for), ms. */
  childrenMs: number;
}

function readStat(pid: number): ProcStat | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null; // gone
  }
  // The command name is in parentheses and may hold spaces: the fields are counted after its closing one.
  const close = text.lastIndexOf(')');
  const fields = text.slice(close + 2).split(' ');
  const n = (i: number) => Number(fields[i - 3]);
  return { pid, comm: text.slice(text.indexOf('(') + 1, close), ppid: n(4), pgrp: n(5), ownMs: (n(14) + n(15)) * TICK_MS, childrenMs: (n(16) + n(17)) * TICK_MS };
}

function everyProcess(): ProcStat[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map((name) => readStat(Number(name)))
    .filter((s): s is ProcStat => s !== null);
}

/** A CPU clock of some processes: read() is their CPU time so far, ms. */
export interface CpuClock {
  name: string;
  read(): number;
}

/** The workerd process `wrangler dev` (the leader of its process group) runs. */
export function workerdClock(name: string, wranglerPid: number): CpuClock {
  const workerd = everyProcess().find((s) => s.pgrp === wranglerPid && s.comm.startsWith('workerd'));
  if (!workerd) throw new Error(`no workerd process in the group of wrangler ${wranglerPid}`);
  return { name, read: () => readStat(workerd.pid)?.ownMs ?? Number.NaN };
}

export function processClock(name: string, pid: number): CpuClock {
  return { name, read: () => readStat(pid)?.ownMs ?? Number.NaN };
}

/** This process: the two stand-ins (and the bench's own bookkeeping between runs). */
export function selfClock(name: string): CpuClock {
  return {
    name,
    read: () => {
      const { user, system } = process.cpuUsage();
      return (user + system) / 1000;
    },
  };
}

/** A PostgreSQL server: its postmaster (postmaster.pid's first line) and every backend, live or ended. */
export function postgresClock(name: string, dataDir: string): CpuClock {
  const postmaster = Number(readFileSync(`${dataDir}/postmaster.pid`, 'utf8').split('\n')[0]);
  return {
    name,
    read: () => {
      const all = everyProcess();
      const main = all.find((s) => s.pid === postmaster);
      if (!main) return Number.NaN;
      return main.ownMs + main.childrenMs + all.filter((s) => s.ppid === postmaster).reduce((sum, s) => sum + s.ownMs, 0);
    },
  };
}

/** Reads every clock now; the difference of two readings is the CPU each spent in between. */
export function readClocks(clocks: CpuClock[]): Record<string, number> {
  return Object.fromEntries(clocks.map((c) => [c.name, c.read()]));
}
