/**
 * Schools as every service uses them: the stored row (db/school/schools.ts) with its policy
 * document parsed, and its calendar compiled. Reading a school is not a read of anyone's record,
 * so these take the database, not an actor.
 */
import {
  compileCalendar,
  type Closure,
  type ClosureSession,
  type PlainDate,
  type SchoolCalendar,
} from '@rollcall/domain';
import type { DbOrTrx } from '../../db/connect.js';
import {
  calendarRows,
  calendarRowsOfSchools,
  findSchoolRow,
  findSchoolRowByUrn,
  listSchoolRows,
  type SchoolRow,
} from '../../db/school/schools.js';
import type { SchoolScope } from '../authz.js';
import { AppError } from '../errors.js';
import { DEFAULT_POLICY, parseSchoolPolicy, type SchoolPolicy } from '../policy/school-policy.js';

export type Phase = 'primary' | 'secondary' | 'special' | 'all-through';

export interface School extends SchoolScope {
  readonly id: string;
  readonly urn: string;
  readonly name: string;
  readonly phase: Phase;
  readonly laName: string;
  /** The 4-digit DfE establishment number, when known (with laCode, the school's DfE number). */
  readonly estab: string | null;
  readonly timeZone: string;
  readonly policy: SchoolPolicy;
}

/**
 * Parsed policies by their stored text: every register save reads its school, and parsing and
 * validating the policy document costs more than the query. The text is the key, so a changed
 * policy is parsed afresh; bounded so that edits over a long uptime cannot grow it without end.
 */
const parsedPolicies = new Map<string, SchoolPolicy>();
const PARSED_POLICIES_MAX = 256;

function policyOf(json: string): SchoolPolicy {
  const hit = parsedPolicies.get(json);
  if (hit) return hit;
  const parsed = parseSchoolPolicy(json);
  const policy = parsed.ok ? parsed.policy : DEFAULT_POLICY;
  if (parsedPolicies.size >= PARSED_POLICIES_MAX) parsedPolicies.delete(parsedPolicies.keys().next().value as string);
  parsedPolicies.set(json, policy);
  return policy;
}

export function toSchool(row: SchoolRow): School {
  return {
    id: row.id,
    schoolId: row.id,
    urn: row.urn,
    name: row.name,
    phase: row.phase as Phase,
    laCode: row.la_code,
    laName: row.la_name,
    estab: row.estab ?? null,
    trustId: row.trust_id,
    timeZone: row.time_zone,
    policy: policyOf(row.policy_json),
  };
}

export async function findSchool(db: DbOrTrx, id: string): Promise<School | undefined> {
  const row = await findSchoolRow(db, id);
  return row ? toSchool(row) : undefined;
}

export async function getSchool(db: DbOrTrx, id: string): Promise<School> {
  const school = await findSchool(db, id);
  if (!school) throw new AppError('NOT_FOUND', `No school with id ${id}.`);
  return school;
}

export async function findSchoolByUrn(db: DbOrTrx, urn: string): Promise<School | undefined> {
  const row = await findSchoolRowByUrn(db, urn);
  return row ? toSchool(row) : undefined;
}

export async function listSchools(db: DbOrTrx): Promise<School[]> {
  return (await listSchoolRows(db)).map(toSchool);
}

type TermRow = { name: string; start_date: string; end_date: string };
type ClosureRow = { date: string; session: string; reason: string };

function compileRows(terms: readonly TermRow[], closures: readonly ClosureRow[]) {
  return compileCalendar({
    terms: terms.map((t) => ({ name: t.name, start: t.start_date as PlainDate, end: t.end_date as PlainDate })),
    closures: closures.map((c): Closure => ({
      date: c.date as PlainDate,
      session: c.session as ClosureSession,
      reason: c.reason,
    })),
  });
}

/** The school's terms and closures, compiled. Throws VALIDATION if they are inconsistent. */
export async function loadCalendar(db: DbOrTrx, schoolId: string): Promise<SchoolCalendar> {
  const { terms, closures } = await calendarRows(db, schoolId);
  const compiled = compileRows(terms, closures);
  if (!compiled.ok) {
    throw new AppError(
      'VALIDATION',
      `The school calendar is inconsistent: ${compiled.issues.map((i) => i.message).join('; ')}`,
    );
  }
  return compiled.value;
}

/**
 * Several schools' calendars, compiled as `loadCalendar` compiles each (two queries in all). A
 * school whose calendar is inconsistent is left out (`loadCalendar` says why).
 */
export async function loadCalendars(db: DbOrTrx, schoolIds: readonly string[]): Promise<Map<string, SchoolCalendar>> {
  const { terms, closures } = await calendarRowsOfSchools(db, schoolIds);
  const rows = new Map<string, { terms: TermRow[]; closures: ClosureRow[] }>(
    schoolIds.map((id) => [id, { terms: [], closures: [] }]),
  );
  for (const t of terms) rows.get(t.school_id)?.terms.push(t);
  for (const c of closures) rows.get(c.school_id)?.closures.push(c);
  const out = new Map<string, SchoolCalendar>();
  for (const [id, r] of rows) {
    const compiled = compileRows(r.terms, r.closures);
    if (compiled.ok) out.set(id, compiled.value);
  }
  return out;
}
