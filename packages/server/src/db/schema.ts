/**
 * Table types for Kysely. Column names are snake_case as in the migrations.
 *
 * Long on purpose: one interface per table: the whole database's types in one place,
 * which Kysely's `Database` needs and a reader compares with the migrations.
 */
import type { Generated, Selectable } from 'kysely';

/** 0 or 1: flags are integers so SQLite and PostgreSQL read them alike. */
export type Flag = number;

export interface TrustsTable {
  id: string;
  name: string;
}

export interface SchoolsTable {
  id: string;
  urn: string;
  name: string;
  phase: string;
  la_code: string;
  la_name: string;
  trust_id: string | null;
  time_zone: Generated<string>;
  policy_json: string;
  /** School details (migration school-details): address lines separated by newlines, without the postcode. */
  address: string | null;
  postcode: string | null;
  phone: string | null;
  email: string | null;
  headteacher_name: string | null;
  attendance_lead_name: string | null;
  /** The 4-digit DfE establishment number (with la_code, the school's "DfE number"). */
  estab: string | null;
  /** The letterhead's logo (migration letters-fit-to-post): PNG or JPEG bytes in base64, and its type. */
  logo_base64: string | null;
  logo_type: string | null;
  /** 1: every member of staff must use a second factor, not only the roles that must by default. */
  mfa_all_staff: Generated<number>;
}

export interface TermsTable {
  id: string;
  school_id: string;
  name: string;
  start_date: string;
  end_date: string;
}

export interface ClosuresTable {
  id: string;
  school_id: string;
  date: string;
  session: string;
  reason: string;
}

export interface GroupsTable {
  id: string;
  school_id: string;
  kind: string;
  name: string;
  year_group: string | null;
  subject: string | null;
}

export interface PupilsTable {
  id: string;
  school_id: string;
  upn: string;
  legal_surname: string;
  legal_forename: string;
  preferred_surname: string | null;
  preferred_forename: string | null;
  date_of_birth: string | null;
  gender: string | null;
  year_group: string | null;
  reg_group_id: string | null;
  admission_date: string;
  leaving_date: string | null;
  sen_status: Generated<string>;
  ehcp: Generated<Flag>;
  fsm: Generated<Flag>;
  pupil_premium: Generated<Flag>;
  eal: Generated<Flag>;
  cin: Generated<Flag>;
  cp: Generated<Flag>;
  lac: Generated<Flag>;
  previously_lac: Generated<Flag>;
  young_carer: Generated<Flag>;
  social_worker: string | null;
  ethnicity: string | null;
  /** Postal address lines separated by newlines, without the postcode. */
  address: string | null;
  postcode: string | null;
}

/** A pupils row as read back (flags 0/1): for code outside db/ that handles whole rows. */
export type PupilRow = Selectable<PupilsTable>;

export interface ContactsTable {
  id: string;
  pupil_id: string;
  name: string;
  relationship: string;
  parental_responsibility: Generated<Flag>;
  lives_with_pupil: Generated<Flag>;
  priority: number;
  mobile_phone: string | null;
  home_phone: string | null;
  work_phone: string | null;
  email: string | null;
  /** Postal address lines separated by newlines, without the postcode. */
  address: string | null;
  postcode: string | null;
  /** A language code such as `pl` (migration letters-fit-to-post); null means English. */
  preferred_language: string | null;
  /** `no_contact` or `court_order`: never given the child's details, never linked to an account (issue 16). */
  restriction: string | null;
}

export interface GroupMembersTable {
  group_id: string;
  pupil_id: string;
}

export interface LessonsTable {
  id: string;
  school_id: string;
  group_id: string;
  weekday: number;
  period: string;
  starts_at: string;
  ends_at: string;
  session: string;
}

export interface UsersTable {
  id: string;
  email: string;
  display_name: string;
  password_hash: string;
  role: string;
  school_id: string | null;
  trust_id: string | null;
  la_code: string | null;
  disabled: Generated<Flag>;
  created_at: string;
  /** 1: the password was set by an administrator; the person must choose their own before anything else. */
  must_change_password: Generated<Flag>;
  /** When the password was last set (null: not since this column was added). */
  password_changed_at: string | null;
}

export interface GroupStaffTable {
  group_id: string;
  user_id: string;
}

export interface ParentLinksTable {
  user_id: string;
  pupil_id: string;
  contact_id: string | null;
}

export interface AuthSessionsTable {
  id: string;
  user_id: string;
  csrf_token: string;
  created_at: string;
  expires_at: string;
  /** What the session still owes before it may be used: 'verify' (a second factor) or 'enrol'. */
  mfa_pending: string | null;
  /** When the person last proved who they are in this session (password or second factor). */
  authenticated_at: string | null;
  /** A WebAuthn challenge issued to this session, waiting for its answer. */
  challenge: string | null;
}

export interface MfaTotpTable {
  user_id: string;
  /** The base32 secret, encrypted (platform/secrets.ts). */
  secret_enc: string;
  created_at: string;
  /** Null while being set up. */
  confirmed_at: string | null;
  /** The last time step a code was accepted for: a code is never accepted twice. */
  last_step: number | null;
}

export interface MfaRecoveryCodesTable {
  user_id: string;
  /** SHA-256 of the normalised code. */
  code_hash: string;
  created_at: string;
  used_at: string | null;
}

export interface WebauthnCredentialsTable {
  id: string;
  user_id: string;
  public_key: string;
  counter: number;
  transports: string | null;
  name: string;
  created_at: string;
  last_used_at: string | null;
}

export interface SsoProvidersTable {
  id: string;
  school_id: string;
  kind: string;
  issuer: string;
  tenant: string | null;
  allowed_domain: string | null;
  client_id: string;
  client_secret_enc: string;
  created_at: string;
}

export interface SsoLinksTable {
  issuer: string;
  subject: string;
  user_id: string;
  provider_id: string;
  created_at: string;
}

export interface SsoStatesTable {
  state_hash: string;
  provider_id: string;
  verifier_enc: string;
  nonce: string;
  next: string;
  link_user_id: string | null;
  created_at: string;
  expires_at: string;
  used_at: string | null;
}

export interface LoginAttemptsTable {
  key: string;
  failures: number;
  first_failure_at: string;
  /** Refused until this instant (a growing delay), or null. */
  locked_until: string | null;
  last_failure_at: string | null;
  /** When the account's owner was last told by email of failures (email keys only). */
  notified_at: string | null;
}

export interface KnownDevicesTable {
  /** SHA-256 of the device cookie. */
  token_hash: string;
  user_id: string;
  created_at: string;
  last_used_at: string;
}

export interface RegistersTable {
  id: string;
  school_id: string;
  group_id: string;
  date: string;
  session: string;
  lesson_id: string | null;
  version: number;
  taken_at: string | null;
  taken_by: string | null;
  updated_at: string;
  updated_by: string | null;
}

export interface SessionMarksTable {
  pupil_id: string;
  date: string;
  session: string;
  code: string;
  minutes_late: number | null;
  updated_at: string;
  updated_by: string | null;
}

export interface LessonMarksTable {
  lesson_id: string;
  pupil_id: string;
  date: string;
  code: string;
  minutes_late: number | null;
  updated_at: string;
  updated_by: string | null;
}

export interface MarkHistoryTable {
  id: string;
  pupil_id: string;
  date: string;
  session: string;
  lesson_id: string | null;
  previous_code: string | null;
  new_code: string;
  previous_minutes_late: number | null;
  new_minutes_late: number | null;
  reason: string | null;
  user_id: string | null;
  user_name: string;
  user_role: string;
  at: string;
  source: string;
}

export interface LateArrivalsTable {
  id: string;
  pupil_id: string;
  date: string;
  session: string;
  arrived_at: string;
  minutes_late: number;
  code: string;
  reason: string | null;
  recorded_by: string;
  recorded_at: string;
}

export interface EarlyLeaversTable {
  id: string;
  pupil_id: string;
  date: string;
  left_at: string;
  collected_by: string | null;
  reason: string;
  returned_at: string | null;
  recorded_by: string;
  recorded_at: string;
}

/** An emergency roll call (db/duties/roll-call.ts). */
export interface RollCallsTable {
  id: string;
  school_id: string;
  date: string;
  /** What "on site" was worked out from, in words (e.g. "the afternoon register, 13:05"). */
  basis: string;
  started_at: string;
  started_by: string;
  closed_at: string | null;
  closed_by: string | null;
}

/** A pupil expected on site when the roll call started, and whether they are accounted for. */
export interface RollCallPupilsTable {
  roll_call_id: string;
  pupil_id: string;
  group_name: string;
  /** Why the pupil is expected: present | late | unknown (no mark yet) | returned. */
  why: string;
  accounted_at: string | null;
  accounted_by: string | null;
}

export interface AuditLogTable {
  id: string;
  at: string;
  user_id: string | null;
  user_role: string | null;
  action: string;
  entity_type: string;
  entity_id: string | null;
  pupil_id: string | null;
  school_id: string | null;
  details: string | null;
}

export interface ContactAttemptsTable {
  id: string;
  pupil_id: string;
  absence_date: string;
  method: string;
  contact_id: string | null;
  contact_name: string | null;
  outcome: string;
  notes: string | null;
  made_by: string;
  made_by_name: string;
  made_at: string;
  /** 1 when the call or visit raised a safeguarding concern (the DSL is told at once). */
  safeguarding_concern: Generated<Flag>;
}

export interface HomeVisitsTable {
  id: string;
  pupil_id: string;
  status: string;
  planned_for: string;
  reason: string;
  visited_at: string | null;
  staff: string | null;
  pair: Generated<Flag>;
  child_seen: Flag | null;
  present: string | null;
  discussed: string | null;
  calling_card_left: Generated<Flag>;
  safeguarding_concern: Generated<Flag>;
  next_steps: string | null;
  created_by: string;
  created_at: string;
  updated_at: string;
}

export interface MessagesTable {
  id: string;
  school_id: string;
  pupil_id: string | null;
  channel: string;
  to_address: string;
  subject: string | null;
  body: string;
  kind: string;
  status: string;
  attempts: Generated<number>;
  next_attempt_at: string;
  last_error: string | null;
  provider_id: string | null;
  created_by: string;
  created_at: string;
  sent_at: string | null;
  /** What the provider last said about delivery (e.g. Notify's `delivered`, `permanent-failure`). */
  provider_status: string | null;
  delivered_at: string | null;
}

export interface AbsenceReportsTable {
  id: string;
  pupil_id: string;
  reported_by: string;
  from_date: string;
  to_date: string;
  sessions: string;
  reason: string;
  details: string | null;
  expected_return: string | null;
  evidence: string | null;
  proposed_code: string;
  status: string;
  decided_by: string | null;
  decided_at: string | null;
  decision_note: string | null;
  created_at: string;
}

export interface LeaveRequestsTable {
  id: string;
  pupil_id: string;
  requested_by: string;
  kind: string;
  from_date: string;
  to_date: string;
  reason: string;
  forwarding_address: string | null;
  status: string;
  checks: string;
  decision_reason: string | null;
  decided_by: string | null;
  decided_at: string | null;
  created_at: string;
}

/** Duties (scheduled jobs, returns to the local authority, the admission register). */
export interface JobRunsTable {
  id: string;
  job: string;
  run_date: string;
  status: string;
  trigger: string;
  started_at: string;
  finished_at: string | null;
  started_by: string;
  summary: string | null;
  error: string | null;
  attempts: Generated<number>;
  /** '' for a run over the whole installation; a school's id for a run of that school alone. */
  scope: Generated<string>;
}

export interface LaReturnsTable {
  id: string;
  school_id: string;
  kind: string;
  period_from: string;
  period_to: string;
  status: string;
  prepared_at: string;
  prepared_by: string;
  sent_at: string | null;
  sent_by: string | null;
  sent_by_name: string | null;
  sent_note: string | null;
}

export interface LaReturnItemsTable {
  id: string;
  return_id: string;
  school_id: string;
  kind: string;
  pupil_id: string;
  item_key: string;
  details: string;
}

export interface RegisterEntriesTable {
  id: string;
  school_id: string;
  pupil_id: string;
  kind: string;
  date: string;
  ground: string | null;
  reason: string;
  details: string | null;
  la_notified_at: string | null;
  recorded_by: string;
  recorded_by_name: string;
  recorded_at: string;
}

export interface LaContactsTable {
  id: string;
  school_id: string;
  pupil_id: string;
  kind: string;
  date: string;
  notes: string;
  details: string | null;
  recorded_by: string;
  recorded_by_name: string;
  recorded_at: string;
}

/* Trust and safety (issue 16): what the designated safeguarding lead is told, acknowledged once. */
export interface DslAlertsTable {
  id: string;
  school_id: string;
  pupil_id: string;
  /** home_visit_concern | call_concern | cme_enquiry | vulnerable_absence */
  kind: string;
  /** The home visit, contact attempt or LA contact it came from (or `<pupil>/<date>` for an absence). */
  source_id: string;
  summary: string;
  raised_by_name: string;
  raised_at: string;
  acknowledged_by: string | null;
  acknowledged_by_name: string | null;
  acknowledged_at: string | null;
  acknowledgement: string | null;
}

/** A local authority officer's recorded reason to read a pupil's record (shown to the school). */
export interface LaAccessReasonsTable {
  id: string;
  school_id: string;
  pupil_id: string;
  user_id: string;
  user_name: string;
  reason: string;
  recorded_at: string;
  expires_on: string;
}

/* Casework (issue 5): the case record. */
export interface CasesTable {
  id: string;
  pupil_id: string;
  school_id: string;
  status: string;
  opened_on: string;
  opened_by: string;
  closed_on: string | null;
  created_at: string;
}

export interface CaseStagesTable {
  id: string;
  pupil_id: string;
  stage_id: string | null;
  stage_name: string;
  entered_on: string;
  left_on: string | null;
  reason: string;
  suggestion_id: string | null;
  decided_by: string;
  decided_by_name: string;
  decided_at: string;
}

export interface CaseReviewsTable {
  id: string;
  pupil_id: string;
  case_stage_id: string;
  reviewed_on: string;
  rate: number | null;
  notes: string;
  reviewed_by: string;
  created_at: string;
}

export interface CaseSuggestionsTable {
  id: string;
  pupil_id: string;
  school_id: string;
  as_of: string;
  kind: string;
  from_stage_id: string | null;
  to_stage_id: string | null;
  actions: string;
  explanation: string;
  because: string;
  source: string;
  fingerprint: string;
  status: string;
  decided_stage_id: string | null;
  decision_reason: string | null;
  decided_by: string | null;
  decided_by_name: string | null;
  decided_at: string | null;
  created_at: string;
}

export interface CaseMeetingsTable {
  id: string;
  pupil_id: string;
  kind: string;
  stage_id: string | null;
  scheduled_for: string;
  time: string | null;
  place: string | null;
  invited: string;
  status: string;
  held_on: string | null;
  attendees: string | null;
  barriers: string | null;
  minutes: string | null;
  pupil_voice: string | null;
  parent_voice: string | null;
  created_by: string;
  created_at: string;
  updated_at: string;
}

export interface CaseActionsTable {
  id: string;
  pupil_id: string;
  policy_action: string | null;
  description: string;
  owner: string;
  due_on: string;
  status: string;
  outcome: string | null;
  completed_on: string | null;
  suggestion_id: string | null;
  meeting_id: string | null;
  created_by: string;
  created_at: string;
  updated_at: string;
}

export interface CasePlansTable {
  id: string;
  pupil_id: string;
  kind: string;
  status: string;
  starts_on: string;
  ends_on: string;
  details: string | null;
  targets: string;
  review_dates: string;
  reviews: string;
  head_approved_by: string | null;
  head_approved_on: string | null;
  la_informed_on: string | null;
  outcome: string | null;
  created_by: string;
  created_at: string;
  updated_at: string;
}

export interface CaseReferralsTable {
  id: string;
  pupil_id: string;
  agency: string;
  made_on: string;
  reason: string;
  reference: string | null;
  status: string;
  outcome: string | null;
  created_by: string;
  created_at: string;
  updated_at: string;
}

export interface CaseContractsTable {
  id: string;
  pupil_id: string;
  parent_name: string;
  agreed_on: string;
  parent_commitments: string;
  support_offered: string;
  review_on: string;
  ends_on: string;
  status: string;
  outcome: string | null;
  created_by: string;
  created_at: string;
  updated_at: string;
}

export interface NoticesToImproveTable {
  id: string;
  pupil_id: string;
  parent_name: string;
  issued_on: string;
  period: string;
  monitoring_ends_on: string;
  expectations: string;
  status: string;
  outcome: string | null;
  outcome_on: string | null;
  created_by: string;
  created_at: string;
  updated_at: string;
}

export interface PenaltyNoticesTable {
  id: string;
  pupil_id: string;
  parent_key: string;
  parent_name: string;
  issued_on: string;
  sequence: number;
  reduced_amount_pence: number | null;
  reduced_by: string | null;
  amount_pence: number;
  pay_by: string;
  reason: string;
  status: string;
  paid_on: string | null;
  paid_pence: number | null;
  created_by: string;
  created_at: string;
  updated_at: string;
}

export interface LetterTemplatesTable {
  id: string;
  school_id: string;
  key: string;
  title: string;
  body: string;
  updated_by: string;
  updated_at: string;
  created_at: string;
  /** A language code (`en`, `pl`…); a school may keep one version of a key per language. */
  language: Generated<string>;
  /** What the letter is for (`meeting-invitation`, `warning`, `notice`…); null: taken from the key. */
  purpose: string | null;
  /** The words printed around a letter in this language (JSON, services/casework/letters/frame.ts); null: Rollcall's. */
  frame_json: Generated<string | null>;
}

export interface LettersTable {
  id: string;
  school_id: string;
  pupil_id: string;
  template_key: string;
  title: string;
  body: string;
  contact_id: string | null;
  recipient_name: string;
  recipient_address: string | null;
  method: string;
  email_to: string | null;
  message_id: string | null;
  created_by: string;
  created_by_name: string;
  created_at: string;
  /** The school's postal address when the letter was sent (migration school-details). */
  school_address: string | null;
  /** What the PDF prints beyond the text (migration letters-fit-to-post); null on older letters. */
  letter_date: string | null;
  salutation: string | null;
  sender_name: string | null;
  sender_role: string | null;
  reference: string | null;
  language: string | null;
  school_phone: string | null;
  school_email: string | null;
  purpose: string | null;
  /** The words printed around the letter in its language (JSON, migration letter-frames); null: English. */
  frame_json: Generated<string | null>;
}

export interface EvidencePacksTable {
  id: string;
  school_id: string;
  pupil_id: string;
  kind: string;
  period_from: string;
  period_to: string;
  missing: string;
  contents: string;
  pdf_base64: string;
  status: string;
  produced_by: string;
  produced_by_name: string;
  produced_at: string;
  sent_at: string | null;
  sent_by: string | null;
  sent_to: string | null;
}

/** A key another system uses for the API (`Authorization: Bearer …`); only its hash is stored. */
export interface ApiKeysTable {
  id: string;
  school_id: string;
  name: string;
  /** The key's first characters, shown to tell keys apart. */
  prefix: string;
  /** SHA-256 of the whole key, hex. */
  secret_hash: string;
  /** The role the key acts with (office, attendance_officer, senior_leader). */
  role: string;
  /** Space-separated scopes: read, write. */
  scopes: string;
  created_by: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
  revoked_by: string | null;
}

/** One run of the retention job: what it removed, and for whom. */
export interface RetentionRunsTable {
  id: string;
  school_id: string;
  run_at: string;
  run_by: string;
  keep_years: number;
  /** Marks dated before this day were removed. */
  before_date: string;
  marks_removed: number;
  history_removed: number;
  lesson_marks_removed: number;
  late_arrivals_removed: Generated<number>;
  early_leavers_removed: Generated<number>;
  registers_removed: Generated<number>;
  dry_run: Generated<Flag>;
}

/** A pupil's integration period, left out of the adjusted attendance rate (one per pupil). */
export interface IntegrationPeriodsTable {
  id: string;
  pupil_id: string;
  school_id: string;
  from_date: string;
  to_date: string;
  reason: string;
  recorded_by: string;
  recorded_by_name: string;
  recorded_at: string;
}

/** A school's analysis cohort marks for an academic year, packed (services/analysis/snapshots.ts). */
export interface CohortSnapshotsTable {
  school_id: string;
  year_start: string;
  mark_watermark: string;
  audit_watermark: string;
  calendar_fingerprint: string;
  pupil_count: number;
  payload: Uint8Array;
  created_at: string;
  /** The school's figures for one day, as JSON (services/analysis/snapshots.ts); null when not known. */
  figures: string | null;
  /** Each measured pupil's counts behind the figures, packed (services/analysis/snapshots.ts); null when not known. */
  pupil_counts: Uint8Array | null;
}

/* The Common Transfer File (issue 15). */
export interface PupilAttendanceHistoryTable {
  id: string;
  pupil_id: string;
  academic_year: number;
  la_code: string;
  estab: string;
  urn: string | null;
  school_name: string | null;
  sessions_possible: number;
  sessions_attended: number;
  sessions_authorised: number;
  sessions_unauthorised: number;
  marks_start: string | null;
  marks: string | null;
  imported_from: string;
  imported_at: string;
}

export interface PupilSchoolHistoryTable {
  id: string;
  pupil_id: string;
  position: number;
  la_code: string;
  estab: string;
  urn: string | null;
  school_name: string | null;
  entry_date: string | null;
  leaving_date: string | null;
  leaving_reason: string | null;
}

/** A school's own attendance code and the national code it stands for (issue 15, item 4). */
export interface SchoolCodesTable {
  school_id: string;
  /** In capitals, as compared with the marks files. */
  school_code: string;
  /** The national code (codes.ts) it is imported as. */
  code: string;
  meaning: string | null;
  updated_at: string;
  updated_by_name: string;
}

/**
 * What the admission register holds beyond the pupils and contacts tables (issue 15, item 5; the
 * 2024 regulations, regulation 8): the school last attended, and boarding.
 */
export interface PupilAdmissionDetailsTable {
  pupil_id: string;
  /** 1 a school is named, 0 none (first school), null not recorded. */
  has_last_school: number | null;
  last_school_name: string | null;
  last_school_address: string | null;
  /** 1 boarder, 0 day pupil, null not recorded (a school without boarders). */
  boarder: number | null;
  updated_at: string;
}

export interface CtfExportsTable {
  id: string;
  school_id: string;
  kind: string;
  destination: string;
  sequence: number;
  file_name: string;
  pupil_count: number;
  created_at: string;
  created_by: string | null;
  created_by_name: string;
  /** When the school marked it sent (uploaded to School to School); null until then. */
  sent_at: string | null;
  sent_by_name: string | null;
}

export interface CtfExportPupilsTable {
  export_id: string;
  pupil_id: string;
}

export interface WebhookSubscriptionsTable {
  id: string;
  school_id: string;
  url: string;
  /** Space-separated event names. */
  events: string;
  description: string;
  /** The signing secret, sealed with the installation's key (platform/secrets.ts). */
  secret_enc: string;
  created_by: string;
  created_at: string;
  disabled_at: string | null;
  /** After a rotation: the previous secret, sealed, still signing beside the new one until `previous_secret_until`. */
  previous_secret_enc: string | null;
  previous_secret_until: string | null;
  secret_rotated_at: string | null;
}

export interface WebhookDeliveriesTable {
  id: string;
  subscription_id: string;
  school_id: string;
  event_id: string;
  event: string;
  /** The JSON body, exactly as signed and sent. */
  payload: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  next_attempt_at: string;
  last_attempt_at: string | null;
  last_status_code: number | null;
  last_error: string | null;
  created_at: string;
  delivered_at: string | null;
}

export interface Database {
  trusts: TrustsTable;
  schools: SchoolsTable;
  terms: TermsTable;
  closures: ClosuresTable;
  groups: GroupsTable;
  pupils: PupilsTable;
  contacts: ContactsTable;
  group_members: GroupMembersTable;
  lessons: LessonsTable;
  users: UsersTable;
  group_staff: GroupStaffTable;
  parent_links: ParentLinksTable;
  auth_sessions: AuthSessionsTable;
  login_attempts: LoginAttemptsTable;
  known_devices: KnownDevicesTable;
  mfa_totp: MfaTotpTable;
  sso_providers: SsoProvidersTable;
  sso_links: SsoLinksTable;
  sso_states: SsoStatesTable;
  mfa_recovery_codes: MfaRecoveryCodesTable;
  webauthn_credentials: WebauthnCredentialsTable;
  registers: RegistersTable;
  session_marks: SessionMarksTable;
  lesson_marks: LessonMarksTable;
  mark_history: MarkHistoryTable;
  late_arrivals: LateArrivalsTable;
  early_leavers: EarlyLeaversTable;
  audit_log: AuditLogTable;
  roll_calls: RollCallsTable;
  roll_call_pupils: RollCallPupilsTable;
  contact_attempts: ContactAttemptsTable;
  home_visits: HomeVisitsTable;
  messages: MessagesTable;
  absence_reports: AbsenceReportsTable;
  leave_requests: LeaveRequestsTable;
  job_runs: JobRunsTable;
  la_returns: LaReturnsTable;
  la_return_items: LaReturnItemsTable;
  register_entries: RegisterEntriesTable;
  la_contacts: LaContactsTable;
  cases: CasesTable;
  case_stages: CaseStagesTable;
  case_reviews: CaseReviewsTable;
  case_suggestions: CaseSuggestionsTable;
  case_meetings: CaseMeetingsTable;
  case_actions: CaseActionsTable;
  case_plans: CasePlansTable;
  case_referrals: CaseReferralsTable;
  case_contracts: CaseContractsTable;
  notices_to_improve: NoticesToImproveTable;
  penalty_notices: PenaltyNoticesTable;
  letter_templates: LetterTemplatesTable;
  letters: LettersTable;
  evidence_packs: EvidencePacksTable;
  api_keys: ApiKeysTable;
  webhook_subscriptions: WebhookSubscriptionsTable;
  webhook_deliveries: WebhookDeliveriesTable;
  retention_runs: RetentionRunsTable;
  integration_periods: IntegrationPeriodsTable;
  cohort_snapshots: CohortSnapshotsTable;
  pupil_attendance_history: PupilAttendanceHistoryTable;
  pupil_school_history: PupilSchoolHistoryTable;
  ctf_exports: CtfExportsTable;
  dsl_alerts: DslAlertsTable;
  la_access_reasons: LaAccessReasonsTable;
  ctf_export_pupils: CtfExportPupilsTable;
  school_codes: SchoolCodesTable;
  pupil_admission_details: PupilAdmissionDetailsTable;
}
