/**
 * What each preset brings beside its casework: the register times, follow-up ladder, N-to-O
 * conversion, PA minimum, leave rules and half-termly letter bands its seed states, each with
 * the seed's words. Kept apart from the preset files (which hold the stages) so the two change
 * independently. What a seed does not state is left out: choosing the preset keeps the school's
 * current setting for it (docs/policies/<preset>.md says which, and why).
 */
import type { PresetSettings } from '../settings.js';

/**
 * Seed 000 (a Stockton-on-Tees primary).
 *
 * @see ../../../../../../shared/seeds/000_fc0f941c00c384e8.txt "Attendance and Punctuality Expectations", "School office staff", "Following up unexplained absence", "Holidays during Term Time"
 */
const STOCKTON: PresetSettings = {
  // "The register for the first session will be taken at 8.50am and will be kept open until
  // 9.20am … The afternoon register will close at 13:10pm" (opens 13:00, "kept open for 10 minutes").
  registerTimes: { AM: { opens: '08:50', closes: '09:20' }, PM: { opens: '13:00', closes: '13:10' } },
  followUp: {
    // "Call parents of absent children if they haven't contacted the school office by 9.00am".
    firstCallBy: '09:00',
    // "If the school cannot reach any of the pupil's emergency contacts … a 'door knock'" on the
    // first day of unexplained absence.
    homeVisitFirstDay: 1,
  },
  leave: {
    // "where possible, at least 4 weeks before the absence".
    noticeDays: { exceptional: 28 },
    // "If a child is on a holiday for 15 days or more, a forwarding address must be provided".
    forwardingAddressSchoolDays: 15,
    // The seed gives no attendance-record grounds for refusal.
    refuseWithAnyUnauthorisedAbsence: false,
    authorisedAbsenceLimit: null,
  },
  // "inform parents about their child's attendance and absence levels half-termly"; meetings
  // below 90% (Appendix 2); persistent absence 10%, severe 50%.
  halfTermlyLetter: {
    bands: [
      { from: 0.95, label: 'Good', advice: 'Thank you: every day in school counts.' },
      {
        from: 0.9,
        label: 'Below what we expect',
        advice: 'Please talk to us if anything is making it harder for your child to be in school every day, on time.',
      },
      {
        from: 0.5,
        label: 'Persistently absent',
        advice:
          'Your child’s attendance is below 90%: they are missing one day or more in every ten. We will invite you to an attendance meeting to agree how we can help.',
      },
      {
        from: 0,
        label: 'Severely absent',
        advice:
          'Your child is missing half of their education or more. Please contact the school as soon as you can so that we can agree support together.',
      },
    ],
  },
};

/**
 * Seed 001 (All Saints' CE Primary).
 *
 * @see ../../../../../../shared/seeds/001_43e87305f1d06844.txt §4 Definitions, §5, §6, §8, §10, §11, Appendix 2
 */
const ALL_SAINTS: PresetSettings = {
  // "The morning register will be marked by 8.55am … will close at 9:25am"; "The afternoon
  // register will be marked by 1:00pm … will close at 1:10pm".
  registerTimes: { AM: { opens: '08:55', closes: '09:25' }, PM: { opens: '13:00', closes: '13:10' } },
  // PA and SA "for at least 20 possible sessions in the current academic year".
  minPossibleSessions: 20,
  // "Any N codes not established after a week are recorded as an unauthorised absence."
  convertNToOAfterSchoolDays: 5,
  followUp: {
    // "administrative staff will telephone the parent at 9.30am on the first day".
    firstCallBy: '09:30',
  },
  leave: {
    // "at least four weeks prior to the proposed start date"; religious observance "at least four
    // weeks in advance"; Gypsy, Roma and Traveller travel "at least four weeks in advance".
    noticeDays: { exceptional: 28, religious: 28, traveller: 28, performance: 28 },
    // "When a pupil's attendance record shows any unauthorised absence".
    refuseWithAnyUnauthorisedAbsence: true,
    // "Where a pupil's authorised absence record is already above 10 percent for any reason".
    authorisedAbsenceLimit: 0.1,
    // "The HT will not authorise any absences which would mean that a pupil's attendance would
    // fall below 96 percent."
    performanceAttendanceLimit: 0.96,
    // §10 Leave during lunch times.
    lunchtimePasses: {
      offered: true,
      decisionWithinDays: 7,
      leaveWithinMinutes: 10,
      returnMinutesBeforeEnd: 5,
      renewTermly: true,
    },
  },
  // "Attendance ROYG Analysis letter sent to all pupils" half-termly; target 96%, Stage 1 below
  // the 95% threshold, monitored below 90%.
  halfTermlyLetter: {
    bands: [
      { from: 0.96, label: 'Green', advice: 'At or above the school’s target of 96%. Thank you, and well done.' },
      {
        from: 0.95,
        label: 'Yellow',
        advice: 'Just below the school’s target of 96%. Every day counts: please help your child to reach it.',
      },
      {
        from: 0.9,
        label: 'Orange',
        advice:
          'Below the school’s 95% threshold: attendance is causing concern. Please talk to us about anything we can help with.',
      },
      {
        from: 0,
        label: 'Red',
        advice:
          'Below 90%: your child is persistently absent and their attendance is being monitored. The attendance officer will contact you.',
      },
    ],
  },
};

/**
 * Seed 002 (St Teresa of Calcutta Catholic Academy Trust).
 *
 * @see ../../../../../../shared/seeds/002_aba111d41983db42.txt §3.1, §5.2, §5.3, §5.4, §5.7
 */
const STOCCAT: PresetSettings = {
  followUp: {
    // "Home visits should be made on the third day of a child's absence and every three days
    // thereafter. If the child is vulnerable and there are concerns on the first day of
    // absence, a visit should take place immediately."
    homeVisitFirstDay: 3,
    homeVisitEveryDays: 3,
    vulnerableHomeVisitDay: 1,
    // CME: procedures "for up to 10 consecutive school days", a referral "after 20 school days".
    cmeEnquiriesDay: 10,
    cmeReferralDay: 20,
  },
  // "Half-termly attendance letters and report cards … outlining attendance percentages,
  // sessions lost, and attendance bands"; a goal of 96%; Track 1 below 95%, Track 2 below 90% / 50%.
  halfTermlyLetter: {
    bands: [
      { from: 0.96, label: 'Excellent', advice: 'At or above our goal of 96%. Thank you for every day.' },
      { from: 0.95, label: 'Good', advice: 'Close to our goal of 96%: every day in school counts.' },
      {
        from: 0.9,
        label: 'At risk',
        advice:
          'Below 95%: we will invite you to an Attendance Support Meeting to talk about what would help your child attend.',
      },
      {
        from: 0.5,
        label: 'Persistently absent',
        advice:
          'Below 90%: your child is persistently absent. We will work with you on an Attendance Support Plan straight away.',
      },
      {
        from: 0,
        label: 'Severely absent',
        advice: 'Below 50%: your child is severely absent. We will contact you to agree intensive support together.',
      },
    ],
  },
};

/**
 * Seed 003 (a Stockport primary with the LA's staged process): it states no register times,
 * follow-up days, leave rules or half-termly letter, so the preset brings none.
 *
 * @see ../../../../../../shared/seeds/003_688dc91c726d59ee.txt
 */
const STOCKPORT: PresetSettings = {};

/**
 * Seed 004 (James Marks Academy).
 *
 * @see ../../../../../../shared/seeds/004_4e3aa116c3efb606.txt "Lateness", "Absence Procedures", "School Attendance and the Law"
 */
const JAMES_MARKS: PresetSettings = {
  // "Lesson 1 starts: 9.30am"; "At 10.00am the register closes." (the afternoon is not stated).
  registerTimes: { AM: { opens: '09:30', closes: '10:00' } },
  followUp: {
    // "The Local Authority will be informed if no contact has been made with parent/carers by
    // the 10th day of absence": the referral on day 10 (enquiries before it are the ladder's
    // calls, emergency contacts, letters and home visits).
    cmeEnquiriesDay: 10,
    cmeReferralDay: 10,
  },
  leave: {
    // "all applications for a leave of absence must be made in writing, in advance".
    noticeDays: { exceptional: 1 },
    // "shall not be granted in term time unless there are reasons considered to be 'exceptional'
    // by the Headteacher, irrespective of the child's overall attendance".
    refuseWithAnyUnauthorisedAbsence: false,
    authorisedAbsenceLimit: null,
  },
};

/** Each preset's settings by preset id. */
export const PRESET_SETTINGS: Readonly<Record<string, PresetSettings>> = {
  'stockton-tiers': STOCKTON,
  'all-saints-stages': ALL_SAINTS,
  'stoccat-twin-track': STOCCAT,
  'stockport-staged': STOCKPORT,
  'james-marks-adjusted': JAMES_MARKS,
};

/** The settings a preset brings (empty for an unknown id). */
export function presetSettings(id: string): PresetSettings {
  return PRESET_SETTINGS[id] ?? {};
}
