// The consent log as CSV (safe for spreadsheets, optionally for Czech Excel) or JSON lines:
// the CLI's `consent export` and the console's download write the same bytes.
import { CONSENT_FIELDS, type ConsentRecord } from './record.js';

/** Bidi controls (LRM/RLM, embeddings, overrides, isolates, ALM): they disguise what a cell says. */
const BIDI = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;

/** Digits, *, and one leading + or -: a (masked) number, never a formula with a function. */
const PHONE = /^[+-]?[\d*]+$/;

/**
 * One CSV cell: bidi controls stripped; a cell a spreadsheet would run as a formula (starting
 * with =, +, -, @, tab or CR) prefixed with ' (OWASP CSV injection); RFC 4180 quoting for a
 * cell holding the separator, a quote, CR or LF.
 */
export function csvField(value: string, separator = ',', excel = false): string {
  let v = value.replace(BIDI, '');
  // A (masked) phone number such as +420603***456 holds no function or reference: kept as it is
  // in the plain export, data a program reads; Excel would still evaluate it, so there it is quoted.
  if (/^[=+\-@\t\r]/.test(v) && (excel || !PHONE.test(v))) v = `'${v}`;
  return v.includes(separator) || /["\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

export interface CsvOptions {
  /** Czech Excel: ";" separator, a UTF-8 BOM, and `at` as Prague local time ("2026-11-25 10:00:00"). */
  excel?: boolean;
}

const pragueTime = new Intl.DateTimeFormat('sv-SE', {
  timeZone: 'Europe/Prague',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});

export function csvLines(rows: readonly ConsentRecord[], opts: CsvOptions = {}): string {
  const sep = opts.excel ? ';' : ',';
  const cell = (r: ConsentRecord, f: (typeof CONSENT_FIELDS)[number]) =>
    opts.excel && f === 'at' ? pragueTime.format(new Date(r.at)) : String(r[f]);
  const lines = [
    CONSENT_FIELDS.join(sep),
    ...rows.map((r) => CONSENT_FIELDS.map((f) => csvField(cell(r, f), sep, opts.excel === true)).join(sep)),
  ];
  return `${opts.excel ? '\uFEFF' : ''}${lines.map((l) => `${l}\r\n`).join('')}`;
}

export function jsonLines(rows: readonly ConsentRecord[]): string {
  return rows.map((r) => `${JSON.stringify(Object.fromEntries(CONSENT_FIELDS.map((f) => [f, r[f]])))}\n`).join('');
}
