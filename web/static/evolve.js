// An evolve run on the idea page (GET /api/v1/ideas/ID/evolve): the fitness of every program
// over the generations with the best so far, the genealogy (parent -> child; a crossover's
// second parent dashed), a picked program's facts and its code against its parent, the
// archive's cells with their best program, the candidates rejected as near-duplicates, and
// what the best program changed against the template. Text only through h(): model names,
// plans and descriptors are untrusted.
import {api, badge, diffView, enc, fill, h, num, showError, usd} from '/static/app.js';

// Whether the idea's nodes were made by the evolve search (their search facts say so).
export function isEvolve(idea) {
  return (idea.nodes || []).some((n) => n.search && n.search.strategy === 'evolve');
}

// Island colours, and the swatch classes of style.css with the same colours (the pages' policy
// allows no inline styles).
const ISLAND_COLORS = ['#3465a4', '#ce5c00', '#4e9a06', '#75507b', '#06989a', '#c4a000'];
const ISLAND_SWATCHES = ['c0', 'c5', 'c2', 'c4', 'c6', 'c3'];
const islandIndex = (i) => Math.abs(Number(i) || 0) % ISLAND_COLORS.length;
const islandColor = (i) => ISLAND_COLORS[islandIndex(i)];
const short = (id) => String(id || '').slice(-6);
const plural = (n, one, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

// Round tick values spanning [lo, hi].
function ticks(lo, hi, count = 5) {
  const span = hi - lo || 1;
  const raw = span / count, mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => span / s <= count) || 10 * mag;
  const out = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toFixed(10)));
  return out;
}

function metricLabel(m) {
  const name = m.name || 'metric';
  if (!m.known) return `${name} (direction not recorded; higher assumed better)`;
  return `${name} (${m.higher_is_better ? 'higher' : 'lower'} is better)`;
}

// Programs by generation, each generation's in island order then age (the API's order).
function byGeneration(nodes) {
  const gens = new Map();
  for (const n of nodes) {
    if (!gens.has(n.generation)) gens.set(n.generation, []);
    gens.get(n.generation).push(n);
  }
  for (const list of gens.values()) list.sort((a, b) => a.island - b.island);
  return gens;
}

// Fitness over generations: one mark per evaluated program (a circle at its metric; a cross
// in the band below the axis for a program that ran without one), coloured by island, and
// the best so far as a line.
function fitnessPlot(ev, onPick) {
  const programs = ev.nodes.filter((n) => n.status !== 'rejected' && n.status !== 'running' && n.status !== 'pending');
  const scored = programs.filter((n) => n.metric !== null && n.status === 'done');
  const G = ev.generations.length;
  const W = 680, H = 300, left = 64, right = 16, top = 16, bottom = 44, band = 22;
  const plotW = W - left - right, plotH = H - top - bottom - band;
  const values = scored.map((n) => n.metric);
  let lo = values.length ? Math.min(...values) : 0, hi = values.length ? Math.max(...values) : 1;
  const pad = (hi - lo || Math.abs(hi) || 1) * 0.08;
  lo -= pad; hi += pad;
  const colW = plotW / Math.max(G, 1);
  const xOf = (g) => left + (g + 0.5) * colW;
  const yOf = (v) => top + plotH - ((v - lo) / (hi - lo)) * plotH;
  const svg = h('svg', {class: 'chart evolve-plot', id: 'fitness-plot', viewBox: `0 0 ${W} ${H}`, width: W, height: H,
    role: 'img', 'aria-label': `fitness (${metricLabel(ev.metric)}) of each program over the generations`});
  // Axes, ticks and labels.
  svg.appendChild(h('line', {x1: left, y1: top, x2: left, y2: top + plotH, class: 'axis-line'}));
  svg.appendChild(h('line', {x1: left, y1: top + plotH, x2: left + plotW, y2: top + plotH, class: 'axis-line'}));
  for (const t of ticks(lo, hi)) {
    svg.appendChild(h('line', {x1: left, y1: yOf(t), x2: left + plotW, y2: yOf(t), class: 'grid'}));
    svg.appendChild(h('text', {x: left - 6, y: yOf(t) + 3, class: 'axis', 'text-anchor': 'end'}, String(t)));
  }
  for (let g = 0; g < G; g++)
    svg.appendChild(h('text', {x: xOf(g), y: top + plotH + band + 14, class: 'axis', 'text-anchor': 'middle'},
      g === 0 ? '0 (baseline)' : String(g)));
  svg.appendChild(h('text', {x: left - 6, y: top + plotH + band / 2 + 4, class: 'axis', 'text-anchor': 'end'}, 'no fitness'));
  svg.appendChild(h('text', {x: left + plotW / 2, y: top + plotH + band + 32, class: 'axis label', 'text-anchor': 'middle'}, 'generation'));
  svg.appendChild(h('text', {x: 14, y: top + plotH / 2, class: 'axis label', 'text-anchor': 'middle',
    transform: `rotate(-90 14 ${top + plotH / 2})`}, metricLabel(ev.metric)));
  // The best so far.
  const line = ev.generations.filter((g) => g.best_so_far !== null).map((g) => `${xOf(g.generation)},${yOf(g.best_so_far)}`);
  if (line.length) svg.appendChild(h('polyline', {points: line.join(' '), class: 'best-so-far'}));
  // One mark per program, spread within its generation's column.
  for (const [g, list] of byGeneration(programs)) {
    const step = Math.min(16, (colW * 0.7) / Math.max(list.length, 1));
    list.forEach((n, i) => {
      const x = xOf(g) + (i - (list.length - 1) / 2) * step;
      const best = ev.best && ev.best.id === n.id;
      const name = ev.metric.name || 'metric';
      const tip = `${n.operator} program ${n.id}, generation ${n.generation}, island ${n.island}: ` +
        (n.status === 'done' && n.metric !== null ? `${name} ${num(n.metric, 4)}`
          : n.metric !== null ? `${n.status}: ${name} ${num(n.metric, 4)} not comparable with the baseline's` : `${n.status}, no metric`);
      let mark;
      if (n.metric !== null && n.status === 'done') {
        mark = h('circle', {cx: x, cy: yOf(n.metric), r: best ? 6 : 4.5, fill: islandColor(n.island),
          class: `program point${best ? ' best' : ''}`, 'data-node': n.id});
      } else {
        const y = top + plotH + band / 2, s = 4;
        mark = h('path', {d: `M${x - s},${y - s}L${x + s},${y + s}M${x - s},${y + s}L${x + s},${y - s}`,
          stroke: islandColor(n.island), class: 'program no-metric', 'data-node': n.id});
      }
      mark.appendChild(h('title', {}, tip));
      mark.addEventListener('click', () => onPick(n.id));
      svg.appendChild(mark);
    });
  }
  return svg;
}

// The genealogy: generations left to right, each program a node (a circle coloured by island;
// failed hollow red, rejected hollow grey, the best ringed), an edge from each parent; the
// second parent of a crossover dashed.
function genealogy(ev, onPick) {
  const gens = byGeneration(ev.nodes);
  const G = ev.generations.length;
  const rows = Math.max(1, ...[...gens.values()].map((l) => l.length));
  const colW = 130, rowH = 58, left = 10, top = 30, r = 9, scale = 1.25;
  const W = left + G * colW, H = top + rows * rowH;
  const at = new Map();
  for (const [g, list] of gens) list.forEach((n, i) => at.set(n.id, {x: left + g * colW + colW / 2, y: top + i * rowH + r + 12}));
  const svg = h('svg', {class: 'chart genealogy', id: 'genealogy', viewBox: `0 0 ${W} ${H}`, width: Math.round(W * scale),
    height: Math.round(H * scale),
    role: 'img', 'aria-label': 'genealogy of the programs: generations left to right, edges from parent to child'});
  for (let g = 0; g < G; g++)
    svg.appendChild(h('text', {x: left + g * colW + colW / 2, y: 12, class: 'axis', 'text-anchor': 'middle'},
      g === 0 ? 'gen 0 (baseline)' : `gen ${g}`));
  const edges = h('g', {class: 'edges'});
  svg.appendChild(edges);
  for (const n of ev.nodes) {
    const to = at.get(n.id);
    n.parents.forEach((p, i) => {
      const from = at.get(p);
      if (!from || !to) return;
      const second = i > 0;
      const edge = h('line', {x1: from.x + r, y1: from.y, x2: to.x - r, y2: to.y,
        class: `edge${second ? ' second' : ''}${n.status === 'rejected' ? ' to-rejected' : ''}`,
        'data-from': p, 'data-to': n.id});
      edge.appendChild(h('title', {}, `${second ? 'second parent' : 'parent'} ${p} → ${n.id}`));
      edges.appendChild(edge);
    });
  }
  for (const n of ev.nodes) {
    const {x, y} = at.get(n.id);
    const best = ev.best && ev.best.id === n.id;
    const label = n.status === 'rejected' ? 'rejected' : n.metric !== null && n.status === 'done' ? num(n.metric, 3) : n.status;
    const g = h('g', {class: `gnode ${n.status}${best ? ' best' : ''}`, 'data-node': n.id, tabindex: 0, role: 'button',
      'aria-label': `${n.operator} program ${n.id}: ${label}`});
    if (best) g.appendChild(h('circle', {cx: x, cy: y, r: r + 4, class: 'best-ring'}));
    g.appendChild(h('circle', {cx: x, cy: y, r, class: 'dot', fill: n.status === 'done' ? islandColor(n.island) : '#fff',
      stroke: islandColor(n.island)}));
    g.appendChild(h('text', {x, y: y - r - (best ? 8 : 4), class: 'gop', 'text-anchor': 'middle'}, n.operator));
    g.appendChild(h('text', {x, y: y + r + (best ? 16 : 12), class: 'gval', 'text-anchor': 'middle'}, best ? `${label} (best)` : label));
    g.appendChild(h('title', {}, `${n.operator} program ${n.id} (island ${n.island}, ${n.model || 'no model'}): ${label}`));
    g.addEventListener('click', () => onPick(n.id));
    g.addEventListener('keydown', (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); onPick(n.id); } });
    svg.appendChild(g);
  }
  return svg;
}

function islandKeys(ev) {
  const islands = [...new Set(ev.nodes.map((n) => n.island))].sort((a, b) => a - b);
  return islands.map((i) => h('span', {}, h('i', {class: `swatch ${ISLAND_SWATCHES[islandIndex(i)]}`}), `island ${i}`));
}

function plotLegend(ev) {
  return h('div', {class: 'legend evolve-legend'}, islandKeys(ev),
    h('span', {}, h('i', {class: 'key-line best'}), 'best so far'),
    h('span', {}, h('i', {class: 'key-ring'}), 'the best program'),
    h('span', {}, '✕ ran without a fitness (failed)'));
}

function genealogyLegend(ev) {
  return h('div', {class: 'legend evolve-legend'}, islandKeys(ev),
    h('span', {}, h('i', {class: 'key-line'}), 'parent → child'),
    h('span', {}, h('i', {class: 'key-line dashed'}), 'second parent of a crossover'),
    h('span', {}, h('i', {class: 'key-line dotted'}), 'rejected candidate (not run)'),
    h('span', {}, h('i', {class: 'key-dot failed'}), 'failed'),
    h('span', {}, h('i', {class: 'key-ring'}), 'the best program'));
}

// A picked program: its search facts and its code against its parent (or the template).
let picked = 0;
async function showProgram(root, ev, id, pane, pick, openNode) {
  const mine = ++picked;
  const n = ev.nodes.find((x) => x.id === id);
  if (!n) return;
  for (const el of root.querySelectorAll('[data-node].picked')) el.classList.remove('picked');
  for (const el of root.querySelectorAll(`svg [data-node="${CSS.escape(id)}"]`)) el.classList.add('picked');
  const pickButton = (pid) => h('button', {type: 'button', class: 'link', 'data-pick': pid, onclick: () => pick(pid)}, pid);
  const descriptors = Object.entries(n.descriptors || {});
  const box = h('div', {class: 'diff-box'}, h('p', {class: 'muted'}, 'loading…'));
  const best = ev.best && ev.best.id === n.id;
  fill(pane,
    h('h3', {}, `${n.operator} program ${n.id}`, best ? ' ' : null, best ? badge('best', 'accept') : null),
    h('p', {}, badge(n.status), ` generation ${n.generation} · island ${n.island}`),
    n.plan ? h('p', {class: 'plan'}, n.plan) : null,
    h('dl', {class: 'stats', id: 'program-facts'},
      h('dt', {}, 'operator'), h('dd', {'data-fact': 'operator'}, n.operator || '–'),
      h('dt', {}, n.parents.length > 1 ? 'parents (primary first)' : 'parent'),
      h('dd', {'data-fact': 'parents'}, n.parents.length ? n.parents.map((p, i) => [i ? ', then ' : '', pickButton(p)]) : 'none'),
      h('dt', {}, 'model'), h('dd', {'data-fact': 'model'}, n.model || '–'),
      h('dt', {}, 'cost'), h('dd', {'data-fact': 'cost'}, usd(n.cost_usd)),
      h('dt', {}, ev.metric.name || 'metric'), h('dd', {'data-fact': 'metric'}, n.metric !== null ? num(n.metric, 4) : '–'),
      h('dt', {}, 'archive cell'), h('dd', {'data-fact': 'cell'}, n.cell ? `[${n.cell.join(', ')}]` : '–'),
      descriptors.map(([k, v]) => [h('dt', {}, k), h('dd', {'data-descriptor': k}, typeof v === 'number' ? String(v) : JSON.stringify(v))]),
      n.status === 'rejected' ? [h('dt', {}, 'too similar to'), h('dd', {}, n.similar_to ? pickButton(n.similar_to) : '–',
        n.similarity !== null && n.similarity !== undefined ? ` (similarity ${num(n.similarity, 2)})` : '')] : null),
    openNode ? h('p', {}, h('button', {type: 'button', class: 'link', id: 'open-node', onclick: () => openNode(n.id)},
      n.status === 'rejected' ? 'this candidate in the experiment tree below' : 'its logs, metrics and files in the experiment tree below')) : null,
    h('h4', {}, 'Code changes'), box);
  const load = async (which) => {
    fill(box, h('p', {class: 'muted'}, 'loading…'));
    try {
      const diff = await api(`/api/v1/nodes/${enc(n.id)}/diff?against=${which}`);
      if (mine !== picked) return;
      fill(box,
        h('div', {class: 'diff-switch'}, ['parent', 'template'].map((w) => h('button', {type: 'button', id: `evolve-diff-${w}`,
          class: w === which ? 'on' : null, 'aria-pressed': w === which ? 'true' : 'false',
          onclick: () => { if (w !== which) load(w); }}, w === 'parent' ? 'against its parent' : 'against the template'))),
        diffView(diff));
    } catch (e) {
      showError(box, e);
    }
  };
  await load(n.parents.length ? 'parent' : 'template');
}

function archiveTable(ev, pick) {
  if (!ev.archive.length) return h('p', {class: 'muted'}, 'no archive cell holds a program with a metric yet');
  const names = [...new Set(ev.archive.flatMap((a) => Object.keys(a.descriptors || {})))];
  return h('table', {id: 'archive'},
    h('thead', {}, h('tr', {}, h('th', {}, 'cell'), h('th', {}, 'best program'), h('th', {class: 'num'}, ev.metric.name || 'metric'),
      h('th', {class: 'num'}, 'generation'), h('th', {class: 'num'}, 'island'), h('th', {}, 'operator'),
      names.map((k) => h('th', {class: 'num'}, k)), h('th', {class: 'num'}, 'programs in cell'))),
    h('tbody', {}, ev.archive.map((a) => h('tr', {'data-cell': JSON.stringify(a.cell), class: ev.best && ev.best.id === a.node_id ? 'best' : null},
      h('td', {}, `[${a.cell.join(', ')}]`),
      h('td', {}, h('button', {type: 'button', class: 'link', 'data-pick': a.node_id, onclick: () => pick(a.node_id)}, a.node_id)),
      h('td', {class: 'num'}, num(a.metric, 4)), h('td', {class: 'num'}, a.generation), h('td', {class: 'num'}, a.island),
      h('td', {}, a.operator),
      names.map((k) => h('td', {class: 'num'}, a.descriptors && k in a.descriptors ? String(a.descriptors[k]) : '–')),
      h('td', {class: 'num'}, a.programs)))));
}

function rejectedTable(ev, pick) {
  if (!ev.rejected.length) return h('p', {class: 'muted'}, 'no candidate was rejected');
  const link = (id) => id ? h('button', {type: 'button', class: 'link', 'data-pick': id, onclick: () => pick(id)}, id) : '–';
  return h('table', {id: 'rejected'},
    h('thead', {}, h('tr', {}, h('th', {}, 'candidate'), h('th', {class: 'num'}, 'generation'), h('th', {class: 'num'}, 'island'),
      h('th', {}, 'operator'), h('th', {}, 'parents'), h('th', {}, 'model'), h('th', {}, 'too similar to'),
      h('th', {class: 'num'}, 'similarity'), h('th', {class: 'num'}, 'cost'))),
    h('tbody', {}, ev.rejected.map((r) => h('tr', {'data-rejected': r.id},
      h('td', {}, link(r.id)), h('td', {class: 'num'}, r.generation), h('td', {class: 'num'}, r.island), h('td', {}, r.operator),
      h('td', {}, r.parents.length ? r.parents.map((p, i) => [i ? ', ' : '', link(p)]) : '–'), h('td', {}, r.model || '–'),
      h('td', {class: 'similar-to'}, link(r.similar_to)),
      h('td', {class: 'num'}, r.similarity !== null ? num(r.similarity, 2) : '–'), h('td', {class: 'num'}, usd(r.cost_usd))))));
}

function summary(ev) {
  const t = ev.totals;
  const base = ev.generations.length ? ev.generations[0].best : null;
  const parts = [
    `${plural(t.programs, 'program')} evaluated (${t.done} done, ${t.failed} failed${t.in_flight ? `, ${t.in_flight} running` : ''})`,
    ` over ${plural(t.generations, 'generation')} after the baseline on ${plural(t.islands, 'island')}`,
    ` · ${plural(t.rejected, 'candidate')} rejected as near-duplicates before a run`,
    ` · ${plural(t.cells, 'archive cell')} filled · search cost ${usd(t.cost_usd)}`];
  let best = h('p', {class: 'muted'}, 'no program has a metric yet');
  if (ev.best) {
    let change = '';
    if (base !== null && base !== 0 && ev.best.metric !== base) {
      const pct = Math.abs((ev.best.metric - base) / base) * 100;
      change = ` (${pct.toFixed(1)}% ${ev.best.metric < base ? 'lower' : 'higher'})`;
    }
    best = h('p', {id: 'evolve-best'}, 'Best program: ', h('code', {}, ev.best.id),
      ` (${ev.best.operator}, generation ${ev.best.generation}, island ${ev.best.island}): ${ev.metric.name || 'metric'} `,
      h('strong', {}, num(ev.best.metric, 4)), base !== null ? ` against the baseline's ${num(base, 4)}${change}` : '');
  }
  const models = ev.models.map((m) => `${m.model}: ${plural(m.programs + m.rejected, 'proposal')}, ${usd(m.cost_usd)}`).join(' · ');
  return [h('p', {id: 'evolve-totals'}, parts), h('p', {class: 'muted'}, `Fitness: ${metricLabel(ev.metric)}. Models: ${models || '–'}.`), best];
}

// The Evolution section of the idea page; `openNode(id)` shows a node's logs and files in the
// experiment tree's pane.
export async function evolveSection(ideaId, openNode) {
  const section = h('section', {id: 'evolution'}, h('h2', {}, 'Evolution'), h('p', {class: 'muted'}, 'loading…'));
  let ev;
  try {
    ev = await api(`/api/v1/ideas/${enc(ideaId)}/evolve`);
  } catch (e) {
    fill(section, h('h2', {}, 'Evolution'), h('p', {class: 'error'}, e.message || String(e)));
    return section;
  }
  const pane = h('section', {class: 'node-pane', id: 'evolve-pane'}, h('p', {class: 'muted'}, 'pick a program in the genealogy or the plot'));
  const pick = (id) => showProgram(section, ev, id, pane, pick, openNode);
  const bestDiff = ev.best && ev.best.diff ? diffView(ev.best.diff)
    : h('p', {class: 'muted'}, ev.best && ev.best.diff_error ? ev.best.diff_error : 'no best program yet');
  fill(section,
    h('h2', {}, 'Evolution'),
    summary(ev),
    h('h3', {}, 'Fitness over generations'),
    h('p', {class: 'muted'}, 'each mark is one evaluated program (click it for its details)'),
    h('div', {class: 'chart-box'}, fitnessPlot(ev, pick), plotLegend(ev)),
    h('h3', {}, 'Genealogy'),
    h('p', {class: 'muted'}, 'generations left to right, an edge from each parent to its child; click a program for its details and its change against its parent'),
    h('div', {class: 'split evolve-split'}, h('div', {class: 'genealogy-box'}, genealogy(ev, pick), genealogyLegend(ev)), pane),
    h('h3', {}, `Archive (${plural(ev.archive.length, 'cell')})`),
    h('p', {class: 'muted'}, 'each cell of descriptor values with the best program that landed in it'),
    archiveTable(ev, pick),
    h('h3', {}, `Rejected candidates (${ev.rejected.length})`),
    h('p', {class: 'muted'}, 'candidates too close to a program already evaluated: dropped before they cost a run'),
    rejectedTable(ev, pick),
    h('h3', {}, 'The best program against the template'),
    h('div', {id: 'evolve-best-diff'}, bestDiff));
  if (ev.best) pick(ev.best.id);
  return section;
}
