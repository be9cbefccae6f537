// Every paper (each idea's newest compiled attempt): sorted by any score, filtered, searched
// in titles and abstracts, a page at a time; pick two or more to compare.
import {api, decisionBadge, enc, fill, frame, h, num, reviewScores, showError, thumbnail, trustBadges} from '/static/app.js';
import {latex} from '/static/latex.js';

const main = document.getElementById('main');
const state = new URLSearchParams(location.search);

function row(p) {
  const s = p.scores;
  return h('tr', {class: 'paper', 'data-paper': p.id},
    h('td', {}, h('input', {type: 'checkbox', class: 'pick', value: p.id})),
    h('td', {}, thumbnail(p.id, p.has_pdf)),
    h('td', {class: 'title'}, h('a', {href: `/papers/${enc(p.id)}`}, p.title ? latex(p.title) : '(untitled)'),
      h('div', {}, trustBadges(p.trust)),
      h('p', {class: 'abstract'}, latex(p.abstract)),
      h('p', {class: 'muted'}, 'run ', h('a', {href: `/runs/${enc(p.run_id)}`}, p.run_id), ' · idea ',
        h('a', {href: `/ideas/${enc(p.idea_id)}`}, p.idea_name), ` · attempt ${p.attempt}`)),
    h('td', {class: 'num score'}, num(s.score, 2)),
    h('td', {class: 'num'}, `${num(s.ai_overall, 2)} (${s.ai_count})`),
    h('td', {class: 'num'}, s.human_count ? `${num(s.human_overall, 1)} (${s.human_count})` : '–'),
    h('td', {class: 'num'}, [num(s.originality, 1), num(s.quality, 1), num(s.clarity, 1), num(s.significance, 1)].join(' / ')),
    h('td', {}, decisionBadge(s.decision)));
}

async function load(body, pager, count) {
  history.replaceState(null, '', `/papers?${state}`);
  try {
    const data = await api(`/api/v1/papers?${state}`);
    fill(body, data.items.length ? data.items.map(row) : h('tr', {}, h('td', {colspan: 8, class: 'muted'}, 'no paper matches')));
    const pages = Math.max(1, Math.ceil(data.total / data.per_page));
    fill(count, `${data.total} papers · page ${data.page} of ${pages}`);
    const go = (page) => { state.set('page', page); load(body, pager, count); };
    fill(pager,
      h('button', {type: 'button', id: 'prev', disabled: data.page <= 1, onclick: () => go(data.page - 1)}, '← previous'),
      h('button', {type: 'button', id: 'next', disabled: data.page >= pages, onclick: () => go(data.page + 1)}, 'next →'));
  } catch (e) {
    fill(body, h('tr', {}, h('td', {colspan: 8, class: 'error'}, e.message)));
  }
}

function select(id, key, options, fallback) {
  const el = h('select', {id}, options.map(([value, label]) => h('option', {value}, label)));
  el.value = state.get(key) || fallback;
  return el;
}

async function main_() {
  await frame('Papers');
  const body = h('tbody', {});
  const pager = h('div', {class: 'pager'});
  const count = h('p', {class: 'muted', id: 'count'});
  const q = h('input', {type: 'search', id: 'q', placeholder: 'search titles and abstracts', value: state.get('q') || ''});
  const scores = (await reviewScores()).paper_scores;
  const sort = select('sort', 'sort', [...scores.map((s) => [s, s]), ['created', 'created'], ['title', 'title']], 'score');
  const order = select('order', 'order', [['', 'default order'], ['desc', 'descending'], ['asc', 'ascending']], '');
  const decision = select('decision', 'decision', [['', 'any decision'], ['accept', 'accept'], ['reject', 'reject']], '');
  const runs = await api('/api/v1/runs');
  const run = select('run', 'run', [['', 'every run'], ...runs.runs.map((r) => [r.id, `${r.id} (${r.template})`])], '');
  const minScore = h('input', {type: 'number', id: 'min-score', step: 'any', placeholder: 'min score', value: state.get('min_score') || ''});
  const update = () => {
    for (const [key, el] of [['q', q], ['sort', sort], ['order', order], ['decision', decision], ['run', run], ['min_score', minScore]]) {
      if (el.value) state.set(key, el.value); else state.delete(key);
    }
    state.delete('page');
    load(body, pager, count);
  };
  for (const el of [sort, order, decision, run, minScore]) el.addEventListener('change', update);
  let typing = null;
  q.addEventListener('input', () => { clearTimeout(typing); typing = setTimeout(update, 250); });
  const compare = h('button', {type: 'button', id: 'compare', onclick: () => {
    const ids = [...document.querySelectorAll('input.pick:checked')].map((c) => c.value);
    if (ids.length >= 2) location.href = `/compare?ids=${ids.map(enc).join(',')}`;
  }}, 'Compare selected');
  fill(main, h('h1', {}, 'Papers'),
    h('div', {class: 'controls'}, q, ' sort ', sort, order, decision, run, minScore, compare),
    count,
    h('table', {id: 'papers'},
      h('thead', {}, h('tr', {}, ['', '', 'paper', 'score', 'AI mean (n)', 'human (n)', 'orig / qual / clar / sig', 'decision']
        .map((t) => h('th', {}, t)))),
      body),
    pager);
  await load(body, pager, count);
}

main_().catch((e) => showError(main, e));
