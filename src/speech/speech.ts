// Prompt rendering: i18next resources built from prompts/<lang>.yaml, one instance per
// config version. Czech plurals come from i18next's Intl.PluralRules support.
import i18next, { type TFunction } from 'i18next';
import { relativeWhen, weeklySummary } from '../hours/engine.js';
import type { ClosedReason, Interval, OpenStatus, Schedule, WeeklyGroup } from '../hours/types.js';
import { defaultVoice, type PromptFile } from './schema.js';
import { ownValue } from '../util/own.js';
import { DEFAULT_LANGUAGE } from './keys.js';

/** One thing the caller hears: a text to speak or a recording to play. */
export interface Utterance {
  text: string;
  /** Recording to play instead of text-to-speech. */
  audio?: string | undefined;
  /** BCP 47 tag for <Say language>. */
  language: string;
  voice?: string | undefined;
  /** SSML speaking rate (<prosody rate>), e.g. "85%"; absent: the voice's own rate. */
  rate?: string | undefined;
}

export interface Speech {
  readonly languages: string[];
  /** Text of a prompt key, with {{variables}} filled in. */
  text(lang: string, key: string, vars?: Record<string, unknown>): string;
  utter(lang: string, key: string, vars?: Record<string, unknown>): Utterance;
  /** A list prompt (e.g. queue.tips); a plain text prompt counts as a list of one. */
  list(lang: string, key: string): string[];
  /** "pondělí až čtvrtek od 8:00 do 16:00; pátek od 8:00 do 14:00" */
  weeklyHours(lang: string, schedule: Schedule): string;
  /** "zítra v 8:00", "v pondělí v 8:00", "24. prosince v 8:00" */
  when(lang: string, now: Date, target: Date | null, zone: string): string;
  /** The sentence explaining why a team is closed, or undefined for plain outside-hours. */
  closedReason(lang: string, reason: ClosedReason): string | undefined;
  /** Variables for the closed-hours prompts (closed.hours, closed.next). */
  closedVars(lang: string, schedule: Schedule, status: OpenStatus, now: Date): Record<string, string>;
}

export function createSpeech(prompts: Record<string, PromptFile>): Speech {
  const instance = i18next.createInstance();
  const resources = Object.fromEntries(Object.entries(prompts).map(([lang, file]) => [lang, { translation: file.prompts }]));
  void instance.init({
    resources,
    lng: DEFAULT_LANGUAGE,
    fallbackLng: false,
    initAsync: false,
    interpolation: { escapeValue: false },
    returnNull: false,
    returnEmptyString: true,
    nsSeparator: false,
    keySeparator: '.',
    showSupportNotice: false,
  });
  const fixed = new Map<string, TFunction>();
  const tFor = (lang: string): TFunction => {
    let t = fixed.get(lang);
    if (!t) {
      t = instance.getFixedT(ownValue(prompts, lang) ? lang : DEFAULT_LANGUAGE);
      fixed.set(lang, t);
    }
    return t;
  };
  const fileFor = (lang: string): PromptFile | undefined => ownValue(prompts, lang) ?? prompts.cs;

  const text = (lang: string, key: string, vars?: Record<string, unknown>): string => {
    const out = tFor(lang)(key, vars ?? {});
    return typeof out === 'string' ? out : String(out);
  };

  const time = (hhmm: string) => hhmm.replace(/^0(\d)/, '$1');
  const intervalsText = (lang: string, intervals: Interval[]) =>
    intervals.map((i) => text(lang, 'hours.interval', { from: time(i.from), to: time(i.to) })).join(text(lang, 'hours.and'));
  const groupText = (lang: string, g: WeeklyGroup) => {
    const first = g.days[0];
    const last = g.days[g.days.length - 1];
    const days =
      g.days.length === 1 || first === undefined || last === undefined
        ? text(lang, `day.${first ?? 'mon'}`)
        : g.days.length === 2
          ? `${text(lang, `day.${first}`)}${text(lang, 'hours.and')}${text(lang, `day.${last}`)}`
          : text(lang, 'hours.range', { first: text(lang, `day.${first}`), last: text(lang, `day.${last}`) });
    return text(lang, 'hours.group', { days, intervals: intervalsText(lang, g.intervals) });
  };

  const speech: Speech = {
    languages: Object.keys(prompts),
    text,
    utter(lang, key, vars) {
      const file = fileFor(lang);
      // A prompt written in another language (spokenIn) is said with that language's voice.
      const other = file?.spokenIn[key];
      const voiceOf = (other !== undefined ? prompts[other] : undefined) ?? file;
      const language = voiceOf?.language ?? 'cs-CZ';
      return {
        text: text(lang, key, vars),
        audio: file ? ownValue(file.audio, key) : undefined,
        language,
        voice: voiceOf?.voice ?? defaultVoice(language),
        ...(voiceOf?.rate !== undefined ? { rate: voiceOf.rate } : {}),
      };
    },
    list(lang, key) {
      const out = tFor(lang)(key, { returnObjects: true }) as unknown;
      if (Array.isArray(out)) return out.map(String);
      return typeof out === 'string' ? [out] : [];
    },
    weeklyHours(lang, schedule) {
      return weeklySummary(schedule)
        .map((g) => groupText(lang, g))
        .join(text(lang, 'hours.separator'));
    },
    when(lang, now, target, zone) {
      if (target === null) return text(lang, 'when.never');
      const rel = relativeWhen(now, target, zone);
      switch (rel.kind) {
        case 'today':
          return text(lang, 'when.today', { time: rel.time });
        case 'tomorrow':
          return text(lang, 'when.tomorrow', { time: rel.time });
        case 'weekday':
          return text(lang, `when.weekday.${rel.weekday}`, { time: rel.time });
        case 'date':
          return text(lang, 'when.date', { day: rel.day, month: text(lang, `month.${rel.month}`), time: rel.time });
      }
    },
    closedReason(lang, reason) {
      switch (reason.kind) {
        case 'outside-hours':
          return undefined;
        case 'holiday':
          return text(lang, 'closed.holiday', { name: reason.name });
        case 'closure':
          return text(lang, 'closed.closure', { reason: reason.reason });
        case 'emergency':
          return text(lang, 'closed.emergency', { reason: reason.reason });
      }
    },
    closedVars(lang, schedule, status, now) {
      const next = status.open ? now : status.nextOpening;
      return { hours: speech.weeklyHours(lang, schedule), when: speech.when(lang, now, next, schedule.timezone) };
    },
  };
  return speech;
}
