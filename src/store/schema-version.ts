import { FleetError } from '../domain/errors.js';
/** A database a later fleetdeck migrated: this build must not write to a schema it does not know. */
export function newerSchema(version: number, known: number): FleetError {
  return new FleetError(
    'INVALID_STATE',
    `the fleet database has schema version ${version}, newer than this fleetdeck knows (${known})`,
    'upgrade fleetdeck (every process on this fleet must run a build that knows the schema), or check --db / FLEETDECK_DB',
  );
}

