// A paper: the PDF inline and downloadable, its first-page thumbnail, the abstract, the
// numbers the claim check could not verify, the citations; every review with a score chart
// and the LLM transcripts behind them; and the human review form.
import {
  api, badge, decisionBadge, enc, fill, frame, h, llmCallTable, num, reviewScores, scoreChart, segment, session,
  showError, thumbnail, trustBadges, usd, when, writeJSON,
} from '/static/app.js';
import {latex, latexText} from '/static/latex.js';

const main = document.getElementById('main');
const paperId = segment(1);

// A stored item (a string or an object) as readable text.
function itemText(item) {
  if (typeof item === 'string') return item;
  if (item && typeof item === 'object') {
    const main = item.value ?? item.number ?? item.title ?? item.key ?? '';
    const rest = Object.entries(item).filter(([k]) => !['value', 'number', 'title', 'key'].includes(k))
      .map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`);
    return [String(main), ...rest].filter(Boolean).join(' · ');
  }
  return JSON.stringify(item);
}

// The automated checks (paper/checks.cpp's JSON) as a table: one row per check with its
// verdict and, on click, what lies behind it.
export function checksTable(checks, unverified) {
  if (!checks || typeof checks !== 'object' || !Object.keys(checks).length)
    return h('p', {class: 'muted', id: 'checks'}, 'no automated checks were recorded for this attempt');
  const list = (items) => (Array.isArray(items) && items.length ? h('ul', {}, items.map((i) => h('li', {}, itemText(i)))) : null);
  const n = (v) => (typeof v === 'number' ? v : 0);
  const claims = checks.claims || {};
  const cites = checks.citations || {};
  const figures = checks.figures || {};
  const cited = Array.isArray(cites.cited) ? cites.cited : [];
  const unresolved = Array.isArray(cites.unresolved) ? cites.unresolved : [];
  const bibtex = Array.isArray(checks.bibtex_errors) ? checks.bibtex_errors : [];
  const missing = Array.isArray(figures.missing) ? figures.missing : [];
  const unused = Array.isArray(figures.unreferenced) ? figures.unreferenced : [];
  const verified = n(claims.checked) - n(claims.unmatched);
  const pages = checks.pages ?? null;
  const rows = [
    ['compiles', checks.compiles ? 'yes' : 'no', !!checks.compiles,
      `pdflatex ${checks.compiles ? 'made a PDF' : 'made no PDF'}; ${n(checks.latex_errors)} LaTeX error(s) in the log`],
    ['pages', checks.page_limit ? `${pages ?? '?'} of at most ${checks.page_limit}` : `${pages ?? '?'} (no limit)`,
      pages !== null && (!checks.page_limit || pages <= checks.page_limit),
      checks.page_limit ? `the template allows ${checks.page_limit} pages` : 'the template sets no page limit'],
    ['claims verified', `${verified} of ${n(claims.checked)}`, n(claims.unmatched) === 0,
      n(claims.unmatched) ? [`${n(claims.unmatched)} number(s) match no measured result:`, listOf(unverified, '', null)]
        : 'every number checked in the text matches a measured result'],
    ['citations resolved', `${cited.length - unresolved.length} of ${cited.length}`, unresolved.length === 0,
      [unresolved.length ? ['unresolved: ', list(unresolved)] : 'every cited key is in the bibliography',
        cited.length ? h('p', {class: 'muted'}, `cited: ${cited.join(', ')}`) : null]],
    ['bibtex errors', String(bibtex.length), bibtex.length === 0,
      bibtex.length ? list(bibtex) : (checks.bibtex_errors === undefined ? 'not recorded for this attempt' : 'bibtex ran without errors')],
    ['figures missing', String(missing.length), missing.length === 0,
      [missing.length ? ['included but not made: ', list(missing)] : 'every included figure exists',
        Array.isArray(figures.referenced) && figures.referenced.length ? h('p', {class: 'muted'}, `included: ${figures.referenced.join(', ')}`) : null]],
    ['figures unreferenced', String(unused.length), unused.length === 0,
      unused.length ? ['made but never included: ', list(unused)] : 'every figure made is in the paper'],
    ['chktex warnings', String(n(checks.chktex_warnings)), n(checks.chktex_warnings) === 0 || 'warn',
      'style warnings of chktex on the LaTeX source (the log of the attempt has them); a warning, not a failed check'],
    ['overfull boxes', String(n(checks.overfull_boxes)), n(checks.overfull_boxes) === 0 || 'warn',
      'lines that stick out into the margin (the overfull hbox warnings of the LaTeX log); a warning, not a failed check'],
  ];
  const body = h('tbody', {});
  for (const [name, value, ok, details] of rows) {
    const detail = h('tr', {class: 'check-details', hidden: true}, h('td', {colspan: 3}, details));
    // ok: true (passed), false (failed) or 'warn' (worth a look; the verdict does not count it)
    const state = ok === 'warn' ? 'warn' : ok ? 'pass' : 'fail';
    const row = h('tr', {class: `check ${state}`, 'data-check': name, tabindex: 0, title: 'details'},
      h('td', {}, h('span', {class: 'toggle'}, '▸ '), name), h('td', {class: 'num'}, value),
      h('td', {}, badge({pass: 'ok', fail: 'failed', warn: 'warning'}[state], {pass: 'ok', fail: 'failed', warn: 'paused'}[state])));
    const toggle = () => {
      detail.hidden = !detail.hidden;
      row.querySelector('.toggle').textContent = detail.hidden ? '▸ ' : '▾ ';
    };
    row.addEventListener('click', toggle);
    row.addEventListener('keydown', (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); toggle(); } });
    body.append(row, detail);
  }
  const passed = checks.passed;
  return h('div', {id: 'checks'},
    h('p', {}, passed === undefined ? h('span', {class: 'muted'}, 'overall verdict not recorded')
      : [badge(passed ? 'passed' : 'failed', passed ? 'ok' : 'failed'), passed ? ' every check passed' : ' some checks failed (click a row for details)']),
    h('table', {class: 'checks'}, h('thead', {}, h('tr', {}, h('th', {}, 'check'), h('th', {class: 'num'}, 'result'), h('th', {}, ''))), body));
}

// The newest `shoal reproduce` of the paper (agent/reproduce.cpp's details): its outcome,
// and each value that came out differently (stored, measured, the tolerance allowed).
function reproductionView(r) {
  const value = (v) => (typeof v === 'number' ? String(Number(v.toPrecision(6))) : '–');
  if (!r || typeof r !== 'object')
    return h('p', {class: 'muted', id: 'reproduction'}, 'not reproduced yet (shoal reproduce PAPER re-runs its experiments)');
  const runs = Array.isArray(r.details?.runs) ? r.details.runs : [];
  const rows = [];
  let values = 0;
  for (const run of runs) {
    const metrics = Array.isArray(run.metrics) ? run.metrics : [];
    values += metrics.length;
    for (const m of metrics) {
      if (m && m.match) continue;
      rows.push(h('tr', {class: 'differs'},
        h('td', {}, run.seed !== null && run.seed !== undefined ? `seed ${run.seed}` : (run.kind || 'run')),
        h('td', {}, m?.condition ?? '–'), h('td', {}, m?.metric ?? '–'),
        h('td', {class: 'num'}, value(m?.stored)), h('td', {class: 'num'}, m?.measured === null ? 'not measured' : value(m?.measured)),
        h('td', {class: 'num'}, value(m?.tolerance))));
    }
    if (run.problem) rows.push(h('tr', {class: 'differs'}, h('td', {colspan: 6}, `${run.kind || 'run'}: ${run.problem}`)));
  }
  return h('div', {id: 'reproduction'},
    h('p', {}, badge(r.outcome, r.outcome === 'reproduced' ? 'ok' : 'failed'),
      ` ${when(r.created_ms)}: ${runs.length} run(s) re-run, ${values} value(s) compared`,
      r.outcome === 'reproduced' ? ', every one within its tolerance' : `, ${rows.length} not as stored:`),
    rows.length ? h('table', {class: 'reproduction'},
      h('thead', {}, h('tr', {}, ['run', 'condition', 'metric', 'stored', 'measured', 'tolerance'].map((t) => h('th', {}, t)))),
      h('tbody', {}, rows)) : null);
}

function listOf(items, empty, id) {
  if (!Array.isArray(items) || !items.length) return h('p', {class: 'muted', id}, empty);
  return h('ul', {id}, items.map((i) => h('li', {}, itemText(i))));
}

// A review: who, the decision, each score of `scores` (the review form's) it gives, the text.
function reviewCard(r, scores) {
  const given = scores.map((s) => s.name).filter((k) => r[k] !== null).map((k) => `${k} ${num(r[k], 1)}`).join(' · ');
  return h('article', {class: `review ${r.reviewer_kind}`, 'data-review': r.id},
    h('header', {}, badge(r.reviewer_kind), ' ', h('strong', {class: 'reviewer'}, r.reviewer), ' ', decisionBadge(r.decision),
      h('span', {class: 'muted'}, ` ${when(r.created_ms)}`)),
    r.status === 'failed' ? h('p', {class: 'error'}, `failed: ${r.error || 'unusable reply'}`) : null,
    h('p', {class: 'scores'}, given || 'no scores'),
    r.text ? h('pre', {class: 'review-text'}, r.text) : null);
}

const FORM_TEXTS = ['summary', 'strengths', 'weaknesses', 'questions', 'limitations'];

// The human review form: the texts, a whole number for each score of `scores` in its range,
// ethical concerns and the decision.
function reviewForm(onSaved, scores) {
  const message = h('p', {id: 'review-message', role: 'status'});
  const form = h('form', {id: 'review-form', class: 'review-form'},
    h('label', {}, 'Your name ', h('input', {name: 'reviewer', required: true, maxlength: 100})),
    FORM_TEXTS.map((t) => h('label', {}, t, h('textarea', {name: t, rows: 3}))),
    h('div', {class: 'score-inputs'}, scores.map(({name, min, max}) =>
      h('label', {}, `${name} (${min}-${max}) `, h('input', {type: 'number', name, min, max, required: true})))),
    h('label', {class: 'check'}, h('input', {type: 'checkbox', name: 'ethical_concerns'}), 'ethical concerns'),
    h('label', {}, 'Decision ', h('select', {name: 'decision'}, h('option', {value: 'accept'}, 'accept'),
      h('option', {value: 'reject'}, 'reject'))),
    h('button', {type: 'submit', id: 'submit-review'}, 'Submit review'), message);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const body = {reviewer: data.get('reviewer'), decision: data.get('decision'), ethical_concerns: data.get('ethical_concerns') === 'on'};
    for (const t of FORM_TEXTS) body[t] = data.get(t);
    for (const {name} of scores) body[name] = Number.parseInt(data.get(name), 10);
    try {
      await writeJSON(`/api/v1/papers/${enc(paperId)}/reviews`, body);
      fill(message, 'Review saved.');
      message.className = 'ok';
      form.reset();
      onSaved();
    } catch (e) {
      fill(message, `Not saved: ${e.message}`);
      message.className = 'error';
    }
  });
  return form;
}

async function renderReviews(box) {
  const paper = await api(`/api/v1/papers/${enc(paperId)}`);
  const {scores} = await reviewScores();
  const ai = paper.reviews.filter((r) => r.reviewer_kind !== 'human');
  const human = paper.reviews.filter((r) => r.reviewer_kind === 'human');
  fill(box,
    h('h2', {}, `Reviews (${paper.reviews.length})`),
    scoreChart(paper.reviews, scores),
    h('h3', {}, 'AI reviews and meta-review'),
    ai.length ? h('div', {id: 'ai-reviews'}, ai.map((r) => reviewCard(r, scores))) : h('p', {class: 'muted'}, 'no AI review yet'),
    h('h3', {}, 'Human reviews'),
    human.length ? h('div', {id: 'human-reviews'}, human.map((r) => reviewCard(r, scores))) : h('p', {class: 'muted', id: 'human-reviews'}, 'no human review yet'));
  return paper;
}

async function main_() {
  await frame('Paper');
  const paper = await api(`/api/v1/papers/${enc(paperId)}`);
  document.title = `${latexText(paper.title) || 'Paper'} · Shoal`;
  const s = paper.scores;
  const reviews = h('section', {id: 'reviews'});
  const transcript = h('section', {class: 'transcript', id: 'transcript'});
  const pdf = paper.has_pdf
    ? h('div', {class: 'pdf'},
      h('iframe', {src: `/api/v1/papers/${enc(paper.id)}/pdf`, title: 'PDF', id: 'pdf-frame'}),
      h('p', {}, h('a', {href: `/api/v1/papers/${enc(paper.id)}/pdf?download=1`, id: 'pdf-download'}, 'Download the PDF'),
        paper.pages ? ` · ${paper.pages} page${paper.pages === 1 ? '' : 's'}` : ''))
    : h('p', {class: 'error'}, `no PDF: ${paper.error || 'this attempt did not compile'}`);
  const signedIn = (await session()).signed_in;
  const formScores = (await reviewScores()).scores;
  fill(main,
    h('p', {}, h('a', {href: `/runs/${enc(paper.run_id)}`}, `← run ${paper.run_id}`), ' · idea ',
      h('a', {href: `/ideas/${enc(paper.idea.id)}`}, paper.idea.title ? latex(paper.idea.title) : paper.idea.name),
      ' · attempts: ', paper.attempts.map((a) => [h('a', {href: `/papers/${enc(a.id)}`, class: a.id === paper.id ? 'current' : ''},
        `${a.attempt} (${a.status})`), ' '])),
    h('h1', {id: 'paper-title'}, paper.title ? latex(paper.title) : '(untitled)'),
    h('p', {id: 'paper-trust'}, trustBadges(paper.trust)),
    h('p', {class: 'summary', id: 'paper-summary'}, s.ai_count || s.human_count || s.meta_overall !== null
      ? [decisionBadge(s.decision), ` score ${num(s.score, 2)} · AI mean ${num(s.ai_overall, 2)} of ${s.ai_count}`,
        ` · meta ${num(s.meta_overall, 1)} · human ${num(s.human_overall, 1)} of ${s.human_count}`]
      : h('span', {class: 'muted'}, 'no review scores yet (the offline agent records the automated checks below, not a review)'),
      paper.current ? '' : ' · (not the newest compiled attempt)'),
    h('div', {class: 'split'},
      h('div', {}, h('div', {id: 'thumbnail'}, thumbnail(paper.id, paper.has_pdf, false)), pdf),
      h('div', {},
        h('h2', {}, 'Abstract'), h('p', {class: 'abstract', id: 'abstract'}, paper.abstract ? latex(paper.abstract) : '–'),
        h('h2', {}, 'Automated checks'), checksTable(paper.checks, paper.unverified),
        h('h2', {}, 'Reproduction'), reproductionView(paper.reproduction),
        h('h2', {}, 'Unverified numbers'),
        h('p', {class: 'muted'}, 'numbers in the text that the claim check could not trace to a result'),
        listOf(paper.unverified, 'every number was traced to a result', 'unverified'),
        h('h2', {}, 'Citations'), listOf(paper.citations, 'no citations', 'citations'),
        paper.artifacts.length ? [h('h2', {}, 'Files'), h('ul', {}, paper.artifacts.map((a) =>
          h('li', {}, h('a', {href: `/api/v1/artifacts/${a.id}`}, a.name), ` (${a.kind})`)))] : null)),
    reviews,
    h('h2', {}, `Review transcripts (${usd(paper.review_cost_usd)})`),
    llmCallTable(paper.review_calls, transcript), transcript,
    h('h2', {}, 'Your review'),
    signedIn ? null : h('p', {class: 'muted', id: 'read-only'}, 'Read-only: sign in with the token (top right) to submit a review.'),
    reviewForm(() => renderReviews(reviews), formScores));
  await renderReviews(reviews);
}

document.addEventListener('signed-in', () => document.getElementById('read-only')?.remove());
main_().catch((e) => showError(main, e));
