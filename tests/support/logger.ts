import { pino } from 'pino';

/** Logs only errors, so a failing test shows why without drowning the run in info lines. */
export const testLogger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'error' });
