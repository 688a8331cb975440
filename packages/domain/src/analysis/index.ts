/** Analysis over a cohort's compact marks: trends, patterns, projections and pupil lists. */
export * from './cohort.js';
export * from './trends.js';
export * from './patterns.js';
export * from './pupils.js';
