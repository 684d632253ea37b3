// The configuration a running service answers with: the current version, recent versions
// (calls stay on the version they started with; older ones come back from the store), and
// hot reload that refuses bad edits and reads and parses off the answering thread.
import { watch, type FSWatcher } from 'node:fs';
import { join } from 'node:path';
import { compileConfig, type CompiledConfig } from '../call/compiled.js';
import type { ConfigVersionStore } from '../store/config-version-port.js';
import { buildBundle, snapshotHash, type BundleResult } from './bundle.js';
import type { BundleCache } from './bundle-cache.js';
import { formatIssue, type ConfigIssue } from './issues.js';
import { configBytes, readConfigSnapshot } from './load.js';
import { ConfigWorker } from './off-thread.js';
import { VersionArchive } from './version-archive.js';

export interface ReloadResult {
  result: 'applied' | 'unchanged' | 'refused';
  version?: string | undefined;
  issues?: ConfigIssue[] | undefined;
}

export interface RegistryLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface ConfigRegistryOptions {
  dir: string;
  /** Where the embedded defaults live; used when `dir` is unusable at start. */
  defaultsDir?: string | undefined;
  logger: RegistryLogger;
  /** Versions kept in memory for calls in progress. */
  keep?: number;
  onReload?: (r: ReloadResult) => void;
  /** Where every applied version is kept (the consent log's database); see attachStore(). */
  versionStore?: ConfigVersionStore | undefined;
  /** The start's validated bundle, kept between starts (the bundled server only: src/config/bundle-cache.ts). */
  startCache?: BundleCache | undefined;
}

/**
 * Up to this many bytes of config (the shipped files are ~20 kB, a few ms to parse) a reload runs
 * inline; anything larger is read and parsed in the worker thread.
 */
export const INLINE_RELOAD_BYTES = 256 * 1024;

export class ConfigRegistry {
  private currentConfig: CompiledConfig | undefined;
  private readonly versions = new Map<string, CompiledConfig>();
  private lastHash: string | undefined;
  private watchers: FSWatcher[] = [];
  private timer: NodeJS.Timeout | undefined;
  private debounce: NodeJS.Timeout | undefined;
  private readonly archive: VersionArchive;
  private worker: ConfigWorker | undefined;
  private backgroundReload: Promise<ReloadResult> | undefined;
  private reloadAgain = false;
  /** Issues of the last refused edit (cleared by a good one), for readiness and the console. */
  lastRefused: ConfigIssue[] | undefined;
  loadedAt: Date | undefined;

  constructor(private readonly opts: ConfigRegistryOptions) {
    this.archive = new VersionArchive(
      {
        logger: opts.logger,
        build: (files) => this.buildOffThread(files),
        kept: (version) => this.versions.get(version),
        keep: (compiled) => this.keep(compiled),
      },
      opts.versionStore,
    );
  }

  get current(): CompiledConfig | undefined {
    return this.currentConfig;
  }

  get dir(): string {
    return this.opts.dir;
  }

  /** A version a call started on, if still kept in memory; otherwise the current one. */
  forVersion(version: string | undefined): CompiledConfig | undefined {
    return (version !== undefined ? this.versions.get(version) : undefined) ?? this.currentConfig;
  }

  /**
   * Exactly `version`: from memory, or else from the version store (another instance applied
   * it, or this one before a restart), parsed off this thread and compiled once. Undefined when
   * it is found nowhere.
   */
  resolve(version: string): Promise<CompiledConfig | undefined> {
    return this.archive.resolve(version);
  }

  private async buildOffThread(files: Map<string, string>): Promise<BundleResult> {
    try {
      const reply = await this.workerThread().request({ kind: 'files', files: [...files] });
      if (reply.kind === 'built') return reply.result;
      throw new Error(reply.kind === 'failed' ? reply.message : 'unexpected worker reply');
    } catch (err) {
      this.opts.logger.warn({ err }, 'config worker unavailable; building on the main thread');
      return buildBundle(files);
    }
  }

  private workerThread(): ConfigWorker {
    this.worker ??= new ConfigWorker();
    return this.worker;
  }

  /** Starts keeping applied versions in `store`; the versions applied so far are saved now. */
  attachStore(store: ConfigVersionStore): Promise<void> {
    return this.archive.attach(store);
  }

  /** Resolves once every applied version so far is in the store (or its save failed and was logged). */
  persisted(): Promise<void> {
    return this.archive.persisted();
  }

  /** First load. Falls back to the embedded defaults so the line answers even if the dir is broken. */
  start(): ReloadResult {
    const r = this.load(this.opts.startCache);
    if (this.currentConfig === undefined && this.opts.defaultsDir !== undefined && this.opts.defaultsDir !== this.opts.dir) {
      this.opts.logger.error(
        { configDir: this.opts.dir },
        'config directory is not valid; serving the embedded defaults until it is fixed',
      );
      const defaults = readConfigSnapshot(this.opts.defaultsDir);
      this.applyBuilt(defaults.files, buildBundle(defaults.files, defaults.issues), this.opts.defaultsDir);
      // lastHash stays the broken directory's: it is retried as soon as a file there changes.
    }
    return r;
  }

  /** Reads and applies the directory on this thread (start, the CLI, tests). */
  reload(): ReloadResult {
    return this.load(undefined);
  }

  /** reload(), reading an unchanged directory's validated bundle from `cache` when given (start). */
  private load(cache: BundleCache | undefined): ReloadResult {
    const { files, issues } = readConfigSnapshot(this.opts.dir);
    const hash = snapshotHash(files, issues);
    if (hash === this.lastHash) return { result: 'unchanged', version: this.currentConfig?.version };
    this.lastHash = hash;
    const r = this.applyBuilt(files, cache ? cachedBuild(cache, hash, files, issues) : buildBundle(files, issues), this.opts.dir);
    this.opts.onReload?.(r);
    return r;
  }

  /**
   * Reads, hashes and validates the directory in the worker thread; only a changed, valid
   * version is compiled here. Calls meanwhile are answered as usual. Overlapping calls share
   * one run (and one more follows if a change came in during it).
   */
  reloadInBackground(): Promise<ReloadResult> {
    if (this.backgroundReload !== undefined) {
      this.reloadAgain = true;
      return this.backgroundReload;
    }
    const run = async (): Promise<ReloadResult> => {
      let r: ReloadResult;
      do {
        this.reloadAgain = false;
        const asked = this.lastHash;
        const reply = await this.workerThread().request({ kind: 'dir', dir: this.opts.dir, lastHash: asked });
        if (reply.kind === 'failed') throw new Error(reply.message);
        if (reply.kind === 'unchanged' || reply.hash === this.lastHash) {
          r = { result: 'unchanged', version: this.currentConfig?.version };
          continue;
        }
        if (this.lastHash !== asked) {
          // Applied meanwhile by reload(): this read may be older; read again.
          this.reloadAgain = true;
          r = { result: 'unchanged', version: this.currentConfig?.version };
          continue;
        }
        this.lastHash = reply.hash;
        r = this.applyBuilt(new Map(reply.files), reply.result, this.opts.dir);
        this.opts.onReload?.(r);
      } while (this.reloadAgain);
      return r;
    };
    this.backgroundReload = run().finally(() => {
      this.backgroundReload = undefined;
    });
    return this.backgroundReload;
  }

  private applyBuilt(files: Map<string, string>, built: BundleResult, dir: string): ReloadResult {
    if (!built.ok) {
      this.lastRefused = built.issues;
      this.opts.logger.error(
        { configDir: dir, files: [...new Set(built.issues.map((i) => i.file))], errors: built.issues.map(formatIssue) },
        'config edit refused; the last good version keeps serving',
      );
      return { result: 'refused', issues: built.issues, version: this.currentConfig?.version };
    }
    const compiled = this.versions.get(built.bundle.version) ?? compileConfig(built.bundle);
    this.keep(compiled);
    const previous = this.currentConfig?.version;
    this.currentConfig = compiled;
    this.lastRefused = undefined;
    this.loadedAt = new Date();
    this.opts.logger.info({ configDir: dir, version: compiled.version, previous }, 'config version applied');
    this.archive.applied(compiled, files);
    return { result: 'applied', version: compiled.version };
  }

  /** Keeps a compiled version in memory (most recently used last; the oldest goes first). */
  private keep(compiled: CompiledConfig): void {
    this.versions.delete(compiled.version);
    this.versions.set(compiled.version, compiled);
    while (this.versions.size > Math.max(1, this.opts.keep ?? 20)) {
      const oldest = this.versions.keys().next().value as string;
      if (oldest === this.currentConfig?.version) {
        this.versions.delete(oldest);
        this.versions.set(oldest, this.currentConfig);
        continue;
      }
      this.versions.delete(oldest);
    }
  }

  /** Watches the directory; also polls, because watchers miss some editors' rename-over saves. */
  watch(pollMs = 1000): void {
    const schedule = () => {
      clearTimeout(this.debounce);
      this.debounce = setTimeout(() => this.safeReload(), 100);
      this.debounce.unref();
    };
    for (const sub of ['', 'flows', 'prompts', 'config']) {
      try {
        const w = watch(join(this.opts.dir, sub), schedule);
        w.on('error', () => undefined);
        this.watchers.push(w);
      } catch {
        // Folder missing: polling still notices when it appears.
      }
    }
    this.timer = setInterval(() => this.safeReload(), pollMs);
    this.timer.unref();
  }

  private safeReload(): void {
    this.archive.retryDue();
    try {
      // A small config reloads inline (fast, and no thread to start); a large one never here.
      if (this.backgroundReload === undefined && configBytes(this.opts.dir) <= INLINE_RELOAD_BYTES) {
        this.reload();
        return;
      }
    } catch (err) {
      this.opts.logger.error({ err }, 'config reload failed');
      return;
    }
    this.reloadInBackground().catch((err: unknown) => {
      this.opts.logger.error({ err }, 'config reload failed');
    });
  }

  close(): void {
    for (const w of this.watchers) w.close();
    this.watchers = [];
    clearInterval(this.timer);
    clearTimeout(this.debounce);
    this.worker?.stop();
    this.worker = undefined;
  }
}

/** A bundle from the cache, else validated and (when valid) written there off this thread. */
function cachedBuild(cache: BundleCache, hash: string, files: Map<string, string>, issues: ConfigIssue[]): BundleResult {
  const bundle = cache.read(hash);
  if (bundle !== undefined) return { ok: true, bundle };
  const built = buildBundle(files, issues);
  if (built.ok) void cache.write(hash, built.bundle);
  return built;
}
