// A small typed event emitter for the framework-free media classes. Listener errors are logged and
// never break the emitter's caller, so one faulty subscriber cannot stall a media session.
export type Unsubscribe = () => void;

type AnyListener = (...args: unknown[]) => void;

export class Emitter<Events extends { [K in keyof Events]: unknown[] }> {
  readonly #listeners = new Map<keyof Events, Set<AnyListener>>();

  on<K extends keyof Events>(event: K, listener: (...args: Events[K]) => void): Unsubscribe {
    let set = this.#listeners.get(event);
    if (!set) this.#listeners.set(event, (set = new Set()));
    const stored = listener as unknown as AnyListener;
    set.add(stored);
    return () => set.delete(stored);
  }

  protected emit<K extends keyof Events>(event: K, ...args: Events[K]): void {
    for (const listener of [...(this.#listeners.get(event) ?? [])]) {
      try {
        listener(...args);
      } catch (error) {
        console.error(`[aethex] listener of '${String(event)}' threw`, error);
      }
    }
  }

  protected removeAllListeners(): void {
    this.#listeners.clear();
  }
}
