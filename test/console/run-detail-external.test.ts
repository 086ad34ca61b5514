import { describe, expect, it } from 'vitest';
import { externalFact } from '../../src/console/views/run-detail.js';

/** The run detail shows where a run came from when another system (the agentq bridge) sent it. */
describe('run detail: external task', () => {
  it('renders the task id and origin, escaped, with the sender and reply queue when given', () => {
    const text = externalFact({ origin: 'agentq', taskId: 'task-<42>', sender: 'planner', replyTo: 'fleet.completions' }).text;
    expect(text).toContain('<dt>External task</dt>');
    expect(text).toContain('<code class="id">task-&lt;42&gt;</code> from agentq');
    expect(text).toContain('sent by planner');
    expect(text).toContain('completion to <code>fleet.completions</code>');
    expect(externalFact({ origin: 'agentq', taskId: 't1', replyTo: null }).text).not.toContain('completion to');
  });

  it('renders nothing for a run no other system sent, or a service without the field', () => {
    expect(externalFact(null).text).toBe('');
    expect(externalFact(undefined).text).toBe('');
  });
});
