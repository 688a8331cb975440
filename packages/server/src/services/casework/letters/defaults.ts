/**
 * Rollcall's default letter templates, in our own words, for every stage of a support-first
 * policy. A school edits them at /school/letters (the edits are stored in `letter_templates`);
 * a policy document's own `letters` replace these by key. Keys match the policy actions
 * `letter:<key>` (the twin-track example uses track-1-concern, track-1-plan, track-2, positive).
 */
import type { LetterPurpose, LetterTemplate } from '@rollcall/domain';

export type { LetterTemplate };

/**
 * A default letter is its body only: the PDF prints the letterhead, the recipient's name and
 * address, the date, the reference, "Dear <recipient>", the title and the sign-off around it
 * (letter-pdf.ts), so none of them is written here.
 */
function letter(key: string, title: string, body: string, purpose: LetterPurpose): LetterTemplate {
  return { key, title, body: body.trim(), purpose };
}

/**
 * The first-day text from the worklist (a text message, not a letter: it is edited on the
 * templates page like one, and never offered as a letter to write). Keys of texts start `text-`.
 */
export const FIRST_DAY_TEXT: LetterTemplate = {
  key: 'text-first-day',
  title: 'Text: we have not heard from you about an absence today',
  body: "{{school.name}}: we have not heard from you about {{pupil.forename}}'s absence today. Please call the school office to tell us why {{pupil.forename}} is not in school.",
  purpose: 'urgent-follow-up',
};

/** The key of the built-in summary letter every school has (the half-termly letter to every family). */
export const ATTENDANCE_SUMMARY_KEY = 'attendance-summary';

/** This year's attendance, the school's target and the pupil's band: always available. */
export const ATTENDANCE_SUMMARY: LetterTemplate = letter(
  ATTENDANCE_SUMMARY_KEY,
  'Attendance this year',
  `Re: {{pupil.name}}, {{pupil.yearGroup}}

We write to every family each half term with their child's attendance.

So far this year ({{attendance.period}}) {{pupil.forename}}'s attendance is {{attendance.rate}}. The school's target is {{school.target}}. This puts {{pupil.forename}} in the band: {{attendance.band}}.

Every day in school counts. If anything is making it hard for {{pupil.forename}} to come to school, please talk to us: we would like to help.`,
  'summary',
);

export const DEFAULT_LETTER_TEMPLATES: readonly LetterTemplate[] = [
  ATTENDANCE_SUMMARY,
  letter(
    'meeting-invitation',
    'Invitation to an attendance meeting',
    `Re: {{pupil.name}}, {{pupil.yearGroup}}

We would like to meet you to talk about {{pupil.forename}}'s attendance and how we can help. {{explanation}}

So far this year ({{attendance.period}}) {{pupil.forename}}'s attendance is {{attendance.rate}}, with {{attendance.sessionsMissed}} sessions missed.

We have arranged the meeting for {{meeting.date}} at {{meeting.time}} in {{meeting.place}}. If this time does not suit you, please contact the school office and we will find another. You are welcome to bring someone with you.

At the meeting we will listen to what is making attendance difficult, and agree together what the school, you and {{pupil.forename}} will do next.`,
    'meeting-invitation',
  ),
  letter(
    'meeting-missed',
    'We missed you at the meeting',
    `Re: {{pupil.name}}, {{pupil.yearGroup}}

We were sorry not to see you at the meeting on {{meeting.date}} about {{pupil.forename}}'s attendance.

{{pupil.forename}}'s attendance this year is {{attendance.rate}}. We still want to work with you to improve it, so please contact the school within five school days to arrange another time.

If we do not hear from you, we will need to follow the next steps of our attendance policy, which may include a home visit.`,
    'meeting-missed',
  ),
  letter(
    'urgent-follow-up',
    'Urgent: unexplained absence',
    `Re: {{pupil.name}}, {{pupil.yearGroup}}

{{pupil.forename}} has been absent from school and we have not been able to reach you to find out why. {{explanation}}

Please contact the school today. We need to know that {{pupil.forename}} is safe. If we cannot make contact, we will visit your home and may ask other agencies for help in finding {{pupil.forename}}.`,
    'urgent-follow-up',
  ),
  letter(
    'stage-1a',
    'Stage 1a: attendance concern',
    `Re: {{pupil.name}}, {{pupil.yearGroup}}

We are writing because {{pupil.forename}}'s attendance has fallen to {{attendance.rate}} ({{attendance.period}}). {{explanation}}

Every day in school matters for learning and for friendships. We know there can be many reasons for absence and we would like to help. Please talk to us if there is anything making it hard for {{pupil.forename}} to come to school.

We will keep an eye on attendance over the next few weeks and hope to see it improve.`,
    'concern',
  ),
  letter(
    'stage-1b',
    'Stage 1b: attendance still a concern',
    `Re: {{pupil.name}}, {{pupil.yearGroup}}

We wrote to you recently about {{pupil.forename}}'s attendance. It is now {{attendance.rate}}, with {{attendance.sessionsMissed}} sessions missed this year and absence in {{attendance.brokenWeeks}} different weeks. {{explanation}}

We would like to agree a plan with you to support {{pupil.forename}}. Please contact the school so that we can arrange a meeting.`,
    'concern',
  ),
  letter(
    'stage-2',
    'Stage 2: attendance support plan',
    `Re: {{pupil.name}}, {{pupil.yearGroup}}

Thank you for meeting us about {{pupil.forename}}'s attendance. This letter confirms the support plan we agreed.

The target we agreed is: {{plan.target}}. We will review the plan together on {{plan.reviewDate}}.

{{pupil.forename}}'s attendance is currently {{attendance.rate}}. {{explanation}}

Please tell us straight away if anything changes that might affect {{pupil.forename}}'s attendance.`,
    'plan',
  ),
  letter(
    'stage-3',
    'Stage 3: attendance not improving',
    `Re: {{pupil.name}}, {{pupil.yearGroup}}

Despite the support in place, {{pupil.forename}}'s attendance has not improved. It is now {{attendance.rate}}, and {{attendance.unauthorisedSessions}} sessions this year have been unauthorised absence. {{explanation}}

We need to meet you again to review the plan and consider more formal support, such as an attendance contract or a referral to the local authority's attendance service. The meeting will be on {{meeting.date}} at {{meeting.time}} in {{meeting.place}}.`,
    'meeting-invitation',
  ),
  letter(
    'stage-4',
    'Stage 4: referral to the local authority',
    `Re: {{pupil.name}}, {{pupil.yearGroup}}

{{pupil.forename}}'s attendance remains a serious concern at {{attendance.rate}}, with {{attendance.unauthorisedLast10Weeks}} sessions of unauthorised absence in the last 10 school weeks. {{explanation}}

Because attendance has not improved with the support offered, we are referring {{pupil.forename}} to the local authority. The local authority may contact you, and it may consider legal measures. We will continue to support {{pupil.forename}} and you throughout.`,
    'referral',
  ),
  letter(
    'formal-warning',
    'Formal warning: unauthorised absence',
    `Re: {{pupil.name}}, {{pupil.yearGroup}}

This is a formal warning. {{pupil.forename}} has had {{attendance.unauthorisedLast10Weeks}} sessions of unauthorised absence in the last 10 school weeks. {{explanation}}

Parents have a legal duty to make sure their child of compulsory school age attends school regularly. If there is further unauthorised absence, the school may ask the local authority to consider a penalty notice or other legal action.

We would much rather work with you. Please contact the school so that we can talk about what support would help.`,
    'warning',
  ),
  letter(
    'improvement',
    'Attendance is improving',
    `Re: {{pupil.name}}, {{pupil.yearGroup}}

We are delighted to tell you that {{pupil.forename}}'s attendance has improved and is now {{attendance.rate}}. {{explanation}}

Thank you for the work you and {{pupil.forename}} have put in. Please pass on our congratulations, and keep it up.`,
    'praise',
  ),
  letter(
    'positive',
    'Well done on attendance',
    `Re: {{pupil.name}}, {{pupil.yearGroup}}

We are pleased to let you know that {{pupil.forename}}'s attendance is {{attendance.rate}} this year. Thank you for supporting {{pupil.forename}} to be in school.`,
    'praise',
  ),
  letter(
    'track-1-concern',
    'Attendance concern',
    `Re: {{pupil.name}}, {{pupil.yearGroup}}

We are writing because {{pupil.forename}}'s attendance is {{attendance.rate}} ({{attendance.period}}). {{explanation}}

We would like to understand what is making attendance difficult and how we can help. Please contact the school to talk to us.`,
    'concern',
  ),
  letter(
    'track-1-plan',
    'Attendance support plan',
    `Re: {{pupil.name}}, {{pupil.yearGroup}}

This letter confirms the support plan we agreed for {{pupil.forename}}. The target is: {{plan.target}}. We will review it together on {{plan.reviewDate}}.

{{pupil.forename}}'s attendance is currently {{attendance.rate}}.`,
    'plan',
  ),
  letter(
    'track-2',
    'Formal attendance stage',
    `Re: {{pupil.name}}, {{pupil.yearGroup}}

{{pupil.forename}}'s attendance has not improved with the support offered and is now {{attendance.rate}}, with {{attendance.unauthorisedLast10Weeks}} sessions of unauthorised absence in the last 10 school weeks. {{explanation}}

We now need to take more formal steps, which may include an attendance contract, a Notice to Improve or a referral to the local authority. We will invite you to a meeting to discuss this and the support available.`,
    'notice',
  ),
];
