// The registry's link to the version store: every applied version is saved (retried while the
// database is down), and a version a call needs but this process does not hold is loaded back,
// checked against its content hash, built off the answering thread and compiled once.
import { compileConfig, type CompiledConfig } from '../call/compiled.js';
import type { ConfigVersionStore, NoticeText } from '../store/config-version-port.js';
import { withTimeout } from '../store/shared.js';
import { contentVersion, type BundleResult } from './bundle.js';
import { formatIssue } from './issues.js';

export interface ArchiveLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** How long a webhook waits for its version from the store before going on with the current one. */
const STORE_READ_TIMEOUT_MS = 2000;
/** How often versions that could not be stored are tried again. */
const SAVE_RETRY_MS = 30_000;
/** Applied versions waiting for the store (it is down): the oldest beyond this are given up. */
const MAX_UNSAVED = 200;
/** A version asked for but found nowhere is looked up again only after this long. */
const MISS_RETRY_MS = 10_000;

export class VersionArchive {
  private store: ConfigVersionStore | undefined;
  /** Applied versions not yet in the store (none attached yet, or it failed). */
  private readonly unsaved = new Map<string, { files: Map<string, string>; notices: NoticeText[] }>();
  private saving: Promise<void> = Promise.resolve();
  private lastSaveAttempt = 0;
  private readonly loading = new Map<string, Promise<CompiledConfig | undefined>>();
  private readonly misses = new Map<string, number>();

  constructor(
    private readonly deps: {
      logger: ArchiveLogger;
      /** Validates files away from the answering thread. */
      build(files: Map<string, string>): Promise<BundleResult>;
      /** The registry's in-memory copy, and how a loaded version joins it. */
      kept(version: string): CompiledConfig | undefined;
      keep(compiled: CompiledConfig): void;
    },
    store?: ConfigVersionStore,
  ) {
    this.store = store;
  }

  attach(store: ConfigVersionStore): Promise<void> {
    this.store = store;
    return this.persist();
  }

  persisted(): Promise<void> {
    return this.saving;
  }

  /** A version just applied: saved now (in the background), with its notice texts. */
  applied(compiled: CompiledConfig, files: Map<string, string>): void {
    this.misses.delete(compiled.version);
    this.unsaved.set(compiled.version, { files, notices: noticeTexts(compiled) });
    // Bounded only against a store that stays down for ever; quick edits in a row all get saved.
    while (this.unsaved.size > MAX_UNSAVED) this.unsaved.delete(this.unsaved.keys().next().value as string);
    void this.persist();
  }

  /** Called on every reload poll: a version applied while the database was down is saved once it answers. */
  retryDue(): void {
    if (this.unsaved.size > 0 && Date.now() - this.lastSaveAttempt > SAVE_RETRY_MS) void this.persist();
  }

  private persist(): Promise<void> {
    const store = this.store;
    if (store === undefined) return this.saving;
    this.lastSaveAttempt = Date.now();
    this.saving = this.saving.then(async () => {
      for (const [version, entry] of [...this.unsaved]) {
        try {
          await store.put(version, entry.files, entry.notices);
          this.unsaved.delete(version);
        } catch (err) {
          // Kept in `unsaved`: tried again by retryDue() and with the next applied version.
          this.deps.logger.error({ err, version }, 'config version could not be stored; calls on it are served by this instance only');
        }
      }
    });
    return this.saving;
  }

  /** Exactly `version`, from memory or the store; undefined when it is found nowhere. */
  async resolve(version: string): Promise<CompiledConfig | undefined> {
    const kept = this.deps.kept(version);
    if (kept !== undefined || this.store === undefined) return kept;
    const missedAt = this.misses.get(version);
    if (missedAt !== undefined && Date.now() - missedAt < MISS_RETRY_MS) return undefined;
    let load = this.loading.get(version);
    if (load === undefined) {
      load = this.load(this.store, version).finally(() => this.loading.delete(version));
      this.loading.set(version, load);
    }
    return load;
  }

  private async load(store: ConfigVersionStore, version: string): Promise<CompiledConfig | undefined> {
    const { logger } = this.deps;
    try {
      // A store that hangs (a black-holed database) must not hold the caller for long.
      const files = await withTimeout(store.get(version), STORE_READ_TIMEOUT_MS, 'config version read');
      // Content-addressed: what comes back must hash to the version it was asked for.
      if (files === undefined || contentVersion(files) !== version) {
        this.missed(version);
        logger.warn({ version, found: files !== undefined }, 'config version of a call in progress is not in the store');
        return undefined;
      }
      const built = await this.deps.build(files);
      if (!built.ok) {
        this.missed(version);
        logger.error({ version, errors: built.issues.map(formatIssue) }, 'stored config version no longer builds');
        return undefined;
      }
      const compiled = this.deps.kept(version) ?? compileConfig(built.bundle);
      this.deps.keep(compiled);
      logger.info({ version }, 'config version loaded from the store for a call in progress');
      return compiled;
    } catch (err) {
      this.missed(version);
      logger.error({ err, version }, 'config version store unreadable');
      return undefined;
    }
  }

  private missed(version: string): void {
    this.misses.set(version, Date.now());
    if (this.misses.size > 1000) this.misses.delete(this.misses.keys().next().value as string);
  }
}

/** The consent notice of each language as callers hear it, for the DPO. */
export function noticeTexts(config: CompiledConfig): NoticeText[] {
  return Object.entries(config.notices).map(([language, n]) => ({
    version: n.version,
    noticeId: n.id,
    language,
    sha256: n.sha256,
    text: config.speech.text(language, n.id),
  }));
}
