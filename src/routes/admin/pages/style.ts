// The admin pages' only stylesheet, inline. The Content-Security-Policy allows exactly this text by its
// SHA-256 hash (layout.tsx): no 'unsafe-inline'. A hash does not cover style="" attributes, so the pages use
// none; the charts are coloured through classes, which also lets them follow the dark colour scheme.

export const css = `
:root { color-scheme: light dark; --bg: #f3f5f8; --card: #fff; --fg: #1d2330; --muted: #5b6475; --line: #d5dbe4;
  --grid: #e6eaf0; --link: #0b5cad; --alert-bg: #fdecea; --alert-fg: #8c1d18; --alert-line: #e3a29d;
  --c-logins: #0b5cad; --c-registrations: #a34a00; --c-reservations: #7b2d8e;
  --s2: #1f7a3d; --s3: #0b5cad; --s4: #a35f00; --s5: #b3261e; }
@media (prefers-color-scheme: dark) {
  :root { --bg: #101318; --card: #181c23; --fg: #e4e8ef; --muted: #a3acbb; --line: #333a46; --grid: #272d37;
    --link: #7ab4ff; --alert-bg: #3a1a18; --alert-fg: #ffd4cf; --alert-line: #8c3a33;
    --c-logins: #7ab4ff; --c-registrations: #f4a259; --c-reservations: #d69ae6;
    --s2: #5cc98a; --s3: #7ab4ff; --s4: #e8b04a; --s5: #ff8a80; }
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; background: var(--bg); color: var(--fg);
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
a { color: var(--link); }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; font-size: .9em; }
h1, h2, h3 { line-height: 1.25; }
.top { display: flex; flex-wrap: wrap; gap: .5rem 1.5rem; align-items: center; justify-content: space-between;
  padding: .75rem clamp(.75rem, 3vw, 2rem); background: var(--card); border-bottom: 1px solid var(--line); }
.top h1 { margin: 0; font-size: 1.3rem; }
.who { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: center; color: var(--muted); }
.who strong { color: var(--fg); }
button { font: inherit; padding: .45rem 1rem; border-radius: 6px; border: 1px solid var(--line); background: var(--card);
  color: var(--fg); cursor: pointer; }
button.primary { background: var(--link); border-color: var(--link); color: #fff; font-weight: 600; width: 100%; }
@media (prefers-color-scheme: dark) { button.primary { color: #101318; } }
button:focus-visible, input:focus-visible, summary:focus-visible, .scroll:focus-visible { outline: 3px solid var(--link); outline-offset: 2px; }
main { padding: 1rem clamp(.75rem, 3vw, 2rem) 3rem; max-width: 90rem; margin: 0 auto; }
.alert { background: var(--alert-bg); color: var(--alert-fg); border: 1px solid var(--alert-line); border-radius: 8px;
  padding: .75rem 1rem; margin: 0 0 1rem; }
.alert strong { display: block; }
.alert p { margin: .25rem 0 0; }
.meta { color: var(--muted); margin: 0 0 1rem; }
.panel { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 1rem clamp(.75rem, 2vw, 1.25rem);
  margin: 0 0 1rem; min-width: 0; }
.panel h2 { margin: 0 0 .75rem; font-size: 1.1rem; }
.panel h3 { margin: 1rem 0 .5rem; font-size: .95rem; }
.note { color: var(--muted); font-size: .9rem; margin: .5rem 0 0; }
.unavailable { color: var(--alert-fg); background: var(--alert-bg); border-radius: 6px; padding: .5rem .75rem; margin: 0; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(10.5rem, 1fr)); gap: .75rem; margin: 0 0 1rem; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: .75rem 1rem; }
.card dt { color: var(--muted); font-size: .85rem; }
.card dd { margin: .15rem 0 0; font-size: 1.6rem; font-weight: 650; font-variant-numeric: tabular-nums; }
.card dd.na, .card dd.none { font-size: 1rem; font-weight: 500; color: var(--alert-fg); }
.card dd.none { color: var(--muted); }
.card dd.long { font-size: 1.25rem; } .card dd.longer { font-size: 1.05rem; }
.columns { display: grid; grid-template-columns: minmax(0, 1fr); gap: 0 1rem; }
@media (min-width: 60rem) { .columns { grid-template-columns: repeat(2, minmax(0, 1fr)); } }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
caption { text-align: left; color: var(--muted); font-size: .85rem; padding-bottom: .35rem; }
th, td { padding: .4rem .6rem; border-bottom: 1px solid var(--line); text-align: left; white-space: nowrap; }
th { font-size: .85rem; color: var(--muted); font-weight: 600; }
td.num, th.num { text-align: right; }
td.endpoint, td.ns { white-space: normal; overflow-wrap: anywhere; min-width: 12rem; }
.facts { display: grid; grid-template-columns: repeat(auto-fill, minmax(12rem, 1fr)); gap: .5rem 1rem; margin: 0; }
.facts div { border-bottom: 1px solid var(--grid); padding: .25rem 0; }
.facts dt { color: var(--muted); font-size: .85rem; }
.facts dd { margin: 0; font-weight: 600; font-variant-numeric: tabular-nums; overflow-wrap: anywhere; }
details { margin-top: .75rem; }
summary { cursor: pointer; color: var(--link); }
.daily-layout { display: grid; grid-template-columns: minmax(0, 1fr); gap: .5rem 2rem; }
@media (min-width: 72rem) { .daily-layout { grid-template-columns: minmax(0, 46rem) minmax(15rem, 1fr); } }
.series-summary { margin: 0; display: grid; grid-template-columns: repeat(auto-fill, minmax(13rem, 1fr)); gap: .5rem 1rem; }
.series-summary div { border-bottom: 1px solid var(--grid); padding: .35rem 0; }
.series-summary dt { font-weight: 600; display: flex; align-items: center; gap: .5rem; }
.series-summary dd { margin: 0; font-variant-numeric: tabular-nums; }
.series-summary .sub { display: block; color: var(--muted); font-size: .9rem; }
.swatch { display: inline-block; width: 1.75rem; border-top: 3px solid; }
.swatch.logins { border-color: var(--c-logins); } .swatch.registrations { border-top-style: dashed; border-color: var(--c-registrations); }
.swatch.reservations { border-top-style: dotted; border-color: var(--c-reservations); }
/* The charts scale with their box (viewBox, width 100%). Text in SVG scales with them, so where a chart is
   drawn small its text gets more of the chart's units (a container query on the chart's own width): the
   charts' layout leaves room for the largest of these sizes. */
.chart { overflow-x: auto; container-type: inline-size; }
.chart svg { display: block; width: 100%; height: auto; min-width: 18rem; }
.chart-daily svg { max-width: 46rem; }
.chart-codes svg { max-width: 30rem; }
svg text { fill: var(--fg); font: 12px system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; }
svg .axis-label { fill: var(--muted); font-size: 11px; }
svg .gridline { stroke: var(--grid); stroke-width: 1; }
svg .axis { stroke: var(--muted); stroke-width: 1; }
svg .empty { fill: var(--muted); font-size: 14px; }
svg .legend text { font-size: 12.5px; }
svg .value-label { font-size: 11.5px; font-weight: 650; paint-order: stroke; stroke: var(--card); stroke-width: 3px; stroke-linejoin: round; }
svg .series { fill: none; stroke-width: 2.25; stroke-linejoin: round; stroke-linecap: round; }
.logins { stroke: var(--c-logins); } .registrations { stroke: var(--c-registrations); } .reservations { stroke: var(--c-reservations); }
circle.logins, text.logins { fill: var(--c-logins); } circle.registrations, text.registrations { fill: var(--c-registrations); }
circle.reservations, text.reservations { fill: var(--c-reservations); }
circle.zero { fill: var(--card); stroke-width: 1.5; }
.occupied { stroke: var(--c-logins); } circle.occupied { fill: var(--c-logins); } .capacity.series { stroke: var(--muted); stroke-dasharray: 5 4; stroke-width: 1.5; }
svg .occupancy-band { fill: var(--c-logins); fill-opacity: .15; stroke: none; }
.registrations.series { stroke-dasharray: 7 4; } .reservations.series { stroke-dasharray: 2 3; }
.bar-2 { fill: var(--s2); } .bar-3 { fill: var(--s3); } .bar-4 { fill: var(--s4); } .bar-5 { fill: var(--s5); } .bar-x { fill: var(--muted); }
svg .status { font-weight: 650; font-size: 13px; }
svg .count { font-size: 13px; }
@container (max-width: 42rem) {
  .chart-daily svg .axis-label, .chart-daily svg .value-label { font-size: 14px; } .chart-daily svg .legend text { font-size: 15px; }
}
@container (max-width: 30rem) {
  .chart-daily svg .axis-label, .chart-daily svg .value-label { font-size: 19px; } .chart-daily svg .legend text { font-size: 20px; }
  .chart-daily svg .empty { font-size: 20px; } .chart-daily svg .series { stroke-width: 3; }
}
@container (max-width: 26rem) { .chart-codes svg text { font-size: 16px; } }
.sign-in { max-width: 25rem; margin: 8vh auto 3rem; padding: 0 1rem; }
.sign-in .panel { padding: 1.5rem; }
.sign-in h1 { font-size: 1.35rem; margin: 0 0 .25rem; }
label { display: block; font-weight: 600; margin: .9rem 0 .3rem; }
input[type=email], input[type=password], input[type=number] { width: 100%; font: inherit; padding: .5rem .6rem; border-radius: 6px;
  border: 1px solid var(--muted); background: var(--bg); color: var(--fg); }
form#sign-in button { margin-top: 1.25rem; }
form#occupancy-lot { display: flex; gap: .5rem; align-items: center; flex-wrap: wrap; } form#occupancy-lot label { margin: 0; } form#occupancy-lot input { width: 8rem; }
.sign-in form#sign-out { margin-top: 1rem; }
.error { color: var(--alert-fg); background: var(--alert-bg); border: 1px solid var(--alert-line); border-radius: 6px;
  padding: .5rem .75rem; margin: .75rem 0 0; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
@media (max-width: 30rem) { body { font-size: 14px; } .card dd { font-size: 1.35rem; } th, td { padding: .35rem .45rem; } }
`;
