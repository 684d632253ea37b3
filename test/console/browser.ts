// The console in a real headless Chromium (Debian's package, driven by playwright-core): the
// real service (readEnv + composeService, which enables the console as in production) listens
// on 127.0.0.1 with the real clock; the front end is built from web/ first. Screenshots go to
// artifacts/screenshots/ (git-ignored); axe-core is injected into the page to check it.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { packageRoot } from '../../src/config/load.js';
import { composeService, readEnv, type Service } from '../../src/main.js';
import { TEST_TOKEN } from '../support/twilio.js';
import { SECRET, writeTestUsers } from './support.js';
import { fixtureConfig } from '../support/fixture-config.js';

export const PUBLIC_URL = 'http://ivr.example.test';
export const CHROMIUM = '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM);
export const inCi = process.env.CI === 'true';
export const SHOTS = join(packageRoot(), 'artifacts', 'screenshots');
export const DESKTOP = { width: 1366, height: 800 };
export const PHONE = { width: 390, height: 844 };

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface BrowserService {
  service: Service;
  base: string;
  dir: string;
  auditLog: string;
  profile: string;
  context: BrowserContext;
  page: Page;
  shot(name: string): Promise<void>;
  signIn(name: string, password: string): Promise<void>;
  signOut(): Promise<void>;
  /** axe-core on the page as it is: the serious and critical violations (rule id: targets). */
  axe(): Promise<string[]>;
  /** How much wider than the viewport the page is (0 = fits). */
  overflow(): Promise<number>;
  auditLines(): Record<string, unknown>[];
  close(): Promise<void>;
}

export async function startBrowserService(): Promise<BrowserService> {
  // The front end as `npm run build` makes it.
  execFileSync(
    process.execPath,
    [join(packageRoot(), 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(packageRoot(), 'web', 'tsconfig.json')],
    { stdio: 'inherit' },
  );
  mkdirSync(SHOTS, { recursive: true });
  const dir = fixtureConfig('console');
  await writeTestUsers(join(dir, 'config', 'users.yaml'));
  const auditLog = join(dir, 'data', 'console-audit.log');
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
  const service = await composeService(readEnv(env), { watch: false });
  expect(service.app.hasRoute({ method: 'GET', url: '/console/api/session' })).toBe(true);
  const base = await service.app.listen({ port: 0, host: '127.0.0.1' });
  const profile = mkdtempSync(join(tmpdir(), 'infoline-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: DESKTOP,
    locale: 'cs-CZ',
    timezoneId: 'Europe/Prague',
    acceptDownloads: true,
  });
  const page = context.pages()[0] ?? (await context.newPage());
  // Nothing may leave the machine: the console works offline (no CDN).
  await context.route(/^(?!http:\/\/127\.0\.0\.1:)/, (route) => route.abort());

  return {
    service,
    base,
    dir,
    auditLog,
    profile,
    context,
    page,
    async shot(name) {
      await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
    },
    async signIn(name, password) {
      await page.goto(`${base}/console/`);
      await page.getByLabel('Uživatelské jméno').fill(name);
      await page.getByLabel('Heslo').fill(password);
      await page.getByRole('button', { name: 'Přihlásit se' }).click();
      await page.locator('#who').waitFor();
    },
    async signOut() {
      await page.getByRole('button', { name: 'Odhlásit' }).click();
      await page.getByRole('button', { name: 'Přihlásit se' }).waitFor();
    },
    async axe() {
      // Evaluated through the DevTools protocol: the page's CSP (script-src 'self') still holds.
      await page.evaluate(AXE_SOURCE);
      const violations = await page.evaluate(async () => {
        const axe = (
          window as unknown as {
            axe: {
              run(
                ctx: Document,
                opts: object,
              ): Promise<{ violations: { id: string; impact: string | null; nodes: { target: unknown[] }[] }[] }>;
            };
          }
        ).axe;
        const result = await axe.run(document, { resultTypes: ['violations'] });
        return result.violations.map((v) => ({
          id: v.id,
          impact: v.impact,
          targets: v.nodes.map((n) => JSON.stringify(n.target)).slice(0, 3),
        }));
      });
      return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.targets.join(' ')}`);
    },
    async overflow() {
      return page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    },
    auditLines() {
      return existsSync(auditLog)
        ? readFileSync(auditLog, 'utf8')
            .split('\n')
            .filter((l) => l !== '')
            .map((l) => JSON.parse(l) as Record<string, unknown>)
        : [];
    },
    async close() {
      await context.close();
      await service.close();
      rmSync(profile, { recursive: true, force: true });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
