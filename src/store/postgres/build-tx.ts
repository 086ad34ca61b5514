import type { Tx } from '../port/index.js';
import { pgAccessTokenRepo } from './repos/access-tokens.js';
import { pgAgentRepo } from './repos/agents.js';
import { pgArtifactRepo } from './repos/artifacts.js';
import { pgBlockerRepo } from './repos/blockers.js';
import { pgClaimRepo } from './repos/claims.js';
import { pgConsoleSessionRepo } from './repos/console-sessions.js';
import { pgEventRepo } from './repos/events.js';
import { pgExternalTaskRepo } from './repos/external-tasks.js';
import { pgHandoffRepo } from './repos/handoffs.js';
import { pgListingRepo } from './repos/listings.js';
import { pgMcpSessionRepo } from './repos/mcp-sessions.js';
import { pgMetricsRepo } from './repos/metrics.js';
import { pgRetentionRepo } from './repos/retention.js';
import { pgRunRepo } from './repos/runs.js';
import { pgSignalRepo } from './repos/signals.js';
import type { PgSession } from './session.js';

/** The repositories of one transaction. Cheap to build: the statements are module constants. */
export function buildPgTx(s: PgSession): Tx {
  return {
    accessTokens: pgAccessTokenRepo(s),
    agents: pgAgentRepo(s),
    blockers: pgBlockerRepo(s),
    handoffs: pgHandoffRepo(s),
    artifacts: pgArtifactRepo(s),
    claims: pgClaimRepo(s),
    consoleSessions: pgConsoleSessionRepo(s),
    events: pgEventRepo(s),
    externalTasks: pgExternalTaskRepo(s),
    listings: pgListingRepo(s),
    mcpSessions: pgMcpSessionRepo(s),
    metrics: pgMetricsRepo(s),
    signals: pgSignalRepo(s),
    runs: pgRunRepo(s),
    retention: pgRetentionRepo(s),
  };
}
