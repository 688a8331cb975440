/** The demo trust: `createDemo` on an empty database (`isDatabaseEmpty`). */
export {
  createDemo,
  isDatabaseEmpty,
  existingDemoSignIns,
  demoSchoolDay,
  DEMO_PASSWORD,
  DEFAULT_DEMO_SEED,
  type DemoOptions,
  type DemoSummary,
  type DemoSchoolSummary,
} from './demo.js';
