// Browser tests of the reviewer web UI: `shoal serve` over a fixture store, driven in
// Debian's headless Chromium by playwright-core. Saves a screenshot of every view (the
// --artifacts folder, build/browser-screenshots under ctest) and checks on each that no LaTeX
// source (\_, \texttt, \emph, \cite, unrendered $...$) reaches the visible text.
//
// usage: node web_browser.mjs --shoal PATH --fixture PATH --artifacts DIR
// Exits 0 when every check passed, 1 otherwise (each check prints "ok" or "FAIL").
import assert from 'node:assert/strict';
import {spawn, execFileSync} from 'node:child_process';
import {mkdtempSync, mkdirSync, rmSync, existsSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = Object.fromEntries(process.argv.slice(2).reduce((pairs, a, i, all) =>
  (a.startsWith('--') ? [...pairs, [a.slice(2), all[i + 1]]] : pairs), []));
const CHROMIUM = '/usr/lib/chromium/chromium';
const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run'];
const TOKEN = 'browser-test-token-42';
const XSS_IMG = '<img src=x onerror=alert(1)>';

if (!existsSync(path.join(here, 'node_modules', 'playwright-core'))) {
  console.error('web_browser: tests/browser/node_modules/playwright-core is missing: run scripts/setup (npm install)');
  process.exit(1);
}
const {chromium} = await import(path.join(here, 'node_modules', 'playwright-core', 'index.mjs'));

let failures = 0;
async function check(name, fn) {
  try {
    await fn();
    console.log(`ok   ${name}`);
  } catch (e) {
    failures++;
    console.log(`FAIL ${name}\n     ${String(e && e.stack || e).split('\n').slice(0, 6).join('\n     ')}`);
  }
}

// Starts `shoal serve`; resolves with {proc, url, token, stderr} once it prints its address.
function serve(home, extra) {
  return new Promise((resolve, reject) => {
    const proc = spawn(args.shoal, ['serve', '--home', home, '--port', '0', ...extra], {stdio: ['ignore', 'pipe', 'pipe']});
    let out = '', err = '';
    const timer = setTimeout(() => reject(new Error(`shoal serve printed no address in 20 s:\n${out}${err}`)), 20000);
    proc.stderr.on('data', (d) => { err += d; });
    proc.stdout.on('data', (d) => {
      out += d;
      const url = out.match(/(http:\/\/[^ ]+\/)/);
      const token = out.match(/^token: (\S+)/m);
      if (url && token) {
        clearTimeout(timer);
        resolve({proc, url: url[1], token: token[1], stderr: () => err});
      }
    });
    proc.on('exit', (code) => { clearTimeout(timer); reject(new Error(`shoal serve exited ${code}:\n${out}${err}`)); });
  });
}

function stop(server) {
  return new Promise((resolve) => {
    server.proc.removeAllListeners('exit');
    server.proc.on('exit', (code, signal) => resolve({code, signal}));
    server.proc.kill('SIGTERM');
  });
}

const home = mkdtempSync(path.join(tmpdir(), 'shoal-web-browser-'));
const artifacts = args.artifacts || path.join(home, 'ci-artifacts');
mkdirSync(artifacts, {recursive: true});
const ids = JSON.parse(execFileSync(args.fixture, [home]).toString());

await check('serve prints a generated token and warns when bound off loopback', async () => {
  const open = await serve(home, ['--host', '0.0.0.0']);
  assert.match(open.token, /^[0-9a-f]{32}$/);
  await new Promise((r) => setTimeout(r, 300));
  assert.match(open.stderr(), /warning: listening on 0\.0\.0\.0/);
  assert.match(open.stderr(), /no --token was given/);
  const end = await stop(open);
  assert.equal(end.code, 0, 'SIGTERM stops the server cleanly');
});

const server = await serve(home, ['--token', TOKEN]);
const base = server.url.replace(/\/$/, '');
const browser = await chromium.launch({executablePath: CHROMIUM, args: FLAGS, headless: true});
const context = await browser.newContext({viewport: {width: 1400, height: 1000}});
const dialogs = [], pageErrors = [], consoleErrors = [];

function watch(page) {
  page.on('dialog', async (d) => { dialogs.push(`${page.url()}: ${d.type()} ${d.message()}`); await d.dismiss(); });
  page.on('pageerror', (e) => pageErrors.push(`${page.url()}: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(`${page.url()}: ${m.text()}`); });
}

const page = await context.newPage();
watch(page);
const shot = (name) => page.screenshot({path: path.join(artifacts, `${name}.png`), fullPage: true});
const text = (selector) => page.locator(selector).first().textContent();

// The page's visible text holds no LaTeX source: titles, abstracts and captions are rendered.
async function assertNoRawLatex(where) {
  const visible = await page.evaluate(() => document.body.innerText);
  for (const raw of ['\\_', '\\texttt', '\\emph', '\\cite', '\\textbf', "\\'"])
    assert.ok(!visible.includes(raw), `${where}: "${raw}" in the visible text`);
  const math = visible.match(/\$[^$\n]*[=\\^_{}][^$\n]*\$/);
  assert.equal(math, null, `${where}: unrendered math ${math}`);
}

// Every image matched by `selector` has loaded (a broken image has no natural width).
async function imagesLoaded(selector, count) {
  await page.waitForFunction(([sel, n]) => {
    const imgs = [...document.querySelectorAll(sel)];
    return imgs.length === n && imgs.every((i) => i.complete && i.naturalWidth > 0);
  }, [selector, count], {timeout: 15000});
}

await check('the runs page lists the three runs and updates live when a run finishes', async () => {
  await page.goto(`${base}/`);
  await page.locator(`tr[data-run="${ids.live_run}"]`).waitFor();
  assert.equal(await page.locator('#runs tbody tr.run').count(), 3);  // done, live, and the evolve run
  assert.match(await text(`tr[data-run="${ids.live_run}"] td.status`), /running/);
  // The offline run's budget comes from its settings snapshot; it spent nothing.
  assert.equal((await text(`tr[data-run="${ids.live_run}"] td:nth-child(8)`)).trim(), '$0.00 / $10.00');
  assert.equal((await text(`tr[data-run="${ids.done_run}"] td:nth-child(8)`)).trim(), '$0.0183 / $10.00');
  await assertNoRawLatex('runs');
  await shot('runs');
  execFileSync(args.fixture, [home, 'finish', ids.live_run]);
  await page.locator(`tr[data-run="${ids.live_run}"] td.status`, {hasText: 'done'}).waitFor({timeout: 15000});
});

await check('a run page lists its ideas and sorts and searches them', async () => {
  await page.goto(`${base}/runs/${ids.done_run}`);
  await page.locator('#ideas tbody tr.idea').first().waitFor();
  assert.equal(await page.locator('#ideas tbody tr.idea').count(), 3);
  await page.selectOption('#sort', 'score');
  await page.waitForFunction(() => document.querySelector('#ideas tbody tr')?.dataset.idea !== undefined);
  await page.waitForFunction((best) => document.querySelector('#ideas tbody tr.idea')?.dataset.idea === best, ids.best_idea);
  await page.selectOption('#order', 'asc');
  await page.waitForFunction((xss) => document.querySelector('#ideas tbody tr.idea')?.dataset.idea === xss, ids.xss_idea);
  await page.fill('#q', 'memorisation');
  await page.waitForFunction(() => document.querySelectorAll('#ideas tbody tr.idea').length === 1);
  assert.match(await text('#ideas tbody tr.idea td.title'), /Weight decay/);
  await page.fill('#q', '');
  await page.waitForFunction(() => document.querySelectorAll('#ideas tbody tr.idea').length === 3);
  await shot('run');
});

await check('a run page shows each idea\'s novelty verdict in words and its LaTeX title rendered', async () => {
  const verdict = (idea) => text(`tr[data-idea="${idea}"] .novelty`);
  assert.equal(await verdict(ids.best_idea), 'novel');
  assert.equal(await verdict(ids.xss_idea), 'unchecked (literature unreachable)');
  assert.equal(await verdict(ids.skipped_idea), 'not novel');
  assert.match(await text(`tr[data-idea="${ids.best_idea}"] td.title a`), /weight_decay sweep$/);
  assert.equal(await page.locator(`tr[data-idea="${ids.best_idea}"] td.title code.tt`).count(), 1);
  await imagesLoaded('#ideas img.thumb', 2);  // both papers, the second one's preview rendered on request
  // Each paper's trust badges: the best paper has an unverified number and its re-run differs.
  assert.equal(await text(`tr[data-idea="${ids.best_idea}"] [data-claims]`), 'unverified: 1 number');
  assert.equal(await text(`tr[data-idea="${ids.best_idea}"] [data-reproduction]`), 'differs: 1 of 3 values');
  assert.equal(await page.locator(`tr[data-idea="${ids.xss_idea}"] [data-reproduction="reproduced"]`).count(), 1);
  assert.equal(await page.locator(`tr[data-idea="${ids.skipped_idea}"] .trust`).count(), 0);  // no paper, no badges
  await assertNoRawLatex('run');
});

await check('the paper list sorts by overall score and opens a paper', async () => {
  await page.goto(`${base}/papers`);
  await page.locator('#papers tbody tr.paper').first().waitFor();
  await page.selectOption('#sort', 'ai_overall');
  await page.waitForFunction((best) => document.querySelector('#papers tbody tr.paper')?.dataset.paper === best, ids.best_paper);
  await page.selectOption('#order', 'asc');
  await page.waitForFunction((xss) => document.querySelector('#papers tbody tr.paper')?.dataset.paper === xss, ids.xss_paper);
  await page.selectOption('#order', 'desc');
  await page.waitForFunction((best) => document.querySelector('#papers tbody tr.paper')?.dataset.paper === best, ids.best_paper);
  assert.match(await text('#count'), /2 papers/);
  // Verified or not, reproduced or not, on every row.
  const best = `tr[data-paper="${ids.best_paper}"]`, other = `tr[data-paper="${ids.xss_paper}"]`;
  assert.equal(await text(`${best} [data-claims="unverified"]`), 'unverified: 1 number');
  assert.equal(await text(`${best} [data-reproduction="differs"]`), 'differs: 1 of 3 values');
  assert.equal(await text(`${other} [data-reproduction="reproduced"]`), 'reproduced: 2 values');
  assert.equal(await page.locator(`${other} [data-claims]`).count(), 1);
  await imagesLoaded('#papers img.thumb', 2);
  assert.ok(await page.locator(`tr[data-paper="${ids.best_paper}"] .abstract .katex`).count() >= 3, 'math typeset');
  await assertNoRawLatex('papers');
  await shot('papers');
  await page.click(`tr[data-paper="${ids.best_paper}"] td.title a`);
  await page.waitForURL(`**/papers/${ids.best_paper}`);
});

await check('a paper shows its PDF inline, its thumbnail, abstract, unverified numbers and citations', async () => {
  const pdf = page.waitForResponse((r) => r.url().endsWith(`/papers/${ids.best_paper}/pdf`), {timeout: 15000});
  await page.goto(`${base}/papers/${ids.best_paper}`);
  const response = await pdf;
  assert.equal(response.status(), 200);
  assert.equal(response.headers()['content-type'], 'application/pdf');
  assert.equal(await page.locator('#pdf-frame').count(), 1);
  await page.waitForFunction(() => {
    const img = document.querySelector('#thumbnail img');
    return img && img.complete && img.naturalWidth > 0;
  });
  assert.equal(await text('#paper-title'), 'How weight_decay affects step_to_99_val in grokking');
  assert.equal(await page.locator('#paper-title code.tt').count(), 2);
  const abstract = await page.evaluate(() => document.querySelector('#abstract').innerText);
  assert.match(abstract, /memorisation and generalisation/);
  assert.match(abstract, /Poincaré's naïve programme\s\[power2022\]/);
  assert.match(abstract, /100% of seeds/);
  assert.ok(await page.locator('#abstract .katex').count() >= 3, 'inline math typeset by KaTeX');
  assert.equal(await page.locator('#abstract em').first().textContent(), 'naïve');
  // KaTeX's fonts come from the binary: the math font has loaded.
  assert.ok(await page.evaluate(() => document.fonts.check('16px KaTeX_Main')), 'KaTeX_Main font loaded');
  assert.match(await text('#unverified'), /4100/);
  // Under the title: unverified, and the reproduction differs, with the numbers; the values that
  // differ are listed with what was stored and what the re-run measured.
  assert.equal(await text('#paper-trust [data-claims="unverified"]'), 'unverified: 1 number');
  assert.equal(await text('#paper-trust [data-reproduction="differs"]'), 'differs: 1 of 3 values');
  assert.match(await text('#reproduction'), /differs.*1 run\(s\) re-run, 3 value\(s\) compared, 1 not as stored/s);
  assert.equal(await page.locator('#reproduction tr.differs').count(), 1);
  assert.deepEqual(await page.locator('#reproduction tr.differs td').allInnerTexts(),
    ['seed 0', 'x_plus_y', 'step_to_99_val', '4100', '4480', '180']);
  await page.locator('#paper-trust').screenshot({path: path.join(artifacts, 'paper-trust.png')});
  assert.match(await text('#citations'), /Grokking: Generalization Beyond Overfitting/);
  await page.locator('#ai-reviews article.review').first().waitFor();
  assert.equal(await page.locator('#ai-reviews article.review').count(), 4);
  assert.equal(await page.locator('#reviews svg.chart rect').count() > 10, true);
  await page.click('table.calls tr:not(.stage-head) button.link');
  await page.locator('#transcript .message.assistant').waitFor();
  assert.match(await text('#transcript .message.assistant'), /Overall: 6\. Accept\./);
  assert.match(await text('#transcript .message.system'), /reviewing a paper/);
  assert.match(await text('#transcript .llm-call'), /1800 tokens in · 420 out · \$0\.0123/);
  await assertNoRawLatex('paper');
  // Chromium's PDF viewer takes the frame over (a chrome-extension frame) once the PDF renders.
  const deadline = Date.now() + 15000;
  while (!page.frames().some((f) => f.url().startsWith('chrome-extension://')) && Date.now() < deadline) {
    await page.waitForTimeout(200);
  }
  assert.ok(page.frames().some((f) => f.url().startsWith('chrome-extension://')), 'the PDF opened in the viewer');
  await page.waitForTimeout(1500);
  await shot('paper');
});

await check('a paper\'s automated checks are a table, each row with its details on click', async () => {
  const rows = page.locator('#checks tr.check');
  assert.equal(await rows.count(), 9);
  const row = (name) => page.locator(`#checks tr.check[data-check="${name}"]`);
  assert.match(await row('compiles').textContent(), /yes/);
  assert.match(await row('pages').textContent(), /1 of at most 8/);
  assert.match(await row('claims verified').textContent(), /4 of 5/);
  assert.match(await row('citations resolved').textContent(), /1 of 2/);
  assert.match(await row('bibtex errors').textContent(), /1/);
  assert.match(await row('chktex warnings').textContent(), /3/);
  assert.match(await row('overfull boxes').textContent(), /2/);
  assert.match(await text('#checks'), /some checks failed/);
  assert.equal(await page.locator('#checks tr.check.fail').count(), 5);
  assert.equal(await page.locator('#checks tr.check.warn').count(), 2);  // chktex and overfull boxes: warnings
  const details = page.locator('#checks tr.check[data-check="citations resolved"] + tr.check-details');
  assert.equal(await details.isVisible(), false);
  await row('citations resolved').click();
  await details.waitFor({state: 'visible'});
  assert.match(await details.textContent(), /unresolved: nanda2023/);
  await row('bibtex errors').click();
  assert.match(await page.locator('#checks tr.check[data-check="bibtex errors"] + tr.check-details').textContent(),
    /didn't find a database entry for "nanda2023"/);
  await row('figures missing').click();
  assert.match(await page.locator('#checks tr.check[data-check="figures missing"] + tr.check-details').textContent(), /loss\.png/);
  await page.locator('#checks').screenshot({path: path.join(artifacts, 'paper-checks.png')});
  await row('citations resolved').click();
  await details.waitFor({state: 'hidden'});
});

async function fillReview(name, overall) {
  await page.fill('#review-form input[name=reviewer]', name);
  await page.fill('#review-form textarea[name=summary]', 'A careful sweep.');
  for (const [field, value] of [['overall', overall], ['originality', 3], ['quality', 3], ['clarity', 4],
    ['significance', 2], ['soundness', 3], ['presentation', 3], ['contribution', 2], ['confidence', 4]]) {
    await page.fill(`#review-form input[name=${field}]`, String(value));
  }
  await page.selectOption('#review-form select[name=decision]', 'accept');
  await page.click('#submit-review');
}

await check('a human review without the token is refused', async () => {
  assert.equal(await page.locator('#read-only').count(), 1);
  await fillReview('Anonymous', 9);
  await page.locator('#review-message.error').waitFor();
  assert.match(await text('#review-message'), /Not saved: .*token/);
  assert.equal(await page.locator('#human-reviews article').count(), 0);
});

await check('a wrong token does not sign in; the right one does, and the review is saved', async () => {
  await page.fill('#token', 'not-the-token');
  await page.click('#sign-in button');
  await page.locator('#auth-error', {hasText: 'wrong token'}).waitFor();
  await page.fill('#token', TOKEN);
  await page.click('#sign-in button');
  await page.locator('#signed-in').waitFor();
  await fillReview('Dr. Human', 8);
  await page.locator('#review-message.ok').waitFor();
  await page.locator('#human-reviews article', {hasText: 'Dr. Human'}).waitFor();
});

await check('the agreement view shows the human review beside the AI score', async () => {
  await page.goto(`${base}/runs/${ids.done_run}/agreement`);
  await page.locator('#agreement-table tbody tr').first().waitFor();
  assert.equal(await text('#stat-papers'), '1');
  assert.match(await text('#stat-agreement'), /100% \(1 of 1\)/);
  assert.equal(await page.locator('svg.scatter circle.point.agree').count(), 1);
  assert.match(await text(`tr[data-paper="${ids.best_paper}"]`), /6\.00.*8\.00/);
  await assertNoRawLatex('agreement');
  await shot('agreement');
});

await check('an idea page shows the experiment tree, a node\'s diff against the template or its parent, and its plots', async () => {
  await page.goto(`${base}/ideas/${ids.best_idea}`);
  assert.match(await text('#novelty'), /Novelty: novel/);
  await page.locator(`button[data-node="${ids.improve_node}"]`).click();
  // Against the template: everything the idea changed.
  await page.locator('#node-pane tr.add', {hasText: 'weight_decay = 0.1'}).waitFor();
  assert.equal(await page.locator('#node-pane tr.add', {hasText: 'lr = 3e-3'}).count(), 1);
  assert.match(await text('#node-pane .diff'), /against baseline/);
  // Against the parent node: only this step's change.
  await page.click('#diff-parent');
  await page.locator('#node-pane .diff p', {hasText: `against draft ${ids.draft_node}`}).waitFor();
  assert.equal(await page.locator('#node-pane tr.add', {hasText: 'lr = 3e-3'}).count(), 1);
  assert.equal(await page.locator('#node-pane tr.del', {hasText: 'lr = 1e-3'}).count(), 1);
  assert.equal(await page.locator('#node-pane tr.add', {hasText: 'weight_decay = 0.1'}).count(), 0);
  await page.locator(`button[data-node="${ids.draft_node}"]`).click();
  await imagesLoaded('#node-pane .gallery button.plot img', 1);
  await imagesLoaded('#idea-plots .gallery button.plot img', 1);  // the idea's figures, beside each node's
  await assertNoRawLatex('idea');
  await shot('idea');
  await page.click('#node-pane .gallery button.plot');
  await page.locator('dialog#lightbox[open] img.big').waitFor();
  await imagesLoaded('dialog#lightbox img.big', 1);
  assert.match(await text('dialog#lightbox .caption'), /val_acc\.png \(1 of 1\)/);
  await shot('idea-plot');
  await page.keyboard.press('Escape');
  await page.locator('dialog#lightbox[open]').waitFor({state: 'detached'});
});

await check('an idea\'s LLM calls are grouped by stage; a stage reads as a transcript with roles, tokens and cost', async () => {
  const groups = page.locator('table.calls tbody.stage-group');
  assert.equal(await groups.count(), 2);
  assert.match(await page.locator('tbody.stage-group[data-stage="review"] tr.stage-head').textContent(), /review · 1 call.*1800.*420.*\$0\.0123/);
  await page.click('tbody.stage-group[data-stage="ideas"] tr.stage-head button.link');
  await page.locator('#transcript .message.assistant', {hasText: 'idea list'}).waitFor();
  assert.deepEqual(await page.locator('#transcript .message .role').allTextContents(), ['system', 'user', 'assistant']);
  await shot('idea-transcript');
});

await check('an evolve idea shows its evolution: fitness plot, genealogy, a program\'s pane, archive, rejected candidates, best diff', async () => {
  const evolve = await (await fetch(`${base}/api/v1/ideas/${ids.evolve_idea}/evolve`)).json();
  assert.equal(evolve.totals.programs, 8);
  await page.goto(`${base}/ideas/${ids.evolve_idea}`);
  await page.locator('#evolution #fitness-plot').waitFor();
  // The plot: one mark per evaluated program (7 with a metric, the failed one as a cross in
  // the no-metric band), the best so far as a line, axes named with the metric's direction.
  assert.equal(await page.locator('#fitness-plot .program').count(), evolve.totals.programs);
  assert.equal(await page.locator('#fitness-plot circle.program').count(), 7);
  assert.equal(await page.locator(`#fitness-plot path.program[data-node="${ids.evolve_failed}"]`).count(), 1);
  assert.equal(await page.locator('#fitness-plot polyline.best-so-far').count(), 1);
  const axes = await page.locator('#fitness-plot').textContent();
  assert.match(axes, /val_loss \(lower is better\)/);
  assert.match(axes, /generation/);
  // The genealogy: every node, the crossover's second parent as the one dashed edge, the best ringed.
  assert.equal(await page.locator('#genealogy g.gnode').count(), 9);
  const dashed = page.locator('#genealogy line.edge.second');
  assert.equal(await dashed.count(), 1);
  assert.equal(await dashed.getAttribute('data-from'), ids.evolve_a);
  assert.equal(await dashed.getAttribute('data-to'), ids.evolve_crossover);
  assert.notEqual(await dashed.evaluate((el) => getComputedStyle(el).strokeDasharray), 'none');
  assert.equal(await page.locator(`#genealogy line.edge[data-from="${ids.evolve_b}"][data-to="${ids.evolve_crossover}"]:not(.second)`).count(), 1);
  assert.equal(await page.locator(`#genealogy g.gnode.best[data-node="${ids.evolve_best}"]`).count(), 1);
  assert.match(await text('#evolve-best'), /val_loss 1\.4900 against the baseline's 2\.0000 \(25\.5% lower\)/);
  // The best program is shown first; a click on a node shows its facts and its diff against its parent.
  await page.locator('#evolve-pane h3', {hasText: ids.evolve_best}).waitFor();
  await page.locator(`#genealogy g.gnode[data-node="${ids.evolve_crossover}"] circle.dot`).click();
  await page.locator('#evolve-pane h3', {hasText: `crossover program ${ids.evolve_crossover}`}).waitFor();
  assert.equal(await text('#evolve-pane [data-fact="operator"]'), 'crossover');
  assert.equal(await text('#evolve-pane [data-fact="model"]'), 'gpt-4o-mini');
  assert.equal(await text('#evolve-pane [data-fact="cost"]'), '$0.0052');
  assert.equal(await text('#evolve-pane [data-fact="metric"]'), '1.5500');
  assert.equal(await text('#evolve-pane [data-fact="parents"]'), `${ids.evolve_b}, then ${ids.evolve_a}`);
  assert.equal(await text('#evolve-pane [data-descriptor="duration_s"]'), '16');
  await page.locator('#evolve-pane .diff p', {hasText: `against evolve ${ids.evolve_b}`}).waitFor();
  assert.equal(await page.locator('#evolve-pane tr.add', {hasText: 'lr = 3e-3'}).count(), 1);
  assert.equal(await page.locator('#evolve-pane tr.del', {hasText: 'lr = 1e-3'}).count(), 1);
  assert.equal(await page.locator(`#genealogy g.gnode.picked[data-node="${ids.evolve_crossover}"]`).count(), 1);
  await page.locator('#evolution .evolve-split').screenshot({path: path.join(artifacts, 'evolve-genealogy.png')});
  // A point of the plot picks its program too; a rejected candidate says what it was too close to.
  await page.locator(`#fitness-plot circle.program[data-node="${ids.evolve_b}"]`).click();
  await page.locator('#evolve-pane h3', {hasText: `mutate program ${ids.evolve_b}`}).waitFor();
  await page.locator(`#genealogy g.gnode[data-node="${ids.evolve_rejected}"] circle.dot`).click();
  await page.locator('#evolve-pane dd', {hasText: `${ids.evolve_a} (similarity 0.97)`}).waitFor();
  // The archive: each cell with its best (lower val_loss); the rejected candidate with its look-alike.
  assert.equal(await page.locator('#archive tbody tr').count(), 4);
  assert.equal(await text('#archive tr[data-cell="[0,0]"] button'), ids.evolve_a);
  assert.equal(await text('#archive tr[data-cell="[1,1]"] button'), ids.evolve_crossover);
  assert.equal(await page.locator('#rejected tbody tr').count(), 1);
  assert.equal(await text(`#rejected tr[data-rejected="${ids.evolve_rejected}"] td.similar-to`), ids.evolve_a);
  // What the best program changed against the template: three lines.
  assert.equal(await page.locator('#evolve-best-diff tr.add').count(), 3);
  assert.equal(await page.locator('#evolve-best-diff tr.del').count(), 3);
  await page.locator('#fitness-plot').screenshot({path: path.join(artifacts, 'evolve-fitness.png')});
  await assertNoRawLatex('evolve');
  assert.equal(await page.locator('#idea-title code.tt').count(), 1);  // \texttt{lr} rendered
  await shot('evolve');
  // The pane's link opens the program's logs in the experiment tree's pane.
  await page.locator(`#genealogy g.gnode[data-node="${ids.evolve_failed}"] circle.dot`).click();
  await page.click('#open-node');
  await page.locator('#stderr', {hasText: 'loss is nan'}).waitFor();
});

await check('an idea the evolve search did not run has no Evolution section and asks for none', async () => {
  const asked = [];
  const listen = (r) => { if (r.url().endsWith('/evolve')) asked.push(r.url()); };
  page.on('request', listen);
  await page.goto(`${base}/ideas/${ids.best_idea}`);
  await page.locator('#node-pane h3').waitFor();
  page.off('request', listen);
  assert.equal(await page.locator('#evolution, #evolution-slot').count(), 0);
  assert.deepEqual(asked, []);
});

await check('a transcript shows the images a model was shown', async () => {
  await page.goto(`${base}/papers/${ids.xss_paper}`);
  await page.click('table.calls tr.stage-head button.link');
  await page.locator('#transcript img.shown-image').waitFor();
  await imagesLoaded('#transcript img.shown-image', 1);
  assert.match(await text('#transcript .message.system'), /You review papers/);
  assert.match(await text('#transcript .message.user'), /Page 1:/);
  assert.ok((await text('#transcript .message.assistant')).includes('<script>alert(2)</script>'));
  await shot('transcript-image');
});

await check('the compare view puts both papers side by side', async () => {
  await page.goto(`${base}/compare?ids=${ids.best_paper},${ids.xss_paper}`);
  await page.locator('#compare-table').waitFor();
  assert.equal(await page.locator('#compare-table thead th').count(), 3);
  assert.equal(await page.locator('#compare-table td.best').count() > 0, true);
  assert.equal(await text('#row-best-metric td.best'), '0.9100');
  assert.match(await text('#row-checks td'), /failed/);
  assert.equal((await page.locator('#row-checks td').nth(1).textContent()).trim(), '–');
  await imagesLoaded('#compare-table img.thumb', 2);
  assert.ok(await page.locator('#compare-table .abstract .katex').count() >= 3);
  await assertNoRawLatex('compare');
  await shot('compare');
});

await check('script payloads in titles, abstracts, reviews, logs and names show as text and never run', async () => {
  const before = dialogs.length + pageErrors.length;
  await page.goto(`${base}/runs/${ids.done_run}`);
  await page.locator(`tr[data-idea="${ids.xss_idea}"]`).waitFor();
  assert.ok((await text(`tr[data-idea="${ids.xss_idea}"] td.title`)).includes(XSS_IMG));
  await page.goto(`${base}/papers/${ids.xss_paper}`);
  await page.locator('#ai-reviews article.review').waitFor();
  assert.ok((await text('#paper-title')).includes(XSS_IMG));
  assert.ok((await text('#abstract')).includes('<script>alert(2)</script>'));
  assert.ok((await text('#ai-reviews .reviewer')).includes('<b onmouseover=alert(3)>'));
  assert.ok((await text('#unverified')).includes(XSS_IMG));
  await page.hover('#ai-reviews .reviewer');
  await shot('xss-paper');
  await page.goto(`${base}/papers?q=warmup`);
  await page.locator(`tr[data-paper="${ids.xss_paper}"]`).waitFor();
  await page.goto(`${base}/ideas/${ids.best_idea}`);
  await page.locator(`button[data-node="${ids.improve_node}"]`).click();
  await page.locator('#stdout', {hasText: 'alert(2)'}).waitFor();
  await page.goto(`${base}/compare?ids=${ids.best_paper},${ids.xss_paper}`);
  await page.locator('#compare-table').waitFor();
  await page.goto(`${base}/api/v1/artifacts/${ids.html_log}`);  // an HTML log opened directly
  assert.match(await page.locator('body').textContent(), /<script>alert\('log'\)<\/script>/);
  await page.waitForTimeout(500);
  assert.equal(await page.locator('img[src="x"]').count(), 0);
  assert.equal(dialogs.length + pageErrors.length, before, `dialogs: ${dialogs}; errors: ${pageErrors}`);
});

await check('no dialog, page error or console error on any page', async () => {
  assert.deepEqual(dialogs, []);
  assert.deepEqual(pageErrors, []);
  // The only console errors allowed are the refused review (401) of the no-token check.
  const unexpected = consoleErrors.filter((m) => !/status of 401/.test(m));
  assert.deepEqual(unexpected, []);
});

await browser.close();
const end = await stop(server);
if (end.code !== 0) { failures++; console.log(`FAIL shoal serve exited ${end.code} ${end.signal} on SIGTERM`); }
rmSync(home, {recursive: true, force: true});
console.log(`web_browser: ${failures ? `${failures} check(s) failed` : 'every check passed'}; screenshots in ${artifacts}`);
process.exit(failures ? 1 : 0);
