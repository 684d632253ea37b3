// The console in a real headless Chromium (Debian's package, driven by playwright-core): the
// real service (readEnv + composeService, which enables the console as in production) listens on
// 127.0.0.1 with the real clock; the front end is built from web/ first. Screenshots of every
// page go to artifacts/screenshots/ (git-ignored).
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/config/load.js';
import { composeService, readEnv, type Service } from '../../src/main.js';
import { playCall } from '../../src/telephony/player.js';
import { newCallSid, signedPost, TEST_TOKEN } from '../support/twilio.js';
import { SECRET, USERS, writeTestUsers } from './support.js';

const PUBLIC_URL = 'http://ivr.example.test';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
const inCi = process.env.CI === 'true';
const SHOTS = join(packageRoot(), 'artifacts', 'screenshots');

if (!hasChromium && !inCi) {
  console.warn(`console e2e tests not run: ${CHROMIUM} is missing (install it: apt-get install -y --no-install-recommends chromium)`);
}

describe.runIf(!hasChromium && inCi)('console e2e prerequisites', () => {
  it(`needs ${CHROMIUM} in CI`, () => {
    throw new Error(`${CHROMIUM} is missing: .ci/run must install Debian's chromium package (apt-get install -y --no-install-recommends chromium)`);
  });
});

describe.runIf(hasChromium)('console in a browser', () => {
  let service: Service;
  let dir: string;
  let auditLog: string;
  let base: string;
  let context: BrowserContext;
  let page: Page;
  let profile: string;

  const shot = async (name: string) => {
    await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  };

  const signIn = async (name: string, password: string) => {
    await page.goto(`${base}/console/`);
    await page.getByLabel('Uživatelské jméno').fill(name);
    await page.getByLabel('Heslo').fill(password);
    await page.getByRole('button', { name: 'Přihlásit se' }).click();
  };

  const signOut = async () => {
    await page.getByRole('button', { name: 'Odhlásit' }).click();
    await page.getByRole('button', { name: 'Přihlásit se' }).waitFor();
  };

  const auditLines = () =>
    existsSync(auditLog)
      ? readFileSync(auditLog, 'utf8')
          .split('\n')
          .filter((l) => l !== '')
          .map((l) => JSON.parse(l) as Record<string, unknown>)
      : [];

  /** Plays a call in the simulator; without a date and time, now (the form's default). */
  const simulate = async (key: string, date?: string, time?: string) => {
    await page.getByRole('link', { name: 'Simulátor' }).click();
    await page.getByRole('heading', { name: 'Simulátor hovoru' }).waitFor();
    if (date !== undefined && time !== undefined) {
      await page.getByLabel('Datum').fill(date);
      await page.getByLabel('Čas (Praha)').fill(time);
    }
    await page.locator(`.keypad button[data-key="${key}"]`).click();
    await expect.poll(() => page.locator('#sim-pressed').textContent()).toContain(`Stisknuto: ${key}`);
  };

  beforeAll(async () => {
    // The front end as `npm run build` makes it.
    execFileSync(process.execPath, [join(packageRoot(), 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(packageRoot(), 'web', 'tsconfig.json')], { stdio: 'inherit' });
    mkdirSync(SHOTS, { recursive: true });
    dir = mkdtempSync(join(tmpdir(), 'infoline-e2e-'));
    for (const sub of ['flows', 'prompts', 'config']) cpSync(join(packageRoot(), sub), join(dir, sub), { recursive: true });
    await writeTestUsers(join(dir, 'config', 'users.yaml'));
    auditLog = join(dir, 'data', 'console-audit.log');
    const env = {
      HOST: '127.0.0.1',
      INFOLINE_CONFIG_DIR: dir,
      DATABASE_URL: join(dir, 'infoline.db'),
      TWILIO_AUTH_TOKEN: TEST_TOKEN,
      PUBLIC_URL,
      LOG_LEVEL: 'silent',
      CONSOLE_SESSION_SECRET: SECRET,
      CONSOLE_AUDIT_LOG: auditLog,
    };
    // composeService registers the console itself when CONSOLE_SESSION_SECRET and the users file are there.
    service = await composeService(readEnv(env), { watch: false });
    expect(service.app.hasRoute({ method: 'GET', url: '/console/api/session' })).toBe(true);
    base = await service.app.listen({ port: 0, host: '127.0.0.1' });
    profile = mkdtempSync(join(tmpdir(), 'infoline-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      viewport: { width: 1280, height: 900 },
      locale: 'cs-CZ',
      timezoneId: 'Europe/Prague',
      acceptDownloads: true,
    });
    page = context.pages()[0] ?? (await context.newPage());
    // Nothing may leave the machine: the console works offline (no CDN).
    await context.route(/^(?!http:\/\/127\.0\.0\.1:)/, (route) => route.abort());
  }, 120_000);

  afterAll(async () => {
    await context?.close();
    await service?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('signs in and shows the flow diagram, rendered from the bundled Mermaid', async () => {
    await page.goto(`${base}/console/`);
    await page.getByRole('heading', { name: 'Konzole infolinky OZP' }).waitFor();
    await shot('login');
    await signIn(USERS.supervisor.name, USERS.supervisor.password);
    await page.getByRole('heading', { name: 'Tok hovoru' }).waitFor();
    await expect.poll(() => page.locator('#flow-diagram').getAttribute('data-rendered'), { timeout: 15_000 }).toBe('true');
    expect(await page.locator('#flow-diagram svg').count()).toBe(1);
    expect(await page.locator('#flow-diagram svg').textContent()).toContain('spa_closed');
    expect(await page.locator('#flow-version').textContent()).toBe(service.registry.current?.version);
    expect(await page.locator('#who').textContent()).toContain(USERS.supervisor.name);
    await shot('flow');
  }, 60_000);

  it('simulates pressing 5 on a Friday at 15:00: the spa team is closed, next opening Monday 8:00', async () => {
    await simulate('5', '2026-11-27', '15:00');
    const transcript = page.locator('#sim-transcript');
    await expect.poll(() => transcript.textContent()).toContain('Oddělení lázeňství je nyní mimo provozní dobu.');
    expect(await transcript.textContent()).toContain('Znovu jsme pro Vás k dispozici v pondělí v 8:00.');
    expect(await page.locator('#sim-end').textContent()).toContain('čeká na volbu');
    await shot('simulator');
  }, 60_000);

  it('shows the next 14 days of opening hours as a calendar', async () => {
    await page.getByRole('link', { name: 'Provozní doba' }).click();
    await page.getByRole('heading', { name: /Provozní doba — příštích 14 dní/ }).waitFor();
    const days = page.locator('#hours-spa .day[data-date]');
    expect(await days.count()).toBe(14);
    // Any 14 days hold a weekend (closed) and a working Monday–Thursday (08:00–16:00).
    const texts = await days.allTextContents();
    expect(texts.some((d) => /^(so|ne) .*zavřeno/.test(d))).toBe(true);
    expect(texts.some((d) => d.includes('08:00–16:00'))).toBe(true);
    await shot('hours');
  }, 60_000);

  it('closes a team, and a simulated call hears the closure; then reopens it', async () => {
    await page.getByRole('link', { name: 'Mimořádné uzavření' }).click();
    // One form per schedule (spa, callbacks): the spa card's.
    await page.locator('#closure-spa').getByLabel('Důvod (volající ho uslyší)').fill('výpadek systému');
    await page.locator('#closure-spa').getByLabel('Do kdy').fill('2h');
    await page.getByRole('button', { name: 'Uzavřít spa hned' }).click();
    await expect.poll(() => page.locator('#closure-spa').textContent()).toContain('Mimořádně uzavřeno do');
    expect(await page.locator('#closure-spa').textContent()).toContain('výpadek systému');
    await shot('closures');

    await simulate('5'); // now: the closure is in force whatever the weekly hours say
    await expect.poll(() => page.locator('#sim-transcript').textContent()).toContain('Oddělení je mimořádně uzavřeno: výpadek systému.');
    await shot('simulator-closure');

    await page.getByRole('link', { name: 'Mimořádné uzavření' }).click();
    await page.getByRole('button', { name: 'Znovu otevřít hned' }).click();
    await page.getByRole('button', { name: 'Uzavřít spa hned' }).waitFor();
    expect(await service.stores.switches.closures()).toEqual([]);
    await signOut();
  }, 60_000);

  it('lists open callback requests for a supervisor (number masked) and cancels one', async () => {
    const { request } = await service.stores.callbacks.create({ originCallSid: newCallSid(), queue: 'insurance', route: 'insurance', lang: 'cs', number: '+420603111222', from: '+420261105555', at: new Date().toISOString() });
    await signIn(USERS.supervisor.name, USERS.supervisor.password);
    await page.getByRole('link', { name: 'Zpětná volání' }).click();
    await page.getByRole('heading', { name: 'Zpětná volání' }).waitFor();
    const row = page.locator(`#callback-${request.id}`);
    await expect.poll(() => row.textContent()).toContain('+420603***222');
    expect(await page.locator('#callbacks-table').textContent()).not.toContain('603111222');
    await shot('callbacks');
    await page.locator(`#cancel-${request.id}`).click();
    await page.locator('#callbacks-empty').waitFor();
    expect((await service.stores.callbacks.get(request.id))?.status).toBe('cancelled');
    await signOut();
  }, 60_000);

  it('refuses a closure to a viewer (no form, and the server answers 403)', async () => {
    await signIn(USERS.viewer.name, USERS.viewer.password);
    await page.getByRole('heading', { name: 'Tok hovoru' }).waitFor();
    expect(await page.getByRole('link', { name: 'Souhlasy' }).count()).toBe(0);
    await page.getByRole('link', { name: 'Mimořádné uzavření' }).click();
    await expect.poll(() => page.locator('#closure-spa').textContent()).toContain('jen role supervizor');
    expect(await page.getByRole('button', { name: 'Uzavřít spa hned' }).count()).toBe(0);
    await shot('closures-viewer');
    // The same request the supervisor's form sends, with this browser's session and CSRF token.
    const session = (await (await page.request.get(`${base}/console/api/session`)).json()) as { csrfToken: string; user: { role: string } };
    expect(session.user.role).toBe('viewer');
    const res = await page.request.post(`${base}/console/api/closures`, {
      headers: { 'x-csrf-token': session.csrfToken, 'content-type': 'application/json' },
      data: { schedule: 'spa', until: '2h', reason: 'viewer test' },
    });
    expect(res.status()).toBe(403);
    expect(await service.stores.switches.closures()).toEqual([]);
    await signOut();
  }, 60_000);

  it('lets the dpo search and download consents: CSV and JSONL hold no full number', async () => {
    for (const [press, from] of [['1', '+420603123456'], ['0', '+420777888999']] as const) {
      const sid = newCallSid();
      await playCall({
        start: `${PUBLIC_URL}/voice/incoming`,
        params: { CallSid: sid, From: from },
        presses: [press],
        post: async (url, params) => {
          const r = await signedPost(service.app, url, params, { base: PUBLIC_URL });
          return { status: r.statusCode, body: r.body };
        },
      });
    }
    await signIn(USERS.dpo.name, USERS.dpo.password);
    await page.getByRole('link', { name: 'Souhlasy' }).click();
    await page.getByRole('heading', { name: 'Záznamy souhlasů' }).waitFor();
    await expect.poll(() => page.locator('#c-summary').textContent()).toContain('Nalezeny 2 záznamy');
    const table = await page.locator('table.consents').textContent();
    expect(table).toContain('+420603***456');
    expect(table).not.toContain('603123456');
    await page.getByLabel('Rozhodnutí').selectOption('declined');
    await page.getByRole('button', { name: 'Hledat' }).click();
    await expect.poll(() => page.locator('#c-summary').textContent()).toContain('Nalezen 1 záznam');
    await shot('consents');
    await page.getByLabel('Rozhodnutí').selectOption('');

    for (const [link, ext] of [['Stáhnout CSV', 'csv'], ['Stáhnout JSONL', 'jsonl']] as const) {
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: link }).click()]);
      expect(download.suggestedFilename()).toMatch(new RegExp(`^consents-.*\\.${ext}$`));
      const file = join(profile, `export.${ext}`);
      await download.saveAs(file);
      const text = readFileSync(file, 'utf8');
      expect(text).toContain('+420603***456');
      expect(text).toContain('+420777***999');
      expect(text).not.toContain('603123456');
      expect(text).not.toContain('777888999');
      expect(text).not.toMatch(/\+\d{10,}/);
    }
    expect(auditLines().filter((l) => l.action === 'consents.export').map((l) => (l.details as { format: string }).format)).toEqual(['csv', 'jsonl']);
    await signOut();
  }, 60_000);

  it('lets the dpo open the exact notice text a consent row names', async () => {
    await signIn(USERS.dpo.name, USERS.dpo.password);
    await page.getByRole('link', { name: 'Souhlasy' }).click();
    await expect.poll(() => page.locator('#c-summary').textContent()).toContain('Nalezeny 2 záznamy');
    const [row] = await service.stores.consentLog.list({ decision: 'granted' });
    await page.getByRole('link', { name: `consent.notice v${row!.noticeVersion}` }).first().click();
    await page.getByRole('heading', { name: `Znění upozornění ${row!.noticeVersion}` }).waitFor();
    const text = await page.locator('blockquote.notice-text').textContent();
    expect(text).toBe(service.registry.current!.speech.text('cs', 'consent.notice'));
    await shot('notice');
    await page.getByRole('link', { name: 'Znění upozornění' }).click();
    await page.getByRole('heading', { name: 'Znění upozornění', exact: true }).waitFor();
    expect(await page.locator('article.notice').count()).toBeGreaterThanOrEqual(2); // Czech and English
    await signOut();
  }, 60_000);

  it('rate-limits sign-in after a wrong password five times', async () => {
    await page.goto(`${base}/console/`);
    const error = page.locator('#login-error');
    for (let i = 1; i <= 5; i++) {
      await page.getByLabel('Uživatelské jméno').fill(USERS.viewer.name);
      await page.getByLabel('Heslo').fill(`wrong-password-${i}`);
      await page.getByRole('button', { name: 'Přihlásit se' }).click();
      await expect.poll(() => error.textContent()).toBe('Nesprávné jméno nebo heslo.');
      await error.evaluate((el) => {
        el.textContent = '';
      });
    }
    await page.getByLabel('Uživatelské jméno').fill(USERS.viewer.name);
    await page.getByLabel('Heslo').fill(USERS.viewer.password);
    await page.getByRole('button', { name: 'Přihlásit se' }).click();
    await expect.poll(() => error.textContent()).toContain('Příliš mnoho neúspěšných pokusů');
    await shot('login-rate-limited');
    expect(auditLines().filter((l) => l.who === USERS.viewer.name && l.result === 'rate-limited')).toHaveLength(1);
  }, 60_000);
});
