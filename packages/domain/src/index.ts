/**
 * Rollcall's attendance domain core: pure functions over plain data. No I/O, no clock, no
 * randomness, no dependencies.
 */
export * from './dates.js';
export * from './result.js';
export * from './codes.js';
export * from './calendar.js';
export * from './upn.js';
export * from './measures.js';
export * from './findings.js';
export * from './roll.js';
export * from './roll-csv.js';
export * from './registers.js';
export * from './policy/index.js';
export * from './national.js';
export * from './letters/index.js';
export * from './analysis/index.js';
export * from './census.js';
export * from './period-counts.js';
