/**
 * The kinds of record on a pupil's case, as data: for each kind its table, the shape of what the
 * create and update forms send (zod), how each field is checked (messages name the field), the
 * columns written, the audit action names, the permission, the list it appears in on the case
 * record, and anything particular to it (the legal rules on penalty notices, the part-time
 * timetable's approval and end date, the Notice to Improve's monitoring period…). The code that
 * runs a kind — authorise, check, write in one transaction, complete the policy's open action,
 * audit — is written once in case-record.ts.
 *
 * Adding a kind: a table (migration), a list in record.ts (`CASE_ITEM_LISTS`), a descriptor
 * in record-kinds/ with an entry in `RECORD_KINDS`, two exported calls in case-record.ts and two forms in
 * web/casework/case-routes.ts. record-kinds.db.test.ts runs every kind through the shared code.
 */
import type { AnyRecordKind } from './record-kinds/kind.js';
import { ACTION, MEETING } from './record-kinds/meetings.js';
import { NOTICE_TO_IMPROVE, PENALTY_NOTICE } from './record-kinds/notices.js';
import { PLAN } from './record-kinds/plans.js';
import { CONTRACT, REFERRAL } from './record-kinds/referrals.js';

/** Every kind of record on a case, in the order the case page shows them. */
export const RECORD_KINDS: readonly AnyRecordKind[] = [
  MEETING.any,
  ACTION.any,
  PLAN.any,
  REFERRAL.any,
  CONTRACT.any,
  NOTICE_TO_IMPROVE.any,
  PENALTY_NOTICE.any,
];

export { ACTION, CONTRACT, MEETING, NOTICE_TO_IMPROVE, PENALTY_NOTICE, PLAN, REFERRAL };
export type { AnyRecordKind, Completes, KindContext, RecordKind } from './record-kinds/kind.js';
export { type ActionInput, type RecordMeetingInput, type ScheduleMeetingInput } from './record-kinds/meetings.js';
export { earliestPlanEnd, type PlanInput } from './record-kinds/plans.js';
export { monitoringEnd } from './record-kinds/notices.js';
