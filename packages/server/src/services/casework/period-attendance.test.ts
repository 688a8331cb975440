import { lay, allPresent, buildCalendar, d } from '../../../../domain/src/test-support.js';
import { describe, expect, it } from 'vitest';
import { noticeAttendance, planAttendance, planTargetRate } from './period-attendance.js';

// Autumn term 2025: Monday 1 September to Friday 19 December.
const cal = buildCalendar([['2025-09-01', '2025-12-19']]);
const roll = (codes: Uint8Array) => ({ codes, admissionDate: d('2025-09-01'), leavingDate: null });

describe('attendance over a plan’s period', () => {
  it('reads the target from a measure, else the school’s', () => {
    expect(planTargetRate(['weekly check-in', 'attendance at least 95% over the plan'])).toBe(0.95);
    expect(planTargetRate(['above 92.5 %'])).toBe(0.925);
    expect(planTargetRate(['no percentage'])).toBeNull();
  });

  it('measures from the start to the end date and says whether the target was met', () => {
    // Two unauthorised days (4 sessions) in the plan's first week of 6 (60 sessions): 93.3%.
    const codes = lay(cal, allPresent(cal), '2025-09-08', 'OOOO');
    const plan = {
      startsOn: d('2025-09-08'),
      endsOn: d('2025-10-17'),
      targets: [{ measure: 'at least 95%' }],
    };
    const ended = planAttendance(cal, roll(codes), plan, null, d('2025-11-03'));
    expect(ended).toMatchObject({
      from: '2025-09-08',
      to: '2025-10-17',
      soFar: false,
      possibleSessions: 60,
      unauthorisedSessions: 4,
      target: 'at least 95.0%',
      verdict: 'not-met',
    });
    expect(ended.attendanceRate).toBeCloseTo(56 / 60);
    // While it runs: below target so far, not "not met".
    const running = planAttendance(cal, roll(codes), plan, null, d('2025-09-12'));
    expect(running).toMatchObject({ to: '2025-09-12', soFar: true, possibleSessions: 10, verdict: 'below-so-far' });
    // The school's target when the plan names none; met.
    const lenient = planAttendance(
      cal,
      roll(codes),
      { ...plan, targets: [{ measure: 'calls' }] },
      0.9,
      d('2025-11-03'),
    );
    expect(lenient).toMatchObject({ target: 'at least 90.0%', verdict: 'met' });
    expect(planAttendance(cal, roll(codes), { ...plan, targets: [] }, null, d('2025-11-03')).verdict).toBe('no-target');
    expect(planAttendance(cal, roll(codes), plan, null, d('2025-09-05')).verdict).toBe('not-started');
  });
});

describe('attendance over a Notice to Improve’s monitoring period', () => {
  const notice = { issuedOn: d('2025-09-05'), monitoringEndsOn: d('2025-09-26') };

  it('counts from the day after issue; any unauthorised session misses the target', () => {
    const clean = noticeAttendance(cal, roll(allPresent(cal)), notice, d('2025-10-01'));
    expect(clean).toMatchObject({
      from: '2025-09-06',
      to: '2025-09-26',
      soFar: false,
      possibleSessions: 30,
      unauthorisedSessions: 0,
      attendanceRate: 1,
      target: 'no unauthorised absence',
      verdict: 'met',
    });
    expect(noticeAttendance(cal, roll(allPresent(cal)), notice, d('2025-09-10')).verdict).toBe('on-track');
    // An unauthorised session on the day of issue does not count; one the next school day does.
    const onIssue = lay(cal, allPresent(cal), '2025-09-05', 'O');
    expect(noticeAttendance(cal, roll(onIssue), notice, d('2025-10-01')).verdict).toBe('met');
    const after = lay(cal, allPresent(cal), '2025-09-08 PM', 'O');
    expect(noticeAttendance(cal, roll(after), notice, d('2025-09-09'))).toMatchObject({
      soFar: true,
      unauthorisedSessions: 1,
      verdict: 'not-met',
    });
  });
});
