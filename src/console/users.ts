// Console users: `config/users.yaml` holds names, roles and scrypt password hashes — never a
// password. The file is re-read when it changes (mtime/size), so `infoline user add` takes
// effect without a restart, and removing a user or changing a role ends their sessions.
import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseDocument, stringify } from 'yaml';
import { hasOwn } from '../util/own.js';
import { z } from 'zod';
import type { Permission, Role } from './contracts/session.js';

export type { Permission, Role };

export const ROLES = ['viewer', 'supervisor', 'dpo'] as const satisfies readonly Role[];

/** What each role may do. Every role reads the flow, the simulator and the hours. */
const PERMISSIONS: Record<Role, readonly Permission[]> = {
  viewer: ['read'],
  supervisor: ['read', 'closures'],
  dpo: ['read', 'consents'],
};

export function can(role: Role, permission: Permission): boolean {
  return PERMISSIONS[role].includes(permission);
}

export interface ConsoleUser {
  name: string;
  role: Role;
  /** `scrypt$<N>$<r>$<p>$<salt b64>$<hash b64>` */
  passwordHash: string;
}

export const USER_NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;

const userSchema = z.strictObject({
  role: z.enum(ROLES, { error: (iss) => `role must be one of ${ROLES.join(', ')}, got ${JSON.stringify(iss.input)}` }),
  password: z.string().regex(/^scrypt\$\d+\$\d+\$\d+\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/, {
    error: 'password must be an scrypt hash made by "infoline user add" (never a plain password)',
  }),
});
const usersFileSchema = z.strictObject({
  users: z
    .record(z.string().regex(USER_NAME, { error: 'user names are lowercase letters, digits, ".", "_" or "-"' }), userSchema)
    .default({}),
});

// --- Password hashes --------------------------------------------------------------------------

/** scrypt cost. N = 2^17, r = 8, p = 1 is OWASP's recommendation (≈128 MiB, ≈0.3 s here). */
export interface ScryptCost {
  N: number;
  r: number;
  p: number;
}
export const DEFAULT_COST: ScryptCost = { N: 2 ** 17, r: 8, p: 1 };
const KEY_LENGTH = 32;

function scrypt(password: string, salt: Buffer, cost: ScryptCost): Promise<Buffer> {
  const options: ScryptOptions = { N: cost.N, r: cost.r, p: cost.p, maxmem: 256 * cost.N * cost.r + 16 * 1024 * 1024 };
  return new Promise((resolve, reject) => {
    scryptCb(password.normalize('NFC'), salt, KEY_LENGTH, options, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

export async function hashPassword(password: string, cost: ScryptCost = DEFAULT_COST): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, cost);
  return `scrypt$${cost.N}$${cost.r}$${cost.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

/** Constant-time comparison; false (never a throw) for a malformed hash. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  // Bounds keep a corrupted file from asking for gigabytes of memory.
  if (!Number.isInteger(Math.log2(N)) || N < 2 ** 10 || N > 2 ** 20 || r < 1 || r > 32 || p < 1 || p > 4) return false;
  const salt = Buffer.from(parts[4] as string, 'base64');
  const expected = Buffer.from(parts[5] as string, 'base64');
  if (expected.length !== KEY_LENGTH) return false;
  try {
    const actual = await scrypt(password, salt, { N, r, p });
    return timingSafeEqual(actual, expected);
  } catch {
    return false;
  }
}

// A hash to verify against when the user does not exist, so that an unknown name takes as
// long as a wrong password (no user enumeration by timing).
let dummyHash: Promise<string> | undefined;
export function dummyPasswordHash(): Promise<string> {
  dummyHash ??= hashPassword(randomBytes(16).toString('hex'));
  return dummyHash;
}

// --- The users file -------------------------------------------------------------------------

export class UsersFileError extends Error {}

export function parseUsersFile(text: string, file: string): Map<string, ConsoleUser> {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) throw new UsersFileError(`${file}: ${doc.errors[0]?.message ?? 'not valid YAML'}`);
  const parsed = usersFileSchema.safeParse(doc.toJS() ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UsersFileError(`${file} ${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`);
  }
  const users = new Map<string, ConsoleUser>();
  for (const [name, u] of Object.entries(parsed.data.users)) users.set(name, { name, role: u.role, passwordHash: u.password });
  return users;
}

/** Reads the users file, re-parsing only when its size or mtime changed. */
export class UsersStore {
  private cache: { key: string; users: Map<string, ConsoleUser> } | undefined;

  constructor(readonly file: string) {}

  /** The users now; an unreadable or invalid file means nobody can sign in (fail closed). */
  users(): Map<string, ConsoleUser> {
    let key: string;
    try {
      const st = statSync(this.file);
      key = `${st.mtimeMs}:${st.size}:${st.ino}`;
    } catch {
      this.cache = undefined;
      return new Map();
    }
    if (this.cache?.key === key) return this.cache.users;
    const users = parseUsersFile(readFileSync(this.file, 'utf8'), this.file);
    this.cache = { key, users };
    return users;
  }

  get(name: string): ConsoleUser | undefined {
    return this.users().get(name);
  }
}

const HEADER = `# infoline console users (see README "Supervisor console").
# Add or change a user with:  npm run -s cli -- user add <name> --role <viewer|supervisor|dpo>
# Passwords are stored only as scrypt hashes. Roles: viewer (read), supervisor (+ emergency
# closures), dpo (+ consent log search and export).
`;

type UserEntries = Record<string, { role: Role; password: string }>;

function readEntries(file: string): UserEntries {
  const existing: UserEntries = {};
  let text: string | undefined;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    text = undefined;
  }
  if (text !== undefined) {
    for (const [name, u] of parseUsersFile(text, file)) existing[name] = { role: u.role, password: u.passwordHash };
  }
  return existing;
}

/** Temp file + rename, mode 0600: a reader sees the old file or the new one, never half. */
function writeEntries(file: string, entries: UserEntries): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = join(dirname(file), `.users.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  writeFileSync(tmp, HEADER + stringify({ users: entries }), { mode: 0o600 });
  renameSync(tmp, file);
}

/** Adds or replaces a user; writes atomically (temp file + rename), mode 0600. */
export function writeUser(file: string, user: ConsoleUser): 'added' | 'updated' {
  const existing = readEntries(file);
  const result = hasOwn(existing, user.name) ? 'updated' : 'added';
  writeEntries(file, { ...existing, [user.name]: { role: user.role, password: user.passwordHash } });
  return result;
}

/**
 * `writeUser` under an exclusive lock on `<file>.lock`: parallel `user add` runs each read the
 * file only after the previous one renamed its version into place, so none is lost.
 */
export async function addUser(file: string, user: ConsoleUser): Promise<'added' | 'updated'> {
  return withUsersLock(file, () => writeUser(file, user));
}

/** Removes a user under the same lock; false when there was none. */
export async function removeUser(file: string, name: string): Promise<boolean> {
  return withUsersLock(file, () => {
    const existing = readEntries(file);
    if (!hasOwn(existing, name)) return false;
    const rest = Object.fromEntries(Object.entries(existing).filter(([n]) => n !== name));
    writeEntries(file, rest);
    return true;
  });
}

async function withUsersLock<T>(file: string, fn: () => T): Promise<T> {
  mkdirSync(dirname(file), { recursive: true });
  // Loaded only by a writer (the CLI's user add/remove): the service that answers calls never needs it.
  const { default: lockfile } = await import('proper-lockfile');
  const release = await lockfile.lock(file, {
    realpath: false,
    lockfilePath: `${file}.lock`,
    stale: 30_000,
    retries: { retries: 200, minTimeout: 10, maxTimeout: 250, randomize: true },
  });
  try {
    return fn();
  } finally {
    await release();
  }
}
