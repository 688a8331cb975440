import { describe, expect, it } from 'vitest';
import { contactKey, groupName, isEmail, phoneProblem, readTable, type ImportProblem } from './files.js';
import { formatReportTable } from './report.js';

describe('phone numbers (loosely UK)', () => {
  it.each(['07700 900123', '07700900123', '+44 7700 900123', '01632 960001', '020 7946 0958', '+447700900123'])(
    'accepts %s',
    (n) => {
      expect(phoneProblem(n)).toBeNull();
    },
  );
  it.each([
    ['07700-900123', 'may contain only digits, spaces and a leading +'],
    ['(01632) 960001', 'may contain only digits, spaces and a leading +'],
    ['0770 090', 'has 7 digits; a phone number has 10 to 13'],
    ['+44 7700 900123 4567', 'has 16 digits; a phone number has 10 to 13'],
    ['07700 +900123', 'may contain only digits, spaces and a leading +'],
  ])('refuses %s', (n, why) => {
    expect(phoneProblem(n)).toBe(why);
  });
});

describe('email addresses', () => {
  it.each(['parent@example.org', 'a.b+c@school.sch.uk'])('accepts %s', (e) => expect(isEmail(e)).toBe(true));
  it.each([
    'parent',
    'parent@',
    '@example.org',
    'parent@example',
    'par ent@example.org',
    'a@b@example.org',
    'a@example..org',
  ])('refuses %s', (e) => expect(isEmail(e)).toBe(false));
});

describe('names used as keys', () => {
  it('matches contacts whatever the case and spacing, and groups by their spacing only', () => {
    expect(contactKey('  Parent   ONE ')).toBe(contactKey('parent one'));
    expect(groupName('  7   Maths ')).toBe('7 Maths');
    expect(groupName('7a')).not.toBe(groupName('7A'));
  });
});

describe('tables', () => {
  it('names the missing columns of a header', () => {
    const problems: ImportProblem[] = [];
    expect(
      readTable({ name: 'groups.csv', text: 'group,upn\n7A,B801200005001\n' }, ['group', 'kind', 'upn'], problems),
    ).toBeUndefined();
    expect(problems).toEqual([
      {
        file: 'groups.csv',
        line: 1,
        message: 'the header is missing "kind" (found: group,upn); it needs group,kind,upn',
      },
    ]);
  });
});

describe('the report as a table', () => {
  it('lists at most 20 updated pupils and says how many more', () => {
    const counts = Object.fromEntries(
      ['school', 'terms', 'closures', 'groups', 'groupMembers', 'groupStaff', 'pupils', 'contacts', 'marks'].map(
        (e) => [e, { created: 0, updated: e === 'pupils' ? 25 : 0, unchanged: 0, removed: 0 }],
      ),
    ) as Parameters<typeof formatReportTable>[0]['counts'];
    const text = formatReportTable({
      dryRun: false,
      school: { id: 's', urn: '100001', name: 'Test' },
      files: {},
      counts,
      pupilsUpdated: Array.from({ length: 25 }, (_, i) => ({ upn: `UPN${i}`, fields: ['year_group'] })),
      changes: {
        pupils: {
          added: 1,
          updated: 25,
          unchanged: 0,
          left: 0,
          names: { added: ['Ann Able (UPN99)'], updated: [], left: [] },
        },
      },
      mis: { pupils: 'sims' },
      warnings: [],
      startedAt: '2025-09-15T10:00:00.000Z',
      durationMs: 4321,
    });
    expect(text).toContain('Pupils updated (25):\n  UPN0: year_group\n');
    expect(text).toContain('  … and 5 more (--format json lists them all)\n');
    expect(text).toContain(
      'What changed, file by file:\n  pupils (read as a SIMS export): 1 added, 25 updated, 0 unchanged, 0 left\n    added: Ann Able (UPN99)\n',
    );
    expect(text).toMatch(/\nTook 4\.3 s\.\n$/);
  });
});
