// The console's one message catalogue: every text a supervisor, a DPO or a viewer reads that
// depends on a server answer. The API returns codes (and params); the page words them here.
import { ApiError, type Role } from './api.js';

type Params = Record<string, string | number>;

const MESSAGES: Record<string, (p: Params) => string> = {
  csrf: () => 'Platnost formuláře vypršela. Načtěte stránku znovu a zkuste to ještě jednou.',
  internal: () => 'Na serveru nastala chyba (podrobnosti jsou v záznamu služby).',
  notFound: () => 'Požadovaná věc neexistuje.',
  invalid: () => 'Zadané údaje nejsou platné.',
  'auth.required': () => 'Nejste přihlášeni. Přihlaste se znovu.',
  'auth.forbidden': (p) => `Role „${roleName(String(p.role) as Role)}“ tuto akci nesmí provést.`,
  'login.missing': () => 'Vyplňte jméno i heslo.',
  'login.invalid': () => 'Nesprávné jméno nebo heslo.',
  'login.rateLimited': (p) => `Příliš mnoho neúspěšných pokusů. Zkuste to znovu za ${p.minutes ?? 15} min.`,
  'login.busy': () => 'Právě se přihlašuje mnoho lidí najednou. Zkuste to za několik sekund.',
  'config.missing': () => 'Konfigurace linky není načtena.',
  'simulate.language': (p) => `Pro jazyk „${p.language}“ nejsou nahrané texty.`,
  'time.invalid': (p) => `„${p.value}“ není platné datum a čas.`,
  'closure.reason': () => 'Vyplňte důvod — volající ho uslyší.',
  'closure.invalid': () => 'Uzavření nelze uložit: zkontrolujte důvod a konec.',
  'closure.schedule': (p) => `Rozvrh „${p.schedule}“ v konfiguraci není.`,
  'closure.until': (p) => `Konec „${p.value}“ není platný čas ani doba.`,
  'closure.past': () => 'Zvolený konec už je v minulosti.',
  'consents.invalid': () => 'Hledání nelze provést: zkontrolujte zadané údaje.',
  'consents.callSid': () => 'CallSid obsahuje jen písmena a číslice (např. CA12ab…).',
  'consents.range': () => 'Datum „Od“ je pozdější než „Do“. Prohoďte je.',
  'consents.cursor': () => 'Stránka výsledků už neplatí. Hledejte znovu.',
  'http.429': () => 'Příliš mnoho požadavků. Chvíli počkejte.',
  'http.503': () => 'Služba je teď přetížená. Zkuste to za chvíli.',
};

/** The Czech text of a message code. */
export function t(code: string, params: Params = {}): string {
  const m = MESSAGES[code];
  return m ? m(params) : `Neočekávaná chyba (${code}).`;
}

/** Czech wording of any error thrown by api(). */
export function errorText(err: unknown): string {
  if (err instanceof ApiError) return t(err.code, err.params);
  return 'Server neodpovídá. Zkontrolujte připojení a zkuste to znovu.';
}

export function roleName(role: Role): string {
  return { viewer: 'náhled', supervisor: 'supervizor', dpo: 'pověřenec pro ochranu osobních údajů' }[role] ?? role;
}

/** "300 011" — Czech grouping (a no-break space). */
export function czNumber(n: number): string {
  return new Intl.NumberFormat('cs-CZ').format(n);
}

/** Czech plural: one, few (2–4), many. */
export function plural(n: number, one: string, few: string, many: string): string {
  return n === 1 ? one : n >= 2 && n <= 4 ? few : many;
}
