// Papers side by side, for comparing the ideas of a run: thumbnails, the ideas' results
// (best metric, novelty), the automated checks, the review scores (the best of each row
// marked), decisions, abstracts, unverified numbers and each paper's reviews.
import {api, badge, decisionBadge, enc, fill, frame, h, num, reviewScores, showError, thumbnail} from '/static/app.js';
import {latex} from '/static/latex.js';

const main = document.getElementById('main');

// "x of y" of a check, or '–' when the attempt recorded none.
function checkCell(p, pick) {
  const c = p.checks;
  if (!c || typeof c !== 'object' || !Object.keys(c).length) return '–';
  return pick(c);
}

async function main_() {
  await frame('Compare');
  const ids = new URLSearchParams(location.search).get('ids') || '';
  const data = await api(`/api/v1/compare?ids=${enc(ids)}`);
  const papers = data.papers;
  const rows = (await reviewScores()).paper_scores;
  const best = (values) => {
    const known = values.filter((v) => v !== null && v !== undefined);
    return known.length ? Math.max(...known) : null;
  };
  const numberRow = (label, values, digits, id) => {
    const top = best(values);
    return h('tr', {id}, h('th', {}, label), values.map((v) =>
      h('td', {class: `num${v !== null && v !== undefined && v === top && papers.length > 1 ? ' best' : ''}`}, num(v, digits))));
  };
  const len = (v) => (Array.isArray(v) ? v.length : 0);
  fill(main, h('h1', {}, `Comparing ${papers.length} papers`),
    h('table', {id: 'compare-table', class: 'compare'},
      h('thead', {}, h('tr', {}, h('th', {}, ''), papers.map((p) => h('th', {},
        thumbnail(p.id, p.has_pdf), h('a', {href: `/papers/${enc(p.id)}`, class: 'title'}, p.title ? latex(p.title) : '(untitled)'))))),
      h('tbody', {},
        h('tr', {class: 'section'}, h('th', {colspan: papers.length + 1}, 'Results')),
        numberRow('best metric', papers.map((p) => p.best_metric), 4, 'row-best-metric'),
        h('tr', {}, h('th', {}, 'novelty'), papers.map((p) => h('td', {}, badge(p.novelty_verdict || 'not checked',
          p.novelty_verdict === 'novel' ? 'accept' : p.novelty_verdict === 'not novel' ? 'reject' : 'muted')))),
        h('tr', {}, h('th', {}, 'pages'), papers.map((p) => h('td', {class: 'num'}, p.pages ?? '–'))),
        h('tr', {class: 'section'}, h('th', {colspan: papers.length + 1}, 'Automated checks')),
        h('tr', {id: 'row-checks'}, h('th', {}, 'checks'), papers.map((p) => h('td', {}, checkCell(p, (c) =>
          badge(c.passed ? 'passed' : 'failed', c.passed ? 'ok' : 'failed'))))),
        h('tr', {}, h('th', {}, 'claims verified'), papers.map((p) => h('td', {class: 'num'}, checkCell(p, (c) =>
          `${(c.claims?.checked ?? 0) - (c.claims?.unmatched ?? 0)} of ${c.claims?.checked ?? 0}`)))),
        h('tr', {}, h('th', {}, 'citations resolved'), papers.map((p) => h('td', {class: 'num'}, checkCell(p, (c) =>
          `${len(c.citations?.cited) - len(c.citations?.unresolved)} of ${len(c.citations?.cited)}`)))),
        h('tr', {}, h('th', {}, 'unverified numbers'), papers.map((p) => h('td', {class: 'num'}, Array.isArray(p.unverified) ? p.unverified.length : '–'))),
        h('tr', {class: 'section'}, h('th', {colspan: papers.length + 1}, 'Reviews')),
        h('tr', {}, h('th', {}, 'decision'), papers.map((p) => h('td', {}, decisionBadge(p.scores.decision)))),
        rows.map((name) => numberRow(name, papers.map((p) => p.scores[name]), 2)),
        h('tr', {}, h('th', {}, 'reviews'), papers.map((p) => h('td', {class: 'num'}, `${p.reviews.length}`))),
        h('tr', {}, h('th', {}, 'review excerpts'), papers.map((p) => h('td', {}, p.reviews.length ? p.reviews.map((r) =>
          h('p', {}, h('strong', {}, `${r.reviewer_kind} ${r.reviewer}: ${num(r.overall, 1)} `), (r.text || '').slice(0, 300)))
          : h('span', {class: 'muted'}, 'no review')))),
        h('tr', {class: 'section'}, h('th', {colspan: papers.length + 1}, 'Abstracts')),
        h('tr', {}, h('th', {}, 'abstract'), papers.map((p) => h('td', {class: 'abstract'}, latex(p.abstract)))))));
}

main_().catch((e) => showError(main, e));
