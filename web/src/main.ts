// The console shell: sign-in, navigation (hash routes), the signed-in user, page switching
// with focus moved to the page heading (keyboard and screen-reader users land on the page).
import { api, ApiError, setCsrfToken, type LoginBody, type SessionInfo, type User } from './api.js';
import { h } from './dom.js';
import { noticesPage } from './notices.js';
import { dashboardPage } from './dashboard.js';
import { callbacksPage } from './callbacks.js';
import { auditPage } from './audit.js';
import { configBanner } from './config-state.js';
import { flowPage } from './flow.js';
import { errorText, roleName } from './messages.js';
import { consentsPage } from './consents.js';
import { closuresPage } from './closures.js';
import { hoursPage } from './pages.js';
import { simulatorPage } from './simulator.js';
import { todayPage } from './today.js';

interface Page {
  id: string;
  title: string;
  /** Shown only to users with this permission. */
  needs?: 'consents' | 'closures';
  render(user: User): Promise<HTMLElement>;
}

const PAGES: Page[] = [
  { id: 'today', title: 'Dnes', render: todayPage },
  { id: 'flow', title: 'Tok hovoru', render: flowPage },
  { id: 'simulator', title: 'Simulátor', render: simulatorPage },
  { id: 'hours', title: 'Provozní doba', render: hoursPage },
  { id: 'closures', title: 'Mimořádné uzavření', render: closuresPage },
  { id: 'consents', title: 'Souhlasy', needs: 'consents', render: consentsPage },
  { id: 'notices', title: 'Znění upozornění', needs: 'consents', render: noticesPage },
  { id: 'dashboard', title: 'Přehled', render: dashboardPage },
  { id: 'callbacks', title: 'Zpětná volání', needs: 'closures', render: callbacksPage },
  { id: 'audit', title: 'Audit', needs: 'closures', render: auditPage },
];

const root = document.getElementById('app') as HTMLElement;
let user: User | null = null;

/** Each role lands on its own page: the DPO on consents, a viewer on today's overview. */
function landing(u: User): string {
  return { supervisor: 'flow', dpo: 'consents', viewer: 'today' }[u.role] ?? 'today';
}

async function refreshSession(): Promise<void> {
  const s = await api<SessionInfo>('GET', 'session');
  setCsrfToken(s.csrfToken);
  user = s.user;
}

function loginView(): HTMLElement {
  const error = h('p', { class: 'error', role: 'alert', id: 'login-error' });
  const name = h('input', {
    id: 'login-name',
    name: 'name',
    autocomplete: 'username',
    required: true,
    autocapitalize: 'none',
    spellcheck: 'false',
  });
  const password = h('input', {
    id: 'login-password',
    name: 'password',
    type: 'password',
    autocomplete: 'current-password',
    required: true,
  });
  const button = h('button', { type: 'submit' }, 'Přihlásit se');
  const form = h(
    'form',
    { class: 'card login', 'aria-labelledby': 'login-title' },
    h('h1', { id: 'login-title', tabindex: -1 }, 'Konzole infolinky OZP'),
    h('p', {}, 'Přihlaste se jménem a heslem, které vám přidělil správce.'),
    h('label', { for: 'login-name' }, 'Uživatelské jméno'),
    name,
    h('label', { for: 'login-password' }, 'Heslo'),
    password,
    button,
    error,
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    error.textContent = '';
    button.disabled = true;
    void (async () => {
      try {
        const s = await api<SessionInfo>('POST', 'login', { name: name.value, password: password.value } satisfies LoginBody);
        setCsrfToken(s.csrfToken);
        user = s.user;
        password.value = '';
        if (!location.hash || location.hash === '#login') history.replaceState(null, '', `#${landing(s.user as User)}`);
        await render();
      } catch (err) {
        password.value = '';
        error.textContent = err instanceof ApiError ? errorText(err) : `Přihlášení se nezdařilo: ${errorText(err)}`;
        password.focus();
      } finally {
        button.disabled = false;
      }
    })();
  });
  queueMicrotask(() => name.focus());
  return form;
}

function shell(u: User, page: Page, content: HTMLElement): HTMLElement {
  const logout = h('button', { type: 'button', class: 'link' }, 'Odhlásit');
  logout.addEventListener('click', () => {
    void (async () => {
      const s = await api<SessionInfo>('POST', 'logout');
      setCsrfToken(s.csrfToken);
      user = null;
      location.hash = '#login';
      await render();
    })();
  });
  const nav = h(
    'nav',
    { 'aria-label': 'Hlavní navigace' },
    h(
      'ul',
      {},
      PAGES.filter((p) => !p.needs || u.permissions.includes(p.needs)).map((p) =>
        h('li', {}, h('a', { href: `#${p.id}`, 'aria-current': p.id === page.id ? 'page' : undefined }, p.title)),
      ),
    ),
  );
  return h(
    'div',
    { class: 'layout' },
    h(
      'header',
      { class: 'top' },
      h('span', { class: 'brand' }, 'Infolinka OZP · konzole'),
      nav,
      h('span', { class: 'who' }, h('span', { id: 'who' }, `${u.name} (${roleName(u.role)})`), ' ', logout),
    ),
    h('main', { id: 'main' }, configBanner(), content),
  );
}

async function render(): Promise<void> {
  if (!user) {
    root.replaceChildren(loginView());
    document.title = 'Přihlášení · konzole infolinky OZP';
    return;
  }
  // #notices/<version> is the notices page; #consents?… carries a search.
  const id = location.hash.replace(/^#/, '').split(/[/?]/)[0] || landing(user);
  const page = PAGES.find((p) => p.id === id && (!p.needs || user?.permissions.includes(p.needs))) ?? (PAGES[0] as Page);
  let content: HTMLElement;
  try {
    content = await page.render(user);
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) {
      user = null;
      return render();
    }
    content = h(
      'section',
      {},
      h('h1', { tabindex: -1 }, page.title),
      h('p', { class: 'error', role: 'alert' }, `Chyba: ${errorText(err)}`),
    );
  }
  root.replaceChildren(shell(user, page, content));
  document.title = `${page.title} · konzole infolinky OZP`;
  (root.querySelector('h1') as HTMLElement | null)?.focus();
}

window.addEventListener('hashchange', () => void render());
void (async () => {
  try {
    await refreshSession();
  } catch (err) {
    root.replaceChildren(h('p', { class: 'error', role: 'alert' }, `Konzole není dostupná: ${errorText(err)}`));
    return;
  }
  await render();
})();
