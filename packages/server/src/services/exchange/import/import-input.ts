/**
 * What `rollcall import` is given: the school, the files, the options.
 */
import type { Phase } from '../../school/schools.js';
import type { ImportFile } from './files.js';
import type { MisChoice } from './mis.js';

export const PHASES = ['primary', 'secondary', 'special', 'all-through'] as const satisfies readonly Phase[];

/** The name marks and history are recorded under when the system (the CLI) imports. */
export const IMPORT_USER_NAME = 'Rollcall import (system)';

export interface ImportInput {
  /** The school's URN: the school is found by it, or created with `create`. */
  readonly urn: string;
  /** Details of the school: required to create it; when it exists, given ones are updated. */
  readonly school?:
    | {
        readonly name?: string;
        readonly phase?: string;
        readonly laCode?: string;
        readonly laName?: string;
        /** The 4-digit DfE establishment number. */
        readonly estab?: string;
      }
    | undefined;
  /**
   * A Common Transfer File: its pupils, contacts, school and attendance history, and the session
   * marks of this school's own YearData (docs/ctf.md). Not with --pupils, --marks or --contacts.
   */
  readonly ctf?: ImportFile | undefined;
  readonly calendar?: ImportFile | undefined;
  readonly pupils?: ImportFile | undefined;
  readonly marks?: ImportFile | undefined;
  readonly contacts?: ImportFile | undefined;
  readonly groups?: ImportFile | undefined;
  /** Check everything and count what would change, but write nothing. */
  readonly dryRun?: boolean | undefined;
  /** Which MIS's column names the CSV files use: a preset, `auto` (the default: detect) or `none`. */
  readonly mis?: MisChoice | undefined;
}
