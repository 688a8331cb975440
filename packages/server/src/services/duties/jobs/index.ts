/**
 * Every module that registers scheduled jobs, imported for their side effect; then the registry.
 * Features add one import line here for their own jobs module.
 */
import './duties-jobs.js';
import './retention-jobs.js';
import '../../analysis/snapshot-jobs.js';
import '../../exchange/webhooks-jobs.js';

export { JOBS, findJob, registerJob, type JobDefinition, type JobContext, type JobSummary } from './registry.js';
export { runJob, recentJobRuns, jobRunsFor, jobsFor, type RunOutcome, type JobRunRow } from './runner.js';
