// The dashboard in a real headless Chromium (as test/console/e2e.test.ts): the real service on
// the real clock, a few calls played through the webhooks, then the page shows the report's
// figures, four charts drawn by the vendored Chart.js (nothing loaded from elsewhere) and the
// live view, which refreshes by itself. Screenshot: artifacts/screenshots/dashboard.png.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/config/load.js';
import { composeService, readEnv, type Service } from '../../src/main.js';
import { playCall } from '../../src/telephony/player.js';
import { newCallSid, signedPost, TEST_TOKEN } from '../support/twilio.js';
import { SECRET, USERS, writeTestUsers } from './support.js';
import { FROZEN_CONFIG } from '../support/fixture-config.js';

const PUBLIC_URL = 'http://ivr.example.test';
const CHROMIUM = '/usr/bin/chromium';
const SHOTS = join(packageRoot(), 'artifacts', 'screenshots');

describe.runIf(existsSync(CHROMIUM))('dashboard in a browser', () => {
  let service: Service;
  let dir: string;
  let base: string;
  let context: BrowserContext;
  let page: Page;
  let profile: string;
  const outside: string[] = [];

  const post = async (url: string, params: Record<string, string>) => {
    const res = await signedPost(service.app, url, params, { base: PUBLIC_URL });
    return { status: res.statusCode, body: res.body };
  };
  const call = (presses: string, maxSteps?: number) => {
    const CallSid = newCallSid();
    return playCall({
      start: `${PUBLIC_URL}/voice/incoming`,
      params: { CallSid, From: '+420603123456' },
      presses: [...presses],
      post,
      maxSteps,
    }).then((p) => ({ ...p, CallSid }));
  };

  beforeAll(async () => {
    const root = packageRoot();
    execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'web', 'tsconfig.json')], {
      stdio: 'inherit',
    });
    execFileSync(process.execPath, [join(root, 'scripts', 'vendor-chartjs.mjs')], { stdio: 'inherit' });
    mkdirSync(SHOTS, { recursive: true });
    dir = mkdtempSync(join(tmpdir(), 'infoline-dashboard-'));
    for (const sub of ['flows', 'prompts', 'config']) cpSync(join(FROZEN_CONFIG, sub), join(dir, sub), { recursive: true });
    await writeTestUsers(join(dir, 'config', 'users.yaml'));
    const env = {
      HOST: '127.0.0.1',
      INFOLINE_CONFIG_DIR: dir,
      DATABASE_URL: join(dir, 'infoline.db'),
      CONSENT_SPOOL_PATH: join(dir, 'spool.db'),
      TWILIO_AUTH_TOKEN: TEST_TOKEN,
      PUBLIC_URL,
      LOG_LEVEL: 'silent',
      CONSOLE_SESSION_SECRET: SECRET,
      CONSOLE_AUDIT_LOG: join(dir, 'audit.log'),
    };
    service = await composeService(readEnv(env), { watch: false });
    base = await service.app.listen({ port: 0, host: '127.0.0.1' });

    // Answered after 12 s; declined; hung up in the menu; waiting in the vitakarta queue; in the menu now.
    const answered = await call('1');
    await post(answered.end.kind === 'queue' ? answered.end.action! : '', {
      CallSid: answered.CallSid,
      QueueResult: 'bridged',
      QueueTime: '12',
    });
    await post(`${PUBLIC_URL}/voice/status`, { CallSid: answered.CallSid, CallStatus: 'completed' });
    const declined = await call('0');
    await post(`${PUBLIC_URL}/voice/status`, { CallSid: declined.CallSid, CallStatus: 'completed' });
    const gone = await call('', 1);
    await post(`${PUBLIC_URL}/voice/status`, { CallSid: gone.CallSid, CallStatus: 'completed' });
    await call('2');
    await call('', 1);

    profile = mkdtempSync(join(tmpdir(), 'infoline-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
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
      viewport: { width: 1280, height: 900 },
      locale: 'cs-CZ',
      timezoneId: 'Europe/Prague',
    });
    page = context.pages()[0] ?? (await context.newPage());
    // Offline: anything not from this service is refused (and remembered).
    await context.route(/^(?!http:\/\/127\.0\.0\.1:)/, (route) => {
      outside.push(route.request().url());
      return route.abort();
    });
  }, 120_000);

  afterAll(async () => {
    await context?.close();
    await service?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('shows today’s figures, four charts and the live view, which refreshes by itself', async () => {
    await page.goto(`${base}/console/#dashboard`);
    await page.getByLabel('Uživatelské jméno').fill(USERS.viewer.name);
    await page.getByLabel('Heslo').fill(USERS.viewer.password);
    await page.getByRole('button', { name: 'Přihlásit se' }).click();
    await page.getByRole('heading', { name: 'Přehled hovorů' }).waitFor();
    expect(await page.locator('#fig-calls').textContent()).toBe('5');
    expect(await page.locator('#fig-declined').textContent()).toBe('1');
    expect(await page.locator('#fig-abandoned').textContent()).toBe('1');
    expect(await page.locator('#report-queues tbody th').allTextContents()).toEqual(['insurance', 'vitakarta']);
    expect(await page.locator('#report-queues tbody tr').first().locator('td').allTextContents()).toEqual([
      '1',
      '1',
      '0',
      '0',
      '0',
      '12 s',
      '12 s',
      '100 %',
    ]);
    expect(await page.locator('#live-menu').textContent()).toBe('1');
    expect(await page.locator('#live-waiting').textContent()).toBe('vitakarta: 1');
    // Chart.js drew on every canvas (a Chart instance is attached to each).
    await expect
      .poll(() =>
        page.evaluate(
          () =>
            [...document.querySelectorAll('canvas')].filter(
              (c) => (window as unknown as { Chart: { getChart(c: HTMLCanvasElement): unknown } }).Chart.getChart(c) !== undefined,
            ).length,
        ),
      )
      .toBe(4);
    expect(await page.locator('#chart-choices').getAttribute('aria-label')).toContain('1: 1');
    await page.screenshot({ path: join(SHOTS, 'dashboard.png'), fullPage: true });

    // Another caller enters the menu: the live view shows it without a reload.
    await call('', 1);
    await expect.poll(() => page.locator('#live-menu').textContent(), { timeout: 15_000 }).toBe('2');
    expect(outside).toEqual([]);
  }, 60_000);
});
