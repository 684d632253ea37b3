// The frozen config with caller identification on (test/fixtures/identify).
import { fixtureConfig } from './fixture-config.js';

/** insurance (TaskRouter workflow WORKFLOW_SID) and payments (plain queue) identify the caller. */
/** The frozen config with identification on (test/fixtures/identify laid over test/fixtures/config). */
export const IDENTIFY_CONFIG = fixtureConfig('identify');
export const WORKFLOW_SID = 'WW0123456789abcdef0123456789abcdef';
