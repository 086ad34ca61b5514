import type { Command } from '../command.js';
import { AGENT_CONTROL_COMMANDS } from './agents-control.js';
import { auditAnchorCommand, auditVerifyCommand } from './audit.js';
import { DECISION_COMMANDS } from './decisions.js';
import { claimsCommand } from './claims.js';
import { consoleCommand } from './console.js';
import { guardCommand } from './guard.js';
import { serveCommand } from './serve.js';
import { QUEUE_COMMANDS } from './queue.js';
import { doctorCommand } from './doctor.js';
import { FLEET_VIEW_COMMANDS } from './fleet-views.js';
import { initCommand } from './init.js';
import { statsCommand } from './stats.js';
import { TOKEN_COMMANDS } from './token.js';

/** Every CLI command; `fleetdeck help` lists them in this order. */
export const COMMANDS: Command[] = [serveCommand, auditVerifyCommand, auditAnchorCommand, claimsCommand, guardCommand, ...QUEUE_COMMANDS, ...DECISION_COMMANDS, ...AGENT_CONTROL_COMMANDS, ...TOKEN_COMMANDS, statsCommand, consoleCommand, initCommand, doctorCommand, ...FLEET_VIEW_COMMANDS];
