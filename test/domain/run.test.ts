import { describe, expect, it } from 'vitest';
import { backoffDelayMs, nominalBackoffMs } from '../../src/domain/backoff.js';
import {
  assertTransition,
  canTransition,
  FINISHED_STATES,
  isFinished,
  OWNED_STATES,
  RUN_STATES,
  RUN_TRANSITIONS,
  type Run,
} from '../../src/domain/run.js';

describe('run state machine', () => {
  it('creates runs queued (submit) or leased (start) only', () => {
    const creations = RUN_TRANSITIONS.filter((t) => t.from === null).map((t) => `${t.to}/${t.via}`);
    expect(creations.sort()).toEqual(['leased/start', 'queued/submit']);
  });

  it('leases only from queued by take, and never leaves completed', () => {
    expect(canTransition('queued', 'leased', 'take')).toBe(true);
    expect(canTransition('failed', 'leased', 'take')).toBe(false);
    expect(canTransition('dead', 'leased')).toBe(false);
    for (const to of RUN_STATES) expect(canTransition('completed', to)).toBe(false);
  });

  it('lets finished runs other than completed go back to the queue only by an operator requeue', () => {
    for (const from of ['failed', 'cancelled', 'dead'] as const) {
      const exits = RUN_TRANSITIONS.filter((t) => t.from === from);
      expect(exits).toEqual([{ from, to: 'queued', via: 'requeue' }]);
    }
  });

  it('enters dead only by expiry (queued) or dead-lettering, and a stale owner requeues only leased or handoff runs', () => {
    const intoDead = RUN_TRANSITIONS.filter((t) => t.to === 'dead').map((t) => t.via);
    expect(new Set(intoDead)).toEqual(new Set(['expire', 'dead_letter']));
    const stale = RUN_TRANSITIONS.filter((t) => t.via === 'owner_stale').map((t) => t.from);
    expect(stale.sort()).toEqual(['handoff_pending', 'leased']);
    expect(canTransition('blocked', 'queued', 'owner_stale')).toBe(false);
  });

  it('every transition names known states, and the state groups partition correctly', () => {
    for (const t of RUN_TRANSITIONS) {
      if (t.from !== null) expect(RUN_STATES).toContain(t.from);
      expect(RUN_STATES).toContain(t.to);
    }
    expect(OWNED_STATES.some((s) => (FINISHED_STATES as readonly string[]).includes(s))).toBe(false);
    expect(isFinished('dead')).toBe(true);
    expect(isFinished('blocked')).toBe(false);
  });

  it('assertTransition throws INVALID_STATE with a hint naming requeue_run for finished runs', () => {
    const run = { id: 'run_x', state: 'completed' } as Pick<Run, 'id' | 'state'>;
    expect(() => assertTransition(run, 'leased', 'take')).toThrowError(expect.objectContaining({ code: 'INVALID_STATE', hint: expect.stringContaining('requeue_run') }));
    expect(() => assertTransition({ id: 'run_y', state: 'queued' }, 'leased', 'take')).not.toThrow();
  });
});

describe('backoff', () => {
  it('doubles from 10 s and caps at 10 min', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((n) => nominalBackoffMs(n))).toEqual([10_000, 20_000, 40_000, 80_000, 160_000, 320_000, 600_000, 600_000]);
    expect(nominalBackoffMs(1_000)).toBe(600_000);
  });

  it('applies equal jitter: between half and all of the nominal delay, from the injected random', () => {
    expect(backoffDelayMs(1, () => 0)).toBe(5_000);
    expect(backoffDelayMs(1, () => 0.5)).toBe(7_500);
    expect(backoffDelayMs(3, () => 0.999999)).toBeCloseTo(40_000, -1);
    for (let i = 0; i < 200; i++) {
      const d = backoffDelayMs(2);
      expect(d).toBeGreaterThanOrEqual(10_000);
      expect(d).toBeLessThanOrEqual(20_000);
    }
  });
});
