/** The outcome of an import: counts per entity, updated pupils, warnings and the time taken. */
import { basename } from 'node:path';
import type { ImportProblem } from './files.js';

export interface EntityCounts {
  created: number;
  updated: number;
  unchanged: number;
  removed: number;
}

export const ENTITIES = [
  'school',
  'terms',
  'closures',
  'groups',
  'groupMembers',
  'groupStaff',
  'pupils',
  'contacts',
  'marks',
  'admissions',
] as const;
export type Entity = (typeof ENTITIES)[number];

const ENTITY_LABELS: Record<Entity, string> = {
  school: 'school',
  terms: 'terms',
  closures: 'closures',
  groups: 'groups',
  groupMembers: 'group members',
  groupStaff: 'group staff',
  pupils: 'pupils',
  contacts: 'contacts',
  marks: 'marks',
  admissions: 'admissions',
};

export type ImportFileKind = 'calendar' | 'pupils' | 'marks' | 'contacts' | 'groups';

/** What one file changed: counts, and (for pupils, contacts and groups) who or what. */
export interface FileChange {
  readonly added: number;
  readonly updated: number;
  readonly unchanged: number;
  /** Pupils given a leaving date, contacts removed, group members removed, terms/closures removed. */
  readonly left: number;
  readonly names?: {
    readonly added: readonly string[];
    readonly updated: readonly string[];
    readonly left: readonly string[];
  };
}

export type FileChanges = Partial<Record<ImportFileKind, FileChange>>;

/** What a CTF import did besides pupils, contacts and marks. */
export interface CtfReport {
  readonly version: string;
  /** The source school's LA and establishment number (7 digits). */
  readonly source: string;
  readonly sourceName: string | null;
  /** Other schools' attendance YearData kept as the pupils' attendance history. */
  readonly attendanceHistory: EntityCounts;
  readonly schoolHistory: EntityCounts;
}

export interface ImportReport {
  /** True when nothing was written: the counts say what the import would do. */
  readonly dryRun: boolean;
  readonly school: { readonly id: string; readonly urn: string; readonly name: string };
  /** The files imported, as named on the command line. */
  readonly files: Partial<Record<ImportFileKind, string>>;
  readonly counts: Record<Entity, EntityCounts>;
  /** Pupils whose record changed, with the columns (as in pupils.csv) that changed. */
  readonly pupilsUpdated: readonly { readonly upn: string; readonly fields: readonly string[] }[];
  /** What changed, file by file (the files given), with names. */
  readonly changes: FileChanges;
  /** The MIS preset each CSV file was read with (absent: our own column names). */
  readonly mis: Partial<Record<ImportFileKind, string>>;
  /** Things done or left undone that someone should know about; they do not stop the import. */
  readonly warnings: readonly ImportProblem[];
  /** `grid`: the marks file had one column per session (services/exchange/import/grid.ts). */
  readonly marksLayout?: 'grid';
  /** The school's own codes the marks file used, the national code each became, and how many marks. */
  readonly schoolCodes?: readonly { readonly schoolCode: string; readonly code: string; readonly marks: number }[];
  /** A CTF import: the file's version and source, and what became of its history. */
  readonly ctf?: CtfReport;
  readonly startedAt: string;
  readonly durationMs: number;
}

export function emptyCounts(): Record<Entity, EntityCounts> {
  const out = {} as Record<Entity, EntityCounts>;
  for (const e of ENTITIES) out[e] = { created: 0, updated: 0, unchanged: 0, removed: 0 };
  return out;
}

/** Changes in all: 0 means the import found everything already as the files say. */
export function totalChanges(report: ImportReport): number {
  const changed = (c: EntityCounts) => c.created + c.updated + c.removed;
  const ctf = report.ctf ? changed(report.ctf.attendanceHistory) + changed(report.ctf.schoolHistory) : 0;
  const counts = report.counts as Partial<typeof report.counts>;
  return ENTITIES.reduce((n, e) => n + (counts[e] ? changed(counts[e]) : 0), ctf);
}

export function problemLine(p: ImportProblem, command = 'rollcall import'): string {
  return p.file === null ? `${command}: ${p.message}` : `${p.file}:${p.line}: ${p.message}`;
}

function seconds(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** The report as a table for people. At most `maxPupils` updated pupils are listed. */
export function formatReportTable(report: ImportReport, maxPupils = 20): string {
  const out: string[] = [];
  const s = report.school;
  out.push(`${report.dryRun ? 'Dry run (nothing written): ' : ''}school ${s.urn} ${s.name}`);
  const header = ['', 'created', 'updated', 'unchanged', 'removed'];
  // A report made before an entity existed (e.g. without `admissions`) leaves its line out.
  const counted = ENTITIES.filter((e) => (report.counts as Partial<typeof report.counts>)[e] !== undefined);
  const rows = counted.map((e) => {
    const c = report.counts[e];
    return [ENTITY_LABELS[e], String(c.created), String(c.updated), String(c.unchanged), String(c.removed)];
  });
  let widths: number[] = [];
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  if (report.ctf) {
    const c = report.ctf;
    for (const [label, n] of [
      ['attendance history', c.attendanceHistory],
      ['school history', c.schoolHistory],
    ] as const)
      rows.push([label, String(n.created), String(n.updated), String(n.unchanged), String(n.removed)]);
  }
  widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  out.push(line(header));
  for (const r of rows) out.push(line(r));
  if (report.ctf) {
    const c = report.ctf;
    out.push('', `CTF version ${c.version} from ${c.source}${c.sourceName ? ` (${c.sourceName})` : ''}`);
  }
  if (report.pupilsUpdated.length > 0) {
    out.push('', `Pupils updated (${report.pupilsUpdated.length}):`);
    for (const p of report.pupilsUpdated.slice(0, maxPupils)) out.push(`  ${p.upn}: ${p.fields.join(', ')}`);
    if (report.pupilsUpdated.length > maxPupils)
      out.push(`  … and ${report.pupilsUpdated.length - maxPupils} more (--format json lists them all)`);
  }
  const kinds = Object.keys(report.changes) as ImportFileKind[];
  if (kinds.length > 0) {
    out.push('', 'What changed, file by file:');
    // A CTF stands in for the pupils, marks and contacts files: its lines say which is which.
    const named = kinds.map((k) => basename(report.files[k] ?? k));
    for (const kind of kinds) {
      const c = report.changes[kind]!;
      const name = basename(report.files[kind] ?? kind);
      const label = named.filter((n) => n === name).length > 1 ? `${name} (${kind})` : name;
      const via =
        kind === 'marks' && report.marksLayout === 'grid'
          ? ' (read as a grid, one column per session)'
          : report.mis[kind]
            ? ` (read as a ${report.mis[kind].toUpperCase()} export)`
            : '';
      out.push(`  ${label}${via}: ${c.added} added, ${c.updated} updated, ${c.unchanged} unchanged, ${c.left} left`);
      for (const what of ['added', 'updated', 'left'] as const) {
        const names = c.names?.[what] ?? [];
        if (names.length === 0) continue;
        const shown = names.slice(0, maxPupils).join('; ');
        out.push(`    ${what}: ${shown}${names.length > maxPupils ? `; … and ${names.length - maxPupils} more` : ''}`);
      }
    }
  }
  if (report.schoolCodes && report.schoolCodes.length > 0) {
    out.push(
      '',
      `The school's own codes read as national codes: ${report.schoolCodes.map((c) => `${c.schoolCode} as ${c.code} (${c.marks} marks)`).join(', ')}`,
    );
  }
  if (report.warnings.length > 0) {
    out.push('', `Warnings (${report.warnings.length}):`);
    for (const w of report.warnings) out.push(`  ${problemLine(w)}`);
  }
  out.push('', `${totalChanges(report) === 0 ? 'No changes. ' : ''}Took ${seconds(report.durationMs)}.`);
  return `${out.join('\n')}\n`;
}
