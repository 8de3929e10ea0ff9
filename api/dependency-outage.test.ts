import { isDependencyOutage } from './dependency-outage';

describe('isDependencyOutage', () => {
  const wrapped = (cause: unknown) => Object.assign(new Error('Failed query: select 1'), { cause });

  it('knows a lost or refused PostgreSQL connection, also inside drizzle’s wrapper', () => {
    expect(isDependencyOutage(wrapped(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })))).toBe(true);
    expect(isDependencyOutage(wrapped(Object.assign(new Error('write CONNECTION_CLOSED'), { code: 'CONNECTION_CLOSED' })))).toBe(true);
    expect(isDependencyOutage(wrapped(Object.assign(new Error('the database system is starting up'), { code: '57P03' })))).toBe(true);
    expect(isDependencyOutage(wrapped(Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' })))).toBe(true);
  });

  it('knows Temporal gone (UNAVAILABLE) or no worker answering in time (DEADLINE_EXCEEDED), also as a ServiceError’s cause', () => {
    const grpc = (code: number) => Object.assign(new Error('grpc'), { code, details: 'x', metadata: {} });
    expect(isDependencyOutage(Object.assign(new Error('Failed to query Workflow'), { cause: grpc(14) }))).toBe(true);
    expect(isDependencyOutage(Object.assign(new Error('Failed to query Workflow'), { cause: grpc(4) }))).toBe(true);
    expect(isDependencyOutage(grpc(3))).toBe(false); // INVALID_ARGUMENT: ours
  });

  it('does not excuse our own mistakes', () => {
    expect(isDependencyOutage(new Error('boom'))).toBe(false);
    expect(isDependencyOutage(wrapped(Object.assign(new Error('syntax error'), { code: '42601' })))).toBe(false);
    expect(isDependencyOutage(wrapped(Object.assign(new Error('duplicate key'), { code: '23505' })))).toBe(false);
    expect(isDependencyOutage(undefined)).toBe(false);
  });
});
