// Property: any caller behaviour (keys 0–9, *, #, garbage, empty; silences; hang-ups) at any
// instant (spa open/closed, public holidays, DST days, emergency closures), on every flow in
// flows/ (and a variant with dial targets and more retries), played through the real signed
// webhooks, ends at a person, a goodbye or the closed-hours path within 20 steps; every TwiML
// answer passes the structural rules; the consent log holds exactly what the caller chose.
//
// The expected outcome comes from a small reference interpreter of the flow file (below),
// written from the flow's documented semantics, not from the XState machine.
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConfigBundle } from '../../src/config/bundle.js';
import { openStatus } from '../../src/hours/engine.js';
import type { EmergencyClosure, Schedule } from '../../src/hours/types.js';
import { parseTwiml } from '../../src/telephony/player.js';
import { buildTestApp, type TestApp } from '../support/app.js';
import { newCallSid, signedPost, TEST_BASE } from '../support/twilio.js';
import { checkTwiml, outcomeOf } from './twiml-rules.js';
import { FROZEN_CONFIG } from '../support/fixture-config.js';

const MAX_STEPS = 20;
const MAX_INPUTS = MAX_STEPS - 6;

type Input = { kind: 'key'; digits: string } | { kind: 'silence' } | { kind: 'hangup' };

// --- reference model ------------------------------------------------------------------------

type ModelEnd =
  | { kind: 'menu'; node: string; closedHeard: boolean }
  | { kind: 'connect'; queueId: string; consent: boolean; route: string }
  | { kind: 'goodbye'; declined: boolean };

class FlowModel {
  node = '';
  retries = 0;
  lang = 'cs';

  constructor(
    private readonly bundle: ConfigBundle,
    private readonly closures: () => EmergencyClosure[],
  ) {}

  private open(scheduleId: string, at: number): boolean {
    const schedule = this.bundle.hours.schedules[scheduleId] as Schedule | undefined;
    if (!schedule) return false;
    const closure = this.closures().find((c) => c.schedule === scheduleId && Date.parse(c.until) > at);
    return openStatus(schedule, new Date(at), closure).open;
  }

  /** Enters a node and follows everything that needs no caller input. */
  enter(id: string, at: number): ModelEnd {
    let closedHeard = false;
    for (let hops = 0; hops < 50; hops++) {
      const node = this.bundle.flow.nodes[id];
      if (!node) throw new Error(`model: no node ${id}`);
      switch (node.kind) {
        case 'menu':
          this.node = id;
          return { kind: 'menu', node: id, closedHeard };
        case 'route':
          if (node.schedule !== undefined && node.closed !== undefined && !this.open(node.schedule, at)) {
            closedHeard = true;
            id = node.closed;
            continue;
          }
          return { kind: 'connect', queueId: node.queue, consent: node.consent, route: id };
        case 'say':
          id = node.next;
          continue;
        case 'language':
          this.lang = node.language;
          id = node.next;
          continue;
        case 'goodbye':
          return { kind: 'goodbye', declined: node.consent === 'declined' };
      }
    }
    throw new Error('model: flow loops without input');
  }

  start(at: number): ModelEnd {
    return this.enter(this.bundle.flow.start, at);
  }

  /** A key (raw Digits) or silence (undefined) at the current menu. */
  press(raw: string | undefined, at: number): ModelEnd {
    const node = this.bundle.flow.nodes[this.node];
    if (node?.kind !== 'menu') throw new Error('model: not at a menu');
    const key = raw !== undefined && /^[0-9*]$/.test(raw) ? raw : undefined;
    if (key === '*') return { kind: 'menu', node: this.node, closedHeard: false };
    const target = key === undefined ? undefined : (node.options as Record<string, string | undefined>)[key];
    if (target !== undefined) {
      this.retries = 0;
      return this.enter(target, at);
    }
    if (this.retries + 1 < this.bundle.flow.retries) {
      this.retries += 1;
      return { kind: 'menu', node: this.node, closedHeard: false };
    }
    this.retries = 0;
    return this.enter(node.onExhausted, at);
  }
}

// --- arbitraries ----------------------------------------------------------------------------

const prague = (local: string) => {
  // Interesting instants, written in Prague local time with their UTC offset.
  return Date.parse(local);
};
const SPECIAL_INSTANTS = [
  prague('2026-11-25T07:59:59+01:00'), // Wed, one second before the spa opens
  prague('2026-11-25T08:00:00+01:00'),
  prague('2026-11-25T15:59:50+01:00'), // closes during the call
  prague('2026-11-27T13:59:58+01:00'), // Friday closing at 14:00
  prague('2026-11-28T10:00:00+01:00'), // Saturday
  prague('2026-03-29T01:59:30+01:00'), // spring DST gap
  prague('2026-03-29T10:00:00+02:00'),
  prague('2026-03-30T07:59:59+02:00'), // Monday after spring DST
  prague('2026-10-25T02:30:00+02:00'), // autumn DST repeated hour (first)
  prague('2026-10-25T02:30:00+01:00'), // (second)
  prague('2026-10-26T08:00:00+01:00'),
  prague('2026-12-24T10:00:00+01:00'), // Štědrý den (Thursday)
  prague('2026-12-31T10:00:00+01:00'),
  prague('2027-01-01T10:00:00+01:00'), // Nový rok
  prague('2026-04-06T10:00:00+02:00'), // Easter Monday
  prague('2026-05-01T10:00:00+02:00'),
  prague('2026-09-28T10:00:00+02:00'),
  prague('2026-11-17T10:00:00+01:00'),
  prague('2027-03-28T02:00:00+01:00'),
  prague('2027-10-31T02:59:59+01:00'),
];

const instantArb = fc.oneof(
  fc.constantFrom(...SPECIAL_INSTANTS),
  fc.integer({ min: Date.parse('2026-01-01T00:00:00Z'), max: Date.parse('2028-12-31T23:59:59Z') }),
);

const keyArb = fc.oneof(
  { weight: 10, arbitrary: fc.constantFrom('0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '*') },
  { weight: 3, arbitrary: fc.constantFrom('#', '', '12', '**', 'a', '<x/>', 'ř', '٣', '1#', '00') },
  { weight: 1, arbitrary: fc.string({ maxLength: 6 }).filter((s) => s.trim() === s) },
);

const inputArb: fc.Arbitrary<Input> = fc.oneof(
  { weight: 12, arbitrary: keyArb.map((digits): Input => ({ kind: 'key', digits })) },
  { weight: 3, arbitrary: fc.constant<Input>({ kind: 'silence' }) },
  { weight: 1, arbitrary: fc.constant<Input>({ kind: 'hangup' }) },
);

const scenarioArb = fc.record({
  at: instantArb,
  /** Seconds that pass before each step (callers take their time, prompts are long). */
  delays: fc.array(fc.integer({ min: 0, max: 90 }), { minLength: MAX_STEPS, maxLength: MAX_STEPS }),
  inputs: fc.array(inputArb, { maxLength: MAX_INPUTS }),
  lang: fc.constantFrom(undefined, 'cs', 'en', 'de', 'xx'),
  /** An emergency closure of the spa team ending this many seconds after the call starts. */
  closureEndsIn: fc.option(fc.integer({ min: -600, max: 7200 }), { freq: 4 }),
});

// --- config variants ------------------------------------------------------------------------

interface Variant {
  name: string;
  dir: string;
}

const tmpDirs: string[] = [];

function configVariant(flowFile: string, edit?: (files: { flow: string; queues: string }) => { flow: string; queues: string }): string {
  const root = FROZEN_CONFIG;
  const dir = mkdtempSync(join(tmpdir(), 'infoline-prop-'));
  tmpDirs.push(dir);
  cpSync(join(root, 'prompts'), join(dir, 'prompts'), { recursive: true });
  cpSync(join(root, 'config'), join(dir, 'config'), { recursive: true });
  mkdirSync(join(dir, 'flows'));
  let files = { flow: readFileSync(join(root, 'flows', flowFile), 'utf8'), queues: readFileSync(join(root, 'config/queues.yaml'), 'utf8') };
  if (edit) files = edit(files);
  writeFileSync(join(dir, 'flows/infoline.yaml'), files.flow);
  writeFileSync(join(dir, 'config/queues.yaml'), files.queues);
  return dir;
}

const flowFiles = readdirSync(join(FROZEN_CONFIG, 'flows')).filter((f) => /\.ya?ml$/.test(f));
const variants: Variant[] = [];
for (const f of flowFiles) {
  variants.push({ name: `flows/${f}`, dir: configVariant(f) });
  variants.push({
    name: `flows/${f} with dial targets and 5 retries`,
    dir: configVariant(f, ({ flow, queues }) => ({
      flow: flow.replace(/^retries:\s*\d+/m, 'retries: 5'),
      queues: queues
        .replace('insurance: { queue: ozp-insurance }', 'insurance: { dial: "+420261105556" }')
        .replace('general:   { queue: ozp-general }', 'general:   { dial: "sip:operator@pbx.example.test" }')
        .replace('spa:       { queue: ozp-spa }', 'spa:       { queue: ozp-spa, holdAudio: "https://audio.example.test/hold.mp3" }'),
    })),
  });
}

afterAll(() => {
  for (const d of tmpDirs) rmSync(d, { recursive: true, force: true });
});

// --- the property ---------------------------------------------------------------------------

describe.each(variants)('any caller on $name', ({ dir }) => {
  let t: TestApp;
  let closures: EmergencyClosure[] = [];
  beforeAll(async () => {
    t = await buildTestApp({ configDir: dir });
  });
  afterAll(async () => {
    await t.close();
  });

  it('ends at a person, a goodbye or the closed-hours path within 20 steps, with valid TwiML and exact consents', async () => {
    const bundle = t.registry.current!.bundle;
    await fc.assert(
      fc.asyncProperty(scenarioArb, async (scenario) => {
        let at = scenario.at;
        closures = [];
        await t.switches.clearClosure('spa');
        if (scenario.closureEndsIn !== null) {
          const closure = {
            schedule: 'spa',
            until: new Date(at + scenario.closureEndsIn * 1000).toISOString(),
            reason: 'porucha',
            since: new Date(at).toISOString(),
          };
          await t.switches.setClosure(closure);
          closures = [closure];
        }
        const model = new FlowModel(bundle, () => closures);
        const callSid = newCallSid();
        const params = {
          CallSid: callSid,
          From: '+420603123456',
          To: '+420261105555',
          AccountSid: 'AC00000000000000000000000000000000',
          CallStatus: 'in-progress',
        };
        const inputs = [...scenario.inputs];
        const log: string[] = [];

        const post = async (url: string, extra: Record<string, string>) => {
          t.setNow(at);
          const res = await signedPost(t.app, url, { ...params, ...extra });
          log.push(`${new Date(at).toISOString()} ${url.replace(TEST_BASE, '')} ${JSON.stringify(extra)} → ${res.statusCode}`);
          expect(res.statusCode, log.join('\n')).toBe(200);
          const problems = checkTwiml(res.body, { publicUrl: TEST_BASE });
          expect(problems, `${log.join('\n')}\n${res.body}`).toEqual([]);
          return res.body;
        };

        const startUrl = scenario.lang === undefined ? '/voice/incoming' : `/voice/incoming?l=${scenario.lang}`;
        if (scenario.lang !== undefined && bundle.prompts[scenario.lang] !== undefined) model.lang = scenario.lang;
        let expected = model.start(at);
        let twiml = await post(startUrl, {});
        let steps = 1;
        let hungUp = false;
        for (;;) {
          const got = outcomeOf(twiml);
          const context = `${log.join('\n')}\n${twiml}`;
          if (expected.kind === 'menu') {
            expect(got.kind, context).toBe('menu');
            if (got.kind !== 'menu') return;
            expect(got.noInput, `silence must lead somewhere\n${context}`).toBeDefined();
            const input = inputs.shift() ?? { kind: 'silence' };
            at += (scenario.delays[steps] ?? 0) * 1000;
            if (input.kind === 'hangup') {
              t.setNow(at);
              const res = await signedPost(t.app, `${TEST_BASE}/voice/status`, { ...params, CallStatus: 'completed', CallDuration: '42' });
              expect(res.statusCode).toBe(200);
              expect(parseTwiml(res.body).verbs).toEqual([]);
              hungUp = true;
              break;
            }
            expect(steps, `no end after ${MAX_STEPS} steps\n${context}`).toBeLessThan(MAX_STEPS);
            if (input.kind === 'key') {
              expected = model.press(input.digits, at);
              twiml = await post(got.action, { Digits: input.digits });
            } else {
              expected = model.press(undefined, at);
              twiml = await post(got.noInput ?? '', {});
            }
            steps += 1;
            continue;
          }
          if (expected.kind === 'connect') {
            const target = bundle.queues.queues[expected.queueId] ?? bundle.queues.queues.general;
            if (target?.dial !== undefined) {
              expect(got, context).toMatchObject({ kind: 'dial', target: target.dial });
              if (got.kind === 'dial') expect(got.record, context).toBe(expected.consent ? 'record-from-answer-dual' : undefined);
            } else {
              expect(got, context).toMatchObject({ kind: 'queue', queue: target?.queue });
            }
          } else {
            expect(got, context).toEqual({ kind: 'hangup' });
          }
          break;
        }
        expect(steps).toBeLessThanOrEqual(MAX_STEPS);

        // Consents: exactly the caller's decision, at most one row per call and decision.
        const rows = await t.consentLog.list({ callSid });
        const want: { decision: string; route: string; language: string }[] = [];
        if (!hungUp && expected.kind === 'connect' && expected.consent)
          want.push({ decision: 'granted', route: expected.queueId, language: model.lang });
        if (!hungUp && expected.kind === 'goodbye' && expected.declined)
          want.push({ decision: 'declined', route: 'none', language: model.lang });
        expect(
          rows.map((r) => ({ decision: r.decision, route: r.route, language: r.language })),
          log.join('\n'),
        ).toEqual(want);
        for (const r of rows) {
          expect(r.caller).toBe('+420603***456');
          expect(r.noticeSha256).toMatch(/^[0-9a-f]{64}$/);
        }
      }),
      { numRuns: 150 },
    );
  });
});
