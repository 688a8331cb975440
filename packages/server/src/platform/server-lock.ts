/**
 * The lock a running server holds on its SQLite database: a file beside it (`<database>.server.pid`)
 * naming the server's process. `rollcall restore` refuses to replace a database under a live
 * server (whose open connection would go on writing to the file it replaced). A lock left by a
 * server that was killed (kill -9, a power cut) names a process that no longer runs, and is
 * ignored.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';

export function serverLockPath(databasePath: string): string {
  return `${databasePath}.server.pid`;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: the process exists but belongs to another user.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The process id of a live server on the database, or null when none holds it. */
export function liveServerPid(databasePath: string): number | null {
  let text: string;
  try {
    text = readFileSync(serverLockPath(databasePath), 'utf8');
  } catch {
    return null;
  }
  const pid = Number.parseInt(text.trim(), 10);
  return Number.isInteger(pid) && pid > 0 && isRunning(pid) ? pid : null;
}

/** Marks the database as served by this process; the returned function releases it (if still ours). */
export function holdServerLock(databasePath: string): () => void {
  const path = serverLockPath(databasePath);
  const mine = String(process.pid);
  writeFileSync(path, `${mine}\n`);
  return () => {
    try {
      if (readFileSync(path, 'utf8').trim() === mine) rmSync(path, { force: true });
    } catch {
      // Already gone.
    }
  };
}
