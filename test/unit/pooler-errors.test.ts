import { isConnectionLoss, isRefusedByPooler, isTransient } from '../../lib/driver/errors';

const pgError = (code: string, message: string): Error => Object.assign(new Error(message), { code });

describe('a named statement refused by a transaction pooler', () => {
  test.each([
    ['42P05', 'prepared statement "sss1_get_0123456789ab" already exists'],
    ['26000', 'prepared statement "sss1_get_0123456789ab" does not exist'],
  ])('%s is recognised, also wrapped by Sequelize, and is neither an outage nor worth a retry', (code, message) => {
    const error = pgError(code, message);
    expect(isRefusedByPooler(error)).toBe(true);
    expect(isRefusedByPooler({ name: 'SequelizeDatabaseError', parent: error })).toBe(true);
    expect(isConnectionLoss(error)).toBe(false);
    expect(isTransient(error)).toBe(false);
  });

  test('other errors, and connection errors, are not', () => {
    expect(isRefusedByPooler(pgError('42P01', 'relation "x" does not exist'))).toBe(false);
    expect(isRefusedByPooler(pgError('08P01', 'server conn crashed?'))).toBe(false);
    expect(isRefusedByPooler(new Error('prepared statement "x" already exists'))).toBe(false);
  });
});
