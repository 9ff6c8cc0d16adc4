// The reference page's only stylesheet, inline. The Content-Security-Policy allows exactly this text by its
// SHA-256 hash, so the page needs no 'unsafe-inline' and nothing else can style or script it.
export const css = `
:root { color-scheme: light dark; --bg: #fff; --fg: #1d2330; --muted: #5b6475; --line: #dde2ea; --soft: #f4f6f9;
  --link: #0b5cad; --get: #1f7a3d; --post: #0b5cad; --patch: #8a5a00; --put: #8a5a00; --delete: #b3261e; --ok: #1f7a3d; --err: #b3261e; }
@media (prefers-color-scheme: dark) {
  :root { --bg: #14171c; --fg: #e4e8ef; --muted: #9aa3b2; --line: #2c323c; --soft: #1c2027;
    --link: #7ab4ff; --get: #5cc98a; --post: #7ab4ff; --patch: #e0b050; --put: #e0b050; --delete: #ff8a80; --ok: #5cc98a; --err: #ff8a80; }
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; background: var(--bg); color: var(--fg); line-height: 1.5;
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
a { color: var(--link); }
code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; font-size: .9em;
  background: var(--soft); border: 1px solid var(--line); border-radius: 4px; padding: 0 .3em; overflow-wrap: anywhere; }
h1, h2, h3, h4 { line-height: 1.25; }
.top { padding: 1rem 1.25rem; border-bottom: 1px solid var(--line); }
.top h1 { margin: 0; font-size: 1.5rem; }
.top p { margin: .25rem 0 0; color: var(--muted); }
.version { font-size: .9rem; font-weight: normal; color: var(--muted); }
.layout { display: block; }
.toc { padding: .75rem 1.25rem; border-bottom: 1px solid var(--line); font-size: .9rem; }
.toc h2 { font-size: 1rem; margin: 0 0 .5rem; }
.toc ul { list-style: none; margin: 0; padding: 0; }
.toc ul ul { padding-left: .75rem; margin-bottom: .5rem; }
.toc a { text-decoration: none; display: flex; gap: .4rem; align-items: baseline; padding: .1rem 0; overflow-wrap: anywhere; }
.toc .m { flex: none; }
main { padding: 0 1.25rem 3rem; max-width: 60rem; min-width: 0; }
section.tag > h2, #schemas > h2, #introduction > h2 { margin-top: 2.5rem; padding-bottom: .3rem; border-bottom: 2px solid var(--line); }
.op, .component { border: 1px solid var(--line); border-radius: 8px; padding: .75rem 1rem; margin: 1.25rem 0; }
.op h3, .component h3 { margin: 0 0 .4rem; font-size: 1.05rem; display: flex; flex-wrap: wrap; gap: .5rem; align-items: baseline; }
.op h3 .path { font-size: 1rem; background: none; border: 0; padding: 0; }
.op h4 { margin: 1rem 0 .4rem; font-size: .85rem; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); }
.m { display: inline-block; min-width: 4.2rem; text-align: center; font: bold .8rem/1.6 ui-monospace, monospace;
  color: #fff; border-radius: 4px; padding: 0 .4rem; }
.m-get { background: var(--get); } .m-post { background: var(--post); } .m-patch, .m-put { background: var(--patch); }
.m-delete { background: var(--delete); }
@media (prefers-color-scheme: dark) { .m { color: #14171c; } }
.summary { margin: .2rem 0; font-weight: 600; }
.auth { margin: .4rem 0; color: var(--muted); }
.auth strong { color: var(--fg); }
.md p { margin: .4rem 0; }
.fields, .params, .responses, .alts { list-style: none; margin: .25rem 0; padding: 0; }
.fields .fields, .alts { margin-left: .9rem; padding-left: .75rem; border-left: 2px solid var(--line); }
.fields > li, .params > li, .responses > li, .alts > li { padding: .35rem 0; border-top: 1px solid var(--line); }
.fields > li:first-child, .params > li:first-child, .responses > li:first-child, .alts > li:first-child { border-top: 0; }
.field-head { display: flex; flex-wrap: wrap; gap: .35rem .6rem; align-items: baseline; }
.name { font-weight: 600; }
.type { color: var(--muted); font-family: ui-monospace, monospace; font-size: .85rem; overflow-wrap: anywhere; }
.req { color: var(--err); font-size: .75rem; text-transform: uppercase; letter-spacing: .03em; }
.opt, .in, .label, .note, .media { color: var(--muted); font-size: .8rem; }
.rules { display: flex; flex-wrap: wrap; gap: .3rem; margin: .2rem 0; }
.rules code { font-size: .78rem; }
.desc { margin: .2rem 0; }
.schema-type { font-family: ui-monospace, monospace; font-size: .85rem; color: var(--muted); }
.items { margin-left: .9rem; }
.status { font: bold .9rem ui-monospace, monospace; margin-right: .4rem; }
.s2 { color: var(--ok); } .s4, .s5 { color: var(--err); } .s1, .s3 { color: var(--muted); }
@media (max-width: 30rem) { .op, .component { padding: .6rem .7rem; } main { padding: 0 .75rem 3rem; } }
@media (min-width: 64rem) {
  .layout { display: grid; grid-template-columns: 21rem minmax(0, 1fr); }
  .toc { position: sticky; top: 0; align-self: start; max-height: 100vh; overflow-y: auto; border-bottom: 0;
    border-right: 1px solid var(--line); padding-top: 1.25rem; }
  main { padding: 0 2rem 4rem; }
}
@media print { .toc { display: none; } .op, .component { break-inside: avoid; } }
`;
