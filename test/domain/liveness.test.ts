import { describe, expect, it } from 'vitest';
import { leaseExpiresAt, livenessAt, recommendedHeartbeatSeconds } from '../../src/domain/agent.js';

describe('liveness (domain/agent)', () => {
  const seen = Date.UTC(2026, 10, 23, 12);
  const agent = { lastSeenAt: seen, leaseSeconds: 300 };

  it('is active while the last sign of life is younger than the lease, stale from the lease on', () => {
    expect(livenessAt(agent, seen)).toBe('active');
    expect(livenessAt(agent, seen + 299_999)).toBe('active');
    expect(livenessAt(agent, seen + 300_000)).toBe('stale');
    expect(livenessAt(agent, seen + 86_400_000)).toBe('stale');
  });

  it('treats a clock that went backwards as still alive (never stale before it was seen)', () => {
    expect(livenessAt(agent, seen - 10_000)).toBe('active');
  });

  it('puts the lease expiry exactly where liveness flips', () => {
    const expiry = leaseExpiresAt(agent);
    expect(expiry).toBe(seen + 300_000);
    expect(livenessAt(agent, expiry - 1)).toBe('active');
    expect(livenessAt(agent, expiry)).toBe('stale');
  });

  it('recommends a heartbeat every third of the lease, at least every second', () => {
    expect(recommendedHeartbeatSeconds(300)).toBe(100);
    expect(recommendedHeartbeatSeconds(60)).toBe(20);
    expect(recommendedHeartbeatSeconds(10)).toBe(3);
    expect(recommendedHeartbeatSeconds(2)).toBe(1);
    expect(recommendedHeartbeatSeconds(1)).toBe(1);
    // two heartbeats may be missed before the lease runs out
    for (const lease of [3, 7, 60, 299, 300, 86_400]) expect(recommendedHeartbeatSeconds(lease) * 2).toBeLessThan(lease);
  });
});
