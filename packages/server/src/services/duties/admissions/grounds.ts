/**
 * The legal grounds for deleting a pupil from the admission register, and the checks Rollcall
 * makes against the data before a deletion. No other grounds (no off-rolling), no retrospective
 * deletion, and the local authority is told no later than the deletion.
 *
 * @see ../../../../../shared/reference/attendance-rules.md §5 (Deletions), checked 2026-11-26
 * @see ../../../../../shared/seeds/002_aba111d41983db42.txt §5.7 children missing education, §5.8 elective home education
 */
export const DELETION_GROUNDS = [
  'registered_elsewhere',
  'home_education',
  'moved_away',
  'leave_not_returned',
  'absent_20_days',
  'permanently_excluded',
  'died',
  'compulsory_school_age_ended',
] as const;
export type DeletionGround = (typeof DELETION_GROUNDS)[number];

export function isDeletionGround(value: string): value is DeletionGround {
  return (DELETION_GROUNDS as readonly string[]).includes(value);
}

export interface GroundDefinition {
  readonly title: string;
  /** What Rollcall checks in the data before allowing it. */
  readonly checks: string;
  readonly source: string;
}

/** Shown to staff beside each ground: the published rule (our notes: attendance-rules.md §5 Deletions). */
const RULES = 'The School Attendance (Pupil Registration) (England) Regulations 2024';

export const GROUNDS: Record<DeletionGround, GroundDefinition> = {
  registered_elsewhere: {
    title: 'Registered at another school',
    checks: 'The destination school is named.',
    source: RULES,
  },
  home_education: {
    title: 'Parent has notified the school in writing that the child is being educated at home',
    checks:
      'The parent’s written notification and the EHE referral to the local authority are recorded; a child on a child protection plan is not deleted on this ground without the local authority’s agreement.',
    source: `${RULES}; the trust’s written policy §5.8`,
  },
  moved_away: {
    title: 'Moved away and no longer lives within reasonable distance of the school',
    checks: 'The new address or area is recorded.',
    source: RULES,
  },
  leave_not_returned: {
    title: 'Not returned within 10 school days after an agreed leave of absence ended',
    checks:
      'A granted leave of absence ended at least 10 school days before the deletion, the pupil has not attended since, and joint enquiries with the local authority are recorded.',
    source: RULES,
  },
  absent_20_days: {
    title: 'Continuously absent for 20 school days, whereabouts unknown after joint enquiries with the local authority',
    checks:
      'The last 20 or more school days before the deletion are a continuous run with every possible session coded G, N or O (not U), and joint enquiries with the local authority are recorded.',
    source: RULES, // checked as the domain finding deletionGround20Days
  },
  permanently_excluded: {
    title: 'Permanently excluded',
    checks: 'The exclusion and its date are described.',
    source: RULES,
  },
  died: {
    title: 'Died',
    checks: 'A note is recorded.',
    source: RULES,
  },
  compulsory_school_age_ended: {
    title: 'Ceased to be of compulsory school age (and not continuing at the school)',
    checks: 'A date of birth is recorded.',
    source: RULES,
  },
};

/**
 * School days after a leave of absence ended without the pupil returning.
 * @see ../../../../../shared/reference/attendance-rules.md §5
 */
export const LEAVE_NOT_RETURNED_SCHOOL_DAYS = 10;
