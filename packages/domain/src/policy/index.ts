/** Support-first staged casework: policies as data, and the pure evaluation that proposes. */
export * from './types.js';
export * from './evaluate.js';
export * from './examples.js';
