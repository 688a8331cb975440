/** Schools, their calendars and their policies. */
import {
  compileCalendar,
  type Closure,
  type ClosureSession,
  type PlainDate,
  type SchoolCalendar,
} from '@rollcall/domain';
import type { SchoolScope } from '../../services/authz.js';
import { AppError } from '../../services/errors.js';
import { DEFAULT_POLICY, parseSchoolPolicy, type SchoolPolicy } from '../../services/policy/school-policy.js';
import type { DbOrTrx } from '../connect.js';

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

const COLUMNS = [
  'id',
  'urn',
  'name',
  'phase',
  'la_code',
  'la_name',
  'estab',
  'trust_id',
  'time_zone',
  'policy_json',
] as const;

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

export function toSchool(row: {
  id: string;
  urn: string;
  name: string;
  phase: string;
  la_code: string;
  la_name: string;
  estab?: string | null;
  trust_id: string | null;
  time_zone: string;
  policy_json: string;
}): School {
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
  const row = await db.selectFrom('schools').select(COLUMNS).where('id', '=', id).executeTakeFirst();
  return row ? toSchool(row) : undefined;
}

export async function getSchool(db: DbOrTrx, id: string): Promise<School> {
  const school = await findSchool(db, id);
  if (!school) throw new AppError('NOT_FOUND', `No school with id ${id}.`);
  return school;
}

/** The school's policy document as stored (JSON text). */
export async function readPolicyJson(db: DbOrTrx, schoolId: string): Promise<string> {
  const row = await db.selectFrom('schools').select('policy_json').where('id', '=', schoolId).executeTakeFirstOrThrow();
  return row.policy_json;
}

/** Stores the school's policy document (JSON text, checked by the caller). */
export async function writePolicyJson(db: DbOrTrx, schoolId: string, json: string): Promise<void> {
  await db.updateTable('schools').set({ policy_json: json }).where('id', '=', schoolId).execute();
}

export async function findSchoolByUrn(db: DbOrTrx, urn: string): Promise<School | undefined> {
  const row = await db.selectFrom('schools').select(COLUMNS).where('urn', '=', urn).executeTakeFirst();
  return row ? toSchool(row) : undefined;
}

export async function listSchools(db: DbOrTrx): Promise<School[]> {
  const rows = await db.selectFrom('schools').select(COLUMNS).orderBy('name').execute();
  return rows.map(toSchool);
}

/** The school's terms and closures, compiled. Throws VALIDATION if they are inconsistent. */
export async function loadCalendar(db: DbOrTrx, schoolId: string): Promise<SchoolCalendar> {
  const [terms, closures] = await Promise.all([
    db
      .selectFrom('terms')
      .select(['name', 'start_date', 'end_date'])
      .where('school_id', '=', schoolId)
      .orderBy('start_date')
      .execute(),
    db
      .selectFrom('closures')
      .select(['date', 'session', 'reason'])
      .where('school_id', '=', schoolId)
      .orderBy('date')
      .execute(),
  ]);
  const compiled = compileCalendar({
    terms: terms.map((t) => ({ name: t.name, start: t.start_date as PlainDate, end: t.end_date as PlainDate })),
    closures: closures.map((c): Closure => ({
      date: c.date as PlainDate,
      session: c.session as ClosureSession,
      reason: c.reason,
    })),
  });
  if (!compiled.ok) {
    throw new AppError(
      'VALIDATION',
      `The school calendar is inconsistent: ${compiled.issues.map((i) => i.message).join('; ')}`,
    );
  }
  return compiled.value;
}
