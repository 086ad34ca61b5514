import Database from 'better-sqlite3';
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eventHash } from '../../src/domain/event.js';
import { connectClient, openTestApp, tempDir } from '../helpers/app.js';
import { CLI } from '../helpers/stdio.js';

interface Report {
  ok: boolean;
  events: number;
  lastSeq: number;
  firstBroken: { seq: number; reason: string } | null;
}

function verify(db: string, json = true): { status: number | null; report: Report | null; stdout: string } {
  const run = spawnSync(process.execPath, [CLI, 'audit', 'verify', '--db', db, ...(json ? ['--json'] : [])], { encoding: 'utf8' });
  return { status: run.status, report: json ? (JSON.parse(run.stdout) as Report) : null, stdout: run.stdout };
}

describe('fleetdeck audit verify', () => {
  let tmp: ReturnType<typeof tempDir>;
  let db: string;
  let total: number;
  beforeEach(async () => {
    tmp = tempDir('fleetdeck-audit-');
    db = join(tmp.dir, 'fleet.db');
    const t = await openTestApp({}, tmp.dir);
    for (const name of ['alice', 'bob']) {
      const c = await connectClient(t.app);
      await c.ok('register_agent', { name, role: 'implementer' });
      for (let i = 0; i < 3; i++) {
        t.clock.advance(2_000);
        await c.ok('heartbeat', { note: `${name} ${i}` });
      }
      await c.close();
    }
    total = await t.app.deps.store.read(async (tx) => await tx.events.count());
    t.close();
  });
  afterEach(() => tmp.cleanup());

  /** What an attacker with write access to the file does: drop the guards, then edit. */
  const tamper = (fn: (raw: Database.Database) => void) => {
    const raw = new Database(db);
    raw.exec('DROP TRIGGER events_refuse_update; DROP TRIGGER events_refuse_delete;');
    fn(raw);
    raw.close();
  };

  it('verifies an untouched chain with exit code 0', () => {
    const { status, report } = verify(db);
    expect(status).toBe(0);
    expect(report).toMatchObject({ ok: true, events: total, lastSeq: total, anchor: null, firstBroken: null, archive: { segments: 0, events: 0, throughSeq: 0 } });
    expect(total).toBe(8);
    const human = verify(db, false);
    expect(human.status).toBe(0);
    expect(human.stdout).toMatch(/ok.*8 event\(s\)/);
  });

  it('detects an altered payload and names its seq, exit code 2', () => {
    tamper((raw) => raw.prepare('UPDATE events SET payload = ? WHERE seq = 3').run('{"note":"nothing happened here"}'));
    const { status, report } = verify(db);
    expect(status).toBe(2);
    expect(report?.ok).toBe(false);
    expect(report?.firstBroken?.seq).toBe(3);
    expect(report?.firstBroken?.reason).toMatch(/altered/);
    const human = verify(db, false);
    expect(human.status).toBe(2);
    expect(human.stdout).toMatch(/BROKEN at seq 3/);
  });

  it('detects an altered event whose own hash was recomputed, at the next link', () => {
    tamper((raw) => {
      const row = raw.prepare('SELECT * FROM events WHERE seq = 4').get() as Record<string, string | number | null>;
      const payloadJson = '{"note":"rewritten"}';
      const hash = eventHash({
        seq: 4,
        at: row.at as number,
        actor: row.actor as string,
        type: row.type as string,
        agentId: row.agent_id as string | null,
        runId: row.run_id as string | null,
        subjectId: row.subject_id as string | null,
        payloadJson,
        prevHash: row.prev_hash as string,
      });
      raw.prepare('UPDATE events SET payload = ?, hash = ? WHERE seq = 4').run(payloadJson, hash);
    });
    const { status, report } = verify(db);
    expect(status).toBe(2);
    expect(report?.firstBroken?.seq).toBe(5);
    expect(report?.firstBroken?.reason).toMatch(/prev_hash/);
  });

  it('detects a deleted event', () => {
    tamper((raw) => raw.prepare('DELETE FROM events WHERE seq = 2').run());
    const { status, report } = verify(db);
    expect(status).toBe(2);
    expect(report?.firstBroken?.seq).toBe(3);
    expect(report?.firstBroken?.reason).toMatch(/missing/);
  });

  it('detects events deleted from the tail by comparing with the anchor kept outside the database', () => {
    const anchored = spawnSync(process.execPath, [CLI, 'audit', 'anchor', '--db', db, '--json'], { encoding: 'utf8' });
    expect(anchored.status).toBe(0);
    const { anchor } = JSON.parse(anchored.stdout) as { anchor: { seq: number; hash: string } };
    expect(anchor.seq).toBe(total);
    expect(statSync(join(tmp.dir, 'audit-anchor.json')).mode & 0o777).toBe(0o600);
    expect(verify(db).status).toBe(0);

    // the tail goes: what is left is still a consistent chain, so only the anchor can tell
    tamper((raw) => raw.prepare('DELETE FROM events WHERE seq > ?').run(total - 2));
    const { status, report } = verify(db);
    expect(status).toBe(2);
    expect(report!.ok).toBe(false);
    expect(report!.lastSeq).toBe(total - 2);
    expect(report!.firstBroken).toEqual({ seq: total - 1, reason: expect.stringContaining('deleted from the tail') });
  });

  it('detects a tail rewritten under the anchored seq', () => {
    expect(spawnSync(process.execPath, [CLI, 'audit', 'anchor', '--db', db], { encoding: 'utf8' }).status).toBe(0);
    // delete the last event, then forge a new one at the same seq with a valid link and hash
    tamper((raw) => {
      const last = raw.prepare('SELECT * FROM events WHERE seq = ?').get(total) as Record<string, unknown>;
      raw.prepare('DELETE FROM events WHERE seq = ?').run(total);
      const forged = { ...last, payload: '{"forged":true}' } as unknown as Record<string, unknown> & { seq: number; at: number; actor: string; type: string; agent_id: string | null; run_id: string | null; subject_id: string | null; prev_hash: string };
      forged.hash = eventHash({ seq: forged.seq, at: forged.at, actor: forged.actor, type: forged.type, agentId: forged.agent_id, runId: forged.run_id, subjectId: forged.subject_id, payloadJson: '{"forged":true}', prevHash: forged.prev_hash });
      const columns = Object.keys(forged);
      raw.prepare(`INSERT INTO events (${columns.join(', ')}) VALUES (${columns.map((c) => '@' + c).join(', ')})`).run(forged);
    });
    const { status, report } = verify(db);
    expect(status).toBe(2);
    expect(report!.firstBroken).toEqual({ seq: total, reason: expect.stringContaining('rewritten') });
  });
});
