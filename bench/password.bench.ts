// Part of npm run bench:roundtrips: the cost of one password hash (PBKDF2-SHA256, 100 000 iterations) inside
// workerd, the runtime that signs users in.
import { it } from 'vitest';
import { hashPassword, verifyPassword } from '../src/services/auth/password.ts';

it('prints the time of one password hash', async () => {
  await hashPassword('warm-up-password');
  const runs = 20;
  const started = performance.now();
  for (let i = 0; i < runs; i++) await hashPassword(`password-${i}`);
  const hashMs = (performance.now() - started) / runs;
  const stored = await hashPassword('the-password');
  const verifyStarted = performance.now();
  for (let i = 0; i < runs; i++) await verifyPassword('the-password', stored);
  const verifyMs = (performance.now() - verifyStarted) / runs;
  console.log(`\nPBKDF2-SHA256, 100000 iterations, 16-byte salt, 32-byte key: ${hashMs.toFixed(1)} ms per hash, ${verifyMs.toFixed(1)} ms per verification (mean of ${runs}, inside workerd)\n`);
});
