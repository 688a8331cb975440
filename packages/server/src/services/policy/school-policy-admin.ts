/**
 * The school's policy document for operators and scripts (`rollcall policy show|set`): found by
 * the school's URN, shown as YAML, and stored from a preset (its whole policy, as the policy page
 * builds it) or from a YAML/JSON document, with the same checks and audit as the page.
 */
import { POLICY_PRESETS, policyPreset } from '@rollcall/domain';
import { findSchoolByUrn, type School } from '../school/schools.js';
import type { Actor } from '../authz.js';
import type { Deps } from '../deps.js';
import { AppError } from '../errors.js';
import { presetPolicyDocument, type SchoolPolicy } from './school-policy.js';
import { saveSchoolPolicy, viewSchoolPolicy } from './school-policy-store.js';

/** The school with this URN, or NOT_FOUND naming it. */
export async function schoolByUrn(deps: Pick<Deps, 'db'>, urn: string): Promise<School> {
  const school = await findSchoolByUrn(deps.db, urn.trim());
  if (!school) throw new AppError('NOT_FOUND', `No school with URN ${urn.trim()}.`);
  return school;
}

/** The school's stored policy document as YAML, and whether it still passes the checks. */
export async function policyDocumentByUrn(
  deps: Deps,
  actor: Actor,
  urn: string,
): Promise<{ school: School; yaml: string; storedIsValid: boolean }> {
  const school = await schoolByUrn(deps, urn);
  const view = await viewSchoolPolicy(deps, actor, school.id);
  return { school, yaml: view.yaml, storedIsValid: view.storedIsValid };
}

/** Where a new policy comes from: a preset's id, or a document's text (YAML or JSON). */
export type PolicySource = { readonly preset: string } | { readonly text: string };

/**
 * Checks and stores a school's policy: a preset brings its whole policy (its casework and the
 * settings its seed states, the rest kept from the school's current document, as on the policy
 * page); a document is stored as written. VALIDATION errors name every field; nothing is stored
 * then. Audited as `actor` (`policy.update`, with the changes in words).
 */
export async function setPolicyByUrn(
  deps: Deps,
  actor: Actor,
  urn: string,
  source: PolicySource,
): Promise<{ school: School; policy: SchoolPolicy; changes: string[] }> {
  const school = await schoolByUrn(deps, urn);
  let text: string;
  if ('preset' in source) {
    if (!policyPreset(source.preset))
      throw new AppError('VALIDATION', `There is no preset "${source.preset}".`, {
        fields: [{ field: 'preset', message: `must be one of ${POLICY_PRESETS.map((p) => p.id).join(', ')}` }],
      });
    const view = await viewSchoolPolicy(deps, actor, school.id);
    text = JSON.stringify(presetPolicyDocument(view.policy, source.preset));
  } else {
    text = source.text;
  }
  const saved = await saveSchoolPolicy(deps, actor, { schoolId: school.id, text });
  return { school, policy: saved.policy, changes: saved.changes };
}
