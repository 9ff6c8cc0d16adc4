// The check every test's answers go through (test/helpers/contract.ts): it refuses what the document does not
// say, so a route that answered an undocumented status or shape would fail the test that saw it.
import { describe, expect, it } from 'vitest';
import { checkAgainstContract, ContractViolation } from '../helpers/contract.ts';

const user = { id: 1, email: 'a@b.c', name: 'A', vehicle_plate: null, role: 'user', created_at: '2025-01-01T00:00:00.000Z', updated_at: '2025-01-01T00:00:00.000Z' };
const envelope = (code: string) => ({ error: { code, message: 'm' } });

describe('the contract check of the tests', () => {
  it('takes what a route documents', () => {
    expect(() => checkAgainstContract('GET', '/users/7', 200, 'application/json', user)).not.toThrow();
    expect(() => checkAgainstContract('GET', '/users/7', 404, 'application/json; charset=UTF-8', envelope('not_found'))).not.toThrow();
    expect(() => checkAgainstContract('HEAD', '/users/7', 200, 'application/json', '')).not.toThrow();
    expect(() => checkAgainstContract('GET', '/nowhere', 404, 'application/json', envelope('not_found'))).not.toThrow();
  });

  it('refuses an undocumented status, media type, shape or error code', () => {
    expect(() => checkAgainstContract('GET', '/users/7', 409, 'application/json', envelope('email_taken'))).toThrow(ContractViolation);
    expect(() => checkAgainstContract('GET', '/users/7', 200, 'text/html', '<p>')).toThrow(ContractViolation);
    expect(() => checkAgainstContract('GET', '/users/7', 200, 'application/json', { ...user, role: 'owner' })).toThrow(ContractViolation);
    expect(() => checkAgainstContract('GET', '/users/7', 404, 'application/json', envelope('no_such_code'))).toThrow(ContractViolation);
    expect(() => checkAgainstContract('GET', '/nowhere', 404, 'application/json', { message: 'not found' })).toThrow(ContractViolation);
  });
});
