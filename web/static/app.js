// Shared helpers of the reviewer pages. Every value from the server is untrusted (titles,
// abstracts, reviews and logs come from a model): pages build the DOM with h() and text
// nodes only, never by parsing strings as markup, so markup in data shows as text.
import {latexText} from '/static/latex.js';

// Creates an element: h('a', {href: '/x', class: 'y'}, 'text', child, [more]).
export function h(tag, attrs, ...children) {
  const svg = ['svg', 'g', 'rect', 'line', 'circle', 'text', 'title', 'path', 'polyline'].includes(tag);
  const el = svg ? document.createElementNS('http://www.w3.org/2000/svg', tag) : document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (key === 'src' && tag === 'img' && isImageData(value)) el.setAttribute(key, value);
    else if (key === 'href' || key === 'src') el.setAttribute(key, safeUrl(value));
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else if (child instanceof Node) el.appendChild(child);
    else el.appendChild(document.createTextNode(String(child)));
  }
}

// An image a model was shown, inlined in its request as base64 (never a script or a page).
function isImageData(value) {
  return /^data:image\/(png|jpeg|gif|webp);base64,[A-Za-z0-9+/=]+$/.test(String(value));
}

// Only same-site paths (built by these pages from ids) become links or sources.
function safeUrl(url) {
  const s = String(url);
  return s.startsWith('/') && !s.startsWith('//') ? s : '#';
}

// Replaces the children of `el`.
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

// A path segment of this page's URL: /papers/ID -> segment(1) is ID.
export function segment(index) {
  return decodeURIComponent(location.pathname.split('/').filter(Boolean)[index] || '');
}

export const enc = encodeURIComponent;

// GETs (or sends) JSON; throws an Error carrying the server's message and status.
export async function api(path, options = {}) {
  const response = await fetch(path, {credentials: 'same-origin', ...options});
  let body = null;
  try { body = await response.json(); } catch { body = null; }
  if (!response.ok) {
    const message = body && body.error ? body.error.message : `HTTP ${response.status}`;
    const error = new Error(message);
    error.status = response.status;
    throw error;
  }
  return body;
}

// Session: whether this browser may write, and the CSRF token its writes must carry.
let sessionState = null;
export async function session() {
  if (!sessionState) sessionState = await api('/api/v1/session');
  return sessionState;
}

export async function signIn(token) {
  sessionState = await api('/api/v1/session', {
    method: 'POST', headers: {'Content-Type': 'application/json'}, body: JSON.stringify({token}),
  });
  return sessionState;
}

export async function signOut() {
  await writeJSON('/api/v1/session/end', {});
  sessionState = {signed_in: false};
}

// POSTs JSON with the session's CSRF token.
export async function writeJSON(path, body) {
  const s = await session();
  const headers = {'Content-Type': 'application/json'};
  if (s.csrf) headers['X-CSRF-Token'] = s.csrf;
  return api(path, {method: 'POST', headers, body: JSON.stringify(body)});
}

// Formatting.
export function num(v, digits = 2) {
  return v === null || v === undefined ? '–' : Number(v).toFixed(digits);
}
export function usd(v) {
  if (v === null || v === undefined) return '–';
  return '$' + Number(v).toFixed(v === 0 || v >= 1 ? 2 : 4);
}
export function when(ms) {
  if (!ms) return '–';
  return new Date(ms).toISOString().replace('T', ' ').slice(0, 19);
}
export function duration(fromMs, toMs) {
  if (!fromMs) return '–';
  const s = Math.max(0, Math.round(((toMs || Date.now()) - fromMs) / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
}

export function badge(text, kind) {
  return h('span', {class: `badge ${kind || text || ''}`}, text || '–');
}

// A run's status; a running run that waits for its provider (an outage) says so, and since when.
export function runBadge(status, waitingSince) {
  if (status === 'running' && waitingSince) {
    return h('span', {class: 'badge waiting', title: `waiting for the provider since ${waitingSince}`},
      `waiting for provider since ${when(Date.parse(waitingSince))}`);
  }
  return badge(status);
}

// What a reader can trust of a paper (the API's `trust`): whether every number it states is
// tied to a stored result, and whether `shoal reproduce` got the same values again, with the
// counts behind each. Null for no paper.
export function trustBadges(t) {
  if (!t || typeof t !== 'object') return null;
  const n = typeof t.unverified === 'number' ? t.unverified : -1;
  const verified = n === 0
    ? h('span', {class: 'badge ok trust-claims', 'data-claims': 'verified', title: 'every number in the paper is tied to a stored result'}, 'verified')
    : h('span', {class: 'badge failed trust-claims', 'data-claims': 'unverified', title: 'numbers in the paper that match no stored result (see the claims check)'},
      n > 0 ? `unverified: ${n} number${n === 1 ? '' : 's'}` : 'unverified');
  const values = Number(t.reproduction_values) || 0;
  const differing = Number(t.reproduction_differing) || 0;
  let reproduced;
  if (t.reproduction === 'reproduced')
    reproduced = h('span', {class: 'badge ok trust-reproduction', 'data-reproduction': 'reproduced', title: 'shoal reproduce re-ran the runs'},
      `reproduced: ${values} value${values === 1 ? '' : 's'}`);
  else if (t.reproduction === 'differs')
    reproduced = h('span', {class: 'badge failed trust-reproduction', 'data-reproduction': 'differs', title: 'shoal reproduce re-ran the runs'},
      `differs: ${differing} of ${values} value${values === 1 ? '' : 's'}`);
  else
    reproduced = h('span', {class: 'badge muted trust-reproduction', 'data-reproduction': 'none', title: 'run shoal reproduce PAPER to re-run it'},
      'not reproduced');
  return h('span', {class: 'trust'}, verified, ' ', reproduced);
}

export function decisionBadge(decision) {
  return decision ? badge(decision, decision) : h('span', {class: 'muted'}, '–');
}

// The page frame: navigation, the sign-in box, a place for errors.
export async function frame(title) {
  document.title = `${title} · Shoal`;
  const auth = h('span', {class: 'auth', id: 'auth'});
  const header = h('header', {},
    h('a', {href: '/', class: 'brand'}, 'Shoal'),
    h('nav', {}, h('a', {href: '/'}, 'Runs'), h('a', {href: '/papers'}, 'Papers')),
    auth);
  document.body.prepend(header);
  await renderAuth(auth);
}

async function renderAuth(box) {
  let s;
  try { s = await session(); } catch { s = {signed_in: false}; }
  if (s.signed_in) {
    fill(box, h('span', {class: 'muted', id: 'signed-in'}, 'signed in as a reviewer '),
      h('button', {type: 'button', onclick: async () => { await signOut(); location.reload(); }}, 'Sign out'));
    return;
  }
  const input = h('input', {type: 'password', id: 'token', placeholder: 'token from shoal serve', autocomplete: 'off'});
  const message = h('span', {class: 'error', id: 'auth-error'});
  const form = h('form', {id: 'sign-in'}, input, h('button', {type: 'submit'}, 'Sign in to review'), message);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      await signIn(input.value);
      document.dispatchEvent(new CustomEvent('signed-in'));
      await renderAuth(box);
    } catch (e) {
      fill(message, e.message);
    }
  });
  fill(box, form);
}

export function showError(container, error) {
  fill(container, h('p', {class: 'error'}, error.message || String(error)));
}

// The first page of a paper (rendered once by the server when no page image is stored), or a
// placeholder for a paper without a PDF; `link` makes it a link to the paper's page.
export function thumbnail(paperId, hasPdf, link = true) {
  if (!paperId || !hasPdf) return h('div', {class: 'thumb none'}, paperId ? 'no PDF' : 'no paper');
  const img = h('img', {class: 'thumb', src: `/api/v1/papers/${enc(paperId)}/preview`, alt: 'first page', loading: 'lazy'});
  img.addEventListener('error', () => img.replaceWith(h('div', {class: 'thumb none'}, 'no preview')));
  return link ? h('a', {href: `/papers/${enc(paperId)}`}, img) : img;
}

// The messages of an LLM call's request and its reply, whatever the protocol (OpenAI's
// messages and choices, Anthropic's system, content blocks and images): [{role, blocks}] where
// a block is {text} or {image: data URL} or {note}.
export function transcriptParts(call) {
  const blocks = (content) => {
    if (content === null || content === undefined) return [];
    if (typeof content === 'string') return [{text: content}];
    if (!Array.isArray(content)) return [{text: JSON.stringify(content, null, 2)}];
    return content.map((c) => {
      if (typeof c === 'string') return {text: c};
      if (!c || typeof c !== 'object') return {text: String(c)};
      if (typeof c.text === 'string') return {text: c.text};
      if (c.type === 'image_url') {
        const url = typeof c.image_url === 'string' ? c.image_url : c.image_url && c.image_url.url;
        return url && url.startsWith('data:image/') ? {image: url} : {note: `image ${url || ''}`};
      }
      if (c.type === 'image' && c.source && c.source.type === 'base64') return {image: `data:${c.source.media_type};base64,${c.source.data}`};
      if (c.type === 'tool_use' || c.type === 'tool_result') return {text: JSON.stringify(c.input || c.content, null, 2), note: c.type};
      return {text: JSON.stringify(c, null, 2)};
    });
  };
  const parts = [];
  const req = call.request;
  if (req && typeof req === 'object') {
    if (req.system) parts.push({role: 'system', blocks: blocks(req.system)});
    for (const m of req.messages || []) parts.push({role: m.role, blocks: blocks(m.content)});
    if (req.prompt) parts.push({role: 'user', blocks: blocks(req.prompt)});
  } else if (req) {
    parts.push({role: 'request', blocks: blocks(String(req))});
  }
  const res = call.response;
  if (res && typeof res === 'object') {
    if (Array.isArray(res.choices)) res.choices.forEach((c) => parts.push({role: 'assistant', blocks: blocks(c.message ? c.message.content : c.text)}));
    else if (Array.isArray(res.content)) parts.push({role: 'assistant', blocks: blocks(res.content)});
    else if (res.message) parts.push({role: 'assistant', blocks: blocks(res.message.content)});
    else if (typeof res.response === 'string') parts.push({role: 'assistant', blocks: blocks(res.response)});
    else parts.push({role: 'assistant', blocks: blocks(JSON.stringify(res, null, 2))});
  } else if (res) {
    parts.push({role: 'assistant', blocks: blocks(String(res))});
  }
  return parts;
}

// A list of LLM calls grouped by stage, with tokens and cost per call and per stage; clicking
// one shows its transcript in `target`.
export function llmCallTable(calls, target) {
  if (!calls.length) return h('p', {class: 'muted'}, 'no LLM calls recorded');
  const stages = [];
  for (const c of calls) {
    const stage = c.stage || '(no stage)';
    let group = stages.find((g) => g.stage === stage);
    if (!group) stages.push(group = {stage, calls: []});
    group.calls.push(c);
  }
  const sum = (list, key) => list.reduce((t, c) => t + (Number(c[key]) || 0), 0);
  const head = ['stage', 'model', 'status', 'tokens in', 'out', 'cost', 'latency', ''];
  return h('table', {class: 'calls'},
    h('thead', {}, h('tr', {}, head.map((t, i) => h('th', {class: i >= 3 && i <= 6 ? 'num' : null}, t)))),
    stages.map((g) => h('tbody', {class: 'stage-group', 'data-stage': g.stage},
      h('tr', {class: 'stage-head'}, h('th', {colspan: 3}, `${g.stage} · ${g.calls.length} call${g.calls.length === 1 ? '' : 's'}`),
        h('th', {class: 'num'}, sum(g.calls, 'tokens_in')), h('th', {class: 'num'}, sum(g.calls, 'tokens_out')),
        h('th', {class: 'num'}, usd(sum(g.calls, 'cost_usd'))), h('th', {}, ''),
        h('th', {}, h('button', {type: 'button', class: 'link', onclick: () => showStageTranscript(g, target)}, 'read the stage'))),
      g.calls.map((c) => h('tr', {},
        h('td', {}, ''), h('td', {}, `${c.provider}:${c.model}`), h('td', {}, badge(c.status)),
        h('td', {class: 'num'}, c.tokens_in), h('td', {class: 'num'}, c.tokens_out), h('td', {class: 'num'}, usd(c.cost_usd)),
        h('td', {class: 'num'}, `${c.latency_ms} ms`),
        h('td', {}, h('button', {type: 'button', class: 'link', onclick: () => showTranscript([c.id], target)}, 'transcript')))))));
}

function messageView(p) {
  return h('div', {class: `message ${p.role}`},
    h('div', {class: 'role'}, p.role),
    p.blocks.map((b) => [
      b.note ? h('div', {class: 'note muted'}, b.note) : null,
      b.image ? h('img', {class: 'shown-image', src: b.image, alt: 'image shown to the model'}) : null,
      b.text !== undefined ? h('pre', {}, b.text) : null]));
}

function callView(call) {
  return h('article', {class: 'llm-call', 'data-call': call.id},
    h('h3', {}, `LLM call ${call.id}: ${call.stage || ''} · ${call.provider}:${call.model}`),
    h('p', {class: 'muted'}, `${call.tokens_in} tokens in${call.tokens_cached ? ` (${call.tokens_cached} cached)` : ''} · `,
      `${call.tokens_out} out · ${usd(call.cost_usd)} · ${call.latency_ms} ms · ${call.status}`),
    call.error ? h('p', {class: 'error'}, call.error) : null,
    transcriptParts(call).map(messageView));
}

async function showTranscript(ids, target) {
  try {
    fill(target, h('p', {class: 'muted'}, 'loading…'));
    const calls = await Promise.all(ids.map((id) => api(`/api/v1/llm_calls/${id}`)));
    fill(target, calls.map(callView));
    target.scrollIntoView({behavior: 'smooth', block: 'nearest'});
  } catch (e) {
    showError(target, e);
  }
}

function showStageTranscript(group, target) {
  return showTranscript(group.calls.map((c) => c.id), target);
}

// The review form's scores and the names paper lists sort by, from the store's one table:
// {scores: [{name, label, min, max}, ...], paper_scores: ['score', 'ai_overall', ...]}.
// Asked for once per page.
let reviewScoreTable = null;
export function reviewScores() {
  reviewScoreTable ??= api('/api/v1/review-scores');
  return reviewScoreTable;
}

// A grouped bar chart: one group per score of `scores` (reviewScores().scores), one bar per
// review (scaled to the score's maximum).
export function scoreChart(reviews, scores) {
  const SCALES = Object.fromEntries(scores.map((s) => [s.name, s.max]));
  const dims = Object.keys(SCALES).filter((d) => reviews.some((r) => r[d] !== null && r[d] !== undefined));
  if (!reviews.length || !dims.length) return h('p', {class: 'muted'}, 'no scores to chart');
  const colors = ['#3465a4', '#cc0000', '#4e9a06', '#c4a000', '#75507b', '#ce5c00', '#06989a', '#555753'];
  const barH = 7, gap = 10, labelW = 96, plotW = 300;
  const groupH = reviews.length * barH + gap;
  const height = dims.length * groupH + 10;
  const svg = h('svg', {class: 'chart', viewBox: `0 0 ${labelW + plotW + 40} ${height}`, width: labelW + plotW + 40, height,
    role: 'img', 'aria-label': 'review scores'});
  dims.forEach((d, i) => {
    const y0 = i * groupH + 5;
    svg.appendChild(h('text', {x: 0, y: y0 + (reviews.length * barH) / 2 + 4, class: 'axis'}, `${d} /${SCALES[d]}`));
    reviews.forEach((r, j) => {
      const v = r[d];
      if (v === null || v === undefined) return;
      const w = Math.max(1, (plotW * v) / SCALES[d]);
      const bar = h('rect', {x: labelW, y: y0 + j * barH, width: w, height: barH - 1, fill: colors[j % colors.length]});
      bar.appendChild(h('title', {}, `${r.reviewer} (${r.reviewer_kind}): ${d} ${v}`));
      svg.appendChild(bar);
      svg.appendChild(h('text', {x: labelW + w + 3, y: y0 + j * barH + barH - 1, class: 'value'}, num(v, 1)));
    });
  });
  const legend = h('div', {class: 'legend'}, reviews.map((r, j) =>
    h('span', {}, h('i', {class: `swatch c${j % colors.length}`}), `${r.reviewer_kind}: ${r.reviewer}`)));
  return h('div', {class: 'chart-box'}, svg, legend);
}

// A scatter plot of AI (x) against human (y) overall scores on 1-10, with the diagonal.
export function scatterPlot(points) {
  const size = 320, pad = 36, scale = (v) => pad + ((v - 1) / 9) * (size - 2 * pad);
  const svg = h('svg', {class: 'chart scatter', viewBox: `0 0 ${size} ${size}`, width: size, height: size,
    role: 'img', 'aria-label': 'AI vs human overall scores'});
  svg.appendChild(h('line', {x1: scale(1), y1: size - scale(1), x2: scale(10), y2: size - scale(10), class: 'diagonal'}));
  svg.appendChild(h('line', {x1: pad, y1: size - pad, x2: size - pad, y2: size - pad, class: 'axis-line'}));
  svg.appendChild(h('line', {x1: pad, y1: pad, x2: pad, y2: size - pad, class: 'axis-line'}));
  for (const t of [1, 4, 7, 10]) {
    svg.appendChild(h('text', {x: scale(t) - 3, y: size - pad + 14, class: 'axis'}, t));
    svg.appendChild(h('text', {x: pad - 16, y: size - scale(t) + 4, class: 'axis'}, t));
  }
  svg.appendChild(h('text', {x: size / 2 - 30, y: size - 4, class: 'axis'}, 'AI score'));
  svg.appendChild(h('text', {x: 2, y: 14, class: 'axis'}, 'human score'));
  for (const p of points) {
    if (p.ai_score === null || p.human_score === null) continue;
    const agree = p.ai_decision && p.human_decision ? (p.ai_decision === p.human_decision ? 'agree' : 'disagree') : 'undecided';
    const dot = h('circle', {cx: scale(p.ai_score), cy: size - scale(p.human_score), r: 5, class: `point ${agree}`});
    dot.appendChild(h('title', {}, `${latexText(p.title)}: AI ${num(p.ai_score, 1)}, human ${num(p.human_score, 1)}`));
    svg.appendChild(dot);
  }
  return svg;
}

// The diff of a node's code against its parent, as unified hunks.
export function diffView(diff) {
  if (!diff.has_code) return h('p', {class: 'muted'}, 'this node stored no code snapshot');
  const base = diff.base_id ? `against ${diff.base_kind} ${diff.base_id}` : 'no parent: the whole code is new';
  return h('div', {class: 'diff'}, h('p', {class: 'muted'}, base),
    diff.files.map((f) => h('details', {open: f.status !== 'unchanged'},
      h('summary', {}, h('code', {}, f.name), ' ', badge(f.status), ` +${f.added} −${f.removed}`),
      f.hunks.map((hunk) => h('table', {class: 'hunk'},
        h('tr', {class: 'hunk-head'}, h('td', {colspan: 3}, `@@ −${hunk.old_start},${hunk.old_count} +${hunk.new_start},${hunk.new_count} @@`)),
        hunk.lines.map(([op, text, oldNo, newNo]) => h('tr', {class: op === '+' ? 'add' : op === '-' ? 'del' : 'ctx'},
          h('td', {class: 'ln'}, oldNo || ''), h('td', {class: 'ln'}, newNo || ''), h('td', {}, h('pre', {}, `${op} ${text}`)))))))));
}
