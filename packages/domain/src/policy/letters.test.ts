import { describe, expect, it } from 'vitest';
import { checkLetterTemplate, letterKeysOf, MERGE_FIELDS, mergeFieldsIn, paragraphs, renderLetter } from './letters.js';

const T = {
  key: 'stage-1',
  title: 'About {{pupil.forename}}',
  body: 'Dear {{parent.name}},\n\n{{pupil.forename}} is at {{attendance.rate}}.\n\n\nYours,\n{{sender.name}}',
};

describe('letter templates', () => {
  it('has the contract’s 24 merge fields and the summary letter’s two (band, target)', () => {
    expect(MERGE_FIELDS).toHaveLength(26);
    expect(mergeFieldsIn(T.body)).toEqual(['parent.name', 'pupil.forename', 'attendance.rate', 'sender.name']);
  });

  it('reports problems naming the field', () => {
    expect(checkLetterTemplate(T)).toEqual([]);
    expect(checkLetterTemplate({ key: 'Stage 1', title: ' ', body: 'Hi {{pupil.surname}} {{ today }} {{x' })).toEqual([
      'key: "Stage 1" must be lower-case letters, digits and -',
      'title: must not be empty',
      'body: unknown merge field {{pupil.surname}}',
      'body: a merge field is not closed ({{ without }} or the other way)',
    ]);
  });

  it('renders paragraphs, and refuses unknown or missing fields', () => {
    const values = {
      'parent.name': 'Ms A Parent',
      'pupil.forename': 'Sam',
      'attendance.rate': '89.5%',
      'sender.name': 'B',
    };
    expect(renderLetter(T, values)).toEqual({
      ok: true,
      title: 'About {{pupil.forename}}',
      paragraphs: ['Dear Ms A Parent,', 'Sam is at 89.5%.', 'Yours,\nB'],
    });
    expect(renderLetter(T, { 'parent.name': 'X' })).toEqual({
      ok: false,
      errors: [
        'no value for the merge field {{pupil.forename}}',
        'no value for the merge field {{attendance.rate}}',
        'no value for the merge field {{sender.name}}',
      ],
    });
    expect(renderLetter({ ...T, body: '{{nope}}' }, {})).toEqual({
      ok: false,
      errors: ['unknown merge field {{nope}}'],
    });
    expect(paragraphs('\n\n a \n \n b')).toEqual(['a', 'b']);
  });

  it('reads the letter keys from actions', () => {
    expect(letterKeysOf(['letter:a', 'meeting:x', 'letter:b', 'letter:a'])).toEqual(['a', 'b']);
  });
});
