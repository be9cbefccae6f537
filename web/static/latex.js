// Titles, abstracts and captions are LaTeX source (the paper stage writes them so): this turns
// such a snippet into DOM for reading. Inline math ($...$, \(...\)) is typeset by KaTeX
// (Debian's libjs-katex, embedded in the binary: /static/katex.min.js); the text around it
// keeps what a reader needs: \_ and the other escapes as characters, accents as letters,
// \texttt as code, \emph as emphasis, \textbf as bold, \cite{k} as [k], ~ as a space, dashes
// and quotes. Unknown commands drop their name and keep their argument as text. Everything
// becomes text nodes or KaTeX's own DOM (trust off): markup in the data never runs.

const ESCAPED = new Set(['_', '%', '&', '#', '$', '{', '}']);
// Accent commands and the combining mark each adds to its letter (\'e is é).
const ACCENTS = {
  "'": '\u0301', '`': '\u0300', '^': '\u0302', '"': '\u0308', '~': '\u0303', '=': '\u0304', '.': '\u0307',
  c: '\u0327', u: '\u0306', v: '\u030C', H: '\u030B', k: '\u0328', r: '\u030A',
};
// Commands that stand for a character or a word.
const SYMBOLS = {
  ss: 'ß', o: 'ø', O: 'Ø', aa: 'å', AA: 'Å', ae: 'æ', AE: 'Æ', l: 'ł', L: 'Ł', i: 'ı', ldots: '…', dots: '…',
  textasciitilde: '~', textbackslash: '\\', textendash: '–', textemdash: '—', LaTeX: 'LaTeX', TeX: 'TeX',
  quad: '\u2003', qquad: '\u2003\u2003', S: '§', P: '¶', copyright: '©', textregistered: '®', textdegree: '°',
  '%': '%',
};
// Commands whose argument is shown in an element of its own.
const WRAP = {texttt: 'code', code: 'code', path: 'code', url: 'code', emph: 'em', textit: 'em', textsl: 'em',
  textbf: 'strong', underline: 'u', textsuperscript: 'sup', textsubscript: 'sub'};
const CITE = new Set(['cite', 'citep', 'citet', 'citealp', 'citealt', 'citeauthor', 'citeyear', 'parencite', 'textcite', 'autocite']);
const DROP = new Set(['label', 'index', 'vspace', 'hspace', 'phantom']);

function el(tag, cls, children) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  for (const c of children) e.append(c);
  return e;
}

// Inline math typeset by KaTeX; its source as code when KaTeX is not loaded.
function mathNode(source) {
  const span = document.createElement('span');
  span.className = 'math';
  const katex = globalThis.katex;
  if (!katex) {
    span.textContent = source;
    return span;
  }
  try {
    katex.render(source, span, {throwOnError: false, displayMode: false, trust: false, strict: 'ignore', output: 'html'});
  } catch {
    span.textContent = source;
  }
  return span;
}

// A parser over one snippet: parse() reads until the end or an unmatched '}'.
class Reader {
  constructor(src) { this.src = src; this.i = 0; }

  // The text of {...} at the cursor (the braces dropped), or one character; '' at the end.
  group() {
    while (this.src[this.i] === ' ') this.i++;
    if (this.i >= this.src.length) return '';
    if (this.src[this.i] !== '{') return this.src[this.i++];
    let depth = 0;
    const start = this.i + 1;
    for (; this.i < this.src.length; this.i++) {
      const c = this.src[this.i];
      if (c === '\\') { this.i++; continue; }
      if (c === '{') depth++;
      if (c === '}' && --depth === 0) return this.src.slice(start, this.i++);
    }
    return this.src.slice(start);
  }

  optional() {
    while (this.src[this.i] === '[') {
      const end = this.src.indexOf(']', this.i);
      this.i = end < 0 ? this.src.length : end + 1;
    }
  }

  // Math up to `close` (unescaped); null when it never closes.
  math(close) {
    for (let j = this.i; j < this.src.length; j++) {
      if (this.src[j] === '\\' && close === '$') { j++; continue; }
      if (this.src.startsWith(close, j)) {
        const body = this.src.slice(this.i, j);
        this.i = j + close.length;
        return body;
      }
    }
    return null;
  }

  parse() {
    const out = [];
    let text = '';
    const flush = () => { if (text) out.push(text.normalize('NFC')); text = ''; };
    const push = (node) => { flush(); out.push(node); };
    const s = this.src;
    while (this.i < s.length) {
      const c = s[this.i];
      if (c === '\\') {
        const n = s[this.i + 1];
        if (n === undefined) { text += c; this.i++; continue; }
        if (ESCAPED.has(n)) { text += n; this.i += 2; continue; }
        if (n === '\\') { text += ' '; this.i += 2; continue; }
        if (n === ',' || n === ';' || n === ' ' || n === '!') { text += n === '!' ? '' : '\u2009'; this.i += 2; continue; }
        if (n === '(') {
          this.i += 2;
          const body = this.math('\\)');
          if (body === null) { text += '\\('; continue; }
          push(mathNode(body));
          continue;
        }
        let name = '';
        let j = this.i + 1;
        if (/[A-Za-z]/.test(n)) { while (j < s.length && /[A-Za-z]/.test(s[j])) name += s[j++]; } else { name = n; j++; }
        this.i = j;
        if (name.length === 1 && ACCENTS[name]) {
          text += new Reader(this.group()).plain() + ACCENTS[name];
          continue;
        }
        if (name in SYMBOLS) {
          text += SYMBOLS[name];
          if (s.startsWith('{}', this.i)) this.i += 2;
          continue;
        }
        if (CITE.has(name)) {
          this.optional();
          const keys = this.group().split(',').map((k) => k.trim()).filter(Boolean);
          push(el('span', 'cite', [`[${keys.join(', ')}]`]));
          continue;
        }
        if (name === 'ref' || name === 'eqref' || name === 'autoref' || name === 'cref') { text += this.group(); continue; }
        if (DROP.has(name)) { this.group(); continue; }
        if (name === 'href') { this.group(); push(el('span', null, new Reader(this.group()).parse())); continue; }
        if (name === 'footnote') { push(el('span', 'footnote', [' (', ...new Reader(this.group()).parse(), ')'])); continue; }
        if (WRAP[name]) {
          this.optional();
          push(el(WRAP[name], name === 'texttt' || name === 'code' ? 'tt' : null, new Reader(this.group()).parse()));
          continue;
        }
        // Any other command (\textrm, \mbox, \em, ...): its name goes, with the spaces after a
        // command word as in LaTeX ("{\em x}" is "x"); a following group stays as text.
        if (/^[A-Za-z]/.test(name)) while (s[this.i] === ' ') this.i++;
        continue;
      }
      if (c === '$') {
        const display = s[this.i + 1] === '$';
        this.i += display ? 2 : 1;
        let body = this.math(display ? '$$' : '$');
        if (body === null) {  // a snippet cut short inside its math: typeset what there is
          body = s.slice(this.i);
          this.i = s.length;
        }
        push(mathNode(body));
        continue;
      }
      if (c === '{') {
        this.i++;
        const inner = new Reader(s);
        inner.i = this.i;
        const nodes = inner.parse();
        this.i = inner.i + 1;  // past the '}'
        flush();
        out.push(...nodes);
        continue;
      }
      if (c === '}') break;  // the end of the group parse() was called for
      if (c === '~') { text += '\u00a0'; this.i++; continue; }
      if (s.startsWith('---', this.i)) { text += '—'; this.i += 3; continue; }
      if (s.startsWith('--', this.i)) { text += '–'; this.i += 2; continue; }
      if (s.startsWith('``', this.i)) { text += '“'; this.i += 2; continue; }
      if (s.startsWith("''", this.i)) { text += '”'; this.i += 2; continue; }
      text += c;
      this.i++;
    }
    flush();
    return out;
  }

  // The snippet as plain text (for accents' letters and for attributes).
  plain() {
    return this.parse().map((n) => (typeof n === 'string' ? n : n.textContent)).join('');
  }
}

// A LaTeX snippet as DOM nodes (strings and elements), for h() or append().
export function latex(source) {
  if (source === null || source === undefined || source === '') return [];
  return new Reader(String(source)).parse();
}

// A LaTeX snippet as plain text: document titles, tooltips.
export function latexText(source) {
  if (!source) return '';
  const span = document.createElement('span');
  span.append(...latex(source));
  return span.textContent;
}
