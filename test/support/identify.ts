// The frozen config with caller identification on (test/fixtures/identify).
import { join } from 'node:path';
import { packageRoot } from '../../src/config/load.js';

/** insurance (TaskRouter workflow WORKFLOW_SID) and payments (plain queue) identify the caller. */
export const IDENTIFY_CONFIG = join(packageRoot(), 'test', 'fixtures', 'identify');
export const WORKFLOW_SID = 'WW0123456789abcdef0123456789abcdef';
