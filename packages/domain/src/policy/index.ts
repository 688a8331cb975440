/** Support-first staged casework: policies as data, and the pure evaluation that proposes. */
export * from './types.js';
export * from './evaluate.js';
export * from './examples.js';
export * from './letters.js';
export * from './adjusted.js';
export * from './review.js';
export * from './needs.js';
export * from './words.js';
export * from './presets/index.js';
export * from './settings.js';
