import { describe, expect, it } from 'vitest';
import { ASSETS } from '../../src/console/assets/index.js';
import { html, raw } from '../../src/console/views/html.js';
import { chart } from '../../src/console/views/charts.js';

describe('console assets and HTML building', () => {
  it('ships a script that parses and a stylesheet with light and dark themes, nothing from elsewhere', () => {
    const js = ASSETS['/static/console.js']!;
    const css = ASSETS['/static/console.css']!;
    expect(() => new Function(js.body)).not.toThrow();
    expect(css.body).toContain('prefers-color-scheme: dark');
    for (const a of [js, css]) {
      expect(a.body).not.toMatch(/https?:\/\//);
      expect(a.etag).toMatch(/^"[A-Za-z0-9_-]{16}"$/);
    }
  });

  it('escapes every interpolated value unless it is already HTML', () => {
    const evil = `<img src=x onerror="alert(1)">'&`;
    expect(html`<p title="${evil}">${evil}</p>`.text).toBe('<p title="&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&#39;&amp;">&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&#39;&amp;</p>');
    expect(html`<ul>${['a<', 'b'].map((x) => html`<li>${x}</li>`)}</ul>`.text).toBe('<ul><li>a&lt;</li><li>b</li></ul>');
    expect(html`${null}${undefined}${false}${0}`.text).toBe('0');
    expect(html`${raw('<b>ok</b>')}`.text).toBe('<b>ok</b>');
  });

  it('draws charts from numbers only, with an escaped accessible title', () => {
    const svg = chart([1, null, 3, 0], { title: 'rate <per> hour' }).text;
    expect(svg).toContain('aria-label="rate &lt;per&gt; hour"');
    expect(svg.match(/<rect /g)).toHaveLength(2); // gaps for null and zero
    expect(chart([null, null], { title: 'empty', kind: 'line' }).text).toContain('<path class="line" d=""/>');
  });
});
