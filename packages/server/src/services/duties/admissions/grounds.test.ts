import { describe, expect, it } from 'vitest';
import { GROUNDS } from './grounds.js';

describe('the deletion grounds as staff read them', () => {
  it('name the published regulations, not our notes, seed policies or code names', () => {
    for (const g of Object.values(GROUNDS)) {
      expect(g.source).toContain('The School Attendance (Pupil Registration) (England) Regulations 2024');
      expect(g.source).not.toMatch(/\.md\b|seeds? 0\d\d|\b[a-z]+[A-Z]\w*/);
    }
  });
});
