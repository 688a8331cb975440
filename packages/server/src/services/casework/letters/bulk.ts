/**
 * Letters in bulk: one template for many pupils (every pupil on roll, or those chosen), one letter
 * per recipient (each contact with parental responsibility and a postal address, or an email
 * address when emailing), in pupil order (surname, forename), then the contacts' priority order.
 * Printed, they make one PDF (each letter on its own pages, numbered per letter); emailed, each
 * goes through the outbox with its PDF attached. Every letter is stored on its pupil's case; one
 * audit row records the batch.
 *
 * The figures come from the school's cohort (every pupil measured in one pass), so 400 letters
 * take seconds, not minutes. A pupil whose letter would still have a gap (a stage letter without a
 * meeting date, say) is left out and reported, never printed with `[meeting.date]` in it.
 */
import {
  academicYearOf,
  analysisContext,
  createScratch,
  measurePupil,
  mergeLetter,
  type PlainDate,
} from '@rollcall/domain';
import { pupilsOnRoll, recipientRows } from '../../../db/casework/letters.js';
import { getSchool, type School } from '../../school/schools.js';
import { newId } from '../../../platform/ids.js';
import { loadCohort } from '../../analysis/cohort.js';
import { audit } from '../../audit.js';
import { authorise, ROLE_LABELS, type Actor } from '../../authz.js';
import type { Deps } from '../../deps.js';
import { AppError } from '../../errors.js';
import { schoolDetailsOf, schoolPostalAddress } from '../../school/school-details.js';
import { unsupportedLanguage } from './languages.js';
import { renderLettersPdf, type LetterContent } from './letter-pdf.js';
import { frameFor, frameJson, salutationFor, wordIn, type LetterFrame } from './frame.js';
import {
  caseworkFor,
  letterBodyOnly,
  letterReference,
  libraryOf,
  mergeTitle,
  mergeValuesFor,
  notALetter,
  pickVersion,
  printProblems,
  schoolLetter,
  schoolLogo,
  storeLetter,
  toRecipient,
  type Recipient,
  type SendMethod,
} from './letters.js';

export interface BulkLettersInput {
  readonly schoolId: string;
  readonly templateKey: string;
  /** The pupils to write to; null or absent: every pupil on roll on the letter's date. */
  readonly pupilIds?: readonly string[] | null;
  /** The letter's date (default today in the school's time zone); the figures are as of it. */
  readonly date?: PlainDate;
  readonly method: SendMethod;
  /** Who signs (default the person sending). */
  readonly sender?: { readonly name: string; readonly role: string };
}

export interface BulkLettersResult {
  /** The letters as one PDF (print), or null (email, or no letters). */
  readonly pdf: Buffer | null;
  readonly letters: number;
  /** Pupils who got at least one letter. */
  readonly pupils: number;
  /** Pupils left out, and why. */
  readonly skipped: readonly { readonly pupilId: string; readonly pupilName: string; readonly reason: string }[];
  readonly templateTitle: string;
}

/** Writes one template's letter to every family of the pupils given (or on roll). Audited once. */
export async function bulkLetters(deps: Deps, actor: Actor, input: BulkLettersInput): Promise<BulkLettersResult> {
  const school = await getSchool(deps.db, input.schoolId);
  authorise(actor, 'letter.send', {
    kind: 'school',
    schoolId: school.id,
    trustId: school.trustId,
    laCode: school.laCode,
  });
  const lib = await libraryOf(deps, school);
  if (!schoolLetter(lib, input.templateKey)) {
    const message = notALetter(lib, input.templateKey, school.name);
    throw new AppError('VALIDATION', message, { fields: [{ field: 'template', message }] });
  }
  const date = input.date ?? deps.clock.today(school.timeZone);
  const year = academicYearOf(date);
  // Only the database: a cohort snapshot written in the background would outlive a CLI run.
  const cohort = await loadCohort({ db: deps.db }, school.id, { from: year.start, to: year.end });
  const ctx = analysisContext(cohort.cal, { asOf: date, minPossibleSessions: school.policy.minPossibleSessions });
  const wanted = input.pupilIds ? new Set(input.pupilIds) : null;
  const skipped: { pupilId: string; pupilName: string; reason: string }[] = [];
  const pupils = cohort.pupils
    .filter((p) =>
      wanted ? wanted.has(p.id) : p.admissionDate <= date && (p.leavingDate === null || p.leavingDate >= date),
    )
    .sort(
      (a, b) =>
        a.surname.localeCompare(b.surname, 'en-GB') ||
        a.forename.localeCompare(b.forename, 'en-GB') ||
        a.upn.localeCompare(b.upn),
    );
  if (wanted) {
    const found = new Set(pupils.map((p) => p.id));
    for (const id of wanted)
      if (!found.has(id)) skipped.push({ pupilId: id, pupilName: id, reason: 'not on roll this year' });
  }
  const ids = pupils.map((p) => p.id);
  const [contacts, casework, details] = await Promise.all([
    recipientRows(deps.db, ids),
    caseworkFor(deps.db, ids),
    schoolDetailsOf(deps.db, school.id),
  ]);
  const byPupil = new Map<string, Recipient[]>();
  for (const c of contacts) {
    const list = byPupil.get(c.pupil_id) ?? [];
    list.push(toRecipient(c));
    byPupil.set(c.pupil_id, list);
  }
  const schoolAddress = schoolPostalAddress(details);
  const sender = input.sender ?? { name: actor.name, role: ROLE_LABELS[actor.role] };
  const scratch = createScratch(cohort.cal);
  const now = deps.clock.now();

  interface Planned {
    pupil: { id: string; forename: string; surname: string };
    contact: Recipient;
    title: string;
    body: string;
    language: string;
    frame: LetterFrame;
    id: string;
  }
  const planned: Planned[] = [];
  const english = lib.english.get(input.templateKey)!;
  for (const p of pupils) {
    const name = `${p.forename} ${p.surname}`;
    const recipients = (byPupil.get(p.id) ?? []).filter((r) =>
      input.method === 'email' ? r.email !== null : r.address !== null,
    );
    if (recipients.length === 0) {
      skipped.push({
        pupilId: p.id,
        pupilName: name,
        reason:
          input.method === 'email'
            ? 'nobody with parental responsibility has an email address'
            : 'nobody with parental responsibility has a postal address',
      });
      continue;
    }
    const measures = measurePupil(cohort.cal, ctx, p.marks, scratch);
    const args: Parameters<typeof mergeValuesFor>[0] = {
      pupil: { forename: p.forename, surname: p.surname, yearGroup: p.yearGroup, regGroup: p.regGroupName },
      school,
      schoolAddress,
      sender,
      date,
      measures,
      periodStart: ctx.periodStart,
      asOf: date,
      casework: casework.get(p.id),
    };
    const inLanguage = new Map<string, ReturnType<typeof mergeValuesFor>>();
    const valuesIn = (language: string, frame: LetterFrame) => {
      let v = inLanguage.get(language);
      if (!v) inLanguage.set(language, (v = mergeValuesFor({ ...args, language, frame })));
      return v;
    };
    const lettersOfPupil: Planned[] = [];
    let problem: string | null = null;
    for (const r of recipients) {
      const printable = r.language === 'en' || unsupportedLanguage(r.language) === null;
      const template = pickVersion(lib, input.templateKey, printable ? r.language : 'en') ?? english;
      const { frame } = frameFor(template.language, template.frame);
      const values = valuesIn(template.language, frame);
      const merged = mergeLetter(letterBodyOnly(template.body), {
        ...values,
        'parent.name': r.name,
        'parent.address': r.address ?? '',
      });
      if (merged.missing.length > 0) {
        problem = `the letter needs ${merged.missing.map((f) => `[${f}]`).join(', ')}, which the record does not hold`;
        break;
      }
      const title = mergeTitle(template.title, values);
      const issues = [
        ...printProblems('contactId', `${r.name}'s name or address`, `${r.name}\n${r.address ?? ''}`),
        ...printProblems('body', 'The letter', `${title}\n${merged.text}`),
      ];
      if (issues.length > 0) {
        problem = issues[0]!.message;
        break;
      }
      lettersOfPupil.push({
        pupil: p,
        contact: r,
        title,
        body: merged.text,
        language: template.language,
        frame,
        id: newId(),
      });
    }
    if (problem) {
      skipped.push({ pupilId: p.id, pupilName: name, reason: problem });
      continue;
    }
    planned.push(...lettersOfPupil);
  }

  const stored = planned.map((l) => ({
    ...l,
    fields: {
      date,
      salutation: salutationFor(l.frame, l.contact.name),
      // "The attendance team" (no lead or head named) is Rollcall's words: in the letter's language.
      senderName: wordIn(l.frame, sender.name),
      senderRole: wordIn(l.frame, sender.role),
      reference: letterReference(l.pupil, input.templateKey, l.id),
      language: l.language,
      purpose: english.purpose,
      frameJson: l.language === 'en' ? null : frameJson(l.frame),
    },
  }));
  await deps.db.transaction().execute(async (trx) => {
    for (const l of stored) {
      await storeLetter(trx, deps, actor, {
        id: l.id,
        school,
        schoolAddress,
        schoolPhone: details.phone,
        schoolEmail: details.email,
        pupil: l.pupil,
        templateKey: input.templateKey,
        title: l.title,
        body: l.body,
        contact: l.contact,
        method: input.method,
        fields: l.fields,
        now,
      });
    }
    await audit(trx, actor, now, {
      action: 'letter.bulk',
      entityType: 'letters',
      schoolId: school.id,
      details: {
        templateKey: input.templateKey,
        method: input.method,
        date,
        letters: stored.length,
        pupils: new Set(stored.map((l) => l.pupil.id)).size,
        skipped: skipped.length,
      },
    });
  });

  let pdf: Buffer | null = null;
  if (input.method === 'print' && stored.length > 0) {
    pdf = await renderLettersPdf(
      await letterheadOf(deps, school, schoolAddress, details),
      stored.map((l): LetterContent => ({
        title: l.title,
        body: l.body,
        createdAt: now,
        date,
        recipientName: l.contact.name,
        recipientAddress: l.contact.address,
        salutation: l.fields.salutation,
        senderName: l.fields.senderName,
        senderRole: l.fields.senderRole,
        reference: l.fields.reference,
        language: l.language,
        frame: l.frame,
      })),
      { title: `${english.titleInWords}: ${stored.length} letters` },
    );
  }
  return {
    pdf,
    letters: stored.length,
    pupils: new Set(stored.map((l) => l.pupil.id)).size,
    skipped,
    templateTitle: english.titleInWords,
  };
}

async function letterheadOf(
  deps: Deps,
  school: School,
  address: string | null,
  details: { phone: string | null; email: string | null },
) {
  return {
    name: school.name,
    address,
    phone: details.phone,
    email: details.email,
    logo: await schoolLogo(deps, school.id),
  };
}

/** The pupils on roll on a date, in the order letters are printed, for choosing on the bulk page. */
export async function pupilsForBulk(
  deps: Deps,
  actor: Actor,
  schoolId: string,
  date: PlainDate,
): Promise<{ id: string; name: string; upn: string }[]> {
  const school = await getSchool(deps.db, schoolId);
  authorise(actor, 'letter.send', {
    kind: 'school',
    schoolId: school.id,
    trustId: school.trustId,
    laCode: school.laCode,
  });
  return (await pupilsOnRoll(deps.db, school.id, date)).map((p) => ({
    id: p.id,
    upn: p.upn,
    name: `${p.preferred_forename ?? p.legal_forename} ${p.preferred_surname ?? p.legal_surname}`,
  }));
}
