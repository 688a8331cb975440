// Where a server child's time went, from the .cpuprofile `node --cpu-prof` writes on exit
// (bench/run.mjs --cpu-prof): the busy time (idle excluded) by area (a package, Rollcall's own
// modules, Node internals, GC) as self time and as time on the stack, and the top functions.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { lines, pct } from './format.mjs';

/** 'file:///…/node_modules/@fastify/static/index.js' → '@fastify/static'; Rollcall's dist → 'rollcall server'. */
export function areaOf(frame) {
  const url = frame.url ?? '';
  if (url === '') {
    if (frame.functionName === '(garbage collector)') return 'GC';
    if (frame.functionName === '(program)') return '(program: native, unattributed)';
    if (frame.functionName === '(idle)') return '(idle)';
    return '(native)';
  }
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + '/node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  if (url.includes('/packages/server/dist/'))
    return `rollcall server (${url.split('/packages/server/dist/')[1].split('/')[0]})`;
  if (url.includes('/packages/domain/')) return 'rollcall domain';
  if (url.startsWith('node:')) return 'node internals';
  if (url.includes('/bench/')) return 'bench preload';
  return url;
}

function shortUrl(url) {
  if (!url) return '';
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) return url.slice(nm + '/node_modules/'.length);
  const dist = url.indexOf('/packages/');
  if (dist >= 0) return url.slice(dist + 1);
  return url.replace(/^file:\/\//, '');
}

export function summariseProfile(profile) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const selfById = new Map();
  const { samples, timeDeltas } = profile;
  for (let i = 0; i < samples.length; i++) {
    const dt = timeDeltas[i + 1] ?? 0;
    selfById.set(samples[i], (selfById.get(samples[i]) ?? 0) + dt);
  }
  let busy = 0;
  const selfByArea = new Map();
  const stackByArea = new Map();
  const byFunction = new Map();
  for (const [id, t] of selfById) {
    const node = byId.get(id);
    const area = areaOf(node.callFrame);
    if (area === '(idle)') continue;
    busy += t;
    selfByArea.set(area, (selfByArea.get(area) ?? 0) + t);
    const f = node.callFrame;
    const key = `${f.functionName || '(anonymous)'}  ${shortUrl(f.url)}${f.url ? `:${f.lineNumber + 1}` : ''}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + t);
    const seen = new Set();
    for (let at = id; at !== undefined; at = parent.get(at)) {
      const a = areaOf(byId.get(at).callFrame);
      if (!seen.has(a)) {
        seen.add(a);
        stackByArea.set(a, (stackByArea.get(a) ?? 0) + t);
      }
    }
  }
  const sorted = (m) => [...m].sort((a, b) => b[1] - a[1]);
  return {
    busyUs: busy,
    selfByArea: sorted(selfByArea),
    stackByArea: sorted(stackByArea),
    byFunction: sorted(byFunction),
  };
}

/** Prints the summary of every .cpuprofile in a folder. */
export function printProfiles(label, dir, { top = 15, kept = true } = {}) {
  let files = [];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  } catch {
    // no folder: nothing profiled
  }
  if (files.length === 0) {
    console.log(`    profile ${label}: no .cpuprofile written (did the server exit cleanly?)`);
    return;
  }
  for (const f of files) {
    const s = summariseProfile(JSON.parse(readFileSync(join(dir, f), 'utf8')));
    const share = (t) => pct(t / s.busyUs);
    console.log(
      `    profile ${label}: ${(s.busyUs / 1e6).toFixed(2)} s busy (idle excluded)` +
        (kept ? `, ${join(dir, f)}` : ' (the .cpuprofile is deleted at the end; --keep keeps it)'),
    );
    lines(
      [
        [
          'self by area',
          s.selfByArea
            .slice(0, 10)
            .map(([a, t]) => `${a} ${share(t)}`)
            .join(', '),
        ],
        [
          'on the stack',
          s.stackByArea
            .filter(([a]) => !a.startsWith('(') && a !== 'node internals')
            .slice(0, 12)
            .map(([a, t]) => `${a} ${share(t)}`)
            .join(', '),
        ],
        ...s.byFunction
          .slice(0, top)
          .map(([fn, t], i) => [i === 0 ? 'top self' : '', `${share(t).padStart(6)}  ${fn}`]),
      ],
      '      ',
    );
  }
}

/** Folders for the server children's profiles of a run: `folder('c')('sqlite')`, then `report()`. */
export function profileFolders(context) {
  const made = [];
  return {
    folder(bench) {
      return (dialect) => {
        const dir = context.tempDir(`prof-${bench}-${dialect}`);
        made.push({ label: `(${bench}) ${dialect} server`, dir });
        return dir;
      };
    },
    report() {
      for (const { label, dir } of made) printProfiles(label, dir, { kept: context.keep });
    },
  };
}
