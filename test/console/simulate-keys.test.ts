// The console simulator's keypad through its HTTP API: # and * are keys, and a number is typed
// key by key (as the keypad sends it) — held until its #, then sent as one entry, as Twilio does.
import { afterEach, describe, expect, it } from 'vitest';
import { IDENTIFY_CONFIG } from '../support/identify.js';
import { buildConsoleApp, ConsoleClient, type ConsoleTestApp } from './support.js';

interface SimBody {
  call: {
    steps: { input: string | null; heard: { kind: string; text?: string }[] }[];
    presses: string[];
    end: { kind: string; route?: string };
    consents: { decision: string; route: string }[];
  };
  endText: string | null;
  waiting: boolean;
  unused: number;
  typing: number;
}

const AT = '2026-11-25T10:00'; // Wednesday: every team open
let t: ConsoleTestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

async function client(configDir?: string): Promise<ConsoleClient> {
  t = await buildConsoleApp(configDir !== undefined ? { configDir } : {});
  const c = new ConsoleClient(t.app);
  await c.loginAs('viewer');
  return c;
}

async function simulate(c: ConsoleClient, keys: string[]): Promise<SimBody> {
  const res = await c.request('POST', '/console/api/simulate', { at: AT, inputs: keys });
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as SimBody;
}

const heard = (step: SimBody['call']['steps'][number] | undefined) => step?.heard.map((h) => h.text ?? '').join(' ') ?? '';

describe('the simulator keypad', () => {
  it('# and * are keys: # in the menu is a key the menu does not know, * repeats it', async () => {
    const c = await client();
    const sim = await simulate(c, ['#', '*']);
    expect(sim.call.steps.map((s) => s.input)).toEqual([null, '#', '*']);
    expect(heard(sim.call.steps[1])).toContain('Tuto volbu neznáme.');
    expect(sim.waiting).toBe(true);
    const bad = await c.request('POST', '/console/api/simulate', { at: AT, inputs: ['A'] });
    expect(bad.statusCode).toBe(400);
  });

  it('identification typed key by key: the number waits for its #, then is read back masked; the call ends at the operator', async () => {
    const c = await client(IDENTIFY_CONFIG);
    const number = [...'6808215469'];
    const asked = await simulate(c, ['1']);
    expect(asked.waiting).toBe(true);
    expect(heard(asked.call.steps.at(-1))).toContain('stiskněte mřížku');

    // Part of the number: nothing is sent yet, the keys are held (not "unused").
    const typing = await simulate(c, ['1', ...number.slice(0, 4)]);
    expect(typing.call.steps).toHaveLength(asked.call.steps.length);
    expect(typing).toMatchObject({ waiting: true, unused: 0, typing: 4, endText: null });

    const entered = await simulate(c, ['1', ...number, '#']);
    expect(entered).toMatchObject({ waiting: true, unused: 0, typing: 0 });
    expect(entered.call.steps.at(-1)?.input).toBe('xxxxxxxxxx#');
    expect(heard(entered.call.steps.at(-1))).toContain('Zadali jste xx xx xx xx xx.');
    expect(JSON.stringify(entered)).not.toContain('6808215469');

    const done = await simulate(c, ['1', ...number, '#', '1', ...'21081968#']);
    expect(done.waiting).toBe(false);
    expect(done.call.presses).toEqual(['1', 'xxxxxxxxxx#', '1', 'xxxxxxxx#']);
    expect(done.call.end).toMatchObject({ kind: 'queue', route: 'insurance' });
    expect(done.call.consents).toMatchObject([{ decision: 'granted', route: 'insurance' }]);
    expect(done.unused).toBe(0);

    // Keys after the end are reported unused.
    const extra = await simulate(c, ['1', '*', '5', '5']);
    expect(extra.call.end).toMatchObject({ kind: 'queue', route: 'insurance' });
    expect(extra.unused).toBe(2);
  });
});
