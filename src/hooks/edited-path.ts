import { FILE_EDIT_TOOLS } from './events.js';
import type { HookPayload } from './payload.js';
import { pathInWorkspace } from './workspace.js';

/**
 * The workspace-relative path a file-editing tool call writes, or null when the call edits no
 * file of the workspace (another tool, or a file elsewhere): then no claim can stand in its way,
 * and pre-tool-use answers without opening the database.
 */
export function editedPath(payload: HookPayload, workspace: string): string | null {
  const { toolName, filePath } = payload;
  if (toolName === null || filePath === null || !(FILE_EDIT_TOOLS as readonly string[]).includes(toolName)) return null;
  return pathInWorkspace(workspace, filePath);
}
