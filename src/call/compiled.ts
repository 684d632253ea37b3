// A configuration version made ready to answer calls: the flow machine, the prompts and
// the consent notices with their hashes. Built once per version, kept while calls use it.
import type { ConfigBundle } from '../config/bundle.js';
import { sha256Hex } from '../consent/record.js';
import { clockDependence, type ClockDependence } from '../flow/clock.js';
import { compileMachine } from '../flow/machine.js';
import type { CompiledFlow } from '../flow/step.js';
import { openStatus } from '../hours/engine.js';
import type { EmergencyClosure, Schedule } from '../hours/types.js';
import { createSpeech, type Speech } from '../speech/speech.js';
import { ownValue } from '../util/own.js';

export interface Notice {
  id: string;
  version: string;
  sha256: string;
}

export interface CompiledConfig {
  bundle: ConfigBundle;
  version: string;
  flow: CompiledFlow;
  speech: Speech;
  /** The consent notice as heard in each language. */
  notices: Record<string, Notice>;
  /** Which steps read a schedule (worked out from the flow): the others are clock-independent. */
  clock: ClockDependence;
  /** Answers of clock-independent steps, rendered once per version (the menu is the same for every call). */
  memo: StepMemo;
}

/** A small LRU of finished steps: key → value; the oldest entry goes first. */
export class StepMemo {
  private readonly entries = new Map<string, unknown>();
  constructor(private readonly max = 512) {}

  get<T>(key: string): T | undefined {
    const hit = this.entries.get(key);
    if (hit !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, hit);
    }
    return hit as T | undefined;
  }

  set(key: string, value: unknown): void {
    this.entries.set(key, value);
    if (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value as string);
  }
}

export function activeClosure(closures: readonly EmergencyClosure[], schedule: string, at: number): EmergencyClosure | undefined {
  return closures.find((c) => c.schedule === schedule && Date.parse(c.until) > at);
}

export function scheduleStatus(bundle: ConfigBundle, scheduleId: string, at: number, closures: readonly EmergencyClosure[]) {
  const schedule = ownValue(bundle.hours.schedules, scheduleId) as Schedule | undefined;
  if (!schedule) return undefined;
  return { schedule, status: openStatus(schedule, new Date(at), activeClosure(closures, scheduleId, at)) };
}

export function compileConfig(bundle: ConfigBundle): CompiledConfig {
  const machine = compileMachine(bundle.flow, {
    // A schedule that does not exist (validation prevents it) counts as closed.
    isOpen: (schedule, at, closures) => scheduleStatus(bundle, schedule, at, closures)?.status.open ?? false,
  });
  const speech = createSpeech(bundle.prompts);
  const notices: Record<string, Notice> = {};
  for (const lang of speech.languages) {
    const sha256 = sha256Hex(speech.text(lang, bundle.flow.notice));
    notices[lang] = { id: bundle.flow.notice, version: sha256.slice(0, 12), sha256 };
  }
  return {
    bundle,
    version: bundle.version,
    flow: { machine, maxRetries: bundle.flow.retries },
    speech,
    notices,
    clock: clockDependence(bundle.flow),
    memo: new StepMemo(),
  };
}
