// Users: the admin's list and CRUD; a user sees and edits only themself, never their role.
import { describe, expect, it } from 'vitest';
import { call } from '../helpers/http.ts';
import { book, everyRow, makeAdmin, makeLot, makeUser, unique } from '../helpers/fixtures.ts';

describe('admin CRUD', () => {
  it('lists, creates (either role), reads, edits and deletes users', async () => {
    const admin = await makeAdmin();
    const email = `${unique('crud')}@parkedge.test`;
    const created = await call('POST', '/users', { token: admin.token, body: { email, password: 'long-enough', name: 'Op', role: 'admin' } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ email, role: 'admin' });
    const list = await everyRow('/users', { token: admin.token });
    expect(list.map((u: { id: number }) => u.id)).toContain(created.body.id);
    expect(JSON.stringify(list)).not.toMatch(/password/);
    const edited = await call('PATCH', `/users/${created.body.id}`, { token: admin.token, body: { name: 'Operator', role: 'user', vehicle_plate: 'mh 12 xy 0001' } });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({ name: 'Operator', role: 'user', vehicle_plate: 'MH12XY0001' });
    expect((await call('GET', `/users/${created.body.id}`, { token: admin.token })).body.name).toBe('Operator');
    expect((await call('DELETE', `/users/${created.body.id}`, { token: admin.token })).status).toBe(204);
    expect((await call('GET', `/users/${created.body.id}`, { token: admin.token })).status).toBe(404);
    const listAfter = await everyRow('/users', { token: admin.token });
    expect(listAfter.map((u: { id: number }) => u.id)).not.toContain(created.body.id);
  });

  it('refuses a taken email and invalid fields', async () => {
    const admin = await makeAdmin();
    const user = await makeUser();
    const taken = await call('POST', '/users', { token: admin.token, body: { email: user.email, password: 'long-enough', name: 'X' } });
    expect(taken.status).toBe(409);
    expect(taken.body.error.code).toBe('email_taken');
    const bad = await call('POST', '/users', { token: admin.token, body: { email: 'x@y', password: 'long-enough', name: 'X', role: 'root' } });
    expect(bad.status).toBe(422);
    expect((await call('GET', '/users/abc', { token: admin.token })).status).toBe(422);
    expect((await call('GET', '/users/999999999', { token: admin.token })).status).toBe(404);
    expect((await call('PATCH', '/users/999999999', { token: admin.token, body: { name: 'x' } })).status).toBe(404);
    expect((await call('DELETE', '/users/999999999', { token: admin.token })).status).toBe(404);
  });

  it('refuses to delete a user who holds an active reservation, and the user keeps working', async () => {
    const admin = await makeAdmin();
    const user = await makeUser();
    const lot = await makeLot(admin);
    const booked = await book(user, lot.id);
    const refused = await call('DELETE', `/users/${user.id}`, { token: admin.token });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('user_has_active_reservation');
    expect((await call('GET', '/auth/me', { token: user.token })).status).toBe(200);
    await call('POST', `/reservations/${booked.body.id}/cancel`, { token: user.token });
    expect((await call('DELETE', `/users/${user.id}`, { token: admin.token })).status).toBe(204);
  });

  it("ends a deleted user's sessions with them, even cached ones", async () => {
    const admin = await makeAdmin();
    const user = await makeUser();
    expect((await call('GET', '/auth/me', { token: user.token })).status).toBe(200);
    expect((await call('GET', '/auth/me', { token: user.token })).status).toBe(200); // from the cache now
    expect((await call('DELETE', `/users/${user.id}`, { token: admin.token })).status).toBe(204);
    expect((await call('GET', '/auth/me', { token: user.token })).status).toBe(401);
  });

  it('lets no admin delete or demote themself', async () => {
    const admin = await makeAdmin();
    expect((await call('DELETE', `/users/${admin.id}`, { token: admin.token })).status).toBe(403);
    expect((await call('PATCH', `/users/${admin.id}`, { token: admin.token, body: { role: 'user' } })).status).toBe(403);
  });
});

describe('a user and their own account', () => {
  it('reads and edits themself: name, plate, password', async () => {
    const user = await makeUser();
    expect((await call('GET', `/users/${user.id}`, { token: user.token })).body.email).toBe(user.email);
    const edited = await call('PATCH', `/users/${user.id}`, { token: user.token, body: { name: 'New Name', vehicle_plate: null } });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({ name: 'New Name', vehicle_plate: null });
    expect((await call('GET', '/auth/me', { token: user.token })).body.name).toBe('New Name');
  });

  it('a new password ends the other sessions, keeps this one, and the new password signs in', async () => {
    const user = await makeUser();
    const other = (await call('POST', '/auth/login', { body: { email: user.email, password: user.password } })).body.token;
    expect((await call('GET', '/auth/me', { token: other })).status).toBe(200);
    expect((await call('PATCH', `/users/${user.id}`, { token: user.token, body: { password: 'another-password' } })).status).toBe(200);
    expect((await call('GET', '/auth/me', { token: other })).status).toBe(401);
    expect((await call('GET', '/auth/me', { token: user.token })).status).toBe(200);
    expect((await call('POST', '/auth/login', { body: { email: user.email, password: user.password } })).status).toBe(401);
    expect((await call('POST', '/auth/login', { body: { email: user.email, password: 'another-password' } })).status).toBe(200);
  });

  it('never changes their own role, nor anything of someone else', async () => {
    const user = await makeUser();
    const other = await makeUser();
    const promote = await call('PATCH', `/users/${user.id}`, { token: user.token, body: { role: 'admin' } });
    expect(promote.status).toBe(403);
    expect((await call('GET', '/auth/me', { token: user.token })).body.role).toBe('user');
    expect((await call('PATCH', `/users/${other.id}`, { token: user.token, body: { name: 'Hacked' } })).status).toBe(403);
    expect((await call('GET', `/users/${other.id}`, { token: user.token })).status).toBe(403);
    expect((await call('PATCH', `/users/${user.id}`, { token: user.token, body: { email: 'new@parkedge.test' } })).status).toBe(422);
  });

  it('a role change takes effect at once, cache or not', async () => {
    const admin = await makeAdmin();
    const user = await makeUser();
    expect((await call('GET', '/users', { token: user.token })).status).toBe(403);
    expect((await call('GET', '/auth/me', { token: user.token })).body.role).toBe('user'); // cached
    expect((await call('PATCH', `/users/${user.id}`, { token: admin.token, body: { role: 'admin' } })).status).toBe(200);
    expect((await call('GET', '/users', { token: user.token })).status).toBe(200);
    expect((await call('PATCH', `/users/${user.id}`, { token: admin.token, body: { role: 'user' } })).status).toBe(200);
    expect((await call('GET', '/users', { token: user.token })).status).toBe(403);
  });
});
