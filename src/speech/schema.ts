// Schema of prompts/<lang>.yaml: every text a caller hears, by key, for one language.
import { z } from 'zod';

export interface PromptTree {
  [key: string]: string | string[] | PromptTree;
}

const promptTree: z.ZodType<PromptTree> = z.lazy(() =>
  z.record(
    z.string(),
    z.union([z.string(), z.array(z.string()).min(1), promptTree], {
      error: (iss) => `must be a text, a list of texts, or a group of prompts, got ${iss.input === null || iss.input === undefined ? 'nothing' : typeof iss.input === 'string' ? JSON.stringify(iss.input) : Array.isArray(iss.input) ? 'an empty or mixed list' : String(iss.input)}`,
    }),
  ),
);

export const promptFileSchema = z.strictObject({
  /** BCP 47 tag for <Say language>, e.g. cs-CZ. */
  language: z.string().regex(/^[a-z]{2}-[A-Z]{2}$/, { error: (iss) => `${JSON.stringify(iss.input)} is not a language tag (e.g. cs-CZ)` }),
  /** Twilio TTS voice, e.g. Google.cs-CZ-Wavenet-A. */
  voice: z.string().min(1).optional(),
  /** Prompt key → URL of a recording played instead of the text. */
  audio: z
    .record(
      z.string(),
      z.url({ protocol: /^https?$/, error: (iss) => `${JSON.stringify(iss.input)} is not an http(s) URL` }),
    )
    .nullish()
    .transform((v) => v ?? {}),
  prompts: promptTree,
});

export type PromptFile = z.infer<typeof promptFileSchema>;

/** Flattens a prompt tree to dotted keys: { menu: { "1": "…" } } → { "menu.1": "…" }. */
export function flattenPrompts(tree: PromptTree, prefix = '', out = new Map<string, string | string[]>()): Map<string, string | string[]> {
  // One output map for the whole tree: copying each group's map into its parent's costs a
  // pass per nesting level over every key below it.
  for (const [key, value] of Object.entries(tree)) {
    const full = prefix === '' ? key : `${prefix}.${key}`;
    if (typeof value === 'string' || Array.isArray(value)) out.set(full, value);
    else flattenPrompts(value, full, out);
  }
  return out;
}

/** i18next plural suffixes: queue.position_few and queue.position_other are both "queue.position". */
export const PLURAL_SUFFIX = /_(zero|one|two|few|many|other)$/;

export function baseKey(key: string): string {
  return key.replace(PLURAL_SUFFIX, '');
}
