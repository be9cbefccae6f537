// How AI and human reviewers agree on a run's papers: correlation of overall scores,
// accept/reject agreement (with Cohen's kappa), a scatter plot and the papers behind it.
import {api, decisionBadge, enc, fill, frame, h, num, scatterPlot, segment, showError} from '/static/app.js';
import {latex} from '/static/latex.js';

const main = document.getElementById('main');
const runId = segment(1);

async function main_() {
  await frame('Agreement');
  const data = await api(`/api/v1/runs/${enc(runId)}/agreement`);
  const s = data.stats;
  const pct = (v) => (v === null ? '–' : `${Math.round(v * 100)}%`);
  fill(main,
    h('p', {}, h('a', {href: `/runs/${enc(runId)}`}, `← run ${runId}`)),
    h('h1', {}, 'AI vs human reviews'),
    h('dl', {class: 'stats', id: 'stats'},
      h('dt', {}, 'papers with a human review'), h('dd', {id: 'stat-papers'}, s.papers),
      h('dt', {}, 'Pearson r (overall)'), h('dd', {id: 'stat-pearson'}, num(s.pearson, 3)),
      h('dt', {}, 'Spearman ρ'), h('dd', {}, num(s.spearman, 3)),
      h('dt', {}, 'mean |AI − human|'), h('dd', {}, num(s.mean_abs_diff, 2)),
      h('dt', {}, 'accept/reject agreement'), h('dd', {id: 'stat-agreement'}, `${pct(s.agreement)} (${s.agree} of ${s.decided})`),
      h('dt', {}, "Cohen's κ"), h('dd', {}, num(s.kappa, 3))),
    data.points.length ? scatterPlot(data.points) : h('p', {class: 'muted'}, 'no human review yet: open a paper and submit one'),
    h('table', {id: 'agreement-table'},
      h('thead', {}, h('tr', {}, ['paper', 'AI score', 'AI decision', 'human score', 'human decision', 'human reviews'].map((t) => h('th', {}, t)))),
      h('tbody', {}, data.points.map((p) => h('tr', {'data-paper': p.paper_id},
        h('td', {}, h('a', {href: `/papers/${enc(p.paper_id)}`}, p.title ? latex(p.title) : '(untitled)')),
        h('td', {class: 'num'}, num(p.ai_score, 2)), h('td', {}, decisionBadge(p.ai_decision)),
        h('td', {class: 'num'}, num(p.human_score, 2)), h('td', {}, decisionBadge(p.human_decision)),
        h('td', {class: 'num'}, p.human_count))))));
}

main_().catch((e) => showError(main, e));
