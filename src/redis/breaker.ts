// A circuit breaker per Redis endpoint, kept for the life of the isolate: after a failure the app stops
// calling Redis for a cool-down, then lets one trial round trip through; its success closes the circuit.
// Without it every request of an outage would wait for a timeout.
type State = 'closed' | 'open' | 'half-open';

export class CircuitBreaker {
  private state: State = 'closed';
  private openUntil = 0;
  cooldownMs: number;
  /** Counts recoveries, so that others can tell the circuit has been open since they last looked. */
  generation = 0;

  constructor(cooldownMs: number) {
    this.cooldownMs = cooldownMs;
  }

  /** Whether a round trip may go out now; in half-open state only the first caller gets to try. */
  tryAcquire(now = Date.now()): boolean {
    if (this.state === 'closed') return true;
    if (this.state === 'open' && now >= this.openUntil) {
      this.state = 'half-open';
      return true;
    }
    return false;
  }

  /** Whether the circuit is open right now (without claiming a trial). */
  isOpen(now = Date.now()): boolean {
    return this.state === 'half-open' || (this.state === 'open' && now < this.openUntil);
  }

  success(): void {
    if (this.state !== 'closed') this.generation += 1;
    this.state = 'closed';
  }

  failure(now = Date.now()): void {
    this.state = 'open';
    this.openUntil = now + this.cooldownMs;
  }
}

const breakers = new Map<string, CircuitBreaker>();

export function breakerFor(url: string, cooldownMs: number): CircuitBreaker {
  let breaker = breakers.get(url);
  if (!breaker) {
    breaker = new CircuitBreaker(cooldownMs);
    breakers.set(url, breaker);
  }
  breaker.cooldownMs = cooldownMs; // the setting of the request at hand (it only differs between tests)
  return breaker;
}
