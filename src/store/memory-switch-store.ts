// In-memory switch store for tests and single-process development. Instances built on the
// same MemorySwitchState see each other's changes, like two processes on one backend.
import type { EmergencyClosure, SwitchStore } from './ports.js';
import { normaliseClosure } from './shared.js';

export class MemorySwitchState {
  readonly closures = new Map<string, EmergencyClosure>();
  readonly listeners = new Set<() => void>();

  notify(): void {
    // Asynchronous like a real backend: a listener must not run inside the writer's call.
    queueMicrotask(() => {
      for (const listener of this.listeners) listener();
    });
  }
}

export class MemorySwitchStore implements SwitchStore {
  readonly kind = 'memory';
  private readonly state: MemorySwitchState;
  private readonly own = new Set<() => void>();

  constructor(state: MemorySwitchState = new MemorySwitchState()) {
    this.state = state;
  }

  async migrate(): Promise<void> {}

  async closures(): Promise<EmergencyClosure[]> {
    return [...this.state.closures.values()]
      .map((c) => ({ ...c }))
      .sort((a, b) => (a.schedule < b.schedule ? -1 : a.schedule > b.schedule ? 1 : 0));
  }

  async setClosure(closure: EmergencyClosure): Promise<void> {
    this.state.closures.set(closure.schedule, normaliseClosure(closure));
    this.state.notify();
  }

  async clearClosure(schedule: string): Promise<boolean> {
    const removed = this.state.closures.delete(schedule);
    if (removed) this.state.notify();
    return removed;
  }

  onChange(listener: () => void): void {
    this.own.add(listener);
    this.state.listeners.add(listener);
  }

  async close(): Promise<void> {
    for (const listener of this.own) this.state.listeners.delete(listener);
    this.own.clear();
  }
}
