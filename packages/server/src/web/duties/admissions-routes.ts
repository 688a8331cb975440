/**
 * The admission register: admissions and deletions with their reasons and grounds, the LA
 * enquiries, referrals and notifications, forms to admit, delete (checked against the data) and
 * record contact with the LA, and the "pupil moving from school" form.
 *
 *   GET  /admissions                          office (view), attendance officer, senior leader, admin
 *   POST /admissions/admit | /delete | /la-contacts
 *   GET  /admissions/pupils/:id/moving-form   PDF
 *   GET  /admissions/pupils/:id/items         a pupil's register items, to edit (office and above)
 *   POST /admissions/pupils/:id/items
 */
import { isPlainDate, type PlainDate } from '@rollcall/domain';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireActor } from '../../http/auth-routes.js';
import {
  admissionRegister,
  admitPupil,
  deletePupil,
  isLaContactKind,
  LA_CONTACT_KINDS,
  LA_CONTACT_LABELS,
  movingFromSchoolForm,
  recordLaContact,
} from '../../services/duties/admissions/admissions.js';
import { DELETION_GROUNDS, GROUNDS, isDeletionGround } from '../../services/duties/admissions/grounds.js';
import { REGISTER_ITEMS } from '../../services/duties/admissions/register-items.js';
import {
  editRegisterItems,
  registerItemsForm,
  type ItemsParent,
  type RegisterItemsInput,
} from '../../services/duties/admissions/register-edit.js';
import { can, type Actor } from '../../services/authz.js';
import type { Deps } from '../../services/deps.js';
import { AppError, HTTP_STATUS, type FieldError } from '../../services/errors.js';

function schoolOf(actor: Actor, query: string | undefined): string {
  const id = actor.schoolId ?? query;
  if (!id) throw new AppError('FORBIDDEN', 'You do not have permission to do that.');
  return id;
}

type FormName = 'admit' | 'delete' | 'contact';

const PARENT_FIELDS = ['Name', 'Relationship', 'Address', 'Postcode', 'Phone', 'LivesWith'] as const;
function parentFieldIds(n: number): Record<string, string> {
  return Object.fromEntries(PARENT_FIELDS.map((f) => [`parent${n}${f}`, `admit-parent${n}-${f.toLowerCase()}`]));
}
interface Extras {
  form?: FormName;
  values?: Record<string, string>;
  errors?: { text: string; href: string }[];
  /** The admission form's problems by field, shown beside each field. */
  fieldErrors?: Record<string, string>;
  banner?: string | null;
  /** A pupil just deleted: the page offers their Common Transfer File at once. */
  ctfPupilId?: string | undefined;
  ctfDestination?: string | undefined;
}

const FIELD_IDS: Record<FormName, Record<string, string>> = {
  admit: {
    upn: 'admit-upn',
    surname: 'admit-surname',
    forename: 'admit-forename',
    sex: 'admit-sex',
    dateOfBirth: 'admit-dob',
    address: 'admit-address',
    postcode: 'admit-postcode',
    reason: 'admit-reason',
    admissionDate: 'admit-date',
    lastSchoolName: 'admit-last-school-name',
    lastSchoolAddress: 'admit-last-school-address',
    ...parentFieldIds(1),
    ...parentFieldIds(2),
  },
  delete: { ground: 'delete-ground', date: 'delete-date', pupilId: 'delete-pupil' },
  contact: { notes: 'contact-notes', date: 'contact-date', pupilId: 'contact-pupil' },
};

function errorsOf(form: FormName, fields: readonly FieldError[], fallback: string): { text: string; href: string }[] {
  const out = fields.map((f) => ({ text: f.message, href: `#${FIELD_IDS[form][f.field] ?? `${form}-form`}` }));
  return out.length ? out : [{ text: fallback, href: `#${form}-form` }];
}

async function render(
  deps: Deps,
  reply: FastifyReply,
  actor: Actor,
  schoolId: string,
  extras: Extras,
): Promise<FastifyReply> {
  const reg = await admissionRegister(deps, actor, schoolId);
  return reply.view('admissions.njk', {
    reg,
    canManage: can(actor, 'duties.manage', {
      kind: 'school',
      schoolId: reg.school.id,
      trustId: reg.school.trustId,
      laCode: reg.school.laCode,
    }),
    grounds: DELETION_GROUNDS.map((g) => ({ value: g, ...GROUNDS[g] })),
    contactKinds: LA_CONTACT_KINDS.map((k) => ({ value: k, text: LA_CONTACT_LABELS[k] })),
    onRoll: reg.pupils.filter((p) => p.onRoll),
    activeForm: extras.form ?? null,
    values: extras.values ?? {},
    errors: extras.errors ?? [],
    fieldErrors: extras.fieldErrors ?? {},
    itemLabels: REGISTER_ITEMS,
    banner: extras.banner ?? null,
    ctfOffer: extras.ctfPupilId
      ? {
          pupil: reg.pupils.find((p) => p.id === extras.ctfPupilId) ?? null,
          destination: extras.ctfDestination ?? '',
          canExport: can(actor, 'school.export', {
            kind: 'school',
            schoolId: reg.school.id,
            trustId: reg.school.trustId,
            laCode: reg.school.laCode,
          }),
        }
      : null,
  });
}

const s = z.string().max(10_000).default('');
const QUERY = z.object({
  school: z.string().max(200).optional(),
  done: z.string().max(40).optional(),
  ctf: z.string().max(200).optional(),
  dest: z.string().max(20).optional(),
});
const ADMIT_BODY = z.object({
  _csrf: z.string().optional(),
  school: z.string().max(200).optional(),
  upn: s,
  surname: s,
  forename: s,
  otherForename: s,
  otherSurname: s,
  sex: s,
  dateOfBirth: s,
  yearGroup: s,
  admissionDate: s,
  address: s,
  postcode: s,
  ...parentBody(1),
  ...parentBody(2),
  lastSchool: s,
  lastSchoolName: s,
  lastSchoolAddress: s,
  boarder: s,
  reason: s,
});
function parentBody(n: 1 | 2) {
  return {
    [`parent${n}Name`]: s,
    [`parent${n}Relationship`]: s,
    [`parent${n}SameAddress`]: s,
    [`parent${n}Address`]: s,
    [`parent${n}Postcode`]: s,
    [`parent${n}Phone`]: s,
    [`parent${n}LivesWith`]: s,
    [`parent${n}Responsibility`]: s,
  } as Record<`parent${typeof n}${string}`, typeof s>;
}
const ticked = (v: string | undefined): boolean => v === 'yes' || v === 'on' || v === 'true';
const DELETE_BODY = z.object({
  _csrf: z.string().optional(),
  school: z.string().max(200).optional(),
  pupilId: s,
  ground: s,
  date: s,
  destination: s,
  reason: s,
});
const CONTACT_BODY = z.object({
  _csrf: z.string().optional(),
  school: z.string().max(200).optional(),
  pupilId: s,
  kind: s,
  date: s,
  notes: s,
  laAgreed: z.string().max(10).optional(),
});
const PARAMS = z.object({ id: z.string().min(1).max(200) });

const BANNERS: Record<string, string> = {
  admitted: 'Pupil admitted. They will be in the next new-admissions return to the local authority.',
  deleted:
    'Pupil deleted from the register. The local authority is recorded as told, and the deletions return is prepared: check it and send it today.',
  contact: 'Recorded.',
  edited: 'The admission register is updated.',
};

/** The edit form's fields, in the order of the page (each error links to its field). */
const ITEM_FIELDS = [
  'surname',
  'forename',
  'otherForename',
  'otherSurname',
  'sex',
  'dateOfBirth',
  'address',
  'postcode',
  'startingDay',
  'lastSchoolName',
  'lastSchoolAddress',
  'boarder',
] as const;
/** At most this many parents in one form (the stored ones and one to add). */
const MAX_PARENTS = 12;
const ITEMS_BODY = z.record(z.string().max(60), z.string().max(10_000));

/** The form's flat values from the service's shape. */
function flatItems(v: RegisterItemsInput): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of ITEM_FIELDS) out[k] = v[k];
  out.lastSchool = v.lastSchool;
  v.parents.forEach((p, i) => {
    const n = `parent${i + 1}`;
    out[`${n}Id`] = p.contactId ?? '';
    out[`${n}Name`] = p.name;
    out[`${n}Relationship`] = p.relationship;
    out[`${n}Responsibility`] = p.parentalResponsibility ? 'yes' : '';
    out[`${n}LivesWith`] = p.livesWithPupil ? 'yes' : '';
    out[`${n}SameAddress`] = p.sameAddress ? 'yes' : '';
    out[`${n}Address`] = p.sameAddress ? '' : p.address;
    out[`${n}Postcode`] = p.sameAddress ? '' : p.postcode;
    out[`${n}Phone`] = p.mobilePhone;
    out[`${n}HomePhone`] = p.homePhone;
    out[`${n}WorkPhone`] = p.workPhone;
  });
  out.parentCount = String(v.parents.length + 1);
  return out;
}

/** The service's shape from the form's flat values. */
function itemsOf(b: Record<string, string>): RegisterItemsInput {
  const count = Math.min(MAX_PARENTS, Math.max(0, Number.parseInt(b.parentCount ?? '0', 10) || 0));
  const parents: ItemsParent[] = [];
  for (let i = 1; i <= count; i++) {
    const f = (k: string) => b[`parent${i}${k}`] ?? '';
    parents.push({
      contactId: f('Id') || null,
      name: f('Name'),
      relationship: f('Relationship'),
      parentalResponsibility: ticked(f('Responsibility')),
      livesWithPupil: ticked(f('LivesWith')),
      sameAddress: ticked(f('SameAddress')),
      address: f('Address'),
      postcode: f('Postcode'),
      mobilePhone: f('Phone'),
      homePhone: f('HomePhone'),
      workPhone: f('WorkPhone'),
    });
  }
  const g = (k: string) => b[k] ?? '';
  return {
    surname: g('surname'),
    forename: g('forename'),
    otherForename: g('otherForename'),
    otherSurname: g('otherSurname'),
    sex: g('sex'),
    dateOfBirth: g('dateOfBirth'),
    address: g('address'),
    postcode: g('postcode'),
    startingDay: g('startingDay'),
    parents,
    lastSchool: g('lastSchool'),
    lastSchoolName: g('lastSchoolName'),
    lastSchoolAddress: g('lastSchoolAddress'),
    boarder: g('boarder'),
  };
}

/** The id of a field's control on the edit page. */
function itemFieldId(field: string): string {
  const m = /^parent(\d+)(\w+)$/.exec(field);
  if (m) return `items-parent${m[1]}-${m[2]!.toLowerCase()}`;
  return `items-${field.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

export const admissionsRoutes: FastifyPluginAsync = (fastify) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { deps } = app;
  const back = (actor: Actor, schoolId: string, done: string): string =>
    `/admissions?done=${done}${actor.schoolId ? '' : `&school=${encodeURIComponent(schoolId)}`}`;

  app.get('/admissions', { schema: { querystring: QUERY } }, async (request, reply) => {
    const actor = requireActor(request);
    const done = request.query.done;
    return render(deps, reply, actor, schoolOf(actor, request.query.school), {
      banner: done ? (BANNERS[done] ?? null) : null,
      ctfPupilId: done === 'deleted' ? request.query.ctf : undefined,
      ctfDestination: request.query.dest,
    });
  });

  app.post('/admissions/admit', { schema: { body: ADMIT_BODY } }, async (request, reply) => {
    const actor = requireActor(request);
    const b = request.body;
    const schoolId = schoolOf(actor, b.school);
    try {
      const body = b as unknown as Record<string, string>;
      const parent = (n: number) => ({
        name: body[`parent${n}Name`] ?? '',
        relationship: body[`parent${n}Relationship`] ?? '',
        sameAddress: ticked(body[`parent${n}SameAddress`]),
        address: body[`parent${n}Address`] ?? '',
        postcode: body[`parent${n}Postcode`] ?? '',
        phone: body[`parent${n}Phone`] ?? '',
        livesWithPupil: ticked(body[`parent${n}LivesWith`]),
        parentalResponsibility: ticked(body[`parent${n}Responsibility`]),
      });
      await admitPupil(deps, actor, {
        schoolId,
        upn: b.upn,
        surname: b.surname,
        forename: b.forename,
        otherForename: b.otherForename,
        otherSurname: b.otherSurname,
        sex: b.sex === 'M' || b.sex === 'F' ? b.sex : null,
        dateOfBirth: b.dateOfBirth.trim() || null,
        yearGroup: b.yearGroup.trim() || null,
        admissionDate: b.admissionDate as PlainDate,
        address: b.address,
        postcode: b.postcode,
        parents: [parent(1), parent(2)],
        lastSchool:
          b.lastSchool === 'none'
            ? 'none'
            : b.lastSchool === 'school' || b.lastSchoolName.trim() !== ''
              ? { name: b.lastSchoolName, address: b.lastSchoolAddress }
              : null,
        boarder: b.boarder === 'yes' ? true : b.boarder === 'no' ? false : null,
        reason: b.reason,
      });
      return await reply.redirect(back(actor, schoolId, 'admitted'), 303);
    } catch (e) {
      if (!(e instanceof AppError) || e.code !== 'VALIDATION') throw e;
      reply.code(HTTP_STATUS[e.code]);
      const { _csrf, school, ...values } = b;
      void _csrf;
      void school;
      return render(deps, reply, actor, schoolId, {
        form: 'admit',
        values,
        errors: errorsOf('admit', e.details.fields ?? [], e.message),
        fieldErrors: Object.fromEntries((e.details.fields ?? []).map((f) => [f.field, f.message])),
      });
    }
  });

  app.post('/admissions/delete', { schema: { body: DELETE_BODY } }, async (request, reply) => {
    const actor = requireActor(request);
    const b = request.body;
    const schoolId = schoolOf(actor, b.school);
    const { _csrf, school, ...values } = b;
    void _csrf;
    void school;
    try {
      const fields: FieldError[] = [];
      if (!b.pupilId) fields.push({ field: 'pupilId', message: 'Choose the pupil' });
      if (!isDeletionGround(b.ground))
        fields.push({ field: 'ground', message: 'Choose the legal ground for the deletion' });
      if (!isPlainDate(b.date)) fields.push({ field: 'date', message: 'Enter the date of the deletion' });
      if (fields.length || !isDeletionGround(b.ground)) {
        throw new AppError('VALIDATION', 'The deletion could not be recorded.', { fields });
      }
      await deletePupil(deps, actor, {
        pupilId: b.pupilId,
        ground: b.ground,
        date: b.date as PlainDate,
        reason: b.reason,
        destination: b.destination,
      });
      // The next school, when the destination names it by LA and establishment number (330/2001).
      const dest = /^\s*(\d{3})\s*\/?\s*(\d{4})\b/.exec(b.destination);
      const offer = `&ctf=${encodeURIComponent(b.pupilId)}${dest ? `&dest=${dest[1]}%2F${dest[2]}` : ''}`;
      return await reply.redirect(`${back(actor, schoolId, 'deleted')}${offer}`, 303);
    } catch (e) {
      if (!(e instanceof AppError) || (e.code !== 'VALIDATION' && e.code !== 'PUPIL_NOT_FOUND')) throw e;
      reply.code(HTTP_STATUS[e.code]);
      return render(deps, reply, actor, schoolId, {
        form: 'delete',
        values,
        errors: errorsOf('delete', e.details.fields ?? [], e.message),
      });
    }
  });

  app.post('/admissions/la-contacts', { schema: { body: CONTACT_BODY } }, async (request, reply) => {
    const actor = requireActor(request);
    const b = request.body;
    const schoolId = schoolOf(actor, b.school);
    const { _csrf, school, ...rest } = b;
    void _csrf;
    void school;
    const values: Record<string, string> = { ...rest, laAgreed: rest.laAgreed ?? '' };
    try {
      const fields: FieldError[] = [];
      if (!b.pupilId) fields.push({ field: 'pupilId', message: 'Choose the pupil' });
      if (!isPlainDate(b.date)) fields.push({ field: 'date', message: 'Enter the date' });
      if (fields.length || !isLaContactKind(b.kind) || !isPlainDate(b.date)) {
        throw new AppError('VALIDATION', 'Choose what was done.', { fields });
      }
      await recordLaContact(deps, actor, {
        pupilId: b.pupilId,
        kind: b.kind,
        date: b.date,
        notes: b.notes,
        laAgreed: b.laAgreed === 'yes',
      });
      return await reply.redirect(back(actor, schoolId, 'contact'), 303);
    } catch (e) {
      if (!(e instanceof AppError) || (e.code !== 'VALIDATION' && e.code !== 'PUPIL_NOT_FOUND')) throw e;
      reply.code(HTTP_STATUS[e.code]);
      return render(deps, reply, actor, schoolId, {
        form: 'contact',
        values,
        errors: errorsOf('contact', e.details.fields ?? [], e.message),
      });
    }
  });

  app.get('/admissions/pupils/:id/items', { schema: { params: PARAMS } }, async (request, reply) => {
    const actor = requireActor(request);
    const form = await registerItemsForm(deps, actor, request.params.id);
    return reply.view('admission-items.njk', {
      form,
      values: flatItems(form.values),
      parentNumbers: Array.from({ length: form.values.parents.length + 1 }, (_, i) => i + 1),
      itemLabels: REGISTER_ITEMS,
      errors: [],
      fieldErrors: {},
    });
  });

  app.post('/admissions/pupils/:id/items', { schema: { params: PARAMS, body: ITEMS_BODY } }, async (request, reply) => {
    const actor = requireActor(request);
    const b = request.body;
    const input = itemsOf(b);
    try {
      await editRegisterItems(deps, actor, request.params.id, input);
      const schoolQuery = actor.schoolId ? '' : `&school=${encodeURIComponent(b.school ?? '')}`;
      return await reply.redirect(`/admissions?done=edited${schoolQuery}#on-roll`, 303);
    } catch (e) {
      if (!(e instanceof AppError) || e.code !== 'VALIDATION') throw e;
      reply.code(HTTP_STATUS[e.code]);
      const form = await registerItemsForm(deps, actor, request.params.id);
      const fields = e.details.fields ?? [];
      const { _csrf, ...values } = b;
      void _csrf;
      return reply.view('admission-items.njk', {
        form,
        values: { ...values, parentCount: String(input.parents.length) },
        parentNumbers: Array.from({ length: input.parents.length }, (_, i) => i + 1),
        itemLabels: REGISTER_ITEMS,
        errors: fields.map((f) => ({ text: f.message, href: `#${itemFieldId(f.field)}` })),
        fieldErrors: Object.fromEntries(fields.map((f) => [f.field, f.message])),
      });
    }
  });

  app.get('/admissions/pupils/:id/moving-form', { schema: { params: PARAMS } }, async (request, reply) => {
    const actor = requireActor(request);
    const { fileName, pdf } = await movingFromSchoolForm(deps, actor, request.params.id);
    return reply.type('application/pdf').header('content-disposition', `attachment; filename="${fileName}"`).send(pdf);
  });
  return Promise.resolve();
};
