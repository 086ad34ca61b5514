/** The console's stylesheet (served as /static/console.css): system fonts, light and dark, no external asset. */
export const CONSOLE_CSS = String.raw`
:root {
  color-scheme: light dark;
  --bg: #f7f7f5; --panel: #ffffff; --fg: #1c1d1f; --muted: #5b6068; --line: #d9dbdf; --accent: #0b5cad; --accent-fg: #ffffff;
  --ok: #1e6b34; --ok-bg: #dcf2e2; --warn: #7a4b00; --warn-bg: #fcecc8; --bad: #9b1c1c; --bad-bg: #fbe0e0; --info: #1d4f8a; --info-bg: #dde9f8;
  --mono: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #141517; --panel: #1d1f22; --fg: #e6e7e9; --muted: #a0a5ad; --line: #34373c; --accent: #6cb2ff; --accent-fg: #0d1117;
    --ok: #8fdca3; --ok-bg: #1b3a24; --warn: #f2c46b; --warn-bg: #3d2f12; --bad: #ff9c9c; --bad-bg: #4a1c1c; --info: #a9cbff; --info-bg: #1c2f4a;
  }
}
* { box-sizing: border-box; }
html { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Liberation Sans", sans-serif; }
body { margin: 0; background: var(--bg); color: var(--fg); }
a { color: var(--accent); }
code, pre { font-family: var(--mono); font-size: 0.88em; }
pre.text { white-space: pre-wrap; word-break: break-word; background: var(--bg); border: 1px solid var(--line); padding: .6rem; border-radius: 6px; max-height: 28rem; overflow: auto; }
:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
.skip { position: absolute; left: -999px; top: .5rem; background: var(--panel); padding: .4rem .8rem; z-index: 10; }
.skip:focus { left: .5rem; }
[hidden] { display: none !important; }
.sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
header.top { display: flex; flex-wrap: wrap; align-items: center; gap: .5rem 1.25rem; padding: .5rem 1.25rem; background: var(--panel); border-bottom: 1px solid var(--line); position: sticky; top: 0; z-index: 5; }
.brand { font-weight: 700; letter-spacing: .02em; color: var(--fg); text-decoration: none; }
header nav ul { display: flex; flex-wrap: wrap; gap: .15rem; list-style: none; margin: 0; padding: 0; }
header nav a { display: block; padding: .35rem .65rem; border-radius: 6px; text-decoration: none; color: var(--fg); }
header nav a:hover { background: var(--bg); }
header nav a[aria-current="page"] { background: var(--accent); color: var(--accent-fg); }
.who { margin-left: auto; display: flex; align-items: center; gap: .75rem; color: var(--muted); font-size: .9rem; }
.live-status::before { content: ""; display: inline-block; width: .55rem; height: .55rem; border-radius: 50%; background: var(--muted); margin-right: .35rem; }
.live-status[data-state="live"]::before { background: var(--ok); }
.live-status[data-state="paused"]::before { background: var(--warn); }
main { padding: 1rem 1.25rem 3rem; max-width: 1600px; margin: 0 auto; }
main:focus { outline: none; }
h1 { font-size: 1.45rem; margin: .4rem 0 .8rem; word-break: break-word; }
h2 { font-size: 1.08rem; margin: 1.4rem 0 .5rem; }
h3 { font-size: 1rem; margin: .6rem 0 .3rem; }
h4 { font-size: .92rem; margin: .5rem 0 .2rem; }
section, article { min-width: 0; }
.meta { color: var(--muted); font-size: .88rem; }
.id { color: var(--muted); overflow-wrap: break-word; }
.hash { color: var(--muted); word-break: break-all; }
.empty { color: var(--muted); font-style: italic; }
.notice, .error { padding: .5rem .75rem; border-radius: 6px; margin: .25rem 0 .75rem; }
.notice { background: var(--ok-bg); color: var(--ok); }
.error { background: var(--bad-bg); color: var(--bad); }
table { border-collapse: collapse; width: 100%; background: var(--panel); border: 1px solid var(--line); border-radius: 6px; }
th, td { text-align: left; padding: .4rem .55rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-size: .82rem; text-transform: uppercase; overflow-wrap: break-word; letter-spacing: .03em; color: var(--muted); font-weight: 600; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.wrap, td.payload { overflow-wrap: break-word; }
td.payload code { font-size: .8rem; word-break: break-all; }
table.events time { white-space: nowrap; }
/* fixed layout: the browser sizes columns from the first row, not by measuring 50 rows first */
table.events { table-layout: fixed; }
table.events th:nth-child(1) { width: 4.5rem; }
table.events th:nth-child(2) { width: 13rem; }
table.events th:nth-child(3) { width: 12rem; }
table.events th:nth-child(4) { width: 12rem; }
table.events th:nth-child(5) { width: 13rem; }
table.events td { overflow-wrap: anywhere; }
.table-wrap { overflow-x: auto; }
.badge { display: inline-block; padding: .05rem .45rem; border-radius: 999px; font-size: .78rem; font-weight: 600; background: var(--info-bg); color: var(--info); white-space: nowrap; }
.b-active, .b-completed, .b-leased { background: var(--ok-bg); color: var(--ok); }
.b-stale, .b-paused, .b-blocked, .b-handoff_pending, .b-queued { background: var(--warn-bg); color: var(--warn); }
.b-failed, .b-dead, .b-cancelled { background: var(--bad-bg); color: var(--bad); }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(11rem, 1fr)); gap: .75rem; }
.card { display: flex; flex-direction: column; padding: .75rem 1rem; background: var(--panel); border: 1px solid var(--line); border-radius: 8px; color: var(--fg); text-decoration: none; }
a.card:hover { border-color: var(--accent); }
.figure { font-size: 1.8rem; font-weight: 700; font-variant-numeric: tabular-nums; }
.label { font-weight: 600; }
.sub { color: var(--muted); font-size: .85rem; }
.grid2 { display: grid; grid-template-columns: repeat(auto-fit, minmax(22rem, 1fr)); gap: 0 1.5rem; }
ul.waiting, ul.plain, ul.evidence { list-style: none; padding: 0; margin: 0; }
ul.waiting li, ul.plain li, ul.evidence li { padding: .45rem .6rem; background: var(--panel); border: 1px solid var(--line); border-radius: 6px; margin-bottom: .4rem; }
.board { display: grid; grid-template-columns: repeat(auto-fill, minmax(15rem, 1fr)); gap: .75rem; align-items: start; }
.column { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: .25rem .6rem .6rem; }
.column h2 { margin: .5rem 0; font-size: .95rem; }
.column ul { list-style: none; margin: 0; padding: 0; }
.run-card { display: flex; flex-direction: column; gap: .1rem; padding: .45rem .5rem; border: 1px solid var(--line); border-radius: 6px; margin-bottom: .4rem; background: var(--bg); word-break: break-word; }
.count { color: var(--muted); font-weight: 400; }
form.filters { display: flex; flex-wrap: wrap; gap: .5rem .9rem; align-items: end; padding: .6rem .75rem; background: var(--panel); border: 1px solid var(--line); border-radius: 8px; margin-bottom: .9rem; }
form.filters label, .decide label { display: flex; flex-direction: column; font-size: .85rem; color: var(--muted); gap: .15rem; }
input, select, textarea, button { font: inherit; color: var(--fg); background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: .3rem .5rem; }
textarea { width: 100%; resize: vertical; }
button { cursor: pointer; background: var(--bg); font-weight: 600; }
button:hover { border-color: var(--accent); }
button.primary { background: var(--accent); color: var(--accent-fg); border-color: var(--accent); }
button.danger { color: var(--bad); }
button.primary.danger { background: var(--bad); color: var(--bg); border-color: var(--bad); }
button.link { background: none; border: none; color: var(--accent); padding: 0; text-decoration: underline; font-weight: 400; }
button:disabled { opacity: .6; cursor: progress; }
form.inline, form.action { display: inline; }
td.row-actions { white-space: nowrap; }
td.row-actions form + form { margin-left: .3rem; }
.action-row { display: flex; flex-wrap: wrap; gap: .75rem 1.5rem; align-items: end; }
.action-row form { display: flex; flex-wrap: wrap; gap: .4rem; align-items: end; padding: .5rem .6rem; background: var(--panel); border: 1px solid var(--line); border-radius: 8px; }
.action-row label { display: flex; flex-direction: column; font-size: .85rem; color: var(--muted); }
.blocker, .handoff { background: var(--panel); border: 1px solid var(--line); border-left: 4px solid var(--warn); border-radius: 8px; padding: .6rem .9rem; margin-bottom: .9rem; }
.handoff { border-left-color: var(--info); }
.blocker h3 { font-size: 1.05rem; }
form.decision { display: block; margin-top: .5rem; }
.decide { display: flex; flex-wrap: wrap; gap: .5rem .9rem; align-items: end; }
.decide .grow { flex: 1 1 18rem; }
.buttons { display: flex; flex-wrap: wrap; gap: .4rem; margin-top: .5rem; }
.option { background: var(--bg); border: 1px solid var(--line); border-radius: 4px; padding: 0 .3rem; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; margin: .5rem 0; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; word-break: break-word; }
ol.timeline { list-style: none; padding: 0; margin: 0; border-left: 2px solid var(--line); }
ol.timeline li { padding: .2rem 0 .2rem .75rem; word-break: break-word; }
ol.timeline time { color: var(--muted); font-family: var(--mono); font-size: .8rem; }
.charts { display: flex; flex-wrap: wrap; gap: 1rem; }
figure { margin: 0; padding: .5rem .75rem; background: var(--panel); border: 1px solid var(--line); border-radius: 8px; }
figcaption { font-size: .85rem; font-weight: 600; margin-bottom: .25rem; }
svg.chart { display: block; max-width: 100%; height: auto; color: var(--accent); }
svg.chart .bar { fill: currentColor; opacity: .8; }
svg.chart .line { fill: none; stroke: currentColor; stroke-width: 1.8; }
svg.chart .dot { fill: currentColor; }
svg.chart .axis { stroke: var(--line); }
svg.chart .axis-label { fill: var(--muted); font-size: 10px; font-family: system-ui, sans-serif; }
.chain { display: flex; gap: .5rem; align-items: baseline; flex-wrap: wrap; }
nav.pager { display: flex; flex-wrap: wrap; gap: .3rem 1rem; align-items: baseline; margin: .4rem 0 .6rem; }
.bulk { margin: 0 0 .75rem; }
.bulk form { display: flex; flex-wrap: wrap; gap: .5rem; align-items: center; }
output.result { display: inline-block; margin-left: .4rem; font-size: .85rem; max-width: 28rem; overflow-wrap: anywhere; vertical-align: middle; }
output.result:empty { display: none; }
output.result[data-state="ok"] { color: var(--ok); }
output.result[data-state="error"] { color: var(--bad); font-weight: 600; }
form.decision output.result { display: block; margin: .4rem 0 0; max-width: none; }
td.row-actions output.result { display: block; white-space: normal; margin: .25rem 0 0; max-width: 16rem; }
.old-note { font-style: italic; opacity: .75; }
.old-note::before { content: "earlier: "; }
label.check { flex-direction: row !important; align-items: center; gap: .3rem !important; }
dl.kv { margin: 0; display: flex; flex-wrap: wrap; gap: .1rem .8rem; font-size: .82rem; }
dl.kv div { display: flex; gap: .3rem; min-width: 0; }
dl.kv dt { color: var(--muted); }
dl.kv dd { margin: 0; overflow-wrap: anywhere; }
details.json summary { font-size: .8rem; color: var(--muted); cursor: pointer; }
details.json pre { white-space: pre-wrap; overflow-wrap: anywhere; font-size: .78rem; max-height: 16rem; overflow: auto; margin: .2rem 0 0; }
.board.single { grid-template-columns: 1fr; }
.md { overflow-wrap: anywhere; }
.md > :first-child { margin-top: 0; }
.md pre { white-space: pre-wrap; background: var(--bg); border: 1px solid var(--line); padding: .5rem; border-radius: 6px; }
.md code { background: var(--bg); padding: 0 .2rem; border-radius: 3px; }
.wrap-any { overflow-wrap: anywhere; }
dialog#confirm { border: 1px solid var(--line); border-radius: 10px; padding: 1rem 1.25rem; background: var(--panel); color: var(--fg); max-width: min(32rem, 92vw); }
dialog#confirm::backdrop { background: rgb(0 0 0 / .45); }
dialog#confirm h2 { margin-top: 0; }
dialog#confirm input { width: 100%; }
body.center { display: grid; place-items: center; min-height: 100vh; }
main.signin { width: min(26rem, 92vw); background: var(--panel); border: 1px solid var(--line); border-radius: 10px; padding: 1.5rem; }
form.stack { display: flex; flex-direction: column; gap: .5rem; }
@media (max-width: 720px) {
  html { font-size: 14px; }
  header.top { position: static; padding: .5rem .75rem; }
  .who { margin-left: 0; width: 100%; }
  main { padding: .75rem .75rem 2rem; }
  .grid2 { grid-template-columns: 1fr; }
  table.agents th:nth-child(3), table.agents td:nth-child(3) { display: none; }
  /* tables become stacked cards: no sideways scroll on a phone */
  table.agents, table.claims, table.events { border: none; background: none; }
  table.agents thead, table.claims thead, table.events thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
  table.agents tr, table.claims tr, table.events tr { display: block; background: var(--panel); border: 1px solid var(--line); border-radius: 8px; margin-bottom: .6rem; padding: .3rem .2rem; }
  table.agents td, table.claims td, table.events td { display: block; border: none; padding: .15rem .55rem; }
  td.num { text-align: left; }
  td.row-actions { white-space: normal; }
  select, input { max-width: 100%; }
  .decide label, .decide select { max-width: 100%; min-width: 0; }
  .decide .grow { flex-basis: 100%; }
  form.filters label { max-width: 100%; }
  form.filters input { width: 100%; }
  .board { grid-template-columns: 1fr; }
  dl.facts { grid-template-columns: 1fr; }
  .action-row form { width: 100%; }
  /* stacked cells keep their column's name */
  table.agents td:nth-child(2)::before { content: "Role: "; color: var(--muted); font-size: .8rem; }
  table.agents td:nth-child(3)::before { content: "Workspace: "; color: var(--muted); font-size: .8rem; }
  table.agents td:nth-child(4)::before { content: "Liveness: "; color: var(--muted); font-size: .8rem; }
  table.agents td:nth-child(5)::before { content: "Status: "; color: var(--muted); font-size: .8rem; }
  table.agents td:nth-child(6)::before { content: "Current run: "; color: var(--muted); font-size: .8rem; }
  table.agents td:nth-child(7)::before { content: "Claims: "; color: var(--muted); font-size: .8rem; }
  table.agents td:nth-child(8)::before { content: "Usage: "; color: var(--muted); font-size: .8rem; }
  table.agents td:nth-child(9)::before { content: "Last seen: "; color: var(--muted); font-size: .8rem; }
  table.claims td:nth-child(1)::before { content: "Scope: "; color: var(--muted); font-size: .8rem; }
  table.claims td:nth-child(2)::before { content: "Mode: "; color: var(--muted); font-size: .8rem; }
  table.claims td:nth-child(3)::before { content: "Holder: "; color: var(--muted); font-size: .8rem; }
  table.claims td:nth-child(4)::before { content: "Run: "; color: var(--muted); font-size: .8rem; }
  table.claims td:nth-child(5)::before { content: "Since: "; color: var(--muted); font-size: .8rem; }
  table.claims td:nth-child(6)::before { content: "Expires: "; color: var(--muted); font-size: .8rem; }
  table.claims td:nth-child(7)::before { content: "Reason: "; color: var(--muted); font-size: .8rem; }
}
.action-row form, .action-row label, .decide label { max-width: 100%; min-width: 0; }
.action-row select, .decide select { width: 100%; }
select { max-width: 100%; text-overflow: ellipsis; }
`;
