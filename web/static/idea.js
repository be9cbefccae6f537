// An idea: what it proposed, its novelty check, its experiment tree (each node's outcome,
// logs, plots and code diff against its parent), its paper attempts and its LLM calls.
import {
  api, badge, diffView, enc, fill, frame, h, llmCallTable, num, segment, showError, thumbnail, usd, when,
} from '/static/app.js';

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

let picked = 0;  // the latest pick wins when answers arrive out of order
async function showNode(id, pane) {
  const mine = ++picked;
  fill(pane, h('p', {class: 'muted'}, 'loading…'));
  try {
    const [node, diff] = await Promise.all([api(`/api/v1/nodes/${enc(id)}`), api(`/api/v1/nodes/${enc(id)}/diff`)]);
    if (mine !== picked) return;
    const plots = node.artifacts.filter((a) => a.mime.startsWith('image/'));
    const files = node.artifacts.filter((a) => !a.mime.startsWith('image/'));
    fill(pane,
      h('h3', {}, `${node.kind} node ${node.id}`),
      h('p', {}, badge(node.status), ` exit ${node.exit_code ?? '–'}`, node.limit_hit ? ` · limit hit: ${node.limit_hit}` : '',
        ` · ${num(node.duration_s, 1)} s · ended ${when(node.ended_ms)}`),
      node.plan ? h('p', {class: 'plan'}, node.plan) : null,
      h('p', {}, h('code', {}, node.command)),
      h('h4', {}, 'Code changes'), diffView(diff),
      h('h4', {}, 'Plots'), plots.length ? h('div', {class: 'plots'}, plots.map((a) =>
        h('figure', {}, h('img', {src: `/api/v1/artifacts/${a.id}`, alt: a.name}), h('figcaption', {}, a.name))))
        : h('p', {class: 'muted'}, 'no plots'),
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
  document.title = `${idea.title || idea.name} · Shoal`;
  const pane = h('section', {class: 'node-pane', id: 'node-pane'}, h('p', {class: 'muted'}, 'pick a node to see its code, logs and plots'));
  const transcript = h('section', {class: 'transcript', id: 'transcript'});
  const novelty = idea.novel === null ? 'not checked' : idea.novel ? 'novel' : 'not novel';
  fill(main,
    h('p', {}, h('a', {href: `/runs/${enc(idea.run.id)}`}, `← run ${idea.run.id}`)),
    h('h1', {}, idea.title || idea.name),
    h('p', {}, badge(idea.status), ` stage ${idea.stage || '–'} · rank ${idea.rank ?? '–'} · interestingness ${num(idea.interestingness, 0)}`,
      ` · feasibility ${num(idea.feasibility, 0)} · novelty ${num(idea.novelty, 0)} · best metric ${num(idea.best_metric, 4)}`),
    ideaDetails(idea),
    h('h2', {}, `Novelty: ${novelty}`),
    idea.novelty_report ? h('pre', {class: 'log'}, typeof idea.novelty_report === 'string' ? idea.novelty_report
      : JSON.stringify(idea.novelty_report, null, 2)) : null,
    h('h2', {}, 'Experiment tree'),
    h('div', {class: 'split'}, tree(idea.nodes, idea.baseline, (id) => showNode(id, pane)), pane),
    h('h2', {}, 'Paper attempts'),
    idea.papers.length ? h('ul', {class: 'attempts'}, idea.papers.map((p) => h('li', {},
      thumbnail(p.thumbnail_id, p.id), h('a', {href: `/papers/${enc(p.id)}`}, `attempt ${p.attempt}: ${p.title || '(untitled)'}`),
      ' ', badge(p.status), p.scores ? ` score ${num(p.scores.score, 2)}` : '', p.error ? h('span', {class: 'error'}, ` ${p.error}`) : null)))
      : h('p', {class: 'muted'}, 'no write-up yet'),
    h('h2', {}, `LLM calls (${usd(idea.llm_cost_usd)})`),
    llmCallTable(idea.llm_calls, transcript), transcript);
  const first = idea.nodes.find((n) => n.status === 'done') || idea.nodes[0];
  if (first) showNode(first.id, pane);
}

main_().catch((e) => showError(main, e));
