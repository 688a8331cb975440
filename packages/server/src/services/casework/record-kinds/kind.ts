/**
 * What a kind of case record is, as data (see ../record-kinds.ts for the table of kinds, and
 * ../case-record.ts for the code that runs any of them).
 */
import { z } from 'zod';
import type { PlainDate, SchoolCalendar } from '@rollcall/domain';
import type { CaseItemChanges, CaseItemRow, CaseItemTable, CaseItemValues } from '../../../db/casework/case-record.js';
import type { Trx } from '../../../db/connect.js';
import type { School } from '../../school/schools.js';
import type { Action, Actor } from '../../authz.js';
import type { Deps } from '../../deps.js';
import type { Check } from '../record-check.js';
import type { CaseItemList } from '../record.js';

/** What a kind's hooks may use: the request, the pupil and school, the school's today. */
export interface KindContext {
  readonly deps: Deps;
  readonly actor: Actor;
  readonly pupilId: string;
  readonly school: School;
  /** The school's date now (its time zone). */
  today(): PlainDate;
  /** The school's calendar (loaded when asked). */
  calendar(): Promise<SchoolCalendar>;
}

/** The policy's open actions (`policy_action` = or LIKE `policyAction`) a new record completes. */
export interface Completes {
  readonly policyAction: string;
  readonly like?: boolean;
  readonly outcome: string;
  readonly completedOn: string;
}

/** Columns the shared code fills in itself. */
export type Filled = 'id' | 'pupil_id' | 'created_by' | 'created_at' | 'updated_at';

export interface CreateWrite<T extends CaseItemTable> {
  readonly values: Omit<CaseItemValues<T>, Filled>;
  readonly details?: Record<string, unknown>;
  readonly completes?: Completes;
}

export interface UpdateWrite<T extends CaseItemTable> {
  readonly set: Omit<CaseItemChanges<T>, 'updated_at'>;
  readonly details?: Record<string, unknown>;
  readonly completes?: Completes;
  /** Further rows written in the same transaction, after the update (a meeting's agreed actions). */
  readonly also?: (trx: Trx, now: string) => Promise<void>;
}

export interface CreateSpec<T extends CaseItemTable, I extends { pupilId: string }, P> {
  /** The audit action. */
  readonly action: string;
  /** The shape of the input (every value a form sends is a string). */
  readonly input: z.ZodType<I>;
  /** The message when any field is wrong. */
  readonly failed: string;
  /** Checks each field into `c`; what it returns is used only when nothing was wrong. */
  readonly check: (c: Check, input: I, ctx: KindContext) => P | Promise<P>;
  /** The row to insert, once the fields are good; may still refuse (VALIDATION) for rules across records. */
  readonly write: (p: P, ctx: KindContext) => CreateWrite<T> | Promise<CreateWrite<T>>;
  /** The entity id the audit names, where it is not the new row's id. */
  readonly auditEntityId?: string;
}

export interface UpdateSpec<T extends CaseItemTable, I extends { pupilId: string }, P> {
  readonly action: string;
  readonly input: z.ZodType<I>;
  /** The input field holding the row's id. */
  readonly idField: keyof I & string;
  /** NOT_FOUND message when the pupil has no such row. */
  readonly missing: string;
  /** CONFLICT message when the row can no longer be changed, else null. */
  readonly decided?: (row: CaseItemRow<T>) => string | null;
  readonly failed: string;
  readonly check: (c: Check, input: I, row: CaseItemRow<T>, ctx: KindContext) => P | Promise<P>;
  readonly write: (p: P, row: CaseItemRow<T>, ctx: KindContext) => UpdateWrite<T> | Promise<UpdateWrite<T>>;
}

export interface RecordKind<
  T extends CaseItemTable,
  CI extends { pupilId: string },
  CP,
  UI extends { pupilId: string },
  UP,
> {
  /** The kind's name in audit actions and on the case page (`casework.<name>.…`). */
  readonly name: string;
  readonly table: T;
  /** The audit entity type. */
  readonly entityType: string;
  /** Needed to create or update (reading the record needs `casework.view`). */
  readonly permission: Action;
  /** Where the rows appear in the case record (record.ts). */
  readonly list: Pick<CaseItemList<T>, 'table' | 'order'>;
  readonly create: CreateSpec<T, CI, CP>;
  readonly update: UpdateSpec<T, UI, UP>;
}

/**
 * Any kind, as the shared code and the table of kinds see it: what one hook hands the next is
 * the kind's own business, so it is `unknown` here.
 */
export interface AnyRecordKind {
  readonly name: string;
  readonly table: CaseItemTable;
  readonly entityType: string;
  readonly permission: Action;
  readonly list: Pick<CaseItemList<CaseItemTable>, 'table' | 'order'>;
  readonly create: {
    readonly action: string;
    readonly input: z.ZodType<{ pupilId: string }>;
    readonly failed: string;
    readonly auditEntityId?: string;
    check(c: Check, input: { pupilId: string }, ctx: KindContext): unknown;
    write(p: unknown, ctx: KindContext): CreateWrite<CaseItemTable> | Promise<CreateWrite<CaseItemTable>>;
  };
  readonly update: {
    readonly action: string;
    readonly input: z.ZodType<{ pupilId: string }>;
    readonly idField: string;
    readonly missing: string;
    readonly failed: string;
    decided?(row: CaseItemRow<CaseItemTable>): string | null;
    check(c: Check, input: { pupilId: string }, row: CaseItemRow<CaseItemTable>, ctx: KindContext): unknown;
    write(
      p: unknown,
      row: CaseItemRow<CaseItemTable>,
      ctx: KindContext,
    ): UpdateWrite<CaseItemTable> | Promise<UpdateWrite<CaseItemTable>>;
  };
}

export function kind<T extends CaseItemTable, CI extends { pupilId: string }, CP, UI extends { pupilId: string }, UP>(
  k: RecordKind<T, CI, CP, UI, UP>,
): RecordKind<T, CI, CP, UI, UP> & { readonly any: AnyRecordKind } {
  // The same object, seen as any kind (its hooks' own types erased) for the shared code.
  return Object.assign(k, { any: k as unknown as AnyRecordKind });
}

/** A field the form always sends; missing is the same as blank (the check then names it). */
export const text = z.string().default('');
export const optionalText = z.string().optional();
export const PUPIL = { pupilId: z.string() };
