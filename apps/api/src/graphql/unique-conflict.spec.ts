import { QueryFailedError } from 'typeorm';
import { describe, expect, it } from 'vitest';
import { describeError } from './to-graphql-error';

/** What node-postgres raises for a unique violation, wrapped by TypeORM as it is at run time. */
function uniqueViolation(constraint: string | undefined) {
  const driverError = Object.assign(new Error(`duplicate key value violates unique constraint "${constraint}"`), {
    code: '23505',
    constraint,
    detail: 'Key (email)=(secret.person@example.test) already exists.',
  });
  return new QueryFailedError('INSERT INTO "users" ...', ['secret.person@example.test'], driverError);
}

describe('a unique violation that escapes a service', () => {
  it('is CONFLICT, reason ALREADY_EXISTS, naming the thing and field in the API’s words', () => {
    const shape = describeError(uniqueViolation('UQ_promotion_gates_key'), true);
    expect(shape).toEqual({
      code: 'CONFLICT',
      message: expect.stringContaining('PromotionGate'),
      extensions: { reason: 'ALREADY_EXISTS', entity: 'PromotionGate', field: 'key' },
    });
  });

  it('never shows the server’s detail, the values, the SQL or an unlisted constraint’s name', () => {
    for (const constraint of ['UQ_users_email', 'UQ_some_future_table_secret_column', undefined]) {
      const shape = describeError(uniqueViolation(constraint), false);
      expect(shape.code).toBe('CONFLICT');
      expect(shape.extensions['reason']).toBe('ALREADY_EXISTS');
      expect(JSON.stringify(shape)).not.toMatch(/secret|INSERT|duplicate key|UQ_|23505/);
    }
  });

  it('other database errors are not taken for one', () => {
    const fk = new QueryFailedError('INSERT ...', [], Object.assign(new Error('violates foreign key'), { code: '23503' }));
    expect(describeError(fk, true).code).toBe('INTERNAL_SERVER_ERROR');
  });
});
