/**
 * Who may do what: one declarative policy, `can(actor, action, resource)`, checked in services
 * (so the web, the API, the CLI and jobs all obey it) and shown to the UI to hide what a user
 * may not do. Tested as a full role × action matrix.
 */
import type { Actor, Role } from '../db/accounts/roles.js';
import { AppError } from './errors.js';

export { ROLES, isRole, type Role, type Actor } from '../db/accounts/roles.js';

export const ROLE_LABELS: Record<Role, string> = {
  teacher: 'Teacher',
  office: 'Office staff',
  attendance_officer: 'Attendance officer',
  senco: 'SENCO',
  senior_leader: 'Senior leader / headteacher',
  dsl: 'Designated safeguarding lead',
  deputy_dsl: 'Deputy designated safeguarding lead',
  governor: 'Governor',
  trust_lead: 'Trust attendance lead',
  la_officer: 'Local authority officer',
  parent: 'Parent',
  admin: 'Administrator',
};

/** The system itself (imports, jobs, the demo loader): may do everything, and is audited as such. */
export const SYSTEM_ACTOR: Actor = {
  userId: 'system',
  name: 'Rollcall (system)',
  role: 'admin',
  schoolId: null,
  trustId: null,
  laCode: null,
  groupIds: new Set(),
  pupilIds: new Set(),
};

export interface SchoolScope {
  readonly schoolId: string;
  readonly trustId: string | null;
  readonly laCode: string;
}

export type Resource =
  | ({ readonly kind: 'school' } & SchoolScope)
  | ({ readonly kind: 'group'; readonly groupId: string } & SchoolScope)
  | ({
      readonly kind: 'pupil';
      readonly pupilId: string;
      readonly groupIds: readonly string[];
      /**
       * The local authority has a reason to see this pupil's record (an open referral, a return,
       * a CME or EHE case, a support meeting, or a reason an officer recorded): see
       * services/la-access.ts. Without it an LA officer sees aggregates only.
       */
      readonly laReason?: boolean;
    } & SchoolScope);

export const ACTIONS = [
  /** See a pupil's record: marks, measures, history. */
  'pupil.view',
  /** See safeguarding details: CP, CIN, looked-after, social worker. */
  'pupil.viewSafeguarding',
  /** See contacts' phone numbers and emails. */
  'pupil.viewContacts',
  /** Take (save) a session or lesson register for a group. */
  'register.take',
  /** See which registers are open, taken or missing across the school. */
  'register.viewBoard',
  /** Change a mark after the register closed (with a reason). */
  'mark.amend',
  /** Record `L` after the close with a reason (e.g. transport breakdown). */
  'mark.lateAfterCloseAsL',
  /** Sign in late arrivals and early leavers at the office. */
  'office.signInOut',
  /** See a school's aggregated figures (no pupil detail). */
  'school.viewAggregates',
  /** See lists of named pupils across the school. */
  'school.viewPupilLists',
  /** Manage accounts, import data. */
  'school.administer',
  /** Read the audit log. */
  'audit.view',
  /** See a pupil's letters and evidence packs. */
  'letter.view',
  /** Compose, email and print letters to a pupil's parents. */
  'letter.send',
  /** Edit the school's letter templates. */
  'letter.editTemplates',
  /** Produce an evidence pack (LA referral, penalty-notice request) and mark it sent. */
  'evidencePack.produce',
  /** See the casework list and a pupil's case record (stages, meetings, plans, notices). */
  'casework.view',
  /** Decide on suggestions, change stages, record meetings, plans, referrals, contracts and notices. */
  'casework.manage',
  /** See returns to the local authority and the admission register (statutory duties). */
  'duties.view',
  'messages.view',
  /** Prepare returns and mark them sent; admit and delete pupils; record LA enquiries and referrals. */
  'duties.manage',
  /** Edit an existing pupil's items in the admission register (names, sex, date of birth, address, parents, starting day, last school). */
  'admissionRegister.edit',
  /** See a school's scheduled job runs and run a job by hand for that school alone. */
  'jobs.run',
  /** See every job run of the installation and run a job for every school (installation administrators). */
  'jobs.runInstallation',
  /** Export everything held about a pupil (a subject access request under UK GDPR). */
  'pupil.subjectAccess',
  /** Run the register audit: registers not taken, missing marks, unusual codes, amendments without reasons. */
  'registers.audit',
  /** Export pupil-level attendance and census counts (the DfE collections). */
  'school.export',
  /** Remove marks and their history older than the keep period. */
  'retention.run',
  /** See and edit the school's attendance policy document (thresholds, stages, letters). */
  'policy.edit',
  /** Record or extend a pupil's integration period (left out of the adjusted attendance rate). */
  'integration.record',
  /** See and edit the school's details: postal address, telephone, email, headteacher, attendance lead. */
  'school.editDetails',
  /** The emergency roll call: see who is on site now, start one, tick pupils as accounted for. */
  'rollcall.take',
  /** See the designated safeguarding lead's alerts (concerns, CME enquiries, vulnerable pupils' absence) and acknowledge them. */
  'safeguarding.lead',
  /** Record a reason to read a pupil's record (local authority officers; audited and shown to the school). */
  'pupil.recordAccessReason',
] as const;
export type Action = (typeof ACTIONS)[number];

const SCHOOL_STAFF: readonly Role[] = [
  'teacher',
  'office',
  'attendance_officer',
  'senco',
  'senior_leader',
  'dsl',
  'deputy_dsl',
  'admin',
];

/** The designated safeguarding lead and deputies. */
const DSL_ROLES: readonly Role[] = ['dsl', 'deputy_dsl'];

function inSchool(actor: Actor, r: SchoolScope): boolean {
  if (actor === SYSTEM_ACTOR) return true;
  switch (actor.role) {
    case 'trust_lead':
      return actor.trustId !== null && actor.trustId === r.trustId;
    case 'la_officer':
      return actor.laCode !== null && actor.laCode === r.laCode;
    case 'parent':
      // A parent is scoped by their own children (who may be at different schools), checked per action.
      return true;
    case 'admin':
      // An administrator without a school administers every school of the installation.
      return actor.schoolId === null || actor.schoolId === r.schoolId;
    default:
      return actor.schoolId !== null && actor.schoolId === r.schoolId;
  }
}

function teachesPupil(actor: Actor, r: Resource): boolean {
  if (r.kind === 'pupil') return r.groupIds.some((g) => actor.groupIds.has(g));
  if (r.kind === 'group') return actor.groupIds.has(r.groupId);
  return false;
}

/**
 * The policy. Read it as a table: for each action, which roles, and within which scope.
 *
 * @example can(teacher, 'pupil.view', pupilInAnotherClass) // false
 */
export function can(actor: Actor, action: Action, r: Resource): boolean {
  if (actor === SYSTEM_ACTOR) return true;
  if (!inSchool(actor, r)) return false;
  const role = actor.role;
  // Least privilege: an LA officer reads a pupil's record only where the LA has a reason (or
  // records one).
  if (role === 'la_officer' && r.kind === 'pupil' && r.laReason !== true && action !== 'pupil.recordAccessReason')
    return false;
  const dsl = DSL_ROLES.includes(role);
  switch (action) {
    case 'pupil.view':
      if (r.kind !== 'pupil') return false;
      if (role === 'parent') return actor.pupilIds.has(r.pupilId);
      if (role === 'teacher') return teachesPupil(actor, r);
      return (
        dsl ||
        ['office', 'attendance_officer', 'senco', 'senior_leader', 'trust_lead', 'la_officer', 'admin'].includes(role)
      );
    case 'pupil.viewSafeguarding':
      if (r.kind !== 'pupil') return false;
      return dsl || ['attendance_officer', 'senco', 'senior_leader', 'la_officer', 'admin'].includes(role);
    case 'pupil.viewContacts':
      if (r.kind !== 'pupil') return false;
      if (role === 'parent') return actor.pupilIds.has(r.pupilId);
      return dsl || ['office', 'attendance_officer', 'senco', 'senior_leader', 'admin'].includes(role);
    case 'register.take':
      if (r.kind === 'pupil') return false;
      if (role === 'teacher') return r.kind === 'group' && teachesPupil(actor, r);
      return ['office', 'attendance_officer', 'senior_leader', 'admin'].includes(role);
    case 'register.viewBoard':
      return ['office', 'attendance_officer', 'senior_leader', 'admin'].includes(role);
    case 'mark.amend':
      return ['office', 'attendance_officer', 'senior_leader', 'admin'].includes(role);
    case 'mark.lateAfterCloseAsL':
      return ['attendance_officer', 'senior_leader', 'admin'].includes(role);
    case 'office.signInOut':
      return ['office', 'attendance_officer', 'senior_leader', 'admin'].includes(role);
    case 'school.viewAggregates':
      return (
        dsl ||
        ['attendance_officer', 'senco', 'senior_leader', 'governor', 'trust_lead', 'la_officer', 'admin'].includes(role)
      );
    case 'school.viewPupilLists':
      // Not LA officers: across a school they see aggregates; a pupil's record only with a reason.
      return dsl || ['office', 'attendance_officer', 'senco', 'senior_leader', 'trust_lead', 'admin'].includes(role);
    case 'school.administer':
      return role === 'admin';
    case 'audit.view':
      return role === 'admin';
    case 'letter.view':
      return dsl || ['attendance_officer', 'senco', 'senior_leader', 'admin'].includes(role);
    case 'letter.send':
    case 'letter.editTemplates':
    case 'evidencePack.produce':
      return ['attendance_officer', 'senior_leader', 'admin'].includes(role);
    case 'casework.view':
      return dsl || ['attendance_officer', 'senco', 'senior_leader', 'admin'].includes(role);
    case 'casework.manage':
      return ['attendance_officer', 'senior_leader', 'admin'].includes(role);
    case 'messages.view':
      return ['office', 'attendance_officer', 'senior_leader', 'admin'].includes(role);
    case 'duties.view':
      return ['office', 'attendance_officer', 'senior_leader', 'admin'].includes(role);
    case 'duties.manage':
      return ['attendance_officer', 'senior_leader', 'admin'].includes(role);
    case 'admissionRegister.edit':
      return r.kind === 'pupil' && ['office', 'attendance_officer', 'senior_leader', 'admin'].includes(role);
    case 'jobs.run':
      return role === 'admin';
    case 'jobs.runInstallation':
      // Only an administrator of the installation (no school of their own), or the system.
      return role === 'admin' && actor.schoolId === null;
    case 'pupil.subjectAccess':
      return r.kind === 'pupil' && ['senior_leader', 'admin'].includes(role);
    case 'registers.audit':
      return ['attendance_officer', 'senior_leader', 'trust_lead', 'admin'].includes(role);
    case 'school.export':
      return ['attendance_officer', 'senior_leader', 'admin'].includes(role);
    case 'retention.run':
      return role === 'admin';
    case 'policy.edit':
      return ['attendance_officer', 'senior_leader', 'admin'].includes(role);
    case 'integration.record':
      return r.kind === 'pupil' && ['attendance_officer', 'senior_leader', 'senco', 'admin'].includes(role);
    case 'school.editDetails':
      return ['senior_leader', 'admin'].includes(role);
    case 'rollcall.take':
      // Every member of staff may have to account for pupils at the assembly point.
      return dsl || ['teacher', 'office', 'attendance_officer', 'senco', 'senior_leader', 'admin'].includes(role);
    case 'safeguarding.lead':
      return dsl;
    case 'pupil.recordAccessReason':
      return role === 'la_officer' && r.kind === 'pupil';
  }
}

/** Throws FORBIDDEN unless the actor may. */
export function authorise(actor: Actor, action: Action, r: Resource): void {
  if (!can(actor, action, r)) {
    throw new AppError('FORBIDDEN', 'You do not have permission to do that.', { action });
  }
}

/** True for roles that work inside one school. */
export function isSchoolStaff(role: Role): boolean {
  return SCHOOL_STAFF.includes(role);
}
