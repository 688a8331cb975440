import type { PlainDate } from '@rollcall/domain';

/** What a command may touch of the outside world: output streams and today's date. */
export interface CliIO {
  stdout(text: string): void;
  stderr(text: string): void;
  today(): PlainDate;
}
