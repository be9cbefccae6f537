// An idea: what it proposed, its novelty check, an evolve run's evolution (evolve.js), its
// experiment tree (each node's outcome, logs, plots and code diff against its parent), its
// paper attempts and its LLM calls.
import {
  api, badge, diffView, enc, fill, frame, h, llmCallTable, num, segment, showError, thumbnail, usd, when,
} from '/static/app.js';
import {evolveSection, isEvolve} from '/static/evolve.js';
import {latex, latexText} from '/static/latex.js';

const main = document.getElementById('main');
const ideaId = segment(1);

// Nested lists of nodes by parent; roots are nodes whose parent is not in the list.
function tree(nodes, baseline, onPick) {
  const ids = new Set(nodes.map((n) => n.id));
  const children = new Map();
  for (const n of nodes) {
    const parent = ids.has(n.parent_id) ? n.parent_id : '';
    if (!children.has(parent)) children.set(parent, []);
    children.get(parent).push(n);
  }
  const item = (n) => h('li', {},
    h('button', {type: 'button', class: `node ${n.status}`, 'data-node': n.id, onclick: () => onPick(n.id)},
      `${n.kind} #${n.step}${n.seed !== null ? ' seed ' + n.seed : ''}`, ' ', badge(n.status),
      n.metric !== null ? ` metric ${num(n.metric, 4)}` : '', n.limit_hit ? ` (limit: ${n.limit_hit})` : ''),
    h('span', {class: 'muted plan'}, ` ${n.plan}`),
    children.has(n.id) ? h('ul', {}, children.get(n.id).map(item)) : null);
  const roots = h('ul', {class: 'tree'}, (children.get('') || []).map(item));
  if (!baseline) return roots;
  return h('ul', {class: 'tree'}, h('li', {},
    h('button', {type: 'button', class: 'node baseline', onclick: () => onPick(baseline.id)},
      'template baseline', baseline.metric !== null ? ` metric ${num(baseline.metric, 4)}` : ''), roots));
}

// The plots as a gallery: thumbnails in a grid; a click shows one large, with the arrow keys
// (or the buttons) going through the others.
function gallery(plots, id = 'lightbox') {
  if (!plots.length) return h('p', {class: 'muted'}, 'no plots');
  const big = h('img', {class: 'big', alt: ''});
  const caption = h('p', {class: 'caption'});
  let at = 0;
  const show = (i) => {
    at = (i + plots.length) % plots.length;
    big.setAttribute('src', `/api/v1/artifacts/${plots[at].id}`);
    big.setAttribute('alt', plots[at].name);
    fill(caption, `${plots[at].name} (${at + 1} of ${plots.length})`);
  };
  const dialog = h('dialog', {class: 'lightbox', id},
    h('div', {class: 'lightbox-bar'},
      h('button', {type: 'button', onclick: () => show(at - 1)}, '← previous'),
      h('button', {type: 'button', onclick: () => show(at + 1)}, 'next →'),
      h('button', {type: 'button', class: 'close', onclick: () => dialog.close()}, 'close')),
    big, caption);
  dialog.addEventListener('keydown', (e) => {
    if (e.key === 'ArrowLeft') show(at - 1);
    if (e.key === 'ArrowRight') show(at + 1);
  });
  dialog.addEventListener('click', (e) => { if (e.target === dialog) dialog.close(); });
  return h('div', {class: 'gallery', 'data-gallery': id},
    plots.map((a, i) => h('figure', {},
      h('button', {type: 'button', class: 'plot', 'data-plot': a.id, onclick: () => { show(i); dialog.showModal(); }},
        h('img', {src: `/api/v1/artifacts/${a.id}`, alt: a.name, loading: 'lazy'})),
      h('figcaption', {}, a.name))),
    dialog);
}

// The code diff of a node, against the template (what the idea changed in all) or against
// its parent node (what this step changed); `against` picks, the buttons switch.
async function diffSection(node, against) {
  const box = h('div', {class: 'diff-box'});
  const load = async (which) => {
    fill(box, h('p', {class: 'muted'}, 'loading…'));
    try {
      const diff = await api(`/api/v1/nodes/${enc(node.id)}/diff?against=${which}`);
      fill(box,
        h('div', {class: 'diff-switch'}, ['template', 'parent'].map((w) => h('button', {type: 'button', id: `diff-${w}`,
          class: w === which ? 'on' : null, 'aria-pressed': w === which ? 'true' : 'false',
          disabled: w === 'parent' && !node.parent_id, title: w === 'parent' && !node.parent_id ? 'this node has no parent node' : null,
          onclick: () => { if (w !== which) load(w); }}, w === 'template' ? 'against the template' : 'against the parent node'))),
        diffView(diff));
    } catch (e) {
      showError(box, e);
    }
  };
  await load(against);
  return box;
}

let picked = 0;  // the latest pick wins when answers arrive out of order
async function showNode(id, pane) {
  const mine = ++picked;
  fill(pane, h('p', {class: 'muted'}, 'loading…'));
  try {
    const node = await api(`/api/v1/nodes/${enc(id)}`);
    const diff = await diffSection(node, 'template');
    if (mine !== picked) return;
    const plots = node.artifacts.filter((a) => a.mime.startsWith('image/'));
    const files = node.artifacts.filter((a) => !a.mime.startsWith('image/'));
    fill(pane,
      h('h3', {}, `${node.kind} node ${node.id}`),
      h('p', {}, badge(node.status), ` exit ${node.exit_code ?? '–'}`, node.limit_hit ? ` · limit hit: ${node.limit_hit}` : '',
        ` · ${num(node.duration_s, 1)} s · ended ${when(node.ended_ms)}`),
      node.plan ? h('p', {class: 'plan'}, node.plan) : null,
      h('p', {}, h('code', {}, node.command)),
      h('h4', {}, 'Plots'), gallery(plots),
      h('h4', {}, 'Code changes'), diff,
      h('h4', {}, 'Files'), files.length ? h('ul', {}, files.map((a) => h('li', {},
        h('a', {href: `/api/v1/artifacts/${a.id}`}, a.name), ` (${a.kind}, ${a.size} bytes) `,
        h('a', {href: `/api/v1/artifacts/${a.id}?download=1`}, 'download')))) : h('p', {class: 'muted'}, 'no files'),
      h('h4', {}, 'Metrics'), h('pre', {class: 'log'}, node.metrics ? JSON.stringify(node.metrics, null, 2) : '–'),
      h('h4', {}, 'stdout (tail)'), h('pre', {class: 'log', id: 'stdout'}, node.stdout_tail || '–'),
      h('h4', {}, 'stderr (tail)'), h('pre', {class: 'log', id: 'stderr'}, node.stderr_tail || '–'));
  } catch (e) {
    showError(pane, e);
  }
}

function ideaDetails(idea) {
  const doc = idea.idea && typeof idea.idea === 'object' ? idea.idea : {};
  const rows = Object.entries(doc).filter(([k]) => !['Title', 'Name', 'title', 'name'].includes(k));
  return h('dl', {class: 'idea-doc'}, rows.map(([k, v]) => [h('dt', {}, k), h('dd', {}, typeof v === 'string' ? v : JSON.stringify(v))]));
}

async function main_() {
  await frame('Idea');
  const idea = await api(`/api/v1/ideas/${enc(ideaId)}`);
  document.title = `${latexText(idea.title) || idea.name} · Shoal`;
  const pane = h('section', {class: 'node-pane', id: 'node-pane'}, h('p', {class: 'muted'}, 'pick a node to see its code, logs and plots'));
  const transcript = h('section', {class: 'transcript', id: 'transcript'});
  const novelty = idea.novelty_verdict || 'not checked';
  const evolution = isEvolve(idea) ? h('div', {id: 'evolution-slot'}, h('h2', {}, 'Evolution'), h('p', {class: 'muted'}, 'loading…')) : null;
  fill(main,
    h('p', {}, h('a', {href: `/runs/${enc(idea.run.id)}`}, `← run ${idea.run.id}`)),
    h('h1', {id: 'idea-title'}, idea.title ? latex(idea.title) : idea.name),
    h('p', {}, badge(idea.status), ` stage ${idea.stage || '–'} · rank ${idea.rank ?? '–'} · interestingness ${num(idea.interestingness, 0)}`,
      ` · feasibility ${num(idea.feasibility, 0)} · novelty ${num(idea.novelty, 0)} · best metric ${num(idea.best_metric, 4)}`),
    ideaDetails(idea),
    h('h2', {id: 'novelty'}, 'Novelty: ', badge(novelty, novelty === 'novel' ? 'accept' : novelty === 'not novel' ? 'reject' : 'muted')),
    idea.novelty_report ? h('pre', {class: 'log'}, typeof idea.novelty_report === 'string' ? idea.novelty_report
      : JSON.stringify(idea.novelty_report, null, 2)) : null,
    h('h2', {}, 'Plots'),
    h('p', {class: 'muted'}, 'what the plot stage made from the runs of this idea (the paper\'s figures)'),
    h('div', {id: 'idea-plots'}, gallery(idea.artifacts.filter((a) => a.mime.startsWith('image/')), 'lightbox-idea')),
    evolution,
    h('h2', {}, 'Experiment tree'),
    h('div', {class: 'split'}, tree(idea.nodes, idea.baseline, (id) => showNode(id, pane)), pane),
    h('h2', {}, 'Paper attempts'),
    idea.papers.length ? h('ul', {class: 'attempts'}, idea.papers.map((p) => h('li', {},
      thumbnail(p.id, p.has_pdf), h('a', {href: `/papers/${enc(p.id)}`}, `attempt ${p.attempt}: `, p.title ? latex(p.title) : '(untitled)'),
      ' ', badge(p.status), p.scores ? ` score ${num(p.scores.score, 2)}` : '', p.error ? h('span', {class: 'error'}, ` ${p.error}`) : null)))
      : h('p', {class: 'muted'}, 'no write-up yet'),
    h('h2', {}, `LLM calls (${usd(idea.llm_cost_usd)})`),
    llmCallTable(idea.llm_calls, transcript), transcript);
  const first = idea.nodes.find((n) => n.status === 'done') || idea.nodes[0];
  if (first) showNode(first.id, pane);
  if (evolution) {
    const openNode = (id) => { showNode(id, pane); pane.scrollIntoView({behavior: 'smooth', block: 'start'}); };
    fill(evolution, await evolveSection(idea.id, openNode));
  }
}

main_().catch((e) => showError(main, e));
