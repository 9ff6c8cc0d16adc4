// One probe answers many polls. Uptime monitors poll the health checks every few seconds from many places;
// within an isolate, polls that arrive while a probe is under way wait for it, and polls that arrive shortly
// after it reuse its result, so a burst of polls costs the backing service one command.
//
// A probe belongs to the request that started it. Workers cancel that request's I/O and timers if it ends
// early (a monitor that hangs up), which would leave the others waiting for good: so every waiter bounds its
// own wait, and a probe older than its budget is never joined but replaced.

interface Entry<T> {
  startedAt: number;
  settledAt: number | null;
  result: Promise<T>;
}

const entries = new Map<string, Entry<unknown>>();

export interface ShareOptions<T> {
  /** How long a settled result answers further polls. */
  reuseMs: number;
  /** The longest a probe may take; a waiter gives up after it with `late()`. */
  budgetMs: number;
  late: () => T;
}

function reusable(entry: Entry<unknown> | undefined, options: ShareOptions<unknown>, now: number): boolean {
  if (!entry) return false;
  if (entry.settledAt === null) return now - entry.startedAt < options.budgetMs;
  return now - entry.settledAt < options.reuseMs;
}

/** The result of a probe for `key` that started at most `reuseMs` ago, or of a new one. */
export function shared<T>(key: string, probe: () => Promise<T>, options: ShareOptions<T>): Promise<T> {
  const now = Date.now();
  let entry = entries.get(key) as Entry<T> | undefined;
  if (!entry || !reusable(entry, options as ShareOptions<unknown>, now)) {
    const started: Entry<T> = { startedAt: now, settledAt: null, result: probe() };
    started.result.then(
      () => (started.settledAt = Date.now()),
      () => entries.get(key) === started && entries.delete(key),
    );
    entries.set(key, started);
    entry = started;
  }
  if (entry.settledAt !== null) return entry.result;
  const remaining = Math.max(0, entry.startedAt + options.budgetMs - now);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(options.late()), remaining + 50);
  });
  return Promise.race([entry.result, late]).finally(() => clearTimeout(timer));
}
