// Where each part of the configuration lives, relative to the config directory.
export const FLOW_FILE = 'flows/infoline.yaml';
export const QUEUES_FILE = 'config/queues.yaml';
export const HOURS_FILE = 'config/hours.yaml';
export const PROMPTS_DIR = 'prompts/';
export const DEFAULT_LANGUAGE = 'cs';

/** The config files that matter: YAML directly under flows/, prompts/ or config/. */
export function isConfigFile(relPath: string): boolean {
  return /^(flows|prompts|config)\/[^/]+\.ya?ml$/.test(relPath);
}
