/**
 * Long on purpose: one Fastify plugin for the letter pages (library, compose, send,
 * print, bulk); the handlers share the renderers and the error re-render path.
 *
 * Letters and evidence packs:
 *
 *   GET  /school/letters                  the school's letter templates
 *   GET  /school/letters/:key             edit one (merge fields checked on save); POST saves or resets
 *   GET  /pupils/:pupilId/letters         the pupil's letters, templates to write from, packs
 *   GET  /pupils/:pupilId/letters/new?template=<key>[&contact=<id>]   compose (editable text)
 *   POST /pupils/:pupilId/letters         send by email (outbox) or print; stored on the case
 *   GET  /letters/:id.pdf                 a letter as PDF
 *   GET  /pupils/:pupilId/certificate.pdf?from=&to=   the attendance certificate
 *   GET  /pupils/:pupilId/evidence-pack?kind=la-referral|penalty-notice[&from=&to=]
 *   POST /pupils/:pupilId/evidence-pack   produce the pack (one PDF, stored)
 *   GET  /evidence-packs/:id.pdf          a stored pack
 *   POST /evidence-packs/:id/sent         mark sent (only when nothing required is missing)
 */
import { isPlainDate, LETTER_MERGE_FIELDS, LETTER_PURPOSES } from '@rollcall/domain';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireActor } from '../../http/auth-routes.js';
import { can, type Actor } from '../../services/authz.js';
import { certificatePdf } from '../../services/pupils/certificate.js';
import type { Deps } from '../../services/deps.js';
import { AppError, HTTP_STATUS, type FieldError } from '../../services/errors.js';
import {
  isPackKind,
  markPackSent,
  PACK_KIND_LABELS,
  PACK_KINDS,
  packChecklist,
  packPdf,
  packPlace,
  producePack,
  type PackKind,
} from '../../services/casework/evidence-pack/pack.js';
import {
  composeLetter,
  getLetterPdf,
  pupilLettersPage,
  getTemplate,
  listTemplates,
  resetTemplate,
  saveTemplate,
  sendLetter,
  setContactLanguage,
} from '../../services/casework/letters/letters.js';
import { LANGUAGES } from '../../services/casework/letters/languages.js';
import {
  FRAME_FIELD_INFO,
  FRAME_FIELDS,
  frameFor,
  wordsText,
  type FrameInput,
} from '../../services/casework/letters/frame.js';
import { bulkLetters, pupilsForBulk } from '../../services/casework/letters/bulk.js';
import { getSchool } from '../../services/school/schools.js';

interface Shown {
  errors: { text: string; href: string }[];
  fieldErrors: Record<string, string>;
}

function shown(e: AppError, ids: Record<string, string>, fallback: string): Shown {
  const fields: readonly FieldError[] = e.details.fields ?? [];
  const errors = fields.map((f) => ({ text: f.message, href: `#${ids[f.field] ?? fallback}` }));
  if (errors.length === 0) errors.push({ text: e.message, href: `#${fallback}` });
  const fieldErrors: Record<string, string> = {};
  for (const f of fields) fieldErrors[f.field] ??= f.message;
  return { errors, fieldErrors };
}

function schoolOf(actor: Actor, query: string | undefined): string {
  const id = actor.schoolId ?? query;
  if (!id) throw new AppError('FORBIDDEN', 'You do not have permission to do that.');
  return id;
}

function sendPdf(reply: FastifyReply, pdf: Buffer, filename: string, download = false): FastifyReply {
  return reply
    .header('content-type', 'application/pdf')
    .header('content-disposition', `${download ? 'attachment' : 'inline'}; filename="${filename}"`)
    .header('cache-control', 'no-store')
    .send(pdf);
}

/** `abc.pdf` → `abc`; anything else → not found. */
function pdfId(file: string): string {
  const m = /^([A-Za-z0-9-]{1,100})\.pdf$/.exec(file);
  if (!m) throw new AppError('NOT_FOUND', 'Not found.');
  return m[1]!;
}

const ID = z.string().min(1).max(200);
const text = (max: number) => z.string().max(max).default('');
const FIELD_LIST = Object.entries(LETTER_MERGE_FIELDS).map(([name, meaning]) => ({ name, meaning }));

async function renderTemplatePage(
  deps: Deps,
  reply: FastifyReply,
  actor: Actor,
  schoolId: string,
  key: string,
  extras: Partial<Shown> & { form?: { title: string; body: string }; frame?: FrameInput } = {},
  language = 'en',
): Promise<FastifyReply> {
  const english = await getTemplate(deps, actor, schoolId, key, 'en');
  const t = language === 'en' ? english : await getTemplate(deps, actor, schoolId, key, language);
  // The words around a letter in another language: as typed, else this version's, else
  // Rollcall's suggestion for the language (said to be unchecked), else empty.
  const { frame: shownFrame, source } = frameFor(language, t?.frame ?? null);
  const frameForm: Record<string, string> = extras.frame
    ? { ...extras.frame }
    : source === 'missing'
      ? {}
      : { ...Object.fromEntries(FRAME_FIELDS.map((f) => [f, shownFrame[f]])), words: wordsText(shownFrame.words) };
  return reply.view('letter-template.njk', {
    frameFields: FRAME_FIELDS.map((f) => ({ name: f, ...FRAME_FIELD_INFO[f] })),
    frameForm,
    frameSource: extras.frame ? 'typed' : source,
    key,
    isNew: !t,
    edited: t?.edited ?? false,
    language,
    languages: LANGUAGES,
    versions: english?.languages ?? ['en'],
    purposes: LETTER_PURPOSES,
    purpose: (t ?? english)?.purpose ?? 'other',
    // A new translation starts from the English wording.
    form: extras.form ?? { title: (t ?? english)?.title ?? '', body: (t ?? english)?.body ?? '' },
    fields: FIELD_LIST,
    errors: extras.errors ?? [],
    fieldErrors: extras.fieldErrors ?? {},
  });
}

async function renderPackPage(
  deps: Deps,
  reply: FastifyReply,
  actor: Actor,
  pupilId: string,
  kind: PackKind,
  q: { from?: string; to?: string; reason?: string; comments?: string },
  extras: Partial<Shown> & { banner?: string | null } = {},
): Promise<FastifyReply> {
  let period: { from?: string; to?: string } = { from: q.from, to: q.to };
  let periodError: Shown | null = null;
  let check;
  try {
    check = await packChecklist(deps, actor, pupilId, kind, period);
  } catch (e) {
    if (!(e instanceof AppError) || e.code !== 'VALIDATION') throw e;
    periodError = shown(e, { from: 'pack-from', to: 'pack-to' }, 'pack-from');
    period = {};
    check = await packChecklist(deps, actor, pupilId, kind, period);
  }
  return reply.view('pack.njk', {
    pupil: { id: pupilId, name: check.pupilName },
    kind,
    kindLabel: PACK_KIND_LABELS[kind],
    kinds: PACK_KINDS.map((k) => ({ value: k, text: PACK_KIND_LABELS[k] })),
    check,
    form: {
      from: q.from ?? check.defaultPeriod.from,
      to: q.to ?? check.defaultPeriod.to,
      reason: q.reason ?? '',
      comments: q.comments ?? '',
    },
    errors: [...(periodError?.errors ?? []), ...(extras.errors ?? [])],
    fieldErrors: { ...(periodError?.fieldErrors ?? {}), ...(extras.fieldErrors ?? {}) },
    banner: extras.banner ?? null,
  });
}

const BANNERS: Readonly<Record<string, string>> = {
  emailed:
    'The letter is queued in the outbox and will be emailed shortly; its status shows below. It is stored on the case.',
  queued:
    'The letter is queued in the outbox but not emailed: no email server is configured. It is stored on the case; print it instead, or ask an administrator to set up email (SMTP_URL).',
  printed: 'The letter is stored on the case. Open the PDF to print it.',
};

export const letterRoutes: FastifyPluginAsync = (fastify) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { deps } = app;

  // -- Templates ---------------------------------------------------------------------------

  app.get(
    '/school/letters',
    { schema: { querystring: z.object({ school: ID.optional(), saved: z.string().max(100).optional() }) } },
    async (request, reply) => {
      const actor = requireActor(request);
      const schoolId = schoolOf(actor, request.query.school);
      const templates = await listTemplates(deps, actor, schoolId);
      return reply.view('letter-templates.njk', {
        templates,
        purposes: LETTER_PURPOSES,
        languages: LANGUAGES,
        canEdit: can(actor, 'letter.editTemplates', {
          kind: 'school',
          schoolId,
          trustId: actor.trustId,
          laCode: actor.laCode ?? '',
        }),
        banner: request.query.saved ? `Template "${request.query.saved}" saved.` : null,
      });
    },
  );

  // -- Letters in bulk --------------------------------------------------------------------

  app.get(
    '/school/letters/bulk',
    {
      schema: {
        querystring: z.object({
          template: z.string().max(100).optional(),
          queued: z.string().max(20).optional(),
          skipped: z.string().max(20).optional(),
          error: z.string().max(500).optional(),
        }),
      },
    },
    async (request, reply) => {
      const actor = requireActor(request);
      if (!actor.schoolId) throw new AppError('FORBIDDEN', 'Letters in bulk are for staff of a school.');
      const school = await getSchool(deps.db, actor.schoolId);
      const today = deps.clock.today(school.timeZone);
      const [pupils, templates] = await Promise.all([
        pupilsForBulk(deps, actor, school.id, today),
        listTemplates(deps, actor, school.id),
      ]);
      const q = request.query;
      const banner =
        q.queued !== undefined
          ? `${q.queued} letter${q.queued === '1' ? '' : 's'} queued in the outbox${deps.config.mail.smtpUrl ? ' to be emailed' : ', but not emailed: no email server is configured'}${q.skipped && q.skipped !== '0' ? `; ${q.skipped} pupil${q.skipped === '1' ? '' : 's'} left out (no email address, or a gap in the letter)` : ''}. Each is stored on the pupil's case.`
          : null;
      return reply.view('letters-bulk.njk', {
        pupils,
        templates: templates.filter((t) => !t.key.startsWith('text-')),
        form: { template: q.template ?? 'attendance-summary', date: today },
        banner,
        error: q.error ?? null,
      });
    },
  );

  app.post(
    '/school/letters/bulk',
    {
      schema: {
        body: z.object({
          _csrf: z.string().optional(),
          template: ID,
          date: text(20),
          who: text(20),
          method: text(20),
          pupil: z.union([ID, z.array(ID).max(5000)]).optional(),
        }),
      },
    },
    async (request, reply) => {
      const actor = requireActor(request);
      if (!actor.schoolId) throw new AppError('FORBIDDEN', 'Letters in bulk are for staff of a school.');
      const b = request.body;
      const chosen = b.pupil === undefined ? [] : Array.isArray(b.pupil) ? b.pupil : [b.pupil];
      const back = (error: string) =>
        reply.redirect(
          `/school/letters/bulk?template=${encodeURIComponent(b.template)}&error=${encodeURIComponent(error)}`,
          303,
        );
      if (!isPlainDate(b.date)) return back('Enter the letter’s date as YYYY-MM-DD.');
      if (b.who === 'chosen' && chosen.length === 0) return back('Choose at least one pupil, or every pupil on roll.');
      const method = b.method === 'email' ? 'email' : 'print';
      try {
        const r = await bulkLetters(deps, actor, {
          schoolId: actor.schoolId,
          templateKey: b.template,
          pupilIds: b.who === 'chosen' ? chosen : null,
          date: b.date,
          method,
        });
        if (method === 'email')
          return await reply.redirect(`/school/letters/bulk?queued=${r.letters}&skipped=${r.skipped.length}`, 303);
        if (!r.pdf) return await back('No letters to print: no family of these pupils has a postal address.');
        return sendPdf(reply, r.pdf, `letters-${b.template}-${b.date}.pdf`, true);
      } catch (e) {
        if (!(e instanceof AppError) || e.code !== 'VALIDATION') throw e;
        return back(e.details.fields?.[0]?.message ?? e.message);
      }
    },
  );

  app.get(
    '/school/letters/:key',
    {
      schema: {
        params: z.object({ key: ID }),
        querystring: z.object({ school: ID.optional(), language: z.string().max(10).optional() }),
      },
    },
    async (request, reply) => {
      const actor = requireActor(request);
      const language = request.query.language && LANGUAGES[request.query.language] ? request.query.language : 'en';
      return renderTemplatePage(
        deps,
        reply,
        actor,
        schoolOf(actor, request.query.school),
        request.params.key,
        {},
        language,
      );
    },
  );

  app.post(
    '/school/letters/:key',
    {
      schema: {
        params: z.object({ key: ID }),
        querystring: z.object({ school: ID.optional() }),
        body: z.object({
          _csrf: z.string().optional(),
          title: text(1000),
          body: text(30_000),
          action: text(20),
          language: text(10),
          purpose: text(40),
          frame_dear: text(1000),
          frame_reference: text(1000),
          frame_signOff: text(1000),
          frame_page: text(1000),
          frame_year: text(1000),
          frame_period: text(1000),
          frame_notYetMeasured: text(1000),
          frame_explanation: text(2000),
          frame_words: text(5000),
        }),
      },
    },
    async (request, reply) => {
      const actor = requireActor(request);
      const schoolId = schoolOf(actor, request.query.school);
      const key = request.params.key;
      const language = request.body.language || 'en';
      if (request.body.action === 'reset') {
        await resetTemplate(deps, actor, schoolId, key, language);
        return reply.redirect(`/school/letters?saved=${encodeURIComponent(key)}`, 303);
      }
      const form = { title: request.body.title, body: request.body.body };
      const frame: FrameInput = {
        ...Object.fromEntries(FRAME_FIELDS.map((f) => [f, request.body[`frame_${f}`] ?? ''])),
        words: request.body.frame_words,
      };
      try {
        await saveTemplate(deps, actor, schoolId, { key, ...form, language, purpose: request.body.purpose, frame });
        return await reply.redirect(`/school/letters?saved=${encodeURIComponent(key)}`, 303);
      } catch (e) {
        if (!(e instanceof AppError) || e.code !== 'VALIDATION') throw e;
        reply.code(HTTP_STATUS[e.code]);
        return renderTemplatePage(
          deps,
          reply,
          actor,
          schoolId,
          key,
          {
            form,
            frame,
            ...shown(
              e,
              {
                title: 'template-title',
                body: 'template-body',
                key: 'template-title',
                language: 'template-language-add',
                purpose: 'template-purpose',
                ...Object.fromEntries(FRAME_FIELDS.map((f) => [`frame.${f}`, `template-frame-${f}`])),
                'frame.words': 'template-frame-words',
              },
              'template-body',
            ),
          },
          LANGUAGES[language] ? language : 'en',
        );
      }
    },
  );

  // -- A pupil's letters ------------------------------------------------------------------

  app.get(
    '/pupils/:pupilId/letters',
    {
      schema: {
        params: z.object({ pupilId: ID }),
        querystring: z.object({ sent: z.string().max(20).optional(), letter: ID.optional() }),
      },
    },
    async (request, reply) => {
      const actor = requireActor(request);
      const pupilId = request.params.pupilId;
      const page = await pupilLettersPage(deps, actor, pupilId);
      const banner = request.query.sent ? (BANNERS[request.query.sent] ?? null) : null;
      return reply.view('letters.njk', {
        ...page,
        kinds: PACK_KINDS.map((k) => ({ value: k, text: PACK_KIND_LABELS[k] })),
        banner,
        bannerLetter: banner && request.query.letter ? request.query.letter : null,
      });
    },
  );

  const composeQuery = z.object({ template: ID, contact: ID.optional() });

  app.get(
    '/pupils/:pupilId/letters/new',
    { schema: { params: z.object({ pupilId: ID }), querystring: composeQuery } },
    async (request, reply) => {
      const actor = requireActor(request);
      const c = await composeLetter(deps, actor, request.params.pupilId, request.query.template, {
        ...(request.query.contact ? { contactId: request.query.contact } : {}),
      });
      return reply.view('letter-compose.njk', {
        composed: c,
        languages: LANGUAGES,
        chosen: c.recipients.find((r) => r.contactId === c.contactId) ?? null,
        form: { title: c.title, body: c.text, contactId: c.contactId ?? '', language: c.language },
        errors: [],
        fieldErrors: {},
      });
    },
  );

  app.post(
    '/pupils/:pupilId/letters',
    {
      schema: {
        params: z.object({ pupilId: ID }),
        body: z.object({
          _csrf: z.string().optional(),
          templateKey: ID,
          title: text(1000),
          body: text(30_000),
          contactId: text(200),
          method: text(20),
          language: text(10),
        }),
      },
    },
    async (request, reply) => {
      const actor = requireActor(request);
      const pupilId = request.params.pupilId;
      const b = request.body;
      try {
        const sent = await sendLetter(deps, actor, {
          pupilId,
          templateKey: b.templateKey,
          title: b.title,
          body: b.body,
          contactId: b.contactId,
          method: b.method === 'email' ? 'email' : b.method === 'print' ? 'print' : (b.method as 'email'),
          language: b.language || 'en',
        });
        return await reply.redirect(
          `/pupils/${encodeURIComponent(pupilId)}/letters?sent=${b.method === 'email' ? (deps.config.mail.smtpUrl ? 'emailed' : 'queued') : 'printed'}&letter=${sent.id}`,
          303,
        );
      } catch (e) {
        if (!(e instanceof AppError) || e.code !== 'VALIDATION') throw e;
        const c = await composeLetter(deps, actor, pupilId, b.templateKey, { contactId: b.contactId });
        reply.code(HTTP_STATUS[e.code]);
        // Another recipient's letter goes in another language: the page is now theirs, in it.
        const relanguaged = (e.details.fields ?? []).some((f) => f.field === 'language');
        return reply.view('letter-compose.njk', {
          composed: c,
          languages: LANGUAGES,
          chosen: c.recipients.find((r) => r.contactId === b.contactId) ?? null,
          form: relanguaged
            ? { title: c.title, body: c.text, contactId: b.contactId, language: c.language }
            : { title: b.title, body: b.body, contactId: b.contactId, language: b.language || c.language },
          ...shown(
            e,
            {
              title: 'letter-title',
              body: 'letter-body',
              contactId: 'letter-contact',
              method: 'letter-body',
              language: 'letter-contact',
            },
            'letter-body',
          ),
        });
      }
    },
  );

  app.post(
    '/pupils/:pupilId/contacts/:contactId/language',
    {
      schema: {
        params: z.object({ pupilId: ID, contactId: ID }),
        body: z.object({ _csrf: z.string().optional(), language: text(40), template: ID }),
      },
    },
    async (request, reply) => {
      const actor = requireActor(request);
      const { pupilId, contactId } = request.params;
      await setContactLanguage(deps, actor, pupilId, contactId, request.body.language);
      return reply.redirect(
        `/pupils/${encodeURIComponent(pupilId)}/letters/new?template=${encodeURIComponent(request.body.template)}&contact=${encodeURIComponent(contactId)}`,
        303,
      );
    },
  );

  app.get('/letters/:file', { schema: { params: z.object({ file: ID }) } }, async (request, reply) => {
    const actor = requireActor(request);
    const { pdf, filename } = await getLetterPdf(deps, actor, pdfId(request.params.file));
    return sendPdf(reply, pdf, filename);
  });

  app.get(
    '/pupils/:pupilId/certificate.pdf',
    {
      schema: {
        params: z.object({ pupilId: ID }),
        querystring: z.object({ from: z.string().max(20).optional(), to: z.string().max(20).optional() }),
      },
    },
    async (request, reply) => {
      const actor = requireActor(request);
      const pdf = await certificatePdf(deps, actor, request.params.pupilId, request.query);
      return sendPdf(reply, pdf, 'attendance-certificate.pdf');
    },
  );

  // -- Evidence packs -----------------------------------------------------------------------

  const packQuery = z.object({
    kind: z.string().max(40).default('la-referral'),
    from: z.string().max(20).optional(),
    to: z.string().max(20).optional(),
    produced: z.string().max(200).optional(),
    sent: z.string().max(200).optional(),
  });

  app.get(
    '/pupils/:pupilId/evidence-pack',
    { schema: { params: z.object({ pupilId: ID }), querystring: packQuery } },
    async (request, reply) => {
      const actor = requireActor(request);
      const q = request.query;
      if (!isPackKind(q.kind)) throw new AppError('NOT_FOUND', 'There is no such kind of evidence pack.');
      const banner = q.produced
        ? 'The evidence pack has been produced and stored.'
        : q.sent
          ? 'The evidence pack is marked as sent.'
          : null;
      return renderPackPage(deps, reply, actor, request.params.pupilId, q.kind, { from: q.from, to: q.to }, { banner });
    },
  );

  app.post(
    '/pupils/:pupilId/evidence-pack',
    {
      schema: {
        params: z.object({ pupilId: ID }),
        body: z.object({
          _csrf: z.string().optional(),
          kind: text(40),
          from: text(20),
          to: text(20),
          reason: text(5000),
          comments: text(5000),
        }),
      },
    },
    async (request, reply) => {
      const actor = requireActor(request);
      const pupilId = request.params.pupilId;
      const b = request.body;
      if (!isPackKind(b.kind)) throw new AppError('NOT_FOUND', 'There is no such kind of evidence pack.');
      try {
        const { id } = await producePack(deps, actor, {
          pupilId,
          kind: b.kind,
          from: b.from,
          to: b.to,
          reason: b.reason.trim(),
          comments: b.comments.trim(),
        });
        return await reply.redirect(
          `/pupils/${encodeURIComponent(pupilId)}/evidence-pack?kind=${b.kind}&from=${b.from}&to=${b.to}&produced=${id}`,
          303,
        );
      } catch (e) {
        if (!(e instanceof AppError) || e.code !== 'VALIDATION') throw e;
        reply.code(HTTP_STATUS[e.code]);
        return renderPackPage(
          deps,
          reply,
          actor,
          pupilId,
          b.kind,
          b,
          shown(e, { from: 'pack-from', to: 'pack-to' }, 'pack-from'),
        );
      }
    },
  );

  app.get(
    '/evidence-packs/:file',
    { config: { reauth: true }, schema: { params: z.object({ file: ID }) } },
    async (request, reply) => {
      const actor = requireActor(request);
      const { pdf, filename } = await packPdf(deps, actor, pdfId(request.params.file));
      return sendPdf(reply, pdf, filename);
    },
  );

  app.post(
    '/evidence-packs/:id/sent',
    { schema: { params: z.object({ id: ID }), body: z.object({ _csrf: z.string().optional(), sentTo: text(500) }) } },
    async (request, reply) => {
      const actor = requireActor(request);
      const pack = await packPlace(deps, actor, request.params.id);
      const kind = pack.kind;
      try {
        await markPackSent(deps, actor, request.params.id, request.body.sentTo);
        return await reply.redirect(
          `/pupils/${encodeURIComponent(pack.pupilId)}/evidence-pack?kind=${kind}&from=${pack.from}&to=${pack.to}&sent=${request.params.id}`,
          303,
        );
      } catch (e) {
        if (!(e instanceof AppError) || (e.code !== 'VALIDATION' && e.code !== 'CONFLICT')) throw e;
        reply.code(HTTP_STATUS[e.code]);
        return renderPackPage(
          deps,
          reply,
          actor,
          pack.pupilId,
          kind,
          { from: pack.from, to: pack.to },
          shown(e, {}, `sent-${request.params.id}`),
        );
      }
    },
  );

  return Promise.resolve();
};
