// A worker of bench (g): measures batches of pupils laid in shared memory and sends back only
// what a local authority or the country keeps of them: the cohort sums and the number of findings
// by rule. The batch arrives as a message { from, to }; pupil i's marks are row i mod 60,000 of the
// shared pool (the LA: every pupil its own row; England: 9 million pupils, the pool over and over),
// so a batch's marks lie together, as a batch streamed from storage would.
import { parentPort, workerData } from 'node:worker_threads';
import { analysisContext, compileCalendar, createScratch, findingsFor, measurePupil } from '@rollcall/domain';

const { calendar, asOf, rows, sessions, codes, minutes, lateRow, rollFrom, rollTo } = workerData;
const compiled = compileCalendar(calendar);
if (!compiled.ok) throw new Error('calendar');
const cal = compiled.value;
const ctx = analysisContext(cal, { asOf });
const scratch = createScratch(cal);
const codeBytes = new Uint8Array(codes);
const minuteWords = new Uint16Array(minutes);
const late = new Int32Array(lateRow);
const from = new Int32Array(rollFrom);
const to = new Int32Array(rollTo);
// Views of each pool row, made once: a batch only reads them.
const views = Array.from({ length: rows }, (_, r) => ({
  codes: codeBytes.subarray(r * sessions, (r + 1) * sessions),
  minutesLate: late[r] >= 0 ? minuteWords.subarray(late[r] * sessions, (late[r] + 1) * sessions) : undefined,
  rollFrom: from[r],
  rollTo: to[r],
}));

parentPort.on('message', (batch) => {
  const t0 = performance.now();
  const sums = { pupils: 0, possible: 0, attended: 0, authorised: 0, unauthorised: 0, pa: 0, sa: 0, withPossible: 0 };
  const byRule = {};
  let findings = 0;
  for (let i = batch.from; i < batch.to; i++) {
    const marks = views[i % rows];
    const m = measurePupil(cal, ctx, marks, scratch);
    sums.pupils++;
    sums.possible += m.possibleSessions;
    sums.attended += m.presentSessions + m.approvedActivitySessions;
    sums.authorised += m.authorisedAbsenceSessions;
    sums.unauthorised += m.unauthorisedAbsenceSessions;
    if (m.persistentAbsence) sums.pa++;
    if (m.severeAbsence) sums.sa++;
    if (m.possibleSessions > 0) sums.withPossible++;
    if (
      m.persistentAbsence ||
      m.penaltyNotice.thresholdMet ||
      m.attendanceReturn.periods.length > 0 ||
      m.sicknessReturn.due ||
      m.deletionGround20Days.periods.length > 0 ||
      m.unresolvedN.length > 0
    ) {
      for (const f of findingsFor(cal, ctx, marks, m)) {
        findings++;
        byRule[f.rule] = (byRule[f.rule] ?? 0) + 1;
      }
    }
  }
  parentPort.postMessage({ sums, byRule, findings, busyMs: performance.now() - t0 });
});
