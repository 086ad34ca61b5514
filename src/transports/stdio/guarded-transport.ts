/**
 * The stdio server transport: newline-delimited JSON-RPC on stdin/stdout, like the SDK's
 * StdioServerTransport, except that a message larger than `maxMessageBytes` does not close the
 * connection (the SDK's read buffer gives up and closes, which ended the server). The oversized
 * line is skipped without being buffered, and its request is answered: a `tools/call` with a
 * TOO_LARGE tool error, any other request with a JSON-RPC error (data.code TOO_LARGE), and a line
 * whose id cannot be read with a JSON-RPC error whose id is null. The connection carries on.
 */
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { JSONRPCMessageSchema, type JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { FleetError } from '../../domain/errors.js';
import { LIMITS } from '../../domain/limits.js';
import { errorResult } from '../../mcp/call.js';
import { TopLevelFields } from './top-level-fields.js';

const NEWLINE = 0x0a;
/** JSON-RPC "Invalid Request" */
const INVALID_REQUEST = -32600;

export interface OversizedMessage {
  bytes: number;
  id: string | number | null;
  method: string | null;
}

export class GuardedStdioServerTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;
  /** told about every refused message (for the log) */
  onoversized?: (message: OversizedMessage) => void;

  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  /** set while skipping the rest of an oversized line */
  private oversized: TopLevelFields | null = null;
  private started = false;

  constructor(
    private readonly stdin: NodeJS.ReadableStream = process.stdin,
    // the transport is the protocol's writer, the one other place (beside cli/output.ts) that owns stdout
    // eslint-disable-next-line no-restricted-syntax
    private readonly stdout: NodeJS.WritableStream = process.stdout,
    readonly maxMessageBytes: number = LIMITS.messageBytes,
  ) {}

  async start(): Promise<void> {
    if (this.started) throw new Error('the stdio transport is already started');
    this.started = true;
    this.stdin.on('data', this.onData);
    this.stdin.on('error', this.onStreamError);
  }

  async send(message: JSONRPCMessage): Promise<void> {
    const json = `${JSON.stringify(message)}\n`;
    if (this.stdout.write(json)) return;
    await new Promise<void>((resolve) => this.stdout.once('drain', resolve));
  }

  async close(): Promise<void> {
    this.stdin.off('data', this.onData);
    this.stdin.off('error', this.onStreamError);
    if (this.stdin.listenerCount('data') === 0) this.stdin.pause();
    this.pending = [];
    this.oversized = null;
    this.onclose?.();
  }

  private readonly onStreamError = (error: Error): void => {
    this.onerror?.(error);
  };

  private readonly onData = (chunk: Buffer | string): void => {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    let start = 0;
    for (;;) {
      const newline = bytes.indexOf(NEWLINE, start);
      this.take(bytes.subarray(start, newline === -1 ? bytes.length : newline));
      if (newline === -1) return;
      this.endLine();
      start = newline + 1;
    }
  };

  private take(part: Uint8Array): void {
    if (part.length === 0) return;
    if (this.oversized) {
      this.oversized.feed(part);
      return;
    }
    if (this.pendingBytes + part.length > this.maxMessageBytes) {
      const scanner = new TopLevelFields();
      for (const held of this.pending) scanner.feed(held);
      scanner.feed(part);
      this.pending = [];
      this.pendingBytes = 0;
      this.oversized = scanner;
      return;
    }
    this.pending.push(part);
    this.pendingBytes += part.length;
  }

  private endLine(): void {
    if (this.oversized) {
      const scanner = this.oversized;
      this.oversized = null;
      this.refuse(scanner);
      return;
    }
    const line = Buffer.concat(this.pending, this.pendingBytes).toString('utf8').replace(/\r$/, '');
    this.pending = [];
    this.pendingBytes = 0;
    if (line.trim() === '') return;
    let message: JSONRPCMessage;
    try {
      message = JSONRPCMessageSchema.parse(JSON.parse(line));
    } catch (error) {
      this.onerror?.(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    this.onmessage?.(message);
  }

  private refuse(scanner: TopLevelFields): void {
    const id = scanner.scalar('id') ?? null;
    const methodValue = scanner.scalar('method');
    const method = typeof methodValue === 'string' ? methodValue : null;
    this.onoversized?.({ bytes: scanner.bytes, id, method });
    const limit = `${this.maxMessageBytes} bytes`;
    if (id === null && method !== null) return; // a notification: nothing to answer
    let answer: JSONRPCMessage;
    if (id !== null && method === 'tools/call') {
      const refusal = new FleetError(
        'TOO_LARGE',
        `the message was ${scanner.bytes} bytes; a message is limited to ${limit}`,
        'attach large evidence by path (a file in your workspace), or split it into several artifacts',
      );
      answer = { jsonrpc: '2.0', id, result: errorResult(refusal) };
    } else {
      const error = { code: INVALID_REQUEST, message: `message of ${scanner.bytes} bytes refused: the limit is ${limit}`, data: { code: 'TOO_LARGE' } };
      // JSON-RPC answers a request whose id cannot be read with id null; the SDK's type wants a string or number
      answer = { jsonrpc: '2.0', id: id as string | number, error };
    }
    this.send(answer).catch((error: unknown) => this.onerror?.(error instanceof Error ? error : new Error(String(error))));
  }
}
