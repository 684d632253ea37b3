// Phone numbers in the callback dialogue. Pure.

/**
 * Twilio's stand-ins for a number it cannot show (documented "anonymous", "restricted",
 * "blocked", "unavailable", "unknown" caller IDs) and the words some carriers send.
 */
const WITHHELD = new Set(['+266696687', '+7378742833', '+2562533', '+86282452253', '+8656696']);
const WITHHELD_WORDS = /^(anonymous|restricted|private|unknown|unavailable|blocked|withheld)$/i;

/** The caller's own number when it can be called back (E.164), else undefined (withheld). */
export function callableCaller(from: unknown): string | undefined {
  if (typeof from !== 'string') return undefined;
  const value = from.trim();
  if (value === '' || WITHHELD_WORDS.test(value) || WITHHELD.has(value)) return undefined;
  return /^\+[1-9]\d{7,14}$/.test(value) ? value : undefined;
}

/**
 * A Czech number entered on the keypad (the `#` already stripped by Twilio): 9 digits, or
 * with the 420 / 00420 prefix; national numbers start with 2–9. Returns +420XXXXXXXXX.
 */
export function parseCzechNumber(digits: unknown): string | undefined {
  if (typeof digits !== 'string') return undefined;
  const d = digits.replace(/[\s#]/g, '');
  const m = /^(?:00420|420)?([2-9]\d{8})$/.exec(d);
  return m ? `+420${m[1]}` : undefined;
}

const spaced = (s: string) => [...s].join(' ');

/** The last three digits, one by one: "4 5 6". */
export function lastDigitsSpoken(number: string): string {
  return spaced(number.replace(/\D/g, '').slice(-3));
}

/** A number read back in groups of three (national part for Czech numbers): "6 0 3, 1 2 3, 4 5 6". */
export function groupsSpoken(number: string): string {
  const digits = number.startsWith('+420') ? number.slice(4) : number.replace(/\D/g, '');
  const groups: string[] = [];
  for (let i = 0; i < digits.length; i += 3) groups.push(spaced(digits.slice(i, i + 3)));
  return groups.join(', ');
}
