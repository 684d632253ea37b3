// Schema of prompts/<lang>.yaml: every text a caller hears, by key, for one language.
import { z } from 'zod';

export interface PromptTree {
  [key: string]: string | string[] | PromptTree;
}

const promptTree: z.ZodType<PromptTree> = z.lazy(() =>
  z.record(
    z.string(),
    z.union([z.string(), z.array(z.string()).min(1), promptTree], {
      error: (iss) =>
        `must be a text, a list of texts, or a group of prompts, got ${iss.input === null || iss.input === undefined ? 'nothing' : typeof iss.input === 'string' ? JSON.stringify(iss.input) : Array.isArray(iss.input) ? 'an empty or mixed list' : String(iss.input)}`,
    }),
  ),
);

export const promptFileSchema = z
  .strictObject({
    /** BCP 47 tag for <Say language>, e.g. cs-CZ. */
    language: z
      .string()
      .regex(/^[a-z]{2}-[A-Z]{2}$/, { error: (iss) => `${JSON.stringify(iss.input)} is not a language tag (e.g. cs-CZ)` }),
    /** Twilio TTS voice, e.g. Google.cs-CZ-Wavenet-A (default: the language's Google standard voice). */
    voice: z.string().min(1).optional(),
    /**
     * Speaking rate for every text of this language (SSML <prosody rate>): a percentage of the
     * voice's normal rate, 50%–200%, or x-slow … x-fast. Absent: the voice's own rate.
     */
    rate: z
      .union([z.string(), z.number()])
      .optional()
      .superRefine((v, ctx) => {
        if (v !== undefined && speakingRate(v) === undefined) {
          ctx.addIssue({
            code: 'custom',
            message: `${JSON.stringify(v)} is not a speaking rate: a percentage from ${RATE_MIN}% to ${RATE_MAX}% (e.g. 85%) or one of ${RATE_WORDS.join(', ')}`,
          });
        }
      })
      .transform((v) => (v === undefined ? undefined : speakingRate(v))),
    /**
     * Prompts said in another language than this file's, by key → language code of another
     * prompt file (e.g. `menu.9: en`): that text is spoken with that language's voice.
     */
    spokenIn: z
      .record(
        z.string(),
        z.string().regex(/^[a-z]{2}$/, { error: (iss) => `${JSON.stringify(iss.input)} is not a language code (e.g. en)` }),
      )
      .nullish()
      .transform((v) => v ?? {}),
    /** Prompt key → URL of a recording played instead of the text. */
    audio: z
      .record(z.string(), z.url({ protocol: /^https?$/, error: (iss) => `${JSON.stringify(iss.input)} is not an http(s) URL` }))
      .nullish()
      .transform((v) => v ?? {}),
    prompts: promptTree,
  })
  .superRefine((file, ctx) => {
    // Google voice names carry their locale (Google.cs-CZ-Wavenet-A): one of another language
    // would read Czech text with English phonetics, or fail the <Say>.
    const locale = /^Google\.([a-z]{2,3}-[A-Z]{2})-/.exec(file.voice ?? '')?.[1];
    if (locale !== undefined && /^[a-z]{2}-[A-Z]{2}$/.test(file.language) && locale !== file.language) {
      ctx.addIssue({
        code: 'custom',
        path: ['voice'],
        message: `the voice ${JSON.stringify(file.voice)} speaks ${locale}, not this file's language ${file.language}`,
      });
    }
  });

export type PromptFile = z.infer<typeof promptFileSchema>;

export const RATE_MIN = 50;
export const RATE_MAX = 200;
export const RATE_WORDS = ['x-slow', 'slow', 'medium', 'fast', 'x-fast'] as const;

/** A prompt file's `rate` as SSML wants it ("85%", "slow"), or undefined when out of range. */
export function speakingRate(v: string | number): string | undefined {
  if (typeof v === 'string' && (RATE_WORDS as readonly string[]).includes(v.trim())) return v.trim();
  const m = typeof v === 'number' ? [String(v), String(v)] : /^\s*(\d{1,3})\s*%\s*$/.exec(v);
  const n = m ? Number(m[1]) : Number.NaN;
  return Number.isInteger(n) && n >= RATE_MIN && n <= RATE_MAX ? `${n}%` : undefined;
}

/** The voice when a prompt file names none: Google's standard voice of that locale (speaks it, supports SSML). */
export function defaultVoice(language: string): string {
  return `Google.${language}-Standard-A`;
}

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
