import { beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../../../../test/databases.js';
import { seedSmallSchool, testDeps, type SmallSchool } from '../../../../test/fixtures.js';
import { readPdfText } from '../../../platform/pdf.js';
import {
  addAction,
  createContract,
  createPlan,
  createReferral,
  issueNoticeToImprove,
  recordMeeting,
  reviewPlan,
  scheduleMeeting,
} from '../case-record.js';
import { packChecklist, packPdf, producePack } from './pack.js';

/** 15 September 2025, 9:00 in London. */
const NOW = '2025-09-15T08:00:00Z';

describeEachDialect('an evidence pack from the case record', (ctx) => {
  let school: SmallSchool;
  let pupilId: string;
  const deps = () => testDeps(ctx.db, ctx.dialect, NOW);

  beforeAll(async () => {
    school = await seedSmallSchool(ctx.db);
    pupilId = school.pupilsA[1]!;
    const officer = school.actors.attendance_officer;
    // Recorded out of date order, so the pack's own order (oldest first) shows.
    const later = await scheduleMeeting(deps(), officer, {
      pupilId,
      kind: 'review meeting',
      date: '2025-10-06',
      time: '10:00',
      place: 'Meeting room',
      invited: 'Parent',
    });
    const earlier = await scheduleMeeting(deps(), officer, {
      pupilId,
      kind: 'attendance support',
      date: '2025-09-15',
      time: '09:30',
      invited: 'Parent, pupil',
    });
    await recordMeeting(deps(), officer, {
      pupilId,
      meetingId: earlier,
      outcome: 'held',
      heldOn: '2025-09-15',
      attendees: 'Parent, pupil, attendance officer',
      barriers: 'Anxiety about PE',
      minutes: 'Agreed a morning check-in',
      pupilVoice: 'Worried about changing rooms',
      parentVoice: 'Wants a call at 9:15',
      actions: [],
    });
    expect(later).not.toBe(earlier);
    await createPlan(deps(), officer, {
      pupilId,
      kind: 'improvement',
      startsOn: '2025-09-22',
      endsOn: '2025-10-31',
      targets: [{ text: 'Attend every afternoon', measure: 'attendance at least 95%' }],
      reviewDates: ['2025-10-10'],
    });
    const first = await createPlan(deps(), officer, {
      pupilId,
      kind: 'attendance-support',
      startsOn: '2025-09-15',
      endsOn: '2025-10-24',
      targets: [{ text: 'In school by 8:50 every day', measure: 'No late marks' }],
      reviewDates: ['2025-10-03'],
    });
    await reviewPlan(deps(), officer, {
      pupilId,
      planId: first,
      on: '2025-09-15',
      notes: 'Early review',
      targetsMet: ['no'],
    });
    await createReferral(deps(), officer, {
      pupilId,
      agency: 'school-nursing',
      madeOn: '2025-09-15',
      reason: 'Health check',
    });
    await createReferral(deps(), officer, {
      pupilId,
      agency: 'early-help',
      madeOn: '2025-09-12',
      reason: 'Family support',
    });
    await addAction(deps(), officer, { pupilId, description: 'Call parent', owner: 'Officer', dueOn: '2025-09-19' });
    await addAction(deps(), officer, { pupilId, description: 'Send plan', owner: 'Officer', dueOn: '2025-09-16' });
    await createContract(deps(), officer, {
      pupilId,
      parentName: 'Parent of Bea',
      agreedOn: '2025-09-15',
      parentCommitments: 'Bring Bea by 8:45',
      supportOffered: 'Breakfast club place',
      reviewOn: '2025-10-06',
      endsOn: '2025-10-24',
    });
    await issueNoticeToImprove(deps(), officer, {
      pupilId,
      parentName: 'Parent of Bea',
      issuedOn: '2025-09-15',
      period: '15-school-days',
      expectations: 'No unauthorised absence',
    });
  });

  it('lists the case record’s meetings, plans, reviews, referrals and notices in the checklist', async () => {
    const check = await packChecklist(deps(), school.actors.attendance_officer, pupilId, 'penalty-notice');
    const detail = (key: string) => check.items.find((i) => i.key === key);
    expect(detail('meeting')).toMatchObject({ present: true, detail: '15 September 2025 (held)' });
    expect(detail('minutes')).toMatchObject({ present: true, detail: '15 September 2025' });
    expect(detail('plan')).toMatchObject({
      present: true,
      detail: 'attendance-support from 15 September 2025, improvement from 22 September 2025',
    });
    expect(detail('plan-review')).toMatchObject({ present: true, detail: '15 September 2025' });
    expect(detail('agencies')).toMatchObject({
      present: true,
      detail: 'early-help (12 September 2025), school-nursing (15 September 2025)',
    });
    expect(detail('warning')).toMatchObject({
      present: true,
      detail: 'Notice to Improve 15 September 2025 (monitoring)',
    });
  });

  it('puts them in the PDF, oldest first', async () => {
    const officer = school.actors.attendance_officer;
    const pack = await producePack(
      deps(),
      officer,
      { pupilId, kind: 'la-referral', from: '2025-09-01', to: '2025-09-12', reason: 'Absence continues.' },
      { compress: false },
    );
    const text = readPdfText((await packPdf(deps(), officer, pack.id)).pdf)
      .replace(/\s+/g, ' ')
      .replace(/Test Primary - Local authority referral: Bea Baker Page \d+ of \d+ /g, '');
    // The chronology, meetings and plans exactly as the pack wrote them before it read the case record.
    const from = text.indexOf('Chronology of actions');
    const to = text.indexOf('Home visits No home visits recorded.');
    expect(
      text.slice(text.indexOf('Other agencies and professionals involved'), text.indexOf('Name of referrer')),
    ).toBe(
      'Other agencies and professionals involved Agency Referred Status Reason / outcome ' +
        'early-help 12 September 2025 made Family support school-nursing 15 September 2025 made Health check ',
    );
    expect(text.slice(from, to)).toBe(
      'Chronology of actions Date What Details ' +
        '12 September 2025 Referral early-help: Family support ' +
        '15 September 2025 Meeting attendance support: held ' +
        '15 September 2025 Plan attendance-support plan (active) to 24 October 2025 ' +
        '15 September 2025 Referral school-nursing: Health check ' +
        '15 September 2025 Notice to Improve monitoring to 7 October 2025: monitoring ' +
        '15 September 2025 Attendance contract active; review 6 October 2025 ' +
        '16 September 2025 Action Send plan (Officer; open) ' +
        '19 September 2025 Action Call parent (Officer; open) ' +
        '22 September 2025 Plan improvement plan (active) to 31 October 2025 ' +
        '6 October 2025 Meeting review meeting: scheduled ' +
        'Meetings and minutes ' +
        'attendance support meeting, 15 September 2025 Status held Time and place 09:30 ' +
        'Attendees Parent, pupil, attendance officer Barriers Anxiety about PE ' +
        "Pupil's views Worried about changing rooms Parent's views Wants a call at 9:15 Agreed a morning check-in " +
        'review meeting meeting, 6 October 2025 Status scheduled Time and place 10:00, Meeting room ' +
        "Attendees - Barriers - Pupil's views - Parent's views - " +
        'Plans and reviews attendance-support plan, 15 September 2025 to 24 October 2025 ' +
        'Target Met In school by 8:50 every day No ' +
        'Review 15 September 2025 by Test attendance_officer: Early review ' +
        'improvement plan, 22 September 2025 to 31 October 2025 Target Met Attend every afternoon ',
    );
    expect(text).toContain('Notice to Improve');
    expect(text).toContain('Attendance contract');
  });
});
