/** What every use case is built from. Passed explicitly; nothing reaches for globals. */
import type { Config } from '../config/config.js';
import type { Db, Dialect } from '../db/connect.js';
import type { Clock } from '../platform/clock.js';
import type { Logger } from '../platform/logger.js';

export interface Deps {
  readonly db: Db;
  readonly dialect: Dialect;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly config: Config;
}
