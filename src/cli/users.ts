// `infoline user add <name> --role <viewer|supervisor|dpo>`: adds (or replaces) a console user
// in config/users.yaml. The password is read from the terminal without echo (asked twice), or
// from the first line of stdin when it is not a terminal; it is never printed, logged or
// stored — only its scrypt hash is.
import { Command, Option } from 'commander';
import { parseEnv, usersFileOf, type RawEnv } from '../config/env.js';
import { auditCli } from './audit.js';
import { withStores } from './config.js';
import { CliError, errorText, UsageError, type CliIo } from './io.js';
import { DEFAULT_COST, addUser, hashPassword, removeUser, ROLES, USER_NAME, type Role, type ScryptCost } from '../console/users.js';

export const MIN_PASSWORD_LENGTH = 12;

/** The users file the server reads: CONSOLE_USERS_FILE, else config/users.yaml under INFOLINE_CONFIG_DIR (or the repository root). */
export function usersFilePath(env: RawEnv): string {
  return usersFileOf(parseEnv(env, ['CONSOLE_USERS_FILE', 'INFOLINE_CONFIG_DIR']));
}

export interface UserCommandDeps {
  io: CliIo;
  /** Reads the password (tests pass one in); default: terminal without echo, or stdin. */
  readPassword?: (io: CliIo) => Promise<string>;
  cost?: ScryptCost;
}

async function readStdinLine(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return (Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '').trimEnd();
}

/** Asks on the terminal with echo off (raw mode); Ctrl-C aborts. */
function askHidden(question: string, io: CliIo): Promise<string> {
  const stdin = process.stdin;
  return new Promise((resolve, reject) => {
    io.err(question);
    let value = '';
    stdin.setRawMode(true);
    stdin.resume();
    stdin.setEncoding('utf8');
    const done = (err?: Error) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      io.err('\n');
      if (err) reject(err);
      else resolve(value);
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') return done();
        if (ch === '\u0003') return done(new CliError('cancelled'));
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else if (ch >= ' ') value += ch;
      }
    };
    stdin.on('data', onData);
  });
}

async function defaultReadPassword(io: CliIo): Promise<string> {
  if (!process.stdin.isTTY) return readStdinLine();
  const first = await askHidden('Password: ', io);
  const second = await askHidden('Repeat password: ', io);
  if (first !== second) throw new CliError('the two passwords differ; nothing changed');
  return first;
}

export function registerUserCommands(program: Command, deps: UserCommandDeps): void {
  const user = program.command('user').description('console users (config/users.yaml)');
  user
    .command('add')
    .description('add a console user or replace their role and password; the password is read from the terminal (no echo) or from stdin')
    .argument('<name>', 'user name: lowercase letters, digits, ".", "_", "-"')
    .addOption(new Option('--role <role>', 'what the user may do').choices(ROLES).makeOptionMandatory())
    .action(async (name: string, opts: { role: Role }) => {
      const { io } = deps;
      if (!USER_NAME.test(name))
        throw new UsageError(`user name "${name}" must be lowercase letters, digits, ".", "_" or "-" (at most 64)`);
      const password = await (deps.readPassword ?? defaultReadPassword)(io);
      if (password.length < MIN_PASSWORD_LENGTH)
        throw new UsageError(`the password must be at least ${MIN_PASSWORD_LENGTH} characters; nothing changed`);
      const file = usersFilePath(io.env);
      const passwordHash = await hashPassword(password, deps.cost ?? DEFAULT_COST);
      await auditCli(io, { action: 'user.add', target: name, details: { role: opts.role, file } });
      let result: 'added' | 'updated';
      try {
        result = await addUser(file, { name, role: opts.role, passwordHash });
      } catch (err) {
        throw new CliError(`cannot write ${file}: ${err instanceof Error ? err.message : String(err)}`);
      }
      // A changed role or password ends the user's open sessions on every instance.
      if (result === 'updated') await endSessions(io, name);
      io.out(`${result} console user ${name} (role ${opts.role}) in ${file}\n`);
    });
  user
    .command('remove')
    .description('remove a console user; their open sessions end on every instance')
    .argument('<name>', 'user name')
    .action(async (name: string) => {
      const { io } = deps;
      const file = usersFilePath(io.env);
      await auditCli(io, { action: 'user.remove', target: name, details: { file } });
      let removed: boolean;
      try {
        removed = await removeUser(file, name);
      } catch (err) {
        throw new CliError(`cannot write ${file}: ${errorText(err)}`);
      }
      if (removed) await endSessions(io, name);
      io.out(removed ? `removed console user ${name} from ${file}\n` : `no console user ${name} in ${file}; nothing changed\n`);
    });
}

/** Raises the user's session version in the shared store; a warning when it cannot be reached. */
async function endSessions(io: CliIo, name: string): Promise<void> {
  try {
    await withStores(io, (stores) => stores.sessions.endSessions(name));
  } catch (err) {
    io.err(
      `infoline: warning: open sessions of ${name} could not be ended in the session store (${errorText(err)}); instances reading the changed users file end them anyway\n`,
    );
  }
}
