/**
 * The school's policy document read and saved: the policy page, the policy form, the command
 * line and the demo all come through here (the document itself, its checks and presets are in
 * school-policy.ts, which does no I/O). Kept apart so the database layer can read a school's
 * policy without importing this module back.
 */
import { readPolicyJson, writePolicyJson } from '../../db/school/schools.js';
import { getSchool } from '../school/schools.js';
import { audit } from '../audit.js';
import { authorise, type Actor } from '../authz.js';
import type { Deps } from '../deps.js';
import { AppError } from '../errors.js';
import { policyChanges } from './policy-changes.js';
import {
  caseworkPolicyOf,
  DEFAULT_POLICY,
  parsePolicyText,
  parseSchoolPolicy,
  policyFieldErrors,
  policyJsonToYaml,
  type SchoolPolicy,
} from './school-policy.js';

export interface PolicyView {
  readonly schoolId: string;
  readonly schoolName: string;
  /** The stored document as YAML. */
  readonly yaml: string;
  readonly policy: SchoolPolicy;
  /** False when the stored document no longer passes the checks (the defaults are in use). */
  readonly storedIsValid: boolean;
  /** The stored document as written (an empty one when it cannot be read). */
  readonly document: Readonly<Record<string, unknown>>;
}

/** The school's policy for the policy page. */
export async function viewSchoolPolicy(deps: Deps, actor: Actor, schoolId: string): Promise<PolicyView> {
  const school = await getSchool(deps.db, schoolId);
  authorise(actor, 'policy.edit', { kind: 'school', ...school });
  const policyJson = await readPolicyJson(deps.db, schoolId);
  const parsed = parseSchoolPolicy(policyJson);
  let document: Record<string, unknown> = {};
  try {
    const raw: unknown = JSON.parse(policyJson);
    if (raw !== null && typeof raw === 'object' && !Array.isArray(raw)) document = raw as Record<string, unknown>;
  } catch {
    // an unreadable stored policy: the form starts from an empty document
  }
  return {
    schoolId,
    schoolName: school.name,
    yaml: policyJsonToYaml(policyJson),
    policy: parsed.ok ? parsed.policy : DEFAULT_POLICY,
    storedIsValid: parsed.ok,
    document,
  };
}

/**
 * Saves a policy document (YAML or JSON) after checking it. Stores the document as written
 * (as JSON), so a `preset` stays a reference; audited with the fields that changed.
 * VALIDATION errors carry every problem as a field error naming its path.
 */
export async function saveSchoolPolicy(
  deps: Deps,
  actor: Actor,
  input: { schoolId: string; text: string },
): Promise<{ policy: SchoolPolicy; changed: string[]; changes: string[] }> {
  const school = await getSchool(deps.db, input.schoolId);
  authorise(actor, 'policy.edit', { kind: 'school', ...school });
  const parsed = parsePolicyText(input.text);
  if (!parsed.ok)
    throw new AppError('VALIDATION', 'The policy has problems: see each field.', {
      fields: policyFieldErrors(parsed.errors),
    });
  const json = JSON.stringify(parsed.raw);
  return deps.db.transaction().execute(async (trx) => {
    const stored = await readPolicyJson(trx, school.id);
    let before: Record<string, unknown> = {};
    try {
      before = JSON.parse(stored) as Record<string, unknown>;
    } catch {
      // an unreadable stored policy: every field counts as changed
    }
    const after = parsed.raw as Record<string, unknown>;
    const changed = [...new Set([...Object.keys(before), ...Object.keys(after)])]
      .filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]))
      .sort();
    const previous = parseSchoolPolicy(stored);
    const changes = policyChanges(previous.ok ? previous.policy : DEFAULT_POLICY, parsed.policy);
    await writePolicyJson(trx, school.id, json);
    await audit(trx, actor, deps.clock.now(), {
      action: 'policy.update',
      entityType: 'school',
      entityId: school.id,
      schoolId: school.id,
      details: {
        changed,
        changes,
        preset: parsed.policy.preset ?? null,
        casework: caseworkPolicyOf(parsed.policy).id,
      },
    });
    return { policy: parsed.policy, changed, changes };
  });
}
