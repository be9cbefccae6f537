// A run: its header, its ideas (sorted, filtered, searched), its stages and its events
// (polled while the run is active).
import {
  api, badge, decisionBadge, duration, enc, fill, frame, h, num, reviewScores, runBadge, segment, showError, thumbnail,
  trustBadges, usd, when,
} from '/static/app.js';
import {latex} from '/static/latex.js';

const main = document.getElementById('main');
const runId = segment(1);
// The idea's own sorts around the paper scores (reviewScores().paper_scores).
const IDEA_SORTS_FIRST = ['rank'];
const IDEA_SORTS_LAST = ['best_metric', 'interestingness', 'feasibility', 'novelty', 'title', 'status', 'created'];

// The novelty check's verdict as the server words it: novel, not novel, unchecked
// (literature unreachable), not checked.
function noveltyCell(idea) {
  const verdict = idea.novelty_verdict || 'not checked';
  const kind = verdict === 'novel' ? 'accept' : verdict === 'not novel' ? 'reject' : 'muted';
  return h('span', {class: 'novelty', 'data-verdict': verdict}, badge(verdict, kind));
}

function metricCell(idea, baseline) {
  if (idea.best_metric === null) return '–';
  if (!baseline || baseline.metric === null) return num(idea.best_metric, 4);
  const delta = idea.best_metric - baseline.metric;
  return h('span', {title: `baseline ${num(baseline.metric, 4)}`}, num(idea.best_metric, 4), ' ',
    h('span', {class: 'muted'}, `(${delta >= 0 ? '+' : ''}${num(delta, 4)} vs baseline)`));
}

function ideaRow(idea, baseline) {
  const s = idea.scores;
  return h('tr', {class: 'idea', 'data-idea': idea.id},
    h('td', {}, h('input', {type: 'checkbox', class: 'pick', value: idea.paper_id, disabled: !idea.paper_id})),
    h('td', {class: 'num'}, idea.rank ?? '–'),
    h('td', {}, thumbnail(idea.paper_id, !!idea.paper_id)),
    h('td', {class: 'title'}, h('a', {href: `/ideas/${enc(idea.id)}`}, idea.title ? latex(idea.title) : idea.name),
      idea.paper_id ? h('div', {}, h('a', {href: `/papers/${enc(idea.paper_id)}`, class: 'paper-link'}, 'paper'), ' ',
        trustBadges(idea.trust)) : null),
    h('td', {}, noveltyCell(idea)),
    h('td', {}, badge(idea.status), h('div', {class: 'muted'}, idea.stage)),
    h('td', {class: 'num'}, metricCell(idea, baseline)),
    h('td', {class: 'num score'}, num(s.score, 2)),
    h('td', {class: 'num'}, `${num(s.ai_overall, 2)} (${s.ai_count})`),
    h('td', {class: 'num'}, s.human_count ? `${num(s.human_overall, 1)} (${s.human_count})` : '–'),
    h('td', {}, decisionBadge(s.decision)));
}

// The search, sort, decision and score-filter controls; `paperScores` are the score names
// the ideas sort and filter by besides their own.
function controls(onChange, paperScores) {
  const SORTS = [...IDEA_SORTS_FIRST, ...paperScores, ...IDEA_SORTS_LAST];
  const q = h('input', {type: 'search', id: 'q', placeholder: 'search titles and abstracts'});
  const sort = h('select', {id: 'sort'}, SORTS.map((s) => h('option', {value: s}, s)));
  const order = h('select', {id: 'order'}, h('option', {value: ''}, 'default order'),
    h('option', {value: 'desc'}, 'descending'), h('option', {value: 'asc'}, 'ascending'));
  const decision = h('select', {id: 'decision'}, h('option', {value: ''}, 'any decision'),
    h('option', {value: 'accept'}, 'accept'), h('option', {value: 'reject'}, 'reject'));
  const filterName = h('select', {id: 'filter-score'}, SORTS.filter((s) => !['rank', 'title', 'status', 'created'].includes(s))
    .map((s) => h('option', {value: s}, s)));
  const filterMin = h('input', {type: 'number', id: 'filter-min', step: 'any', placeholder: 'min'});
  const filterMax = h('input', {type: 'number', id: 'filter-max', step: 'any', placeholder: 'max'});
  const compare = h('button', {type: 'button', id: 'compare'}, 'Compare selected');
  const params = () => {
    const p = new URLSearchParams();
    if (q.value) p.set('q', q.value);
    p.set('sort', sort.value);
    if (order.value) p.set('order', order.value);
    if (decision.value) p.set('decision', decision.value);
    if (filterMin.value !== '') p.set(`min_${filterName.value}`, filterMin.value);
    if (filterMax.value !== '') p.set(`max_${filterName.value}`, filterMax.value);
    return p;
  };
  for (const el of [sort, order, decision, filterName, filterMin, filterMax]) el.addEventListener('change', () => onChange(params()));
  let typing = null;
  q.addEventListener('input', () => { clearTimeout(typing); typing = setTimeout(() => onChange(params()), 250); });
  compare.addEventListener('click', () => {
    const ids = [...document.querySelectorAll('input.pick:checked')].map((c) => c.value);
    if (ids.length >= 2) location.href = `/compare?ids=${ids.map(enc).join(',')}`;
  });
  return h('div', {class: 'controls'}, q, ' sort ', sort, order, decision, ' filter ', filterName, filterMin, filterMax, compare);
}

async function loadIdeas(body, params, baseline) {
  try {
    const data = await api(`/api/v1/runs/${enc(runId)}/ideas?${params}`);
    fill(body, data.ideas.length ? data.ideas.map((i) => ideaRow(i, baseline))
      : h('tr', {}, h('td', {colspan: 11, class: 'muted'}, 'no idea matches')));
  } catch (e) {
    fill(body, h('tr', {}, h('td', {colspan: 11, class: 'error'}, e.message)));
  }
}

let lastEvent = 0;
// Since when the run waits for its provider (from run.progress, then from the events: a
// provider_waiting event starts a wait, provider_back ends it); null when it does not.
let waitingSince = null;

async function pollEvents(list, statusCell) {
  try {
    const data = await api(`/api/v1/runs/${enc(runId)}/events?after=${lastEvent}`);
    for (const e of data.events) {
      lastEvent = Math.max(lastEvent, e.id);
      list.prepend(h('li', {}, h('span', {class: 'muted'}, when(e.created_ms)), ' ', badge(e.kind, 'event'), ' ', e.message));
      if (e.kind === 'provider_waiting') waitingSince = (e.data && e.data.since) || new Date(e.created_ms).toISOString();
      if (e.kind === 'provider_back') waitingSince = null;
    }
    fill(statusCell, runBadge(data.status, waitingSince));
    if (data.status === 'running' || data.status === 'pending') setTimeout(() => pollEvents(list, statusCell), 2000);
  } catch {
    setTimeout(() => pollEvents(list, statusCell), 5000);
  }
}

async function main_() {
  await frame(`Run ${runId}`);
  const run = await api(`/api/v1/runs/${enc(runId)}`);
  waitingSince = run.progress.waiting_for_provider_since;
  const statusCell = h('span', {id: 'run-status'}, runBadge(run.status, waitingSince));
  const baseline = run.baseline;
  const body = h('tbody', {});
  const events = h('ul', {class: 'events', id: 'events'});
  const stages = run.stages.length ? h('table', {},
    h('thead', {}, h('tr', {}, ['idea', 'stage', 'status', 'attempts', 'time', 'cost', 'error'].map((t) => h('th', {}, t)))),
    h('tbody', {}, run.stages.map((s) => h('tr', {},
      h('td', {}, s.idea_id ? h('a', {href: `/ideas/${enc(s.idea_id)}`}, s.idea_id) : '(run)'),
      h('td', {}, s.stage), h('td', {}, badge(s.status)), h('td', {class: 'num'}, s.attempts),
      h('td', {}, duration(s.started_ms, s.ended_ms)), h('td', {class: 'num'}, usd(s.cost_usd)),
      h('td', {class: 'error'}, s.error)))))
    : h('p', {class: 'muted'}, 'no stage has run yet');
  const paperScores = (await reviewScores()).paper_scores;
  fill(main,
    h('h1', {}, `Run ${run.id}`),
    h('p', {}, statusCell, ` template ${run.template} · model ${run.model} · cost ${usd(run.cost_usd)} of ${usd(run.budget_usd)}`,
      ` · ${run.llm.calls} LLM calls · started ${when(run.started_ms)} · ${run.ended_ms ? 'ended ' + when(run.ended_ms) : 'not ended'}`),
    run.error ? h('p', {class: waitingSince ? 'muted' : 'error', id: 'run-message'}, run.error) : null,
    h('p', {}, baseline ? `baseline metric ${num(baseline.metric, 4)} (node ${baseline.id})` : 'no baseline stored for this template version',
      ' · ', h('a', {href: `/runs/${enc(run.id)}/agreement`, id: 'agreement-link'}, 'AI vs human agreement'),
      ' · ', h('a', {href: `/papers?run=${enc(run.id)}`}, 'papers of this run')),
    h('h2', {}, 'Ideas'),
    controls((p) => loadIdeas(body, p, baseline), paperScores),
    h('table', {id: 'ideas'},
      h('thead', {}, h('tr', {}, ['', 'rank', '', 'idea', 'novelty', 'status', 'best metric', 'score', 'AI mean (n)',
        'human (n)', 'decision'].map((t) => h('th', {}, t)))),
      body),
    h('h2', {}, 'Stages'), stages,
    h('h2', {}, 'Events'), events);
  await loadIdeas(body, new URLSearchParams({sort: 'rank'}), baseline);
  pollEvents(events, statusCell);
}

main_().catch((e) => showError(main, e));
