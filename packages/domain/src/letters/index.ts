/** Letters: merge fields and the pure merge of a template body. */
export * from './merge.js';
