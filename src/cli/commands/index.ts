import type { Command } from '../command.js';
import { auditVerifyCommand } from './audit.js';
import { claimsCommand } from './claims.js';
import { guardCommand } from './guard.js';
import { serveCommand } from './serve.js';
import { QUEUE_COMMANDS } from './queue.js';

/** Every CLI command; `fleetdeck help` lists them in this order. */
export const COMMANDS: Command[] = [serveCommand, auditVerifyCommand, claimsCommand, guardCommand, ...QUEUE_COMMANDS];
