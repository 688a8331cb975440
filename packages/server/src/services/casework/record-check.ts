/**
 * Checking what someone typed into a case-record form: each problem is collected with the field
 * it belongs to, and `done` refuses the whole change (VALIDATION, with every field's message)
 * when there was any. Used by the record kinds (record-kinds.ts).
 */
import { isPlainDate, type PlainDate } from '@rollcall/domain';
import type { FieldError } from '../errors.js';
import { validation } from './casework.js';

const MAX_TEXT = 10_000;

export class Check {
  readonly errors: FieldError[] = [];
  text(
    field: string,
    value: string | undefined,
    label: string,
    opts: { required?: boolean; max?: number } = {},
  ): string | null {
    const v = (value ?? '').trim();
    if (!v) {
      if (opts.required ?? true) this.errors.push({ field, message: `Enter ${label}.` });
      return null;
    }
    const max = opts.max ?? MAX_TEXT;
    if (v.length > max)
      this.errors.push({
        field,
        message: `${capital(label)} must be ${max.toLocaleString('en-GB')} characters or fewer.`,
      });
    return v;
  }
  date(field: string, value: string | undefined, label: string, opts: { required?: boolean } = {}): PlainDate | null {
    const v = (value ?? '').trim();
    if (!v) {
      if (opts.required ?? true) this.errors.push({ field, message: `Enter ${label}, for example 2025-09-10.` });
      return null;
    }
    if (!isPlainDate(v)) {
      this.errors.push({ field, message: `${capital(label)} must be a real date, for example 2025-09-10.` });
      return null;
    }
    return v;
  }
  oneOf<T extends string>(field: string, value: string | undefined, options: readonly T[], message: string): T | null {
    const v = (value ?? '').trim();
    if (!(options as readonly string[]).includes(v)) {
      this.errors.push({ field, message });
      return null;
    }
    return v as T;
  }
  add(field: string, message: string): void {
    this.errors.push({ field, message });
  }
  done(message: string): void {
    if (this.errors.length > 0) throw validation(message, this.errors);
  }
}

function capital(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
