import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';

describe('settings', () => {
  it('coerces and checks each setting, naming every problem', () => {
    const config = loadConfig({ db: '/tmp/x/fleet.db', workspace: '/w', agentLeaseSeconds: '60', sweepSeconds: '0.5', synchronous: 'normal' }, {});
    expect(config).toMatchObject({ db: '/tmp/x/fleet.db', dataDir: '/tmp/x', agentLeaseSeconds: 60, sweepSeconds: 0.5, synchronous: 'NORMAL', logLevel: 'info', pollMs: 200, policy: '/tmp/x/policy.json' });
    expect(() => loadConfig({ db: '/d.db', workspace: '/w', agentLeaseSeconds: '1.5', pollMs: '5', logLevel: 'loud' }, {})).toThrow(
      'invalid settings: agentLeaseSeconds: must be an integer; logLevel: must be one of fatal, error, warn, info, debug, trace, silent; pollMs: must be between 10 and 10000',
    );
    expect(() => loadConfig({ db: '/d.db', workspace: '/w' }, { FLEETDECK_SWEEP_SECONDS: 'soon' })).toThrow('sweepSeconds: must be a number');
  });
});
