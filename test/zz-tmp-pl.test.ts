import { it } from 'vitest';
import { connectClient, openTestApp } from '/work/main/test/helpers/app.js';
it('x', async () => {
  const t = await openTestApp();
  const c = await connectClient(t.app);
  try { console.log('PROMPTS', JSON.stringify(await c.client.listPrompts())); } catch (e) { console.log('PROMPTS ERR', (e as Error).message); }
  console.log('CAPS', JSON.stringify(c.client.getServerCapabilities()));
  await c.close(); t.close();
});
