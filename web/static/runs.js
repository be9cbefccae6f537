// The runs page: every run with its progress; refreshed every 2 s while one is active.
import {api, duration, enc, fill, frame, h, num, runBadge, showError, usd, when} from '/static/app.js';

const main = document.getElementById('main');

function progressBar(run) {
  const p = run.progress;
  const done = (p.by_status.done || 0) + (p.by_status.failed || 0) + (p.by_status.skipped || 0) + (p.by_status.cancelled || 0);
  const pct = p.ideas ? Math.round((100 * done) / p.ideas) : 0;
  return h('div', {class: 'progress', title: JSON.stringify(p.by_status)},
    h('progress', {max: 100, value: pct}), ` ${p.by_status.done || 0} done / ${p.ideas} ideas`);
}

function row(run) {
  return h('tr', {class: 'run', 'data-run': run.id},
    h('td', {}, h('a', {href: `/runs/${enc(run.id)}`}, run.id)),
    h('td', {}, run.template), h('td', {}, run.model),
    h('td', {class: 'status'}, runBadge(run.status, run.progress.waiting_for_provider_since)),
    h('td', {}, progressBar(run)),
    h('td', {class: 'num'}, run.progress.papers),
    h('td', {class: 'num'}, num(run.progress.best_score, 1)),
    h('td', {class: 'num'}, `${usd(run.cost_usd)} / ${usd(run.budget_usd)}`),
    h('td', {}, when(run.started_ms)),
    h('td', {}, run.ended_ms ? when(run.ended_ms) : (run.started_ms ? `running ${duration(run.started_ms)}` : '–')));
}

let timer = null;
async function refresh(table, stamp) {
  try {
    const data = await api('/api/v1/runs');
    const body = table.querySelector('tbody');
    fill(body, data.runs.length ? data.runs.map(row) : h('tr', {}, h('td', {colspan: 10, class: 'muted'},
      'no runs yet: start one with `shoal run`')));
    const active = data.runs.some((r) => r.status === 'running' || r.status === 'pending');
    fill(stamp, `updated ${when(Date.now())} UTC${active ? ' · live' : ''}`);
    clearTimeout(timer);
    timer = setTimeout(() => refresh(table, stamp), active ? 2000 : 10000);
  } catch (e) {
    fill(stamp, `update failed: ${e.message}; retrying`);
    timer = setTimeout(() => refresh(table, stamp), 5000);
  }
}

async function main_() {
  await frame('Runs');
  const stamp = h('p', {class: 'muted', id: 'updated'});
  const table = h('table', {id: 'runs'},
    h('thead', {}, h('tr', {}, ['run', 'template', 'model', 'status', 'progress', 'papers', 'best score', 'cost / budget',
      'started', 'ended'].map((t) => h('th', {}, t)))),
    h('tbody', {}));
  fill(main, h('h1', {}, 'Runs'), stamp, table);
  await refresh(table, stamp);
}

main_().catch((e) => showError(main, e));
