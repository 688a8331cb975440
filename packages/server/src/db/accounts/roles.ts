/**
 * The roles an account may have and the signed-in person as the database stores them: the shape
 * `getActor` builds from the users table. The policy of who may do what over them is
 * services/authz.ts, which re-exports these (the database layer never imports a service).
 */

export const ROLES = [
  'teacher',
  'office',
  'attendance_officer',
  'senco',
  'senior_leader',
  'dsl',
  'deputy_dsl',
  'governor',
  'trust_lead',
  'la_officer',
  'parent',
  'admin',
] as const;
export type Role = (typeof ROLES)[number];

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

/** The signed-in person, with the scope their role is limited to. */
export interface Actor {
  readonly userId: string;
  readonly name: string;
  readonly role: Role;
  /** The school of school staff, governors and parents' accounts; null for trust and LA roles. */
  readonly schoolId: string | null;
  readonly trustId: string | null;
  readonly laCode: string | null;
  /** Teachers: the groups they teach or register. */
  readonly groupIds: ReadonlySet<string>;
  /** Parents: their own children. */
  readonly pupilIds: ReadonlySet<string>;
}
