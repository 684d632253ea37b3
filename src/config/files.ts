// Where each part of the configuration lives, relative to the config directory.
export const FLOW_FILE = 'flows/infoline.yaml';
export const QUEUES_FILE = 'config/queues.yaml';
export const HOURS_FILE = 'config/hours.yaml';
export const PROMPTS_DIR = 'prompts/';
export { DEFAULT_LANGUAGE } from '../speech/keys.js';

/**
 * The config files that matter: YAML directly under flows/, prompts/ or config/ — except the
 * console's users file (config/users.yaml, users.example.yaml): password hashes are not call-flow
 * configuration, and adding a console user must not change the flow version stored with consents.
 */
export function isConfigFile(relPath: string): boolean {
  return /^(flows|prompts|config)\/[^/]+\.ya?ml$/.test(relPath) && !/^config\/users(\.[^/]+)?\.ya?ml$/.test(relPath);
}
