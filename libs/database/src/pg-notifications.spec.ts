import { describe, expect, it } from 'vitest';
import { listenerClientConfig } from './pg-notifications';

describe('listenerClientConfig: where the LISTEN client connects', () => {
  const pooled = {
    type: 'postgres' as const,
    url: 'postgres://app:secret@pgbouncer:6432/tracker',
    applicationName: 'remediation-tracker',
  };

  it("uses the data source's connection without DATABASE_DIRECT_URL", () => {
    const c = listenerClientConfig(pooled, 'promotion_gate_changed');
    expect(c.connectionString).toBe(pooled.url);
    expect(c.application_name).toBe('remediation-tracker:listen:promotion_gate_changed');
  });

  it('connects to DATABASE_DIRECT_URL when set: LISTEN does not work through a transaction pooler', () => {
    const c = listenerClientConfig(pooled, 'audit_trail_appended', 'postgres://app:secret@db:5432/tracker');
    expect(c).toEqual({
      connectionString: 'postgres://app:secret@db:5432/tracker',
      application_name: 'remediation-tracker:listen:audit_trail_appended',
      keepAlive: true,
    });
  });
});
