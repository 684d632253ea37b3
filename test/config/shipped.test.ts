// The config the repository ships (flows/, prompts/, config/ at its root) is what supervisors
// edit; every other test runs on the frozen copy in test/fixtures/config. This one only checks
// that the shipped files validate, so a legitimate edit of a prompt or an hour keeps CI green.
import { describe, expect, it } from 'vitest';
import { buildBundle } from '../../src/config/bundle.js';
import { formatIssue } from '../../src/config/issues.js';
import { packageRoot, readConfigSnapshot } from '../../src/config/load.js';

describe('the shipped config', () => {
  it('validates without an issue', () => {
    const { files, issues } = readConfigSnapshot(packageRoot());
    const built = buildBundle(files, issues);
    expect(built.ok ? [] : built.issues.map(formatIssue)).toEqual([]);
    expect(files.has('flows/infoline.yaml')).toBe(true);
  });
});
