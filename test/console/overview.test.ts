// The console's read views of "what the line does now" through app.inject: the flow outline
// (menus, keys, the Czech texts callers hear, routes with queue and schedule state), the config
// state every page polls, the "today" overview, and error codes the page words.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FlowOutline, OutlineNode } from '../../src/console/contracts/flow.js';
import { buildConsoleApp, ConsoleClient, type ConsoleTestApp } from './support.js';
import { fixtureConfig } from '../support/fixture-config.js';

/** Every node of the outline, depth first. */
function nodes(n: OutlineNode): OutlineNode[] {
  switch (n.kind) {
    case 'menu':
      return [n, ...n.options.flatMap((o) => nodes(o.next)), ...nodes(n.exhausted)];
    case 'route':
      return [n, ...(n.closed ? nodes(n.closed) : [])];
    case 'say':
    case 'language':
      return [n, ...nodes(n.next)];
    default:
      return [n];
  }
}

describe('console overview API', () => {
  let t: ConsoleTestApp;
  let dir: string;

  beforeAll(async () => {
    // The frozen config with the spa schedule only (test/fixtures/console: hours and queues without callbacks).
    dir = fixtureConfig('console');
    // Wednesday 2026-11-25 10:00 Prague: the spa team is open (08:00–16:00).
    t = await buildConsoleApp({ now: '2026-11-25T09:00:00Z', configDir: dir });
  });
  afterAll(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('outlines the flow from the start: the main menu with keys, Czech texts and routes', async () => {
    const c = new ConsoleClient(t.app);
    await c.loginAs('viewer');
    const res = await c.request('GET', '/console/api/outline');
    expect(res.statusCode).toBe(200);
    const outline = res.json() as FlowOutline;
    const main = outline.start;
    expect(main.kind).toBe('menu');
    if (main.kind !== 'menu') return;
    expect(main.id).toBe('main');
    expect(main.options.map((o) => o.key)).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9', '0']);
    expect(main.intro.map((x) => x.text).join(' ')).toContain('Informace o zpracování osobních údajů.');
    expect(main.prompts.find((p) => p.key === 'menu.5')?.text).toContain('Dotazy k lázeňské péči');
    expect(main.exhausted).toMatchObject({ kind: 'route', queue: 'general', consent: false });
    const spa = main.options.find((o) => o.key === '5')?.next;
    expect(spa).toMatchObject({
      kind: 'route',
      target: 'ozp-spa',
      consent: true,
      schedule: { id: 'spa', name: 'Lázeňství', open: true, closesAt: '2026-11-25T15:00:00.000Z' },
    });
    // The English branch is in English, and the "back to main" loop is a reference, not a copy.
    const all = nodes(main);
    const english = all.find((n) => n.id === 'english_menu');
    expect(english?.lang).toBe('en');
    expect(all.filter((n) => n.id === 'main' && n.kind === 'ref')).toHaveLength(1);
  });

  it('words an emergency closure during opening hours without "mimo provozní dobu"', async () => {
    await t.switches.setClosure({
      schedule: 'spa',
      until: '2026-11-25T11:00:00.000Z',
      reason: 'porucha telefonů',
      since: '2026-11-25T09:00:00.000Z',
    });
    try {
      const c = new ConsoleClient(t.app);
      await c.loginAs('supervisor');
      const outline = (await c.request('GET', '/console/api/outline')).json() as FlowOutline;
      const closed = nodes(outline.start).find((n) => n.id === 'spa_closed');
      if (closed?.kind !== 'say') throw new Error('spa_closed is not in the outline');
      const heard = closed.texts.map((x) => x.text).join(' ');
      expect(heard).toContain('Oddělení je mimořádně uzavřeno: porucha telefonů.');
      expect(heard).not.toContain('mimo provozní dobu');
      // The real call says the same.
      const sim = (await c.request('POST', '/console/api/simulate', { at: '2026-11-25T10:00', inputs: ['5'] })).json() as {
        call: { steps: { heard: { text?: string }[] }[] };
      };
      const said = sim.call.steps[1]?.heard.map((x) => x.text ?? '').join(' ') ?? '';
      expect(said).toContain('mimořádně uzavřeno: porucha telefonů');
      expect(said).not.toContain('mimo provozní dobu');
      const today = (await c.request('GET', '/console/api/today')).json() as {
        closures: { schedule: string }[];
        schedules: { id: string; open: boolean; emergency: unknown }[];
      };
      expect(today.closures.map((x) => x.schedule)).toEqual(['spa']);
      expect(today.schedules).toEqual([
        expect.objectContaining({ id: 'spa', open: false, emergency: expect.objectContaining({ reason: 'porucha telefonů' }) }),
      ]);
    } finally {
      await t.switches.clearClosure('spa');
    }
  });

  it('still says "mimo provozní dobu" outside opening hours (Friday 15:00)', async () => {
    const c = new ConsoleClient(t.app);
    await c.loginAs('viewer');
    const sim = (await c.request('POST', '/console/api/simulate', { at: '2026-11-27T15:00', inputs: ['5'] })).json() as {
      call: { steps: { heard: { text?: string }[] }[] };
    };
    expect(sim.call.steps[1]?.heard.map((x) => x.text ?? '').join(' ')).toContain('Oddělení lázeňství je nyní mimo provozní dobu.');
  });

  it('reports the config state, and a refused edit with file:line, while the last version serves', async () => {
    const c = new ConsoleClient(t.app);
    await c.loginAs('viewer');
    const before = (await c.request('GET', '/console/api/config-state')).json() as { version: string; loadedAt: string; refused: unknown };
    expect(before).toEqual({ version: t.registry.current?.version, loadedAt: t.registry.loadedAt?.toISOString(), refused: null });
    const file = join(dir, 'config', 'hours.yaml');
    const good = readFileSync(file, 'utf8');
    writeFileSync(file, good.replace('fri: [{ from: "08:00", to: "14:00" }]', 'fri: [{ from: "8 hodin", to: "14:00" }]'));
    try {
      expect(t.registry.reload().result).toBe('refused');
      const after = (await c.request('GET', '/console/api/config-state')).json() as { version: string; refused: { text: string }[] };
      expect(after.version).toBe(before.version);
      expect(after.refused[0]?.text).toMatch(/^config\/hours\.yaml:\d+ schedules\.spa\.weekly\.fri\[0\]\.from: /);
    } finally {
      writeFileSync(file, good);
      t.registry.reload();
    }
  });

  it('answers errors with a code the page words (and the English text for scripts)', async () => {
    const c = new ConsoleClient(t.app);
    expect((await c.request('GET', '/console/api/config-state')).json()).toEqual({ error: 'sign in first', code: 'auth.required' });
    await c.loginAs('viewer');
    const forbidden = await c.request('POST', '/console/api/closures', { schedule: 'spa', until: '2h', reason: 'x' });
    expect(forbidden.statusCode).toBe(403);
    expect(forbidden.json()).toMatchObject({ code: 'auth.forbidden', params: { role: 'viewer' } });
    const sup = new ConsoleClient(t.app, '10.0.0.2');
    await sup.loginAs('supervisor');
    const badUntil = await sup.request('POST', '/console/api/closures', { schedule: 'spa', until: '2 hodiny', reason: 'x' });
    expect(badUntil.json()).toMatchObject({ code: 'closure.until', params: { value: '2 hodiny' } });
  });
});

describe('console closure preview, history and audit', () => {
  let t: ConsoleTestApp;
  let dir: string;

  beforeAll(async () => {
    dir = fixtureConfig('console');
    t = await buildConsoleApp({ now: '2026-11-25T09:00:00Z', configDir: dir });
  });
  afterAll(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('previews the exact sentences a caller will hear, sets nothing, then shows who closed it', async () => {
    const sup = new ConsoleClient(t.app);
    await sup.loginAs('supervisor');
    const preview = await sup.request(
      'GET',
      `/console/api/closure-preview?${new URLSearchParams({ schedule: 'spa', reason: 'porucha telefonů', until: '1h' })}`,
    );
    expect(preview.statusCode).toBe(200);
    const body = preview.json() as { sentences: string[]; until: string };
    expect(body.until).toBe('2026-11-25T10:00:00.000Z');
    expect(body.sentences[0]).toBe('Oddělení je mimořádně uzavřeno: porucha telefonů.');
    expect(body.sentences.join(' ')).not.toContain('mimo provozní dobu');
    // 11:00 Prague, when the closure ends.
    expect(body.sentences.join(' ')).toContain('dnes v 11:00');
    expect(await t.switches.closures()).toEqual([]);
    // The real call after the closure is set says the same.
    expect(
      (await sup.request('POST', '/console/api/closures', { schedule: 'spa', reason: 'porucha telefonů', until: '1h' })).statusCode,
    ).toBe(200);
    const sim = (await sup.request('POST', '/console/api/simulate', { at: '2026-11-25T10:00', inputs: ['5'] })).json() as {
      call: { steps: { heard: { text?: string }[] }[] };
    };
    const heard = sim.call.steps[1]?.heard.map((x) => x.text ?? '') ?? [];
    for (const sentence of body.sentences) expect(heard).toContain(sentence);

    const viewer = new ConsoleClient(t.app, '10.0.0.3');
    await viewer.loginAs('viewer');
    const history = (await viewer.request('GET', '/console/api/closure-history')).json() as {
      closures: Record<string, { who: string; at: string }>;
    };
    expect(history.closures.spa).toEqual({ who: 'sam.supervisor', at: '2026-11-25T09:00:00.000Z' });
    // The audit view is for supervisors only.
    expect((await viewer.request('GET', '/console/api/audit')).statusCode).toBe(403);
    const audit = (await sup.request('GET', '/console/api/audit')).json() as { entries: { action: string; who: string }[] };
    expect(audit.entries[0]).toMatchObject({ action: 'audit.read', who: 'vera.viewer' });
    expect(audit.entries.map((e) => e.action)).toContain('closure.set');
  });

  it('previews the whole line with line.closed (or the emergency sentence until that prompt exists)', async () => {
    const sup = new ConsoleClient(t.app);
    await sup.loginAs('supervisor');
    const res = await sup.request(
      'GET',
      `/console/api/closure-preview?${new URLSearchParams({ schedule: 'line', reason: 'výpadek', until: '30m' })}`,
    );
    expect(res.statusCode).toBe(200);
    expect((res.json() as { sentences: string[] }).sentences.join(' ')).toContain('výpadek');
    const bad = await sup.request(
      'GET',
      `/console/api/closure-preview?${new URLSearchParams({ schedule: 'spa', reason: 'x', until: '2 hodiny' })}`,
    );
    expect(bad.json()).toMatchObject({ code: 'closure.until' });
  });
});
