import { FleetError } from '../../../domain/errors.js';
import type { Tx } from '../../../store/port/index.js';
import { artifactRunId } from '../../evidence/steps/artifacts.js';

/**
 * Evidence cited by a handoff or a blocker must be artifacts of that run: a reader follows the
 * links to fleet://artifacts/{id} and must find this run's work there. Returns the ids, deduplicated.
 */
export async function requireRunEvidence(tx: Tx, runId: string, ids: string[]): Promise<string[]> {
  const unique = [...new Set(ids)];
  for (const id of unique) {
    const owner = await artifactRunId(tx, id);
    if (owner === null) {
      throw new FleetError('INVALID_INPUT', `evidence ${id} does not exist`, 'attach_evidence first and cite the artifact_id it returns');
    }
    if (owner !== runId) {
      throw new FleetError('INVALID_INPUT', `evidence ${id} belongs to run ${owner}, not ${runId}`, 'cite only artifacts attached to this run');
    }
  }
  return unique;
}
