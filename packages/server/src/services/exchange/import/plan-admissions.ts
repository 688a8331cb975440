/**
 * The admission register in an import (issue 15, item 5): the entries and items to write for the
 * import's pupils, and after writing, what the register still lacks, item by item.
 */
import { basename } from 'node:path';
import {
  insertAdmissionEntries,
  loadAdmissionDetails,
  pupilsWithAdmissionEntry,
  registerOfRecord,
  upsertAdmissionDetails,
  type AdmissionDetailsRow,
} from '../../../db/duties/admission-register.js';
import type { DbOrTrx } from '../../../db/connect.js';
import { newId } from '../../../platform/ids.js';
import { SYSTEM_ACTOR, type Actor } from '../../authz.js';
import { registerPupil, REGISTER_ITEMS, type RegisterItem } from '../../duties/admissions/register-items.js';
import { isOwnSchool, type CtfDocument } from './ctf.js';
import type { ImportProblem, PupilExtras, Table } from './files.js';
import { IMPORT_USER_NAME, type ImportInput } from './import-input.js';
import type { EntityCounts } from './report.js';
import type { PupilRecord } from '../../../db/exchange/import-store.js';

export interface AdmissionsPlan {
  /** Pupils to enter in the admission register (an `admission` entry): id and starting day. */
  entries: { pupilId: string; date: string }[];
  details: AdmissionDetailsRow[];
  /** The pupils the import touched, whose register items are checked once written. */
  touched: Set<string>;
}

/**
 * The admission register of an imported school (issue 15, item 5): every pupil without an
 * `admission` entry gets one (dated their starting day), and the items the pupils table does not
 * hold come from the file: `last_school`, `last_school_address`, `boarder` columns, or a CTF's
 * school history (the latest school before this one, else the CTF's source school).
 */
export async function planAdmissions(
  db: DbOrTrx,
  exists: boolean,
  schoolId: string,
  x: {
    pupilsCreated: readonly PupilRecord[];
    storedPupils: readonly PupilRecord[];
    pupilsUpdatedRows: readonly PupilRecord[];
    extras: ReadonlyMap<string, PupilExtras>;
    pupilsTable: Table | undefined;
    idByUpn: ReadonlyMap<string, string>;
    ctf: { doc: CtfDocument; own: { la: string; estab: string | null } } | null;
    counts: EntityCounts;
  },
): Promise<AdmissionsPlan> {
  const withEntry = exists ? await pupilsWithAdmissionEntry(db, schoolId) : new Set<string>();
  const stored = exists ? await loadAdmissionDetails(db, schoolId) : new Map<string, AdmissionDetailsRow>();
  const updatedById = new Map(x.pupilsUpdatedRows.map((p) => [p.id, p]));
  const entries: AdmissionsPlan['entries'] = [];
  for (const p of [...x.storedPupils, ...x.pupilsCreated]) {
    if (withEntry.has(p.id)) continue;
    entries.push({ pupilId: p.id, date: (updatedById.get(p.id) ?? p).admission_date });
  }
  const wanted = new Map<string, { last: PupilExtras['lastSchool']; boarder: boolean | null }>();
  const has = (c: string) => x.pupilsTable?.has(c) === true;
  if (x.ctf) {
    for (const pupil of x.ctf.doc.pupils) {
      const others = pupil.schoolHistory.filter((h) => !isOwnSchool(h, x.ctf!.own));
      const latest = [...others].sort((a, b) =>
        (a.leavingDate ?? a.entryDate ?? '').localeCompare(b.leavingDate ?? b.entryDate ?? ''),
      )[others.length - 1];
      const src = x.ctf.doc.header.source;
      const last = latest
        ? { name: latest.name ?? `LA ${latest.la}, establishment ${latest.estab}`, address: null }
        : !isOwnSchool(src, x.ctf.own) && /^\d{3}$/.test(src.la) && /^\d{4}$/.test(src.estab)
          ? { name: src.name ?? `LA ${src.la}, establishment ${src.estab}`, address: null }
          : null;
      if (last) wanted.set(pupil.upn, { last, boarder: null });
    }
  } else if (has('last_school') || has('boarder')) {
    for (const [upn, e] of x.extras) wanted.set(upn, { last: e.lastSchool, boarder: e.boarder });
  }
  const details: AdmissionDetailsRow[] = [];
  const touched = new Set<string>();
  for (const [upn, w] of wanted) {
    const id = x.idByUpn.get(upn);
    if (id === undefined) continue;
    touched.add(id);
    const before = stored.get(id);
    const next: AdmissionDetailsRow = {
      pupil_id: id,
      has_last_school: w.last === null ? (before?.has_last_school ?? null) : w.last === 'none' ? 0 : 1,
      last_school_name: w.last === null ? (before?.last_school_name ?? null) : w.last === 'none' ? null : w.last.name,
      last_school_address:
        w.last === null ? (before?.last_school_address ?? null) : w.last === 'none' ? null : w.last.address,
      boarder: w.boarder === null ? (before?.boarder ?? null) : w.boarder ? 1 : 0,
      updated_at: '',
    };
    const same =
      before !== undefined &&
      before.has_last_school === next.has_last_school &&
      before.last_school_name === next.last_school_name &&
      before.last_school_address === next.last_school_address &&
      before.boarder === next.boarder;
    if (same || (before === undefined && next.has_last_school === null && next.boarder === null)) continue;
    details.push(next);
  }
  for (const p of [...x.pupilsCreated, ...x.pupilsUpdatedRows]) touched.add(p.id);
  const newEntries = new Set(entries.map((e) => e.pupilId));
  x.counts.created = entries.length;
  x.counts.updated = details.filter((d) => !newEntries.has(d.pupil_id)).length;
  const detailsChanged = new Set(details.map((d) => d.pupil_id));
  x.counts.unchanged = x.storedPupils.filter((p) => withEntry.has(p.id) && !detailsChanged.has(p.id)).length;
  return { entries, details, touched };
}

/**
 * Enters the import's pupils in the admission register and writes their items; then warns, item
 * by item, of what the register still lacks for the pupils the import touched.
 */
export async function writeAdmissions(
  db: DbOrTrx,
  actor: Actor,
  input: ImportInput,
  a: AdmissionsPlan,
  schoolId: string,
  warnings: ImportProblem[],
  at: string,
): Promise<void> {
  const source = input.ctf?.name ?? input.pupils?.name ?? input.marks?.name ?? 'the import';
  await insertAdmissionEntries(
    db,
    a.entries.map((e) => ({
      id: newId(),
      school_id: schoolId,
      pupil_id: e.pupilId,
      date: e.date,
      reason: `Entered from the import of ${basename(source)}`,
      details: JSON.stringify({ source: 'import', file: basename(source) }),
      recorded_by: actor.userId,
      recorded_by_name: actor === SYSTEM_ACTOR ? IMPORT_USER_NAME : actor.name,
      recorded_at: at,
    })),
  );
  await upsertAdmissionDetails(
    db,
    a.details.map((d) => ({ ...d, updated_at: at })),
  );
  if (a.touched.size === 0) return;
  const record = await registerOfRecord(db, schoolId, '0000-00-00', a.touched);
  const missing = new Map<RegisterItem, string[]>();
  for (const p of record.pupils) {
    for (const item of registerPupil(p, record.contacts.get(p.id) ?? [], record.details.get(p.id)).missing) {
      const list = missing.get(item) ?? [];
      list.push(p.upn);
      missing.set(item, list);
    }
  }
  const file = input.ctf?.name ?? input.pupils?.name ?? null;
  for (const [item, upns] of missing) {
    const shown = upns.slice(0, 5).join(', ');
    warnings.push({
      file,
      line: 0,
      message: `the admission register lacks: ${REGISTER_ITEMS[item]}, for ${upns.length} ${upns.length === 1 ? 'pupil' : 'pupils'} (${shown}${upns.length > 5 ? ', …' : ''}); see the admission register page`,
    });
  }
}
