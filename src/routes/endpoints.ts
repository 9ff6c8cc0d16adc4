// The route patterns of the API (`GET /parking-lots/:id`), recorded once when the app is assembled: the
// counters `endpoint_calls:{endpoint}` are read back by these names, without scanning Redis.
let known: string[] = [];

export function recordEndpoints(routes: readonly { method: string; path: string }[]): void {
  const patterns = routes.filter((r) => r.method !== 'ALL' && r.path !== '*').map((r) => `${r.method} ${r.path}`);
  known = [...new Set(patterns)].sort();
}

export function knownEndpoints(): readonly string[] {
  return known;
}
