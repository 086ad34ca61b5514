import { describe, expect, it } from 'vitest';
import { eventHash, GENESIS_HASH } from '../../src/domain/event.js';

const base = {
  seq: 7,
  at: Date.UTC(2026, 10, 23, 12),
  actor: 'agt_0123456789abcdef',
  type: 'agent.heartbeat',
  agentId: 'agt_0123456789abcdef',
  runId: 'run_0123456789abcdef',
  subjectId: 'clm_0123456789abcdef',
  payloadJson: '{"note":"reading"}',
  prevHash: 'a'.repeat(64),
};

describe('event hash (domain/event)', () => {
  it('is a deterministic 64-hex sha256 of the event', () => {
    const h = eventHash(base);
    expect(h).toMatch(/^[0-9a-f]{64}$/);
    expect(eventHash({ ...base })).toBe(h);
  });

  it('changes when any covered field changes', () => {
    const h = eventHash(base);
    const variants: Partial<typeof base>[] = [
      { seq: 8 },
      { at: base.at + 1 },
      { actor: 'system' },
      { type: 'agent.stale' },
      { agentId: 'agt_fedcba9876543210' },
      { runId: 'run_fedcba9876543210' },
      { subjectId: 'clm_fedcba9876543210' },
      { payloadJson: '{"note":"writing"}' },
      { payloadJson: '{"note": "reading"}' }, // the exact stored text, not a re-serialisation
      { prevHash: 'b'.repeat(64) },
    ];
    // a missing id and an empty one are different events
    expect(eventHash({ ...base, runId: null } as never)).not.toBe(eventHash({ ...base, runId: '' }));
    const hashes = new Set([h, ...variants.map((v) => eventHash({ ...base, ...v }))]);
    expect(hashes.size).toBe(variants.length + 1);
  });

  it('cannot be fooled by moving text between adjacent fields', () => {
    const a = eventHash({ ...base, actor: 'ab', type: 'c' });
    const b = eventHash({ ...base, actor: 'a', type: 'bc' });
    expect(a).not.toBe(b);
  });

  it('chains from a genesis hash of 64 zeros', () => {
    expect(GENESIS_HASH).toBe('0'.repeat(64));
    const first = eventHash({ ...base, seq: 1, prevHash: GENESIS_HASH });
    const second = eventHash({ ...base, seq: 2, prevHash: first });
    expect(second).not.toBe(eventHash({ ...base, seq: 2, prevHash: GENESIS_HASH }));
  });
});
