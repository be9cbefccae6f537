#!/usr/bin/python3
"""A fake literature server for tests: Semantic Scholar, OpenAlex and arXiv over real HTTP.

usage: server.py [--host 127.0.0.1] [--port 0] [--corpus FILE] [--s2-key KEY]
Prints the port it listens on (one line) once it accepts connections.

Endpoints, answering in each engine's own response shape from a corpus of papers
(default: corpus.json beside this file, a dozen machine-learning papers):
  GET /graph/v1/paper/search?query=Q&limit=N&fields=F   Semantic Scholar Graph API (JSON; only the
                                                         requested fields; x-api-key checked when
                                                         --s2-key is given)
  GET /works?search=Q&per-page=N                        OpenAlex (JSON, abstract_inverted_index)
  GET /api/query?search_query=all:W+AND+all:W&max_results=N   arXiv (Atom XML)
Matching: S2 and OpenAlex rank papers by how many query words they contain (title, abstract,
authors); arXiv needs every all: word (AND). Test control:
  GET  /_stats      {"requests", "by_engine": {engine: n}, "faults", "faults_by_engine"}
  GET  /_requests   the last 50 engine requests: engine, path, query, headers
  POST /_rules      replace the fault rules (body: {"rules": [RULE, ...]})
  POST /_reset      zero the counters and the rules' use counts (the rules stay)

RULE fields (all optional): engine ("semantic_scholar", "openalex", "arxiv"; default every
engine), status (default 500), retry_after (Retry-After header value), times (how many matching
requests get the fault; default all), delay_ms (wait before answering, fault or not),
malformed (true: answer 200 with a body that does not parse). The first rule that matches and
has uses left answers.
Only Debian's /usr/bin/python3 standard library is used.
"""
import argparse
import json
import os
import re
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from xml.sax.saxutils import escape, quoteattr

STOP_WORDS = {"a", "an", "the", "of", "for", "in", "on", "and", "or", "to", "with", "is", "are", "by", "via", "from"}
REASONS = {200: "OK", 400: "Bad Request", 403: "Forbidden", 404: "Not Found", 429: "Too Many Requests",
           500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable"}
ENGINE_PATHS = {"/graph/v1/paper/search": "semantic_scholar", "/works": "openalex", "/api/query": "arxiv"}


def words(text):
    return [w for w in re.findall(r"[a-z0-9]+", text.lower()) if w not in STOP_WORDS]


def paper_words(paper):
    return set(words(paper["title"] + " " + paper["abstract"] + " " + " ".join(paper["authors"])))


def ranked(corpus, query_words, require_all):
    """Papers matching the query words, best first (more words matched, then more citations)."""
    scored = []
    wanted = set(query_words)
    for paper in corpus:
        hits = len(wanted & paper_words(paper))
        if hits == 0 or (require_all and hits < len(wanted)):
            continue
        scored.append((-hits, -paper["citations"], paper["title"], paper))
    return [p for *_, p in sorted(scored, key=lambda t: t[:3])]


def s2_bibtex(p):
    """The BibTeX Semantic Scholar gives in citationStyles (its own key and field style)."""
    key = re.sub(r"[^A-Za-z]", "", p["authors"][0].split()[-1]) + str(p["year"]) + \
        "".join(w[0].upper() for w in re.findall(r"[A-Za-z]+", p["title"])[:3])
    kind = "Article" if p["arxiv_id"] or "journal" in p["venue"].lower() else "Conference"
    fields = [("author", " and ".join(p["authors"]))]
    if p["venue"]:
        fields.append(("booktitle" if kind == "Conference" else "journal", p["venue"]))
    fields.append(("title", p["title"]))
    if p["arxiv_id"]:
        fields.append(("volume", "abs/" + p["arxiv_id"]))
    fields.append(("year", str(p["year"])))
    return "@" + kind + "{" + key + ",\n" + ",\n".join(f" {k} = {{{v}}}" for k, v in fields) + "\n}\n"


def s2_paper(p, fields):
    """One paper of a Graph API search answer, with only the requested fields (paperId always)."""
    ids = {"ArXiv": p["arxiv_id"]} if p["arxiv_id"] else {}
    if p["doi"]:
        ids["DOI"] = p["doi"]
    ids["CorpusId"] = p["corpus_id"]
    full = {
        "paperId": p["s2_id"],
        "externalIds": ids,
        "title": p["title"],
        "abstract": p["abstract"] or None,
        "venue": p["venue"],
        "year": p["year"],
        "citationCount": p["citations"],
        "authors": [{"authorId": str(1000 + i), "name": name} for i, name in enumerate(p["authors"])],
        "citationStyles": {"bibtex": s2_bibtex(p)},
    }
    out = {"paperId": p["s2_id"]}
    for f in fields:
        if f in full:
            out[f] = full[f]
    return out


def inverted_index(text):
    index = {}
    for i, w in enumerate(text.split()):
        index.setdefault(w, []).append(i)
    return index


def openalex_work(p, score):
    """One work of an OpenAlex /works answer."""
    doi = p["doi"] or ("10.48550/arxiv." + p["arxiv_id"] if p["arxiv_id"] else "")
    arxiv_location = {"is_oa": True, "landing_page_url": "https://arxiv.org/abs/" + p["arxiv_id"],
                      "pdf_url": "https://arxiv.org/pdf/" + p["arxiv_id"], "license": None,
                      "source": {"id": "https://openalex.org/S4306400194", "display_name": "arXiv (Cornell University)",
                                 "type": "repository"}} if p["arxiv_id"] else None
    primary = {"is_oa": bool(p["arxiv_id"]),
               "landing_page_url": ("https://doi.org/" + doi) if doi else None, "pdf_url": None,
               "source": {"id": "https://openalex.org/S1", "display_name": p["venue"], "type": "conference"}
               if p["venue"] and p["venue"] != "arXiv.org" else None}
    return {
        "id": "https://openalex.org/" + p["openalex_id"],
        "doi": ("https://doi.org/" + doi) if doi else None,
        "title": p["title"],
        "display_name": p["title"],
        "relevance_score": score,
        "publication_year": p["year"],
        "publication_date": p["date"],
        "ids": {"openalex": "https://openalex.org/" + p["openalex_id"]} | ({"doi": "https://doi.org/" + doi} if doi else {}),
        "language": "en",
        "primary_location": primary,
        "type": "article",
        "open_access": {"is_oa": bool(p["arxiv_id"]), "oa_status": "green" if p["arxiv_id"] else "closed"},
        "authorships": [{"author_position": "first" if i == 0 else "middle",
                         "author": {"id": f"https://openalex.org/A{5000 + i}", "display_name": name, "orcid": None},
                         "institutions": [], "countries": [], "is_corresponding": i == 0,
                         "raw_author_name": name, "raw_affiliation_strings": []}
                        for i, name in enumerate(p["authors"])],
        "cited_by_count": p["citations"],
        "abstract_inverted_index": inverted_index(p["abstract"]) if p["abstract"] else None,
        "locations": [primary] + ([arxiv_location] if arxiv_location else []),
        "locations_count": 2 if arxiv_location else 1,
    }


def atom_feed(title, entries, total):
    """An arXiv API Atom feed around already rendered <entry> elements."""
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<feed xmlns="http://www.w3.org/2005/Atom">\n'
            f'  <link href="http://arxiv.org/api/query" rel="self" type="application/atom+xml"/>\n'
            f'  <title type="html">{escape(title)}</title>\n'
            '  <id>http://arxiv.org/api/fake</id>\n'
            f'  <updated>{time.strftime("%Y-%m-%dT00:00:00-05:00")}</updated>\n'
            f'  <opensearch:totalResults xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">{total}'
            '</opensearch:totalResults>\n'
            '  <opensearch:startIndex xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">0</opensearch:startIndex>\n'
            f'  <opensearch:itemsPerPage xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">{len(entries)}'
            '</opensearch:itemsPerPage>\n' + "".join(entries) + '</feed>\n')


def arxiv_entry(p):
    """One <entry> of an arXiv answer (title wrapped over two lines, as arXiv does)."""
    title = p["title"]
    if len(title) > 40:
        cut = title.rfind(" ", 0, 40)
        title = title[:cut] + "\n  " + title[cut + 1:]
    authors = "".join(f"    <author>\n      <name>{escape(a)}</name>\n    </author>\n" for a in p["authors"])
    extra = ""
    if p["doi"]:
        extra += f'    <arxiv:doi xmlns:arxiv="http://arxiv.org/schemas/atom">{escape(p["doi"])}</arxiv:doi>\n'
    if p["venue"] and p["venue"] != "arXiv.org":
        extra += (f'    <arxiv:journal_ref xmlns:arxiv="http://arxiv.org/schemas/atom">{escape(p["venue"])} '
                  f'{p["year"]}</arxiv:journal_ref>\n')
    aid = p["arxiv_id"]
    return (f"  <entry>\n    <id>http://arxiv.org/abs/{aid}v2</id>\n"
            f"    <updated>{p['date']}T17:00:00Z</updated>\n    <published>{p['date']}T17:00:00Z</published>\n"
            f"    <title>{escape(title)}</title>\n    <summary>  {escape(p['abstract'])}\n</summary>\n{authors}{extra}"
            f'    <link href={quoteattr("http://arxiv.org/abs/" + aid + "v2")} rel="alternate" type="text/html"/>\n'
            f'    <link title="pdf" href={quoteattr("http://arxiv.org/pdf/" + aid + "v2")} rel="related" '
            'type="application/pdf"/>\n'
            '    <arxiv:primary_category xmlns:arxiv="http://arxiv.org/schemas/atom" term="cs.LG" '
            'scheme="http://arxiv.org/schemas/atom"/>\n'
            '    <category term="cs.LG" scheme="http://arxiv.org/schemas/atom"/>\n  </entry>\n')


def arxiv_error(message):
    entry = ("  <entry>\n    <id>http://arxiv.org/api/errors#" + escape(message.replace(" ", "_")) + "</id>\n"
             "    <title>Error</title>\n    <summary>" + escape(message) + "</summary>\n"
             '    <updated>2024-01-01T00:00:00-05:00</updated>\n'
             '    <link href="http://arxiv.org/api/errors#" rel="alternate" type="text/html"/>\n'
             "    <author>\n      <name>arXiv api core</name>\n    </author>\n  </entry>\n")
    return atom_feed("ArXiv Query: error", [entry], 1)


class State:
    """Corpus, rules and counters shared by the handler threads."""

    def __init__(self, corpus, s2_key):
        self.corpus, self.s2_key = corpus, s2_key
        self.lock = threading.Lock()
        self.rules = []
        self.reset()

    def reset(self):
        self.requests, self.by_engine, self.faults, self.faults_by_engine = 0, {}, 0, {}
        self.rule_uses = {}
        self.recent = []

    def stats(self):
        return {"requests": self.requests, "by_engine": self.by_engine, "faults": self.faults,
                "faults_by_engine": self.faults_by_engine}

    def count(self, engine, record):
        """Counts a request; returns the fault rule that answers it, or None."""
        with self.lock:
            self.requests += 1
            self.by_engine[engine] = self.by_engine.get(engine, 0) + 1
            self.recent = (self.recent + [record])[-50:]
            for i, rule in enumerate(self.rules):
                if rule.get("engine", engine) != engine:
                    continue
                used = self.rule_uses.get(i, 0)
                if "times" in rule and used >= rule["times"]:
                    continue
                self.rule_uses[i] = used + 1
                if "status" in rule or rule.get("malformed"):
                    self.faults += 1
                    self.faults_by_engine[engine] = self.faults_by_engine.get(engine, 0) + 1
                return rule
        return None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    state = None  # set in main()

    def log_message(self, *args):
        pass

    def send(self, status, body, content_type="application/json", headers=None):
        data = body if isinstance(body, bytes) else (body if isinstance(body, str) else json.dumps(body)).encode()
        self.send_response(status, REASONS.get(status, "Status"))
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        path = urllib.parse.urlsplit(self.path).path
        st = self.state
        if path == "/_rules":
            try:
                doc = json.loads(body or b"{}")
                if not isinstance(doc, dict) or not isinstance(doc.get("rules", []), list):
                    raise ValueError('a rules document is {"rules": [...]}')
            except ValueError as e:
                return self.send(400, {"error": str(e)})
            with st.lock:
                st.rules, st.rule_uses = doc.get("rules", []), {}
            return self.send(200, {"ok": True})
        if path == "/_reset":
            with st.lock:
                st.reset()
            return self.send(200, {"ok": True})
        return self.send(404, {"error": f"no route POST {path}"})

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True))
        st = self.state
        if url.path == "/_stats":
            with st.lock:
                return self.send(200, st.stats())
        if url.path == "/_requests":
            with st.lock:
                return self.send(200, {"requests": st.recent})
        engine = ENGINE_PATHS.get(url.path)
        if engine is None:
            return self.send(404, {"error": f"no route GET {url.path}"})
        headers = {k.lower(): v for k, v in self.headers.items()}
        rule = st.count(engine, {"engine": engine, "path": url.path, "query": query, "headers": headers})
        if rule and rule.get("delay_ms"):
            time.sleep(rule["delay_ms"] / 1000)
        if rule and rule.get("malformed"):
            return self.send(200, b'{"data": [{"paperId": "broken' if engine != "arxiv" else b"<feed><entry><title>cut",
                             "application/atom+xml" if engine == "arxiv" else "application/json")
        if rule and "status" in rule:
            return self.fault(engine, int(rule["status"]), rule)
        return getattr(self, engine)(query, headers)

    def fault(self, engine, status, rule):
        extra = {"Retry-After": str(rule["retry_after"])} if "retry_after" in rule else {}
        if engine == "arxiv":
            return self.send(status, arxiv_error(f"fake {status} error"), "application/atom+xml", extra)
        if engine == "openalex":
            return self.send(status, {"error": f"fake {status} error", "message": "injected by the test"}, headers=extra)
        message = ("Too Many Requests. Please wait and try again or apply for a key for higher rate limits. "
                   "https://www.semanticscholar.org/product/api#api-key-form") if status == 429 else "Internal Server Error"
        return self.send(status, {"message": message, "code": str(status)}, headers=extra)

    def semantic_scholar(self, query, headers):
        st = self.state
        if st.s2_key and headers.get("x-api-key") != st.s2_key:
            return self.send(403, {"message": "Forbidden"})
        if not query.get("query"):
            return self.send(400, {"error": "Missing required parameter: 'query'"})
        try:
            limit = int(query.get("limit", "10"))
        except ValueError:
            return self.send(400, {"error": "Unacceptable query params: limit must be an integer"})
        if limit < 1 or limit > 100:
            return self.send(400, {"error": "Requested limit exceeds maximum of 100"})
        fields = [f for f in query.get("fields", "title").split(",") if f]
        unknown = [f for f in fields if f not in ("title", "authors", "venue", "year", "abstract", "citationCount",
                                                 "externalIds", "citationStyles", "url", "paperId")]
        if unknown:
            return self.send(400, {"error": f"Unrecognized or unsupported fields: [{', '.join(unknown)}]"})
        found = ranked(st.corpus, words(query["query"]), False)
        page = found[:limit]
        answer = {"total": len(found), "offset": 0}
        if len(found) > limit:
            answer["next"] = limit
        if page:
            answer["data"] = [s2_paper(p, fields) for p in page]
        return self.send(200, answer)

    def openalex(self, query, headers):
        st = self.state
        per_page = query.get("per-page", query.get("per_page", "25"))
        try:
            per_page = int(per_page)
        except ValueError:
            return self.send(400, {"error": "Invalid query parameters error.", "message": "per-page must be a number"})
        if per_page < 1 or per_page > 200:
            return self.send(400, {"error": "Invalid query parameters error.",
                                   "message": "per-page parameter must be between 1 and 200"})
        found = ranked(st.corpus, words(query.get("search", "")), False)
        results = [openalex_work(p, float(20 - i)) for i, p in enumerate(found[:per_page])]
        return self.send(200, {"meta": {"count": len(found), "db_response_time_ms": 7, "page": 1, "per_page": per_page,
                                        "groups_count": None}, "results": results, "group_by": []})

    def arxiv(self, query, headers):
        st = self.state
        search = query.get("search_query", "")
        try:
            max_results = int(query.get("max_results", "10"))
        except ValueError:
            return self.send(400, arxiv_error("max_results must be an integer"), "application/atom+xml")
        if not search:
            return self.send(400, arxiv_error("search_query is required"), "application/atom+xml")
        terms = [t[4:] if t.startswith("all:") else t for t in search.split() if t not in ("AND", "OR", "ANDNOT")]
        found = [p for p in ranked(st.corpus, words(" ".join(terms)), True) if p["arxiv_id"]]
        entries = [arxiv_entry(p) for p in found[:max_results]]
        title = f"ArXiv Query: search_query={search}&id_list=&start=0&max_results={max_results}"
        return self.send(200, atom_feed(title, entries, len(found)), "application/atom+xml; charset=utf-8")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--corpus", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus.json"))
    ap.add_argument("--s2-key", default="", help="require this x-api-key on Semantic Scholar requests")
    args = ap.parse_args()
    with open(args.corpus, encoding="utf-8") as f:
        corpus = json.load(f)["papers"]
    Handler.state = State(corpus, args.s2_key)
    server = ThreadingHTTPServer((args.host, args.port), Handler)
    server.daemon_threads = True
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit(0)
