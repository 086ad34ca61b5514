import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { README, renderResources, renderTools, updateReadme } from '../../scripts/gen-tool-docs.js';
import { RESOURCES } from '../../src/mcp/resources/index.js';
import { toolsFor } from '../../src/mcp/tools/index.js';

describe('README tool and resource tables', () => {
  it('are up to date with the definitions (run `npm run docs:tools` after changing a tool or resource)', () => {
    const readme = readFileSync(README, 'utf8');
    expect(readme).toContain('<!-- tools:start -->');
    expect(readme).toContain('<!-- resources:start -->');
    expect(updateReadme(readme), 'README.md is stale: run `npm run docs:tools`').toBe(readme);
  });

  it('name every tool of both toolsets and every resource', () => {
    const tools = renderTools();
    for (const tool of toolsFor('operator')) expect(tools).toContain(`| \`${tool.name}\` |`);
    const resources = renderResources();
    for (const r of RESOURCES) expect(resources).toContain(`\`${'uri' in r ? r.uri : r.template}\``);
  });

  it('regenerate idempotently, and add the sections to a README without markers', () => {
    const bare = '# fleetdeck\n\nSome text.\n';
    const once = updateReadme(bare);
    expect(once.startsWith(bare)).toBe(true);
    expect(once).toMatch(/## Tools\n\n<!-- tools:start -->[\s\S]*<!-- tools:end -->\n\n## Resources\n\n<!-- resources:start -->/);
    expect(updateReadme(once)).toBe(once);
  });
});
