import { describe, expect, it } from 'vitest';
import { ACTIONS, can, ROLES, SYSTEM_ACTOR, type Action, type Actor, type Resource, type Role } from './authz.js';

const SCHOOL = { schoolId: 's1', trustId: 'trust1', laCode: '999' };
const OTHER_SCHOOL = { schoolId: 's2', trustId: 'trust2', laCode: '998' };

function actor(role: Role): Actor {
  return {
    userId: `u-${role}`,
    name: role,
    role,
    schoolId: role === 'trust_lead' || role === 'la_officer' ? null : 's1',
    trustId: role === 'trust_lead' ? 'trust1' : null,
    laCode: role === 'la_officer' ? '999' : null,
    groupIds: new Set(role === 'teacher' ? ['g1'] : []),
    pupilIds: new Set(role === 'parent' ? ['p1'] : []),
  };
}

// The pupil is in the teacher's group g1 and is the parent's child.
const OWN_PUPIL: Resource = { kind: 'pupil', pupilId: 'p1', groupIds: ['g1'], ...SCHOOL };
// Another pupil of the same school, in a group the teacher does not teach, not the parent's child.
const OTHER_PUPIL: Resource = { kind: 'pupil', pupilId: 'p2', groupIds: ['g2'], ...SCHOOL };
const OWN_GROUP: Resource = { kind: 'group', groupId: 'g1', ...SCHOOL };
const OTHER_GROUP: Resource = { kind: 'group', groupId: 'g2', ...SCHOOL };
const THE_SCHOOL: Resource = { kind: 'school', ...SCHOOL };
// The same pupil where the local authority has a reason (issue 16: otherwise LA officers see aggregates).
const LA_PUPIL: Resource = { kind: 'pupil', pupilId: 'p1', groupIds: ['g1'], ...SCHOOL, laReason: true };

type Row = Record<Role, boolean>;
const r = (allowed: readonly Role[]): Row =>
  Object.fromEntries(ROLES.map((role) => [role, allowed.includes(role)])) as Row;

/**
 * The whole matrix, written out by hand: for each action, on the resource that matters, which
 * roles may. Any change to the policy must change this table.
 */
const MATRIX: readonly [Action, Resource, Row][] = [
  // Issue 16: LA officers only where the LA has a reason (LA_PUPIL); DSLs and deputies see pupils.
  [
    'pupil.view',
    OWN_PUPIL,
    r([
      'teacher',
      'office',
      'attendance_officer',
      'senco',
      'senior_leader',
      'dsl',
      'deputy_dsl',
      'trust_lead',
      'parent',
      'admin',
    ]),
  ],
  [
    'pupil.view',
    OTHER_PUPIL,
    r(['office', 'attendance_officer', 'senco', 'senior_leader', 'dsl', 'deputy_dsl', 'trust_lead', 'admin']),
  ],
  [
    'pupil.view',
    LA_PUPIL,
    r([
      'teacher',
      'office',
      'attendance_officer',
      'senco',
      'senior_leader',
      'dsl',
      'deputy_dsl',
      'trust_lead',
      'la_officer',
      'parent',
      'admin',
    ]),
  ],
  [
    'pupil.viewSafeguarding',
    OWN_PUPIL,
    r(['attendance_officer', 'senco', 'senior_leader', 'dsl', 'deputy_dsl', 'admin']),
  ],
  [
    'pupil.viewSafeguarding',
    LA_PUPIL,
    r(['attendance_officer', 'senco', 'senior_leader', 'dsl', 'deputy_dsl', 'la_officer', 'admin']),
  ],
  [
    'pupil.viewContacts',
    OWN_PUPIL,
    r(['office', 'attendance_officer', 'senco', 'senior_leader', 'dsl', 'deputy_dsl', 'parent', 'admin']),
  ],
  [
    'pupil.viewContacts',
    OTHER_PUPIL,
    r(['office', 'attendance_officer', 'senco', 'senior_leader', 'dsl', 'deputy_dsl', 'admin']),
  ],
  ['register.take', OWN_GROUP, r(['teacher', 'office', 'attendance_officer', 'senior_leader', 'admin'])],
  ['register.take', OTHER_GROUP, r(['office', 'attendance_officer', 'senior_leader', 'admin'])],
  ['register.viewBoard', THE_SCHOOL, r(['office', 'attendance_officer', 'senior_leader', 'admin'])],
  ['mark.amend', OWN_PUPIL, r(['office', 'attendance_officer', 'senior_leader', 'admin'])],
  ['mark.lateAfterCloseAsL', OWN_PUPIL, r(['attendance_officer', 'senior_leader', 'admin'])],
  ['office.signInOut', OWN_PUPIL, r(['office', 'attendance_officer', 'senior_leader', 'admin'])],
  [
    'school.viewAggregates',
    THE_SCHOOL,
    r([
      'attendance_officer',
      'senco',
      'senior_leader',
      'dsl',
      'deputy_dsl',
      'governor',
      'trust_lead',
      'la_officer',
      'admin',
    ]),
  ],
  [
    'school.viewPupilLists',
    THE_SCHOOL,
    r(['office', 'attendance_officer', 'senco', 'senior_leader', 'dsl', 'deputy_dsl', 'trust_lead', 'admin']),
  ],
  ['school.administer', THE_SCHOOL, r(['admin'])],
  ['audit.view', THE_SCHOOL, r(['admin'])],
  ['letter.view', OWN_PUPIL, r(['attendance_officer', 'senco', 'senior_leader', 'dsl', 'deputy_dsl', 'admin'])],
  ['letter.send', OWN_PUPIL, r(['attendance_officer', 'senior_leader', 'admin'])],
  ['letter.editTemplates', THE_SCHOOL, r(['attendance_officer', 'senior_leader', 'admin'])],
  ['evidencePack.produce', OWN_PUPIL, r(['attendance_officer', 'senior_leader', 'admin'])],
  ['casework.view', OWN_PUPIL, r(['attendance_officer', 'senco', 'senior_leader', 'dsl', 'deputy_dsl', 'admin'])],
  ['casework.view', THE_SCHOOL, r(['attendance_officer', 'senco', 'senior_leader', 'dsl', 'deputy_dsl', 'admin'])],
  ['casework.manage', OWN_PUPIL, r(['attendance_officer', 'senior_leader', 'admin'])],
  ['duties.view', THE_SCHOOL, r(['office', 'attendance_officer', 'senior_leader', 'admin'])],
  ['messages.view', THE_SCHOOL, r(['office', 'attendance_officer', 'senior_leader', 'admin'])],
  ['duties.manage', THE_SCHOOL, r(['attendance_officer', 'senior_leader', 'admin'])],
  ['admissionRegister.edit', OWN_PUPIL, r(['office', 'attendance_officer', 'senior_leader', 'admin'])],
  ['jobs.run', THE_SCHOOL, r(['admin'])],
  // A school's administrator runs jobs for their own school only: the installation is not theirs.
  ['jobs.runInstallation', THE_SCHOOL, r([])],
  ['pupil.subjectAccess', OWN_PUPIL, r(['senior_leader', 'admin'])],
  ['registers.audit', THE_SCHOOL, r(['attendance_officer', 'senior_leader', 'trust_lead', 'admin'])],
  ['school.export', THE_SCHOOL, r(['attendance_officer', 'senior_leader', 'admin'])],
  ['retention.run', THE_SCHOOL, r(['admin'])],
  ['policy.edit', THE_SCHOOL, r(['attendance_officer', 'senior_leader', 'admin'])],
  ['integration.record', OWN_PUPIL, r(['attendance_officer', 'senco', 'senior_leader', 'admin'])],
  ['school.editDetails', THE_SCHOOL, r(['senior_leader', 'admin'])],
  [
    'rollcall.take',
    THE_SCHOOL,
    r(['teacher', 'office', 'attendance_officer', 'senco', 'senior_leader', 'dsl', 'deputy_dsl', 'admin']),
  ],
  ['safeguarding.lead', THE_SCHOOL, r(['dsl', 'deputy_dsl'])],
  ['pupil.recordAccessReason', OWN_PUPIL, r(['la_officer'])],
];

describe('the permission policy', () => {
  it('covers every action in the matrix', () => {
    expect(new Set(MATRIX.map(([a]) => a))).toEqual(new Set(ACTIONS));
  });

  describe.each(MATRIX)('%s', (action, resource, row) => {
    it.each(ROLES)('%s', (role) => {
      expect(can(actor(role), action, resource)).toBe(row[role]);
    });
  });

  it.each(ACTIONS)('no role may %s in a school outside its scope', (action) => {
    const elsewhere: Resource[] = [
      { kind: 'pupil', pupilId: 'p1', groupIds: ['g1'], ...OTHER_SCHOOL },
      { kind: 'group', groupId: 'g1', ...OTHER_SCHOOL },
      { kind: 'school', ...OTHER_SCHOOL },
    ];
    for (const role of ROLES) {
      if (role === 'admin') continue; // an installation administrator has no school and sees all; a school's admin does not
      // A parent is scoped by their children, wherever they are: use another family's child.
      const others =
        role === 'parent'
          ? elsewhere.map((res) => (res.kind === 'pupil' ? { ...res, pupilId: 'p9' } : res))
          : elsewhere;
      for (const res of others) expect(can(actor(role), action, res)).toBe(false);
    }
    const schoolAdmin = actor('admin');
    for (const res of elsewhere) expect(can(schoolAdmin, action, res)).toBe(false);
  });

  it('gives an administrator without a school every school, and the system everything', () => {
    const installAdmin: Actor = { ...actor('admin'), schoolId: null };
    expect(can(installAdmin, 'school.administer', { kind: 'school', ...OTHER_SCHOOL })).toBe(true);
    expect(can(installAdmin, 'jobs.runInstallation', THE_SCHOOL)).toBe(true);
    expect(
      can(actor('admin'), 'jobs.runInstallation', { kind: 'school', schoolId: '', trustId: null, laCode: '' }),
    ).toBe(false);
    for (const [action, resource] of MATRIX)
      expect(can(SYSTEM_ACTOR, action, { ...resource, ...OTHER_SCHOOL })).toBe(true);
  });

  it('lets a parent see their own child at another school, and nothing else there', () => {
    const child: Resource = { kind: 'pupil', pupilId: 'p1', groupIds: [], ...OTHER_SCHOOL };
    expect(can(actor('parent'), 'pupil.view', child)).toBe(true);
    expect(can(actor('parent'), 'pupil.viewSafeguarding', child)).toBe(false);
    expect(can(actor('parent'), 'school.viewAggregates', { kind: 'school', ...OTHER_SCHOOL })).toBe(false);
  });

  it('never lets a governor see a named pupil', () => {
    for (const action of [
      'pupil.view',
      'pupil.viewContacts',
      'pupil.viewSafeguarding',
      'school.viewPupilLists',
    ] as const) {
      expect(can(actor('governor'), action, action === 'school.viewPupilLists' ? THE_SCHOOL : OWN_PUPIL)).toBe(false);
    }
  });
});
