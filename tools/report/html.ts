// The report as one self-contained HTML page: no network, no external files. Tables sort
// when a header is clicked (and on load from the address: #sort=TABLE:COLUMN:asc|desc);
// an SVG chart shows where the module's bytes go.
import type { Report } from './report.js';

const esc = (s: string | number | null | undefined) =>
  String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const fmt = (n: number) => n.toLocaleString('en-US');

interface Column<T> {
  key: string;
  title: string;
  value: (r: T) => string | number | null;
  /** cell HTML when it is not the escaped value */
  html?: (r: T) => string;
  numeric?: boolean;
}

function table<T>(id: string, rows: T[], cols: Column<T>[], caption: string): string {
  const head = cols.map((c) => `<th data-key="${c.key}"${c.numeric ? ' data-numeric="1"' : ''} title="sort by ${esc(c.title)}">${esc(c.title)}</th>`).join('');
  const body = rows
    .map(
      (r) =>
        '<tr>' +
        cols
          .map((c) => {
            const v = c.value(r);
            return `<td data-v="${esc(v)}"${c.numeric ? ' class="n"' : ''}>${c.html ? c.html(r) : esc(typeof v === 'number' && c.numeric ? fmt(v) : v)}</td>`;
          })
          .join('') +
        '</tr>',
    )
    .join('\n');
  return `<table id="${id}" class="sortable"><caption>${esc(caption)}</caption><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

const PALETTE = ['#3b6ea5', '#e08a2c', '#5a9e4b', '#b84a4a', '#7e62a8', '#8c6d46', '#c66fb0', '#7f7f7f', '#b5b83a'];

/** horizontal bars, one per item, labelled with name, bytes and share */
function barChart(id: string, items: { label: string; bytes: number }[], total: number): string {
  const width = 800;
  const labelW = 270;
  const row = 22;
  const max = Math.max(1, ...items.map((i) => i.bytes));
  const bars = items
    .map((it, k) => {
      const w = Math.max(1, Math.round(((width - labelW - 170) * it.bytes) / max));
      const y = k * row;
      const pct = total ? ((100 * it.bytes) / total).toFixed(1) : '0';
      return (
        `<g class="bar"><title>${esc(it.label)}: ${fmt(it.bytes)} bytes (${pct}%)</title>` +
        `<text x="${labelW - 6}" y="${y + 15}" text-anchor="end">${esc(it.label.length > 38 ? `${it.label.slice(0, 37)}…` : it.label)}</text>` +
        `<rect x="${labelW}" y="${y + 3}" width="${w}" height="${row - 6}" fill="${PALETTE[k % PALETTE.length]}"></rect>` +
        `<text x="${labelW + w + 6}" y="${y + 15}">${fmt(it.bytes)} B · ${pct}%</text></g>`
      );
    })
    .join('');
  return `<svg id="${id}" role="img" width="${width}" height="${items.length * row + 4}" viewBox="0 0 ${width} ${items.length * row + 4}">${bars}</svg>`;
}

const SORT_SCRIPT = `
(function () {
  function sortTable(table, key, dir) {
    var ths = table.tHead.rows[0].cells, col = -1, numeric = false;
    for (var i = 0; i < ths.length; i++) if (ths[i].getAttribute('data-key') === key) { col = i; numeric = ths[i].hasAttribute('data-numeric'); }
    if (col < 0) return;
    var body = table.tBodies[0], rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = a.cells[col].getAttribute('data-v'), y = b.cells[col].getAttribute('data-v');
      var c = numeric ? (parseFloat(x) || 0) - (parseFloat(y) || 0) : x.localeCompare(y, 'en', { numeric: true });
      return dir === 'desc' ? -c : c;
    });
    rows.forEach(function (r) { body.appendChild(r); });
    for (var k = 0; k < ths.length; k++) ths[k].removeAttribute('aria-sort');
    ths[col].setAttribute('aria-sort', dir === 'desc' ? 'descending' : 'ascending');
  }
  document.querySelectorAll('table.sortable th').forEach(function (th) {
    th.addEventListener('click', function () {
      var table = th.closest('table');
      var dir = th.getAttribute('aria-sort') === 'ascending' ? 'desc' : 'asc';
      sortTable(table, th.getAttribute('data-key'), dir);
    });
  });
  var filter = document.getElementById('fn-filter');
  if (filter) filter.addEventListener('input', function () {
    var q = filter.value.toLowerCase();
    document.querySelectorAll('#functions tbody tr').forEach(function (r) { r.style.display = r.textContent.toLowerCase().indexOf(q) >= 0 ? '' : 'none'; });
  });
  var m = /sort=([\\w-]+):(\\w+):(asc|desc)/.exec(location.hash);
  if (m) { var t = document.getElementById(m[1]); if (t) sortTable(t, m[2], m[3]); }
  document.body.setAttribute('data-ready', '1');
})();
`;

const STYLE = `
body { font: 14px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 1200px; padding: 0 1em; color: #1d1d1f; }
h1 { font-size: 1.5em; margin-bottom: .2em; } h2 { margin-top: 2em; border-bottom: 1px solid #ddd; }
.sub { color: #555; } code, pre, .mono { font-family: ui-monospace, monospace; font-size: 12.5px; }
.cards { display: flex; flex-wrap: wrap; gap: .8em; margin: 1em 0; }
.card { border: 1px solid #ddd; border-radius: 6px; padding: .5em .9em; min-width: 9em; }
.card b { display: block; font-size: 1.35em; }
table { border-collapse: collapse; margin: .5em 0; width: 100%; }
caption { text-align: left; color: #555; padding: .3em 0; }
th, td { border-bottom: 1px solid #eee; padding: .25em .6em; text-align: left; vertical-align: top; }
th { cursor: pointer; background: #f6f6f6; position: sticky; top: 0; user-select: none; }
th[aria-sort=ascending]::after { content: ' ▲'; } th[aria-sort=descending]::after { content: ' ▼'; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
.p-vkernel { color: #1d5fa8; } .p-emulated { color: #3a7d2c; } .p-denied { color: #b33; font-weight: 600; } .p-wasi { color: #7e62a8; }
pre.listing { margin: 0; } pre.listing .site { background: #ffe9a8; }
svg text { font-size: 12px; fill: #1d1d1f; } input { font: inherit; padding: .2em .4em; }
`;

export function renderHtml(r: Report): string {
  const s = r.summary;
  const card = (v: string | number, label: string) => `<div class="card"><b>${esc(typeof v === 'number' ? fmt(v) : v)}</b>${esc(label)}</div>`;
  const byProvision = new Map<string, number>();
  for (const x of r.syscalls) byProvision.set(x.provided, (byProvision.get(x.provided) ?? 0) + 1);
  const top = [...r.functions].sort((a, b) => b.wasmBytes - a.wasmBytes || (a.entry < b.entry ? -1 : 1)).slice(0, 15);
  const m = r.manifest;
  const listing = (u: Report['unresolved'][number]) =>
    `<pre class="listing">${u.listing.map((l) => `<span${l.site ? ' class="site"' : ''}>${esc(l.address.padStart(10))}  ${esc(l.bytes.padEnd(22))}${esc(l.text)}</span>`).join('\n')}</pre>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>recomp report: ${esc(r.module.name)}</title>
<style>${STYLE}</style></head>
<body>
<h1>recomp report: <span id="module-name">${esc(r.module.name)}</span></h1>
<p class="sub">${esc(r.arch)} module, ${fmt(r.module.size)} bytes, sha256 <code>${esc(r.module.sha256)}</code>${
    m ? `<br>from <code>${esc(m.input.name)}</code> (${esc(m.input.linking)}, sha256 <code>${esc(m.input.sha256)}</code>) at -O${m.options.optimize} by recomp ${esc(m.toolchain.recomp)}, Node ${esc(m.toolchain.node)}, binaryen ${esc(m.toolchain.binaryen)}; trust level ${esc(m.trust)}` : '<br>no manifest beside the module'
  }</p>
<div class="cards" id="summary">
${card(s.functions, 'functions translated')}${card(s.recognised - s.recognisedBySignature, 'recognised by symbol')}${card(s.recognisedBySignature, 'recognised by signature')}${card(s.blocks, 'blocks')}${card(s.instructions, 'instructions')}
${card(`${s.coveragePercent}%`, 'of the code bytes reached')}${card(s.unresolved, 'unresolved indirect branches')}${card(s.faults, 'places that fault')}${card(s.syscalls, s.syscallsComplete ? 'syscalls (complete set)' : 'syscalls (set may be incomplete)')}
</div>

<h2>Where the bytes go</h2>
${barChart('size-chart', r.size.parts.map((p) => ({ label: p.part, bytes: p.bytes })), r.size.total)}
${table('size', r.size.parts, [
  { key: 'part', title: 'part', value: (p) => p.part },
  { key: 'bytes', title: 'bytes', value: (p) => p.bytes, numeric: true },
  { key: 'share', title: 'share %', value: (p) => Number(((100 * p.bytes) / Math.max(1, r.size.total)).toFixed(1)), numeric: true },
  { key: 'detail', title: 'what', value: (p) => p.detail },
], `${fmt(r.size.total)} bytes in all`)}
<h3>Largest functions (wasm bytes)</h3>
${barChart('functions-chart', top.map((f) => ({ label: f.name ?? `sub_${f.entry.slice(2)}`, bytes: f.wasmBytes })), r.size.total)}

<h2>Syscalls</h2>
<p>${[...byProvision].map(([k, n]) => `<span class="p-${esc(k)}">${esc(k)}</span>: ${n}`).join(' · ') || 'none'}. <b>vkernel</b>: done on the host through the vkernel, within what was granted; <b>emulated</b>: answered inside the vkernel, the host never sees it; <b>denied</b>: ENOSYS; <b>wasi</b>: imported from WASI directly (not emitted yet).${s.syscallsComplete ? '' : ' Some syscall numbers could not be determined statically: the set may be incomplete.'}</p>
${table('syscalls', r.syscalls, [
  { key: 'name', title: 'syscall', value: (x) => x.name },
  { key: 'provided', title: 'provided as', value: (x) => x.provided, html: (x) => `<span class="p-${esc(x.provided)}">${esc(x.provided)}</span>` },
], `${r.syscalls.length} syscalls the guest code may make`)}

<h2>Functions</h2>
<p><label>Filter: <input id="fn-filter" placeholder="name, address, treatment"></label></p>
${table('functions', r.functions, [
  { key: 'entry', title: 'entry', value: (f) => f.entry, html: (f) => `<span class="mono">${esc(f.entry)}</span>` },
  { key: 'name', title: 'name', value: (f) => f.name ?? '', html: (f) => esc(f.name) + (f.aliases ? ` <span class="sub">(also ${esc(f.aliases.join(', '))})</span>` : '') },
  { key: 'recognisedBy', title: 'recognised by', value: (f) => f.recognisedBy ?? '' },
  { key: 'sources', title: 'found through', value: (f) => f.sources.join(', ') },
  { key: 'blocks', title: 'blocks', value: (f) => f.blocks, numeric: true },
  { key: 'instructions', title: 'instructions', value: (f) => f.instructions, numeric: true },
  { key: 'guestBytes', title: 'guest bytes', value: (f) => f.guestBytes, numeric: true },
  { key: 'wasmBytes', title: 'wasm bytes', value: (f) => f.wasmBytes, numeric: true },
  { key: 'treatment', title: 'treatment', value: (f) => f.treatment },
], `${r.functions.length} functions; ${s.recognised - s.recognisedBySignature} recognised by symbol, ${s.recognisedBySignature} by signature${r.signatures.length ? ` (${r.signatures.map((l) => `${l.source}, sha256 ${l.sha256.slice(0, 16)}…`).join('; ')})` : ''}`)}

<h2>Unresolved indirect branches</h2>
<p>Their targets are found at run time through the dispatcher (any translated block start is a valid target).</p>
${table('unresolved', r.unresolved, [
  { key: 'address', title: 'address', value: (u) => u.address, html: (u) => `<span class="mono">${esc(u.address)}</span>` },
  { key: 'kind', title: 'kind', value: (u) => u.kind },
  { key: 'function', title: 'in function', value: (u) => u.function },
  { key: 'listing', title: 'listing (capstone)', value: (u) => u.mnemonic, html: listing },
], `${r.unresolved.length} unresolved indirect jumps and calls`)}

<h2>Places that fault</h2>
<p>Code the translator could not handle; the guest gets SIGILL there if it is ever reached.</p>
${table('faults', r.faults, [
  { key: 'address', title: 'address', value: (f) => f.address, html: (f) => `<span class="mono">${esc(f.address)}</span>` },
  { key: 'function', title: 'in function', value: (f) => f.function },
  { key: 'reason', title: 'reason', value: (f) => f.reason },
], `${r.faults.length} places`)}
<script>${SORT_SCRIPT}</script>
</body></html>
`;
}
