// The configuration a running service answers with: the current version, recent versions
// (calls stay on the version they started with), and hot reload that refuses bad edits.
import { watch, type FSWatcher } from 'node:fs';
import { join } from 'node:path';
import { compileConfig, type CompiledConfig } from '../call/compiled.js';
import { buildBundle, contentVersion } from './bundle.js';
import { formatIssue, type ConfigIssue } from './issues.js';
import { readConfigFiles } from './load.js';

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
  /** Versions kept for calls in progress. */
  keep?: number;
  onReload?: (r: ReloadResult) => void;
}

export class ConfigRegistry {
  private currentConfig: CompiledConfig | undefined;
  private readonly versions = new Map<string, CompiledConfig>();
  private lastHash: string | undefined;
  private watchers: FSWatcher[] = [];
  private timer: NodeJS.Timeout | undefined;
  private debounce: NodeJS.Timeout | undefined;
  /** Issues of the last refused edit (cleared by a good one), for readiness and the console. */
  lastRefused: ConfigIssue[] | undefined;
  loadedAt: Date | undefined;

  constructor(private readonly opts: ConfigRegistryOptions) {}

  get current(): CompiledConfig | undefined {
    return this.currentConfig;
  }

  get dir(): string {
    return this.opts.dir;
  }

  /** A version a call started on, if still kept; otherwise the current one. */
  forVersion(version: string | undefined): CompiledConfig | undefined {
    return (version !== undefined ? this.versions.get(version) : undefined) ?? this.currentConfig;
  }

  /** First load. Falls back to the embedded defaults so the line answers even if the dir is broken. */
  start(): ReloadResult {
    const r = this.reload();
    if (this.currentConfig === undefined && this.opts.defaultsDir !== undefined && this.opts.defaultsDir !== this.opts.dir) {
      this.opts.logger.error({ configDir: this.opts.dir }, 'config directory is not valid; serving the embedded defaults until it is fixed');
      this.applyFiles(readConfigFiles(this.opts.defaultsDir), this.opts.defaultsDir);
      // lastHash stays the broken directory's: it is retried as soon as a file there changes.
    }
    return r;
  }

  reload(): ReloadResult {
    const files = readConfigFiles(this.opts.dir);
    const hash = contentVersion(files);
    if (hash === this.lastHash) return { result: 'unchanged', version: this.currentConfig?.version };
    this.lastHash = hash;
    const r = this.applyFiles(files, this.opts.dir);
    this.opts.onReload?.(r);
    return r;
  }

  private applyFiles(files: Map<string, string>, dir: string): ReloadResult {
    const built = buildBundle(files);
    if (!built.ok) {
      this.lastRefused = built.issues;
      this.opts.logger.error(
        { configDir: dir, files: [...new Set(built.issues.map((i) => i.file))], errors: built.issues.map(formatIssue) },
        'config edit refused; the last good version keeps serving',
      );
      return { result: 'refused', issues: built.issues, version: this.currentConfig?.version };
    }
    const existing = this.versions.get(built.bundle.version);
    const compiled = existing ?? compileConfig(built.bundle);
    this.versions.delete(compiled.version);
    this.versions.set(compiled.version, compiled);
    while (this.versions.size > (this.opts.keep ?? 20)) {
      const oldest = this.versions.keys().next().value as string;
      this.versions.delete(oldest);
    }
    const previous = this.currentConfig?.version;
    this.currentConfig = compiled;
    this.lastRefused = undefined;
    this.loadedAt = new Date();
    this.opts.logger.info({ configDir: dir, version: compiled.version, previous }, 'config version applied');
    return { result: 'applied', version: compiled.version };
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
    try {
      this.reload();
    } catch (err) {
      this.opts.logger.error({ err }, 'config reload failed');
    }
  }

  close(): void {
    for (const w of this.watchers) w.close();
    this.watchers = [];
    clearInterval(this.timer);
    clearTimeout(this.debounce);
  }
}
