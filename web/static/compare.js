// Papers side by side: thumbnails, scores (the best of each row marked), decisions,
// abstracts, unverified numbers and each paper's reviews.
import {api, decisionBadge, enc, fill, frame, h, num, reviewScores, showError, thumbnail} from '/static/app.js';

const main = document.getElementById('main');

async function main_() {
  await frame('Compare');
  const ids = new URLSearchParams(location.search).get('ids') || '';
  const data = await api(`/api/v1/compare?ids=${enc(ids)}`);
  const papers = data.papers;
  const rows = (await reviewScores()).paper_scores;
  const best = (name) => Math.max(...papers.map((p) => p.scores[name] ?? -Infinity));
  const cell = (p, name) => {
    const v = p.scores[name];
    return h('td', {class: `num${v !== null && v === best(name) && papers.length > 1 ? ' best' : ''}`}, num(v, 2));
  };
  fill(main, h('h1', {}, `Comparing ${papers.length} papers`),
    h('table', {id: 'compare-table', class: 'compare'},
      h('thead', {}, h('tr', {}, h('th', {}, ''), papers.map((p) => h('th', {},
        thumbnail(p.thumbnail_id, p.id), h('a', {href: `/papers/${enc(p.id)}`, class: 'title'}, p.title || '(untitled)'))))),
      h('tbody', {},
        h('tr', {}, h('th', {}, 'decision'), papers.map((p) => h('td', {}, decisionBadge(p.scores.decision)))),
        rows.map((name) => h('tr', {}, h('th', {}, name), papers.map((p) => cell(p, name)))),
        h('tr', {}, h('th', {}, 'reviews'), papers.map((p) => h('td', {}, `${p.reviews.length}`))),
        h('tr', {}, h('th', {}, 'unverified numbers'), papers.map((p) => h('td', {}, Array.isArray(p.unverified) ? p.unverified.length : '–'))),
        h('tr', {}, h('th', {}, 'citations'), papers.map((p) => h('td', {}, Array.isArray(p.citations) ? p.citations.length : '–'))),
        h('tr', {}, h('th', {}, 'abstract'), papers.map((p) => h('td', {class: 'abstract'}, p.abstract))),
        h('tr', {}, h('th', {}, 'review excerpts'), papers.map((p) => h('td', {}, p.reviews.map((r) =>
          h('p', {}, h('strong', {}, `${r.reviewer_kind} ${r.reviewer}: ${num(r.overall, 1)} `), (r.text || '').slice(0, 300)))))))));
}

main_().catch((e) => showError(main, e));
