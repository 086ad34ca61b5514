import { randomUUID } from 'node:crypto';
import type { Actor } from '../domain/actor.js';
import { notRegistered } from '../domain/errors.js';

/**
 * The identity this connection acts as. Over stdio one process is one identity: bound by the first
 * register_agent, by `serve --agent`, or to the operator by `serve --operator`. Never derived from
 * an MCP session id.
 */
export class Session {
  private current: Actor = { kind: 'unbound' };
  /** when this process last recorded a sign of life for the bound agent (ms, clock time) */
  lastSignOfLife = 0;
  /** names this connection for signal delivery: a signal is handed to one connection at a time */
  readonly deliveryId = randomUUID();
  /** signals this connection returned in results, not yet acknowledged (the next call acknowledges them) */
  readonly unacknowledged = new Set<number>();

  /**
   * @param localFiles whether the caller shares the server's machine and OS user (stdio), so tools
   *   may read files it names by path; false for remote callers (HTTP).
   */
  constructor(readonly localFiles = true) {}

  private pending: (() => Promise<string>) | null = null;
  private binding: Promise<void> | null = null;

  /**
   * Binds to an agent found (or registered) by `find` when the connection first acts (its first
   * tool call), not when it connects: a client that only initializes and lists tools (`claude mcp
   * list`, a health check) leaves no agent behind. A failed attempt is tried again on the next call.
   */
  bindOnFirstCall(find: () => Promise<string>): void {
    this.pending = find;
  }

  /** Runs the deferred binding, once, if there is one and nothing is bound yet. */
  async settleBinding(): Promise<void> {
    if (this.pending === null || this.current.kind !== 'unbound') return;
    const find = this.pending;
    this.binding ??= find().then(
      (agentId) => {
        this.pending = null;
        if (this.current.kind === 'unbound') this.bindAgent(agentId);
      },
      (error: unknown) => {
        this.binding = null;
        throw error;
      },
    );
    await this.binding;
  }

  get actor(): Actor {
    return this.current;
  }

  bindAgent(agentId: string): void {
    this.current = { kind: 'agent', agentId };
    this.lastSignOfLife = 0;
    this.unacknowledged.clear();
  }

  bindOperator(name: string): void {
    this.current = { kind: 'operator', name };
  }

  get agentId(): string | null {
    return this.current.kind === 'agent' ? this.current.agentId : null;
  }

  get isOperator(): boolean {
    return this.current.kind === 'operator';
  }

  requireAgent(): string {
    if (this.current.kind !== 'agent') throw notRegistered();
    return this.current.agentId;
  }
}
