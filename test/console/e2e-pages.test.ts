// Every console page at 1366×800 and on a 390×844 phone in headless Chromium (setup in
// ./browser.ts): it fits the width, axe-core finds no serious or critical violation, and the
// second-pass behaviours hold — the readable flow outline, the simulator keeping the newest step
// in view, Czech throughout, the live config state, paged consents, hours from any date.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DESKTOP, hasChromium, PHONE, startBrowserService, type BrowserService } from './browser.js';
import { USERS } from './support.js';

const SIZES = [
  ['desktop', DESKTOP],
  ['phone', PHONE],
] as const;

describe.runIf(hasChromium)('console pages at two sizes', () => {
  let b: BrowserService;

  beforeAll(async () => {
    b = await startBrowserService();
    // 120 consents, one a minute: more than two pages.
    for (let n = 0; n < 120; n++) {
      await b.service.stores.consentLog.append({
        callSid: `CA${n.toString(16).padStart(32, '0')}`,
        at: new Date(Date.parse('2026-11-20T08:00:00Z') + n * 60_000).toISOString(),
        caller: '+420603***456',
        decision: n % 4 === 0 ? 'declined' : 'granted',
        language: 'cs',
        route: 'insurance',
        noticeId: 'consent.notice',
        noticeVersion: 'abc123abc123',
        noticeSha256: 'a'.repeat(64),
        flowVersion: 'v1',
      });
    }
  }, 120_000);

  afterAll(async () => {
    await b?.close();
  });

  const open = async (link: string, heading: string | RegExp) => {
    const nav = b.page.getByRole('navigation').getByRole('link', { name: link, exact: true });
    await nav.click();
    await b.page.getByRole('heading', { level: 1, name: heading }).waitFor();
  };

  /** Every page of a role, at both sizes: fits the width, no serious/critical axe violation. */
  const checkPages = async (role: string, pages: [string, string | RegExp][]) => {
    for (const [size, viewport] of SIZES) {
      await b.page.setViewportSize(viewport);
      for (const [link, heading] of pages) {
        await open(link, heading);
        await b.page.waitForLoadState('networkidle');
        expect({ page: link, size, overflow: await b.overflow() }).toEqual({ page: link, size, overflow: 0 });
        expect({ page: link, size, violations: await b.axe() }).toEqual({ page: link, size, violations: [] });
        await b.shot(
          `${role}-${link
            .normalize('NFD')
            .replace(/[\u0300-\u036f]/g, '')
            .toLowerCase()
            .replace(/[^a-z]+/g, '-')}-${size}`,
        );
      }
    }
    await b.page.setViewportSize(DESKTOP);
  };

  it('a supervisor: every page fits and passes axe at 1366 px and 390 px (the sign-in page too)', async () => {
    for (const [size, viewport] of SIZES) {
      await b.page.setViewportSize(viewport);
      await b.page.goto(`${b.base}/console/`);
      await b.page.getByRole('button', { name: 'Přihlásit se' }).waitFor();
      expect({ size, overflow: await b.overflow(), violations: await b.axe() }).toEqual({ size, overflow: 0, violations: [] });
    }
    await b.page.setViewportSize(DESKTOP);
    await b.signIn(USERS.supervisor.name, USERS.supervisor.password);
    await b.page.getByRole('heading', { level: 1, name: 'Tok hovoru' }).waitFor();
    await checkPages('supervisor', [
      ['Dnes', 'Dnes na lince'],
      ['Tok hovoru', 'Tok hovoru'],
      ['Simulátor', 'Simulátor hovoru'],
      ['Provozní doba', /Provozní doba/],
      ['Mimořádné uzavření', 'Mimořádné uzavření'],
      ['Audit', 'Auditní záznam'],
    ]);
  }, 180_000);

  it('the flow outline: from the start, keys, Czech texts (long ones open in full), routes with their state', async () => {
    await open('Tok hovoru', 'Tok hovoru');
    const outline = b.page.locator('#flow-outline');
    const text = (await outline.textContent()) ?? '';
    // Top to bottom from the start: the incoming call first, then the main menu.
    expect(text.indexOf('Příchozí hovor')).toBeLessThan(text.indexOf('Nabídka'));
    expect(text).toContain('Lázeňství: nyní');
    expect(text).toContain('fronta ozp-spa');
    expect(text).not.toMatch(/insurance: route|wrong key/);
    // Readable without zoom: the texts callers hear are at least 14 px.
    const size = await outline
      .locator('q')
      .first()
      .evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
    expect(size).toBeGreaterThanOrEqual(14);
    // The notice is shortened; opening it shows the full text.
    const notice = outline.locator('details.heard', { hasText: 'Informace o zpracování osobních údajů' }).first();
    expect(await notice.locator('p').isVisible()).toBe(false);
    await notice.locator('summary').click();
    expect(await notice.locator('p').textContent()).toContain('elektronickou podatelnu');
    await b.shot('flow-outline-expanded');
  }, 60_000);

  it('the simulator: keyboard digits press the keypad, the newest step is in view, only new steps are added', async () => {
    await open('Simulátor', 'Simulátor hovoru');
    await b.page.getByLabel('Datum').fill('2026-11-27');
    await b.page.getByLabel('Čas (Praha)').fill('15:00');
    await b.page.locator('body').click({ position: { x: 5, y: 5 } });
    // Each change starts a new call: wait until the last one has answered.
    await b.page.waitForLoadState('networkidle');
    await expect.poll(() => b.page.locator('#sim-transcript .step').count()).toBe(1);
    await b.page
      .locator('#sim-transcript .step')
      .first()
      .evaluate((el) => el.setAttribute('data-kept', 'yes'));
    await b.page.locator('#sim-legend').waitFor();
    await b.page.keyboard.press('5');
    await expect.poll(() => b.page.locator('#sim-transcript .step').count()).toBe(2);
    // Appended, not replaced: the first step is the same element.
    expect(await b.page.locator('#sim-transcript .step[data-kept="yes"]').count()).toBe(1);
    await b.page.keyboard.press('*');
    await expect.poll(() => b.page.locator('#sim-transcript .step').count()).toBe(3);
    const inView = await b.page
      .locator('#sim-transcript .step')
      .last()
      .evaluate((el) => {
        const r = el.getBoundingClientRect();
        return r.top >= 0 && r.top < window.innerHeight;
      });
    expect(inView).toBe(true);
    await b.shot('simulator-keyboard');
    // # is a key too (it ends a typed number): in the menu it is one the menu does not know.
    expect(await b.page.locator('.keypad button[data-key="#"]').getAttribute('aria-label')).toBe('mřížka (ukončí zadání čísla)');
    await b.page.keyboard.press('#');
    await expect.poll(() => b.page.locator('#sim-transcript .step').count()).toBe(4);
    expect(await b.page.locator('#sim-transcript .step h3').last().textContent()).toBe('Krok 4: Volající stiskl mřížku');
    expect(await b.page.locator('#sim-pressed').textContent()).toBe('Stisknuto: 5 → * → #');
    // Pressing 0: the line hangs up; not a green success, and focus lands on the outcome.
    await b.page.keyboard.press('0');
    await expect.poll(() => b.page.locator('#sim-end').getAttribute('class')).toBe('end hangup');
    expect(await b.page.locator('#sim-end').textContent()).toContain('nebyl spojen s operátorem');
    expect(await b.page.evaluate(() => document.activeElement?.id)).toBe('sim-end');
    // A new call pressing 1: connected to a queue.
    await b.page.getByRole('button', { name: 'Nový hovor' }).click();
    await b.page.keyboard.press('1');
    await expect.poll(() => b.page.locator('#sim-end').getAttribute('class')).toBe('end connected');
    expect(await b.page.locator('#sim-end').textContent()).toContain('Hovor spojen do fronty');
    await b.shot('simulator-connected');
  }, 60_000);

  it('closures: presets, the sentence callers hear, and the whole line for supervisors; Czech errors', async () => {
    await open('Mimořádné uzavření', 'Mimořádné uzavření');
    const line = b.page.locator('#closure-line');
    expect(await line.getByRole('heading', { name: 'Celá linka' }).count()).toBe(1);
    const spa = b.page.locator('#closure-spa');
    await spa.getByLabel('Důvod (volající ho uslyší)').fill('porucha');
    await spa.getByLabel('do zadaného času').check();
    await spa.getByLabel('Konec uzavření (pražský čas)').fill('2020-01-01T10:00');
    await spa.getByRole('button', { name: 'Uzavřít Lázeňství…' }).click();
    await expect.poll(() => b.page.locator('#closure-message').textContent()).toBe('Nepodařilo se: Zvolený konec už je v minulosti.');
    await spa.getByLabel('do konce dne').check();
    await spa.getByRole('button', { name: 'Uzavřít Lázeňství…' }).click();
    await expect.poll(() => b.page.locator('#close-sentence-spa').textContent()).toContain('Oddělení je mimořádně uzavřeno: porucha.');
    // (Whether it also says "outside opening hours" depends on the real clock: pinned in overview.test.ts.)
    expect(await b.axe()).toEqual([]);
    await b.shot('closures-end-of-day-preview');
    await b.signOut();
  }, 60_000);

  it('a refused config edit appears on the open page without a reload', async () => {
    await b.signIn(USERS.viewer.name, USERS.viewer.password);
    await b.page.getByRole('heading', { level: 1, name: 'Dnes na lince' }).waitFor();
    expect(await b.page.locator('#who').textContent()).toBe(`${USERS.viewer.name} (náhled)`);
    await open('Provozní doba', /Provozní doba/);
    expect(await b.page.locator('#config-refused').count()).toBe(0);
    const file = join(b.dir, 'config', 'hours.yaml');
    const good = readFileSync(file, 'utf8');
    writeFileSync(file, good.replace('fri: [{ from: "08:00", to: "14:00" }]', 'fri: [{ from: "8 hodin", to: "14:00" }]'));
    try {
      expect(b.service.registry.reload().result).toBe('refused');
      await expect
        .poll(() => b.page.locator('#config-refused').textContent(), { timeout: 15_000 })
        .toMatch(/config\/hours\.yaml:\d+ schedules\.spa\.weekly\.fri\[0\]\.from/);
      await b.shot('config-refused-live');
    } finally {
      writeFileSync(file, good);
      b.service.registry.reload();
    }
    await expect.poll(() => b.page.locator('#config-refused').count(), { timeout: 15_000 }).toBe(0);
  }, 60_000);

  it('hours from any start date for up to 62 days, by schedule name, one row per week', async () => {
    await b.page.getByLabel('Od data').fill('2026-12-21');
    await b.page.getByLabel('Počet dní (1–62)').fill('62');
    await b.page.getByRole('button', { name: 'Zobrazit' }).click();
    await b.page.getByRole('heading', { level: 1, name: /62 dní od 21\. 12\./ }).waitFor();
    expect(await b.page.locator('#hours-spa .day[data-date]').count()).toBe(62);
    expect(await b.page.locator('#hours-spa h2').textContent()).toContain('Lázeňství');
    expect(await b.page.locator('#hours-spa [data-date="2026-12-24"]').textContent()).toContain('Štědrý den');
    // Every row has exactly as many cells as there are headers.
    const rows = await b.page.locator('#hours-spa [role="row"]').evaluateAll((els) => els.map((e) => e.children.length));
    expect(new Set(rows)).toEqual(new Set([7]));
    for (const [size, viewport] of SIZES) {
      await b.page.setViewportSize(viewport);
      expect(await b.overflow()).toBe(0);
      await b.shot(`hours-62-days-${size}`);
    }
    await b.page.setViewportSize(DESKTOP);
    await b.signOut();
  }, 60_000);

  it('the DPO: lands on consents, newest first, paging, prefix search, a reversed range in Czech; every page passes', async () => {
    await b.signIn(USERS.dpo.name, USERS.dpo.password);
    await b.page.getByRole('heading', { level: 1, name: 'Záznamy souhlasů' }).waitFor();
    expect(await b.page.locator('#who').textContent()).toBe(`${USERS.dpo.name} (pověřenec pro ochranu osobních údajů)`);
    await expect.poll(() => b.page.locator('#c-summary').textContent()).toContain('Zobrazeno 50 záznamů, nejnovější první');
    const first = await b.page.locator('table.consents tbody tr').first().textContent();
    expect(first).toContain(`CA${(119).toString(16).padStart(32, '0')}`);
    await b.page.getByRole('button', { name: 'Načíst starší záznamy' }).click();
    await expect.poll(() => b.page.locator('table.consents tbody tr').count()).toBe(100);
    await b.page.getByRole('button', { name: 'Načíst starší záznamy' }).click();
    await expect.poll(() => b.page.locator('#c-summary').textContent()).toContain('Zobrazeno 120 záznamů');
    expect(await b.page.getByRole('button', { name: 'Načíst starší záznamy' }).isVisible()).toBe(false);
    // Prefix, in lower case.
    await b.page.getByLabel('CallSid (začátek)').fill(`ca${'0'.repeat(30)}6`);
    await b.page.getByRole('button', { name: 'Hledat' }).click();
    await expect.poll(() => b.page.locator('#c-summary').textContent()).toContain('Zobrazeno 16 záznamů');
    await b.page.getByLabel('CallSid (začátek)').fill('');
    await b.page.getByLabel('Od (den)').fill('2026-11-21');
    await b.page.getByLabel('Do (den, včetně)').fill('2026-11-20');
    await b.page.getByRole('button', { name: 'Hledat' }).click();
    await expect.poll(() => b.page.locator('#c-error').textContent()).toBe('Datum „Od“ je pozdější než „Do“. Prohoďte je.');
    await b.page.getByLabel('Od (den)').fill('');
    await b.page.getByLabel('Do (den, včetně)').fill('');
    await b.page.getByRole('button', { name: 'Hledat' }).click();
    await checkPages('dpo', [
      ['Souhlasy', 'Záznamy souhlasů'],
      ['Dnes', 'Dnes na lince'],
      ['Tok hovoru', 'Tok hovoru'],
    ]);
    await b.signOut();
  }, 180_000);
});
