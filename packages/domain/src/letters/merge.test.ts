import { describe, expect, it } from 'vitest';
import { checkLetterTemplate, MERGE_FIELDS, renderLetter } from '../policy/letters.js';
import {
  checkLetterBody,
  hasUnclosedMergeField,
  LETTER_MERGE_FIELDS,
  mergeFieldsUsed,
  mergeLetter,
  replaceMergeFields,
} from './merge.js';

describe('letter merge', () => {
  it('fills known fields and marks missing ones as a visible gap', () => {
    const r = mergeLetter(
      'Dear {{parent.name}},\n\n{{pupil.forename}} attended {{ attendance.rate }}. See you {{meeting.date}}.',
      {
        'parent.name': 'Ms Jones',
        'pupil.forename': 'Sam',
        'attendance.rate': '88.0%',
      },
    );
    expect(r.text).toBe('Dear Ms Jones,\n\nSam attended 88.0%. See you [meeting.date].');
    expect(r.missing).toEqual(['meeting.date']);
    expect(r.unknown).toEqual([]);
  });

  it('names unknown fields as errors on save, and leaves them as written when merging', () => {
    const issues = checkLetterBody('Dear {{parent.nmae}}, {{pupil.name}} {{}}');
    expect(issues.map((i) => i.message)).toEqual([
      expect.stringContaining('{{parent.nmae}} is not a merge field'),
      'There is an empty merge field {{}}.',
    ]);
    expect(mergeLetter('{{parent.nmae}}', {}).unknown).toEqual(['parent.nmae']);
  });

  it('finds unclosed braces and empty bodies', () => {
    expect(checkLetterBody('Dear {{parent.name')[0]?.message).toMatch(/not closed/);
    expect(checkLetterBody('  ')[0]?.message).toBe('The letter is empty.');
    expect(checkLetterBody('Dear {{parent.name}}')).toEqual([]);
  });

  it('lists the fields used once each, in order', () => {
    expect(mergeFieldsUsed('{{a}} {{b}} {{a}}')).toEqual(['a', 'b']);
  });

  it('has exactly the contract field list', () => {
    expect(Object.keys(LETTER_MERGE_FIELDS).sort()).toEqual(
      'pupil.name pupil.forename pupil.yearGroup pupil.regGroup parent.name parent.address school.name school.address sender.name sender.role today attendance.rate attendance.sessionsMissed attendance.unauthorisedSessions attendance.unauthorisedLast10Weeks attendance.brokenWeeks attendance.period attendance.band school.target stage.name meeting.date meeting.time meeting.place plan.target plan.reviewDate explanation'
        .split(' ')
        .sort(),
    );
  });

  it('is the one list: the policy’s MERGE_FIELDS are its fields, in order', () => {
    expect(Object.keys(LETTER_MERGE_FIELDS)).toEqual([...MERGE_FIELDS]);
  });

  it('is the one engine: policy templates check and render with it', () => {
    expect(hasUnclosedMergeField('{{a}} {{b')).toBe(true);
    expect(hasUnclosedMergeField('{{a}} b}}')).toBe(true);
    expect(hasUnclosedMergeField('{{ a }}')).toBe(false);
    expect(replaceMergeFields('Hi {{ a }}, {{b}}', (n) => n.toUpperCase())).toBe('Hi A, B');
    const body = 'Dear {{parent.name}} {{pupil.nmae}} {{x';
    expect(checkLetterTemplate({ key: 'k', title: 't', body })).toEqual([
      'body: unknown merge field {{pupil.nmae}}',
      'body: a merge field is not closed ({{ without }} or the other way)',
    ]);
    expect(checkLetterBody(body).map((i) => i.message)).toEqual([
      expect.stringContaining('{{pupil.nmae}} is not a merge field'),
      'A merge field is not closed: write fields as {{pupil.name}}.',
    ]);
    expect(renderLetter({ key: 'k', title: 't', body: 'Dear {{ parent.name }}' }, { 'parent.name': 'Ms A' })).toEqual({
      ok: true,
      title: 't',
      paragraphs: ['Dear Ms A'],
    });
  });
});
