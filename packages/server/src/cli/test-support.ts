/** What the CLI tests share: an io that keeps what a command prints, with a fixed "today". */
import type { PlainDate } from '@rollcall/domain';
import type { CliIO } from './io.js';

export function capture(today: PlainDate = '2025-09-15' as PlainDate): CliIO & { out: string; err: string } {
  const io = {
    out: '',
    err: '',
    stdout(text: string) {
      io.out += text;
    },
    stderr(text: string) {
      io.err += text;
    },
    today: () => today,
  };
  return io;
}
