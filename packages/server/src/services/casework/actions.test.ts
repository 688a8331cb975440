import { describe, expect, it } from 'vitest';
import { actionDescription, actionLabel } from './actions.js';

const letters = new Map([['stage-1a', 'The pupil’s attendance: a first concern']]);

describe('policy actions in words', () => {
  it('names a letter by its title, never by its template key', () => {
    expect(actionLabel('letter:stage-1a', letters)).toBe('Send the letter “The pupil’s attendance: a first concern”');
    expect(actionLabel('letter:stage-1a', letters)).not.toContain('stage-1a');
  });

  it('says a letter the school has no template for in words', () => {
    expect(actionLabel('letter:home-visit-note', letters)).toBe('Send the home visit note letter');
  });

  it('reads an action stored with the key as the letter’s title, and keeps a person’s own words', () => {
    expect(actionDescription('Send the letter “stage-1a”', 'letter:stage-1a', letters)).toBe(
      'Send the letter “The pupil’s attendance: a first concern”',
    );
    expect(actionDescription('Send the stage 1a letter', 'letter:stage-1a', letters)).toBe(
      'Send the letter “The pupil’s attendance: a first concern”',
    );
    expect(actionDescription('Post the letter by hand', 'letter:stage-1a', letters)).toBe('Post the letter by hand');
    expect(actionDescription('Call the aunt', null, letters)).toBe('Call the aunt');
  });
});
