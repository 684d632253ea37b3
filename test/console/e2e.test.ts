// The console's main journeys in headless Chromium (setup in ./browser.ts): sign in, the flow
// outline, the simulator, hours, closures with their preview, roles, the DPO's consents, and
// sign-in limits. Screenshots of every page go to artifacts/screenshots/.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { afterAll, beforeAll } from 'vitest';
import { playCall } from '../../src/telephony/player.js';
import { newCallSid, signedPost } from '../support/twilio.js';
import { CHROMIUM, hasChromium, inCi, PUBLIC_URL, startBrowserService, type BrowserService } from './browser.js';
import { USERS } from './support.js';

if (!hasChromium && !inCi) {
  console.warn(`console e2e tests not run: ${CHROMIUM} is missing (install it: apt-get install -y --no-install-recommends chromium)`);
}

describe.runIf(!hasChromium && inCi)('console e2e prerequisites', () => {
  it(`needs ${CHROMIUM} in CI`, () => {
    throw new Error(
      `${CHROMIUM} is missing: .ci/run must install Debian's chromium package (apt-get install -y --no-install-recommends chromium)`,
    );
  });
});

describe.runIf(hasChromium)('console in a browser', () => {
  let b: BrowserService;
  const page = () => b.page;
  const shot = (name: string) => b.shot(name);
  const signIn = (name: string, password: string) => b.signIn(name, password);
  const signOut = () => b.signOut();
  const auditLines = () => b.auditLines();

  /** Plays a call in the simulator; without a date and time, now (the form's default). */
  const simulate = async (key: string, date?: string, time?: string) => {
    await page().getByRole('link', { name: 'Simulátor' }).click();
    await page().getByRole('heading', { name: 'Simulátor hovoru' }).waitFor();
    if (date !== undefined && time !== undefined) {
      await page().getByLabel('Datum').fill(date);
      await page().getByLabel('Čas (Praha)').fill(time);
    }
    await page().locator(`.keypad button[data-key="${key}"]`).click();
    await expect.poll(() => page().locator('#sim-pressed').textContent()).toContain(`Stisknuto: ${key}`);
  };

  beforeAll(async () => {
    b = await startBrowserService();
  }, 120_000);

  afterAll(async () => {
    await b?.close();
  });

  it('signs in and lands a supervisor on the flow outline, with the config version on the page', async () => {
    await page().goto(`${b.base}/console/`);
    await page().getByRole('heading', { name: 'Konzole infolinky OZP' }).waitFor();
    await shot('login');
    await signIn(USERS.supervisor.name, USERS.supervisor.password);
    await page().getByRole('heading', { name: 'Tok hovoru' }).waitFor();
    const outline = page().locator('#flow-outline');
    expect(await outline.locator('[data-node="spa_closed"]').count()).toBe(1);
    expect(await outline.textContent()).toContain('Dotazy k lázeňské péči');
    await expect.poll(() => page().locator('#config-version').textContent()).toBe(b.service.registry.current?.version);
    expect(await page().locator('#who').textContent()).toBe(`${USERS.supervisor.name} (supervizor)`);
    await shot('flow');
  }, 60_000);

  it('simulates pressing 5 on a Friday at 15:00: the spa team is closed, next opening Monday 8:00', async () => {
    await simulate('5', '2026-11-27', '15:00');
    const transcript = page().locator('#sim-transcript');
    await expect.poll(() => transcript.textContent()).toContain('Oddělení lázeňství je nyní mimo provozní dobu.');
    expect(await transcript.textContent()).toContain('Znovu jsme pro Vás k dispozici v pondělí v 8:00.');
    expect(await page().locator('#sim-end').textContent()).toContain('čeká na volbu');
    await shot('simulator');
  }, 60_000);

  it('shows 14 days of opening hours from today as a calendar', async () => {
    await page().getByRole('link', { name: 'Provozní doba' }).click();
    await page()
      .getByRole('heading', { name: /Provozní doba — 14 dní od/ })
      .waitFor();
    const days = page().locator('#hours-spa .day[data-date]');
    expect(await days.count()).toBe(14);
    // Any 14 days hold a weekend (closed) and a working Monday–Thursday (08:00–16:00).
    const texts = await days.allTextContents();
    expect(texts.some((d) => /^(so|ne) .*zavřeno/.test(d))).toBe(true);
    expect(texts.some((d) => d.includes('08:00–16:00'))).toBe(true);
    await shot('hours');
  }, 60_000);

  it('closes a team, and a simulated call hears the closure; then reopens it', async () => {
    await page().getByRole('link', { name: 'Mimořádné uzavření' }).click();
    const card = page().locator('#closure-spa');
    await card.getByLabel('Důvod (volající ho uslyší)').fill('výpadek systému');
    await card.getByLabel('2 hodiny').check();
    await card.getByRole('button', { name: 'Uzavřít Lázeňství…' }).click();
    // The exact sentence callers will hear, before anything is set.
    await expect
      .poll(() => page().locator('#close-sentence-spa').textContent())
      .toContain('Oddělení je mimořádně uzavřeno: výpadek systému.');
    expect(await b.service.stores.switches.closures()).toEqual([]);
    await shot('closures-preview');
    await page().locator('#close-confirm-spa').click();
    await expect.poll(() => page().locator('#closure-spa').textContent()).toContain('Mimořádně uzavřeno do');
    expect(await page().locator('#closure-spa').textContent()).toContain('výpadek systému');
    expect(await page().locator('#closure-spa').textContent()).toContain(`Uzavřel(a) ${USERS.supervisor.name}`);
    await shot('closures');

    await simulate('5'); // now: the closure is in force whatever the weekly hours say
    await expect.poll(() => page().locator('#sim-transcript').textContent()).toContain('Oddělení je mimořádně uzavřeno: výpadek systému.');
    await shot('simulator-closure');

    await page().getByRole('link', { name: 'Mimořádné uzavření' }).click();
    await page().getByRole('button', { name: 'Znovu otevřít hned' }).click();
    await page().getByRole('button', { name: 'Uzavřít Lázeňství…' }).waitFor();
    expect(await b.service.stores.switches.closures()).toEqual([]);
    await signOut();
  }, 60_000);

  it('lists open callback requests for a supervisor (number masked) and cancels one', async () => {
    const { request } = await b.service.stores.callbacks.create({
      originCallSid: newCallSid(),
      queue: 'insurance',
      route: 'insurance',
      lang: 'cs',
      number: '+420603111222',
      from: '+420261105555',
      at: new Date().toISOString(),
    });
    await signIn(USERS.supervisor.name, USERS.supervisor.password);
    await page().getByRole('link', { name: 'Zpětná volání' }).click();
    await page().getByRole('heading', { name: 'Zpětná volání' }).waitFor();
    const row = page().locator(`#callback-${request.id}`);
    await expect.poll(() => row.textContent()).toContain('+420603***222');
    expect(await page().locator('#callbacks-table').textContent()).not.toContain('603111222');
    await shot('callbacks');
    await page().locator(`#cancel-${request.id}`).click();
    await page().locator('#callbacks-empty').waitFor();
    expect((await b.service.stores.callbacks.get(request.id))?.status).toBe('cancelled');
    await signOut();
  }, 60_000);

  it('refuses a closure to a viewer (no form, and the server answers 403)', async () => {
    await signIn(USERS.viewer.name, USERS.viewer.password);
    await page().getByRole('heading', { name: 'Dnes na lince' }).waitFor();
    expect(await page().getByRole('link', { name: 'Souhlasy' }).count()).toBe(0);
    await page().getByRole('link', { name: 'Mimořádné uzavření' }).click();
    await expect.poll(() => page().locator('#closure-spa').textContent()).toContain('jen role supervizor');
    expect(await page().getByRole('button', { name: 'Uzavřít Lázeňství…' }).count()).toBe(0);
    expect(await page().locator('#closure-line').count()).toBe(0);
    await shot('closures-viewer');
    // The same request the supervisor's form sends, with this browser's session and CSRF token.
    const session = (await (await page().request.get(`${b.base}/console/api/session`)).json()) as {
      csrfToken: string;
      user: { role: string };
    };
    expect(session.user.role).toBe('viewer');
    const res = await page().request.post(`${b.base}/console/api/closures`, {
      headers: { 'x-csrf-token': session.csrfToken, 'content-type': 'application/json' },
      data: { schedule: 'spa', until: '2h', reason: 'viewer test' },
    });
    expect(res.status()).toBe(403);
    expect(await b.service.stores.switches.closures()).toEqual([]);
    await signOut();
  }, 60_000);

  it('lets the dpo search and download consents: CSV and JSONL hold no full number', async () => {
    for (const [press, from] of [
      ['1', '+420603123456'],
      ['0', '+420777888999'],
    ] as const) {
      const sid = newCallSid();
      await playCall({
        start: `${PUBLIC_URL}/voice/incoming`,
        params: { CallSid: sid, From: from },
        presses: [press],
        post: async (url, params) => {
          const r = await signedPost(b.service.app, url, params, { base: PUBLIC_URL });
          return { status: r.statusCode, body: r.body };
        },
      });
    }
    await signIn(USERS.dpo.name, USERS.dpo.password);
    // The DPO lands on the consent log.
    await page().getByRole('heading', { name: 'Záznamy souhlasů' }).waitFor();
    await expect.poll(() => page().locator('#c-summary').textContent()).toContain('Zobrazeno 2 záznamy');
    const table = await page().locator('table.consents').textContent();
    expect(table).toContain('+420603***456');
    expect(table).not.toContain('603123456');
    await page().getByLabel('Rozhodnutí').selectOption('declined');
    await page().getByRole('button', { name: 'Hledat' }).click();
    await expect.poll(() => page().locator('#c-summary').textContent()).toContain('Zobrazeno 1 záznam');
    await shot('consents');
    await page().getByLabel('Rozhodnutí').selectOption('');

    for (const [link, ext] of [
      ['Stáhnout CSV', 'csv'],
      ['Stáhnout JSONL', 'jsonl'],
    ] as const) {
      const [download] = await Promise.all([page().waitForEvent('download'), page().getByRole('link', { name: link }).click()]);
      expect(download.suggestedFilename()).toMatch(new RegExp(`^consents-.*\\.${ext}$`));
      const file = join(b.profile, `export.${ext}`);
      await download.saveAs(file);
      const text = readFileSync(file, 'utf8');
      expect(text).toContain('+420603***456');
      expect(text).toContain('+420777***999');
      expect(text).not.toContain('603123456');
      expect(text).not.toContain('777888999');
      expect(text).not.toMatch(/\+\d{10,}/);
    }
    expect(
      auditLines()
        .filter((l) => l.action === 'consents.export')
        .map((l) => (l.details as { format: string }).format),
    ).toEqual(['csv', 'jsonl']);
    await signOut();
  }, 60_000);

  it('lets the dpo open the exact notice text a consent row names', async () => {
    await signIn(USERS.dpo.name, USERS.dpo.password);
    await page().getByRole('link', { name: 'Souhlasy' }).click();
    await expect.poll(() => page().locator('#c-summary').textContent()).toContain('Zobrazeno 2 záznamy');
    const [row] = await b.service.stores.consentLog.list({ decision: 'granted' });
    await page()
      .getByRole('link', { name: `consent.notice v${row!.noticeVersion}` })
      .first()
      .click();
    await page()
      .getByRole('heading', { name: `Znění upozornění ${row!.noticeVersion}` })
      .waitFor();
    const text = await page().locator('blockquote.notice-text').textContent();
    expect(text).toBe(b.service.registry.current!.speech.text('cs', 'consent.notice'));
    await shot('notice');
    await page().getByRole('link', { name: 'Znění upozornění' }).click();
    await page().getByRole('heading', { name: 'Znění upozornění', exact: true }).waitFor();
    expect(await page().locator('article.notice').count()).toBeGreaterThanOrEqual(2); // Czech and English
    await signOut();
  }, 60_000);

  it('rate-limits sign-in after a wrong password five times', async () => {
    await page().goto(`${b.base}/console/`);
    const error = page().locator('#login-error');
    for (let i = 1; i <= 5; i++) {
      await page().getByLabel('Uživatelské jméno').fill(USERS.viewer.name);
      await page().getByLabel('Heslo').fill(`wrong-password-${i}`);
      await page().getByRole('button', { name: 'Přihlásit se' }).click();
      await expect.poll(() => error.textContent()).toBe('Nesprávné jméno nebo heslo.');
      await error.evaluate((el) => {
        el.textContent = '';
      });
    }
    await page().getByLabel('Uživatelské jméno').fill(USERS.viewer.name);
    await page().getByLabel('Heslo').fill(USERS.viewer.password);
    await page().getByRole('button', { name: 'Přihlásit se' }).click();
    await expect.poll(() => error.textContent()).toContain('Příliš mnoho neúspěšných pokusů');
    await shot('login-rate-limited');
    expect(auditLines().filter((l) => l.who === USERS.viewer.name && l.result === 'rate-limited')).toHaveLength(1);
  }, 60_000);
});
