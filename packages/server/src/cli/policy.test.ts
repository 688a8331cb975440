import { describe, expect, it } from 'vitest';
import type { PlainDate } from '@rollcall/domain';
import { main, type CliIO } from './main.js';

function capture(): CliIO & { out: string; err: string } {
  const io = {
    out: '',
    err: '',
    stdout(text: string) {
      io.out += text;
    },
    stderr(text: string) {
      io.err += text;
    },
    today: () => '2025-10-01' as PlainDate,
  };
  return io;
}

describe('rollcall policy (the command line)', () => {
  it('set needs exactly one of --preset and --file, checked before the database is opened', async () => {
    for (const args of [
      ['policy', 'set', '--school', '100001'],
      ['policy', 'set', '--school', '100001', '--preset', 'all-saints-stages', '--file', 'policy.yaml'],
    ]) {
      const io = capture();
      expect(await main(args, io)).toBe(2);
      expect(io.err).toBe('rollcall policy set: give exactly one of --preset <id> or --file <policy.yaml|json>\n');
    }
  });

  it('show and set need --school', async () => {
    for (const args of [
      ['policy', 'show'],
      ['policy', 'set', '--preset', 'all-saints-stages'],
    ]) {
      const io = capture();
      expect(await main(args, io)).toBe(2);
      expect(io.err).toContain("required option '--school <urn>' not specified");
    }
  });

  it('lists both commands in its help', async () => {
    const io = capture();
    expect(await main(['policy', '--help'], io)).toBe(0);
    expect(io.out).toContain('show [options]');
    expect(io.out).toContain('set [options]');
  });
});
