#!/usr/bin/python3
"""A fake LLM provider for tests: OpenAI Chat Completions and Anthropic Messages over real HTTP.

usage: server.py [--host 127.0.0.1] [--port 0] [--rules FILE] [--openai-key K] [--anthropic-key K]
                 [--min-cache-tokens N]
Prints the port it listens on (one line) once it accepts connections.

Endpoints, as the providers have them:
  POST /v1/chat/completions   Authorization: Bearer KEY
  POST /v1/messages           x-api-key: KEY, anthropic-version: DATE
with their status codes, error bodies and usage fields (cached tokens included: the server
remembers prompt prefixes, as the providers' prompt caches do). Test control:
  GET  /_stats      {"requests", "by_path", "in_flight", "max_in_flight", "faults", "rule_hits",
                     "arrival_spread_s" (seconds between the first and the last provider request),
                     "answered": {sha256 of a request body: [wall-clock arrival time of each request
                     with that body that got a 200 reply]},
                     "random_faults": {"status 429" / "reset" / ...: how many fault_rate injected}}
  GET  /_requests   the last 50 provider requests: path, headers, body
  POST /_rules      replace the rules (body: a rules document)
  POST /_reset      zero the counters, forget cached prefixes and fault counts

Rules document: {"rules": [RULE, ...], "default_reply": "...", "fault_rate": RATE}; the first
rule that matches answers. RATE (optional) injects faults at random before any rule:
{"rate": 0.3, "seed": 1, "faults": [FAULT, ...]}: each provider request fails with probability
rate (a random.Random seeded with seed when the rules are set or the counters reset) with the
next of the FAULTs in turn (objects with the RULE fault fields below), so every kind comes up. RULE fields (all optional):
  match        substring of the prompt (system prompt and messages, text only)
  protocol     "openai" or "anthropic"
  model        the request's model
  reply        the answer text; {echo} = last user text, {sample} = choice index, {images} =
               "N png image(s) WxH,..." as decoded from the request
  delay_ms     wait before answering (also before a fault)
  fault        status | reset | truncate | malformed
  status       HTTP status for fault "status" (429, 500, 529, 400, ...)
  retry_after  Retry-After header value for fault "status"
  message      the error message in the provider's error body
  times        how many matching requests get the fault (default: all); later ones get the
               reply, or fall through to the next rule when the rule has no reply
  usage        {"input": N, "output": N} to override the counted tokens
  chunk_delay_ms  for a streamed reply ("stream": true): wait between its events (default 0)
  reasoning_tokens  hidden reasoning tokens an OpenAI reasoning model spends before its reply
               (default by reasoning_effort: minimal 0, low 16, medium 64, high 256)
Rules document fields besides "rules": "outage_s": N and "outage_status": S (default 529):
every provider request in the first N seconds after the rules are set (or the counters reset)
is answered S with the provider's overload error and a Retry-After of "outage_retry_after"
when given.

The provider zoo, from the providers' documentation:
  OpenAI reasoning models (o1, o3, o4-mini, gpt-5*) refuse max_tokens, temperature/top_p other
  than 1, stop, and a reasoning_effort they do not take, with 400 invalid_request_error naming
  the param; they spend reasoning tokens out of max_completion_tokens (a limit used up by
  reasoning answers empty content with finish_reason "length"). Other models refuse
  reasoning_effort. Anthropic refuses max_tokens above the model's output limit, and extended
  thinking with a budget under 1024, not below max_tokens, or with a temperature other than 1.
  A reply cut at the limit can be finished: when the conversation ends with the model's own
  earlier reply (an Anthropic prefill, or that reply followed by one user turn asking it to go
  on) and the rule's reply starts with it, the answer is the rest of the reply.
  A request with "stream": true is answered as server-sent events (OpenAI chat.completion.chunk
  events, a usage chunk with stream_options.include_usage, then [DONE]; Anthropic
  message_start, content_block_start/delta/stop, ping, message_delta, message_stop).
  OpenAI response_format json_schema is answered with the reply text as the content; an
  Anthropic tool_choice {"type": "tool"} with a tool_use block whose input is the JSON object in
  the reply (the whole reply, its fenced block, or the object amid prose; stop_reason "tool_use").
Only Debian's /usr/bin/python3 standard library is used.
"""
import argparse
import asyncio
import base64
import binascii
import hashlib
import json
import random
import socket
import struct
import sys
import time

REASONS = {200: "OK", 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
           405: "Method Not Allowed", 408: "Request Timeout", 413: "Payload Too Large", 422: "Unprocessable Entity",
           429: "Too Many Requests", 500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable",
           529: "Overloaded"}
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"



def json_object_in(text):
    """The JSON object a model would put in a forced tool call's input: the whole reply when it
    is JSON, else its last ```json fenced block, else the span from its first '{' to its last
    '}' (a reply written with prose around the object); None when there is none."""
    candidates = [text]
    fenced = text.split("```json")
    if len(fenced) > 1:
        candidates.append(fenced[-1].split("```")[0])
    if "{" in text and "}" in text:
        candidates.append(text[text.index("{"):text.rindex("}") + 1])
    for c in candidates:
        try:
            value = json.loads(c)
        except ValueError:
            continue
        if isinstance(value, dict):
            return value
    return None

class ApiError(Exception):
    """A request the provider would refuse: HTTP status, error type, message."""

    def __init__(self, status, kind, message):
        super().__init__(message)
        self.status, self.kind, self.message = status, kind, message


def count_tokens(text):
    return max(1, len(text) // 4) if text else 0


def png_info(data_b64):
    """'WxH' of a base64 PNG; ApiError when it is not one."""
    try:
        raw = base64.b64decode(data_b64, validate=True)
    except (binascii.Error, ValueError):
        raise ApiError(400, "invalid_request_error", "Invalid image: the base64 data does not decode")
    if not raw.startswith(PNG_SIGNATURE) or len(raw) < 24:
        raise ApiError(400, "invalid_request_error", "Invalid image: the data is not a PNG image")
    width, height = struct.unpack(">II", raw[16:24])
    return f"{width}x{height}"


class Conversation:
    """A request reduced to what rules and usage need: texts, images, the cacheable prefix."""

    def __init__(self):
        self.texts = []          # every text, system first
        self.last_user = ""
        self.images = []         # "WxH" per image
        self.image_tokens = 0
        self.prefix_key = None   # what identifies the cacheable prefix
        self.prefix_tokens = 0
        self.partial = None      # the model's own earlier reply at the end of the conversation

    def prompt(self):
        return "\n".join(self.texts)

    def input_tokens(self):
        return sum(count_tokens(t) for t in self.texts) + self.image_tokens


def openai_conversation(body):
    if not isinstance(body.get("model"), str) or not body["model"]:
        raise ApiError(400, "invalid_request_error", "you must provide a model parameter")
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise ApiError(400, "invalid_request_error", "'messages' must be a non-empty array")
    conv = Conversation()
    for i, m in enumerate(messages):
        if not isinstance(m, dict) or m.get("role") not in ("system", "developer", "user", "assistant"):
            raise ApiError(400, "invalid_request_error", f"Invalid value for 'messages[{i}].role'")
        content = m.get("content")
        if isinstance(content, str):
            parts = [{"type": "text", "text": content}]
        elif isinstance(content, list):
            parts = content
        else:
            raise ApiError(400, "invalid_request_error", f"Invalid type for 'messages[{i}].content'")
        for part in parts:
            if part.get("type") == "text":
                conv.texts.append(part.get("text", ""))
                if m["role"] == "user":
                    conv.last_user = part.get("text", "")
            elif part.get("type") == "image_url":
                url = (part.get("image_url") or {}).get("url", "")
                prefix = "data:image/png;base64,"
                if not url.startswith(prefix):
                    raise ApiError(400, "invalid_request_error", "Invalid image_url: expected a data:image/png;base64 URL")
                conv.images.append(png_info(url[len(prefix):]))
                conv.image_tokens += 85
            else:
                raise ApiError(400, "invalid_request_error", f"Invalid content part type '{part.get('type')}'")
    conv.partial = tail_reply(messages, lambda m: m.get("content") if isinstance(m.get("content"), str) else None)
    # Automatic prefix caching: the system prompt is the stable prefix.
    if messages[0].get("role") == "system" and isinstance(messages[0].get("content"), str):
        conv.prefix_key = "openai:" + body["model"] + ":" + messages[0]["content"]
        conv.prefix_tokens = count_tokens(messages[0]["content"])
    return conv


def tail_reply(messages, text_of):
    """The assistant's text when it ends the conversation (a prefill) or is followed by one last
    user turn (asking it to go on), else None."""
    for back in (1, 2):
        if len(messages) > back and messages[-back].get("role") == "assistant":
            return text_of(messages[-back])
    return None


def anthropic_blocks(content, where):
    if isinstance(content, str):
        return [{"type": "text", "text": content}]
    if isinstance(content, list):
        return content
    raise ApiError(400, "invalid_request_error", f"{where}: Input should be a valid list")


def anthropic_conversation(body):
    if not isinstance(body.get("model"), str) or not body["model"]:
        raise ApiError(400, "invalid_request_error", "model: Field required")
    if not isinstance(body.get("max_tokens"), int):
        raise ApiError(400, "invalid_request_error", "max_tokens: Field required")
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise ApiError(400, "invalid_request_error", "messages: at least one message is required")
    conv = Conversation()
    ordered = []  # (block, tokens) in prompt order, to find the cacheable prefix
    if "system" in body:
        for block in anthropic_blocks(body["system"], "system"):
            if block.get("type") != "text":
                raise ApiError(400, "invalid_request_error", "system: only text blocks are allowed")
            conv.texts.append(block.get("text", ""))
            ordered.append((block, count_tokens(block.get("text", ""))))
    for i, m in enumerate(messages):
        if not isinstance(m, dict) or m.get("role") not in ("user", "assistant"):
            raise ApiError(400, "invalid_request_error",
                           f"messages.{i}.role: Input should be 'user' or 'assistant'")
        if i == 0 and m["role"] != "user":
            raise ApiError(400, "invalid_request_error", "messages: first message must use the \"user\" role")
        for block in anthropic_blocks(m.get("content"), f"messages.{i}.content"):
            if block.get("type") == "text":
                conv.texts.append(block.get("text", ""))
                if m["role"] == "user":
                    conv.last_user = block.get("text", "")
                ordered.append((block, count_tokens(block.get("text", ""))))
            elif block.get("type") == "image":
                source = block.get("source") or {}
                if source.get("type") != "base64" or source.get("media_type") not in (
                        "image/png", "image/jpeg", "image/gif", "image/webp"):
                    raise ApiError(400, "invalid_request_error",
                                   f"messages.{i}.content: image source must be base64 with a known media_type")
                conv.images.append(png_info(source.get("data", "")))
                conv.image_tokens += 85
                ordered.append((block, 85))
            else:
                raise ApiError(400, "invalid_request_error", f"messages.{i}.content: unknown block type")
    conv.partial = tail_reply(messages, lambda m: "".join(b.get("text", "") for b in anthropic_blocks(m.get("content"), "")
                                                          if b.get("type") == "text"))
    # Explicit prompt caching: everything up to the last block marked cache_control.
    last = max((i for i, (b, _) in enumerate(ordered) if b.get("cache_control")), default=None)
    if last is not None:
        prefix = [b for b, _ in ordered[:last + 1]]
        conv.prefix_key = "anthropic:" + body["model"] + ":" + json.dumps(prefix, sort_keys=True)
        conv.prefix_tokens = sum(t for _, t in ordered[:last + 1])
    return conv


class FakeProvider:
    def __init__(self, args):
        self.openai_key = args.openai_key
        self.anthropic_key = args.anthropic_key
        self.min_cache_tokens = args.min_cache_tokens
        self.rules = {"rules": []}
        self.reset()

    def reset(self):
        self.rules_since = time.monotonic()
        self.requests = 0
        self.by_path = {}
        self.in_flight = 0
        self.max_in_flight = 0
        self.faults = 0
        self.fault_counts = {}
        self.rule_hits = {}
        self.cached_prefixes = set()
        self.recent = []
        self.first_arrival = None   # time.monotonic() of the first and last provider requests
        self.last_arrival = None
        self.answered = {}          # sha256 of a request body -> arrival times (time.time()) of its 200 replies
        self.random_faults = {}     # "status 429", "reset", ... -> how many fault_rate injected
        self.fault_rng = random.Random((self.rules.get("fault_rate") or {}).get("seed", 0))

    def set_rules(self, doc):
        if not isinstance(doc, dict) or not isinstance(doc.get("rules", []), list):
            raise ValueError("a rules document is {\"rules\": [...]}")
        self.rules = doc
        self.rules_since = time.monotonic()
        self.fault_counts = {}
        self.fault_rng = random.Random((doc.get("fault_rate") or {}).get("seed", 0))

    def random_fault(self):
        """A fault drawn from the rules' fault_rate, or None (most requests)."""
        rate = self.rules.get("fault_rate") or {}
        if not rate.get("faults") or self.fault_rng.random() >= rate.get("rate", 0):
            return None
        drawn = sum(self.random_faults.values())
        return rate["faults"][drawn % len(rate["faults"])]

    def stats(self):
        return {"requests": self.requests, "by_path": self.by_path, "in_flight": self.in_flight,
                "max_in_flight": self.max_in_flight, "faults": self.faults,
                "rule_hits": {str(k): v for k, v in self.rule_hits.items()},
                "arrival_spread_s": (self.last_arrival - self.first_arrival) if self.first_arrival else 0,
                "answered": self.answered, "random_faults": self.random_faults}

    def choose(self, protocol, model, conv):
        """(rule index, rule, apply_fault) of the first rule that answers; (None, {}, False) for the default."""
        prompt = conv.prompt()
        for i, rule in enumerate(self.rules.get("rules", [])):
            if "match" in rule and rule["match"] not in prompt:
                continue
            if "protocol" in rule and rule["protocol"] != protocol:
                continue
            if "model" in rule and rule["model"] != model:
                continue
            if "fault" in rule:
                used = self.fault_counts.get(i, 0)
                if "times" not in rule or used < rule["times"]:
                    self.fault_counts[i] = used + 1
                    return i, rule, True
                if "reply" not in rule:
                    continue
            return i, rule, False
        return None, {}, False

    def cache_usage(self, conv):
        """(cache_read, cache_write) tokens: a prefix seen before is read, a new one written."""
        if conv.prefix_key is None or conv.prefix_tokens < self.min_cache_tokens:
            return 0, 0
        if conv.prefix_key in self.cached_prefixes:
            return conv.prefix_tokens, 0
        self.cached_prefixes.add(conv.prefix_key)
        return 0, conv.prefix_tokens


def render(template, conv, sample):
    images = ", ".join(conv.images)
    text = template.replace("{echo}", conv.last_user).replace("{sample}", str(sample))
    text = text.replace("{images}", f"{len(conv.images)} png image(s) {images}".strip())
    # A model shown the start of its own cut reply (a prefill, or "go on") writes the rest of it.
    start = conv.partial or ""
    if start.strip() and len(start) < len(text) and text.startswith(start):
        return text[len(start):]
    return text


def cut(text, max_tokens, stops):
    """(text, reason, stop) after stop sequences and max_tokens, reason one of end/stop/length."""
    for s in stops or []:
        if s and s in text:
            return text[:text.index(s)], "stop", s
    if max_tokens is not None and count_tokens(text) > max_tokens:
        return text[:max_tokens * 4], "length", None
    return text, "end", None


def openai_error(status, kind, message, param=None, code=None):
    code = code or {401: "invalid_api_key", 429: "rate_limit_exceeded"}.get(status)
    return {"error": {"message": message, "type": kind, "param": param, "code": code}}


class ParamError(ApiError):
    """A 400 that names the offending parameter (OpenAI's error.param)."""

    def __init__(self, param, code, message):
        super().__init__(400, "invalid_request_error", message)
        self.param, self.code = param, code


OPENAI_REASONING = ("o1", "o3", "o4-mini", "gpt-5")
ANTHROPIC_MAX_OUTPUT = {"claude-sonnet-4-5": 64000, "claude-sonnet-4": 64000, "claude-opus-4-1": 32000,
                        "claude-haiku-4-5": 64000, "claude-3-5-haiku": 8192}
EFFORT_TOKENS = {"minimal": 0, "low": 16, "medium": 64, "high": 256}


def is_reasoning(model):
    return any(model == m or model.startswith(m + "-") for m in OPENAI_REASONING)


def check_openai_params(body):
    """The parameter rules of OpenAI models: ParamError for what the model refuses."""
    model = body["model"]
    if is_reasoning(model):
        if "max_tokens" in body:
            raise ParamError("max_tokens", "unsupported_parameter",
                             "Unsupported parameter: 'max_tokens' is not supported with this model. "
                             "Use 'max_completion_tokens' instead.")
        for name in ("temperature", "top_p"):
            if name in body and body[name] != 1:
                raise ParamError(name, "unsupported_value",
                                 f"Unsupported value: '{name}' does not support {body[name]} with this model. "
                                 "Only the default (1) value is supported.")
        if "stop" in body:
            raise ParamError("stop", "unsupported_parameter",
                             "Unsupported parameter: 'stop' is not supported with this model.")
        efforts = ("minimal", "low", "medium", "high") if model.startswith("gpt-5") else ("low", "medium", "high")
        if "reasoning_effort" in body and body["reasoning_effort"] not in efforts:
            raise ParamError("reasoning_effort", "unsupported_value",
                             f"Unsupported value: 'reasoning_effort' does not support '{body['reasoning_effort']}' "
                             "with this model.")
    elif "reasoning_effort" in body:
        raise ParamError("reasoning_effort", "unsupported_parameter",
                         "Unsupported parameter: 'reasoning_effort' is not supported with this model.")


def check_anthropic_params(body):
    """Anthropic's output limit and extended thinking rules."""
    limit = next((v for k, v in ANTHROPIC_MAX_OUTPUT.items() if body["model"].startswith(k)), None)
    if limit is not None and body["max_tokens"] > limit:
        raise ApiError(400, "invalid_request_error",
                       f"max_tokens: {body['max_tokens']} > {limit}, which is the maximum allowed number of "
                       f"output tokens for {body['model']}")
    last = body["messages"][-1]
    if last.get("role") == "assistant":
        text = "".join(b.get("text", "") for b in anthropic_blocks(last.get("content"), "") if b.get("type") == "text")
        if text != text.rstrip():
            raise ApiError(400, "invalid_request_error", "final assistant content cannot end with trailing whitespace")
    thinking = body.get("thinking")
    if isinstance(thinking, dict) and thinking.get("type") == "enabled":
        budget = thinking.get("budget_tokens", 0)
        if budget < 1024:
            raise ApiError(400, "invalid_request_error", "thinking.enabled.budget_tokens: Input should be greater than or equal to 1024")
        if budget >= body["max_tokens"]:
            raise ApiError(400, "invalid_request_error", "`max_tokens` must be greater than `thinking.budget_tokens`")
        if body.get("temperature", 1) != 1:
            raise ApiError(400, "invalid_request_error",
                           "`temperature` may only be set to 1 when thinking is enabled")


def anthropic_error(status, kind, message):
    return {"type": "error", "error": {"type": kind, "message": message}}


def error_kind(status, protocol):
    if status == 401:
        return "authentication_error" if protocol == "anthropic" else "invalid_request_error"
    if status == 429:
        return "rate_limit_error" if protocol == "anthropic" else "requests"
    if status == 529:
        return "overloaded_error"
    if status >= 500:
        return "api_error" if protocol == "anthropic" else "server_error"
    return "invalid_request_error"


class Handler:
    """One HTTP/1.1 connection (keep-alive) to the fake provider."""

    def __init__(self, provider, reader, writer):
        self.p, self.reader, self.writer = provider, reader, writer

    async def run(self):
        try:
            while True:
                try:
                    head = await self.reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, ConnectionError):
                    return
                lines = head.decode("latin-1").split("\r\n")
                method, path, _ = lines[0].split(" ", 2)
                headers = {}
                for line in lines[1:]:
                    if ":" in line:
                        name, value = line.split(":", 1)
                        headers[name.strip().lower()] = value.strip()
                length = int(headers.get("content-length", "0") or 0)
                body = await self.reader.readexactly(length) if length else b""
                keep = await self.dispatch(method, path, headers, body)
                if not keep or headers.get("connection", "").lower() == "close":
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            if not self.writer.is_closing():
                self.writer.close()

    async def send(self, status, payload, extra_headers=None, raw=None):
        body = raw if raw is not None else json.dumps(payload).encode()
        head = [f"HTTP/1.1 {status} {REASONS.get(status, 'Status')}", "Content-Type: application/json",
                f"Content-Length: {len(body)}", f"request-id: req_{int(time.time() * 1e6)}"]
        for k, v in (extra_headers or {}).items():
            head.append(f"{k}: {v}")
        self.writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + body)
        await self.writer.drain()
        return True

    async def dispatch(self, method, path, headers, body):
        if path == "/_stats" and method == "GET":
            return await self.send(200, self.p.stats())
        if path == "/_requests" and method == "GET":
            return await self.send(200, {"requests": self.p.recent})
        if path == "/_reset" and method == "POST":
            self.p.reset()
            return await self.send(200, {"ok": True})
        if path == "/_rules" and method == "POST":
            try:
                self.p.set_rules(json.loads(body or b"{}"))
            except ValueError as e:
                return await self.send(400, {"error": str(e)})
            return await self.send(200, {"ok": True})
        if path in ("/v1/chat/completions", "/v1/messages"):
            protocol = "openai" if path == "/v1/chat/completions" else "anthropic"
            if method != "POST":
                return await self.send(405, self.error_body(protocol, 405, "invalid_request_error", "use POST"))
            self.p.requests += 1
            self.p.last_arrival = time.monotonic()
            if self.p.first_arrival is None:
                self.p.first_arrival = self.p.last_arrival
            self.p.by_path[path] = self.p.by_path.get(path, 0) + 1
            self.p.in_flight += 1
            self.p.max_in_flight = max(self.p.max_in_flight, self.p.in_flight)
            try:
                return await self.provider_call(protocol, headers, body)
            finally:
                self.p.in_flight -= 1
        return await self.send(404, {"error": {"message": f"no route {method} {path}", "type": "not_found"}})

    def error_body(self, protocol, status, kind, message):
        return (anthropic_error if protocol == "anthropic" else openai_error)(status, kind, message)

    def check_auth(self, protocol, headers):
        if protocol == "openai":
            auth = headers.get("authorization", "")
            if not auth.startswith("Bearer "):
                raise ApiError(401, "invalid_request_error",
                               "You didn't provide an API key. You need to provide your API key in an Authorization header")
            if auth[7:] != self.p.openai_key:
                raise ApiError(401, "invalid_request_error", "Incorrect API key provided.")
        else:
            if headers.get("x-api-key") != self.p.anthropic_key:
                raise ApiError(401, "authentication_error", "invalid x-api-key")
            if not headers.get("anthropic-version"):
                raise ApiError(400, "invalid_request_error", "anthropic-version: header is required")

    async def provider_call(self, protocol, headers, raw):
        arrived = time.time()
        recent = {"path": "/v1/chat/completions" if protocol == "openai" else "/v1/messages",
                  "headers": headers, "body": raw.decode("utf-8", "replace")}
        self.p.recent = (self.p.recent + [recent])[-50:]
        try:
            self.check_auth(protocol, headers)
            try:
                body = json.loads(raw)
            except ValueError:
                raise ApiError(400, "invalid_request_error", "the request body is not valid JSON")
            if not isinstance(body, dict):
                raise ApiError(400, "invalid_request_error", "the request body must be a JSON object")
            conv = openai_conversation(body) if protocol == "openai" else anthropic_conversation(body)
            check_openai_params(body) if protocol == "openai" else check_anthropic_params(body)
        except ParamError as e:
            return await self.send(e.status, openai_error(e.status, e.kind, e.message, e.param, e.code))
        except ApiError as e:
            return await self.send(e.status, self.error_body(protocol, e.status, e.kind, e.message))
        outage = self.p.rules.get("outage_s", 0)
        if outage and time.monotonic() - self.p.rules_since < outage:
            self.p.faults += 1
            status = int(self.p.rules.get("outage_status", 529))
            rule = {"fault": "status", "status": status, "message": "Overloaded" if status == 529 else "Service Unavailable"}
            if "outage_retry_after" in self.p.rules:
                rule["retry_after"] = self.p.rules["outage_retry_after"]
            return await self.inject(protocol, rule)
        drawn = self.p.random_fault()
        if drawn is not None:
            self.p.faults += 1
            kind = drawn["fault"] + (f" {drawn.get('status', 500)}" if drawn["fault"] == "status" else "")
            self.p.random_faults[kind] = self.p.random_faults.get(kind, 0) + 1
            return await self.inject(protocol, drawn)
        index, rule, fault = self.p.choose(protocol, body["model"], conv)
        if index is not None:
            self.p.rule_hits[index] = self.p.rule_hits.get(index, 0) + 1
        if rule.get("delay_ms"):
            await asyncio.sleep(rule["delay_ms"] / 1000)
        if fault:
            self.p.faults += 1
            return await self.inject(protocol, rule)
        reply = rule.get("reply", self.p.rules.get("default_reply", "fake reply to: {echo}"))
        if protocol == "openai":
            payload = self.openai_reply(body, conv, reply, rule)
        else:
            payload = self.anthropic_reply(body, conv, reply, rule)
        self.p.answered.setdefault(hashlib.sha256(raw).hexdigest(), []).append(arrived)
        if body.get("stream"):
            events = openai_events(payload, body) if protocol == "openai" else anthropic_events(payload)
            return await self.send_events(events, rule.get("chunk_delay_ms", 0))
        return await self.send(200, payload)

    async def send_events(self, events, delay_ms):
        """A 200 event stream (chunked transfer encoding), one event per chunk, delay_ms apart."""
        head = ["HTTP/1.1 200 OK", "Content-Type: text/event-stream", "Cache-Control: no-cache",
                "Transfer-Encoding: chunked", f"request-id: req_{int(time.time() * 1e6)}"]
        self.writer.write(("\r\n".join(head) + "\r\n\r\n").encode())
        await self.writer.drain()
        for i, event in enumerate(events):
            if i and delay_ms:
                await asyncio.sleep(delay_ms / 1000)
            data = event.encode()
            self.writer.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
            await self.writer.drain()
        self.writer.write(b"0\r\n\r\n")
        await self.writer.drain()
        return True

    async def inject(self, protocol, rule):
        kind = rule["fault"]
        if kind == "status":
            status = int(rule.get("status", 500))
            message = rule.get("message", f"fake {status} error")
            extra = {"Retry-After": str(rule["retry_after"])} if "retry_after" in rule else {}
            return await self.send(status, self.error_body(protocol, status, error_kind(status, protocol), message), extra)
        if kind == "reset":
            sock = self.writer.get_extra_info("socket")
            if sock is not None:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.writer.transport.abort()
            return False
        if kind == "truncate":
            body = json.dumps({"id": "chatcmpl-cut", "choices": [{"message": {"content": "x" * 200}}]}).encode()
            head = f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
            self.writer.write(head.encode() + body[:len(body) // 2])
            await self.writer.drain()
            self.writer.close()
            return False
        if kind == "malformed":
            return await self.send(200, None, raw=b'{"id": "msg_broken", "content": [{"type": "text", "text": "unterminated')
        raise ValueError(f"unknown fault '{kind}'")

    def openai_reply(self, body, conv, template, rule):
        n = body.get("n", 1) or 1
        choices, out_tokens = [], 0
        reasoning = 0
        if is_reasoning(body["model"]):
            reasoning = rule.get("reasoning_tokens", EFFORT_TOKENS.get(body.get("reasoning_effort", "medium"), 64))
        limit = body.get("max_tokens") or body.get("max_completion_tokens")
        for i in range(n):
            visible = None if limit is None else limit - reasoning
            if visible is not None and visible <= 0:
                # The whole limit went to reasoning: no content, cut.
                text, reason = "", "length"
                out_tokens += limit
            else:
                text, reason, _ = cut(render(template, conv, i), visible,
                                      body.get("stop") if isinstance(body.get("stop"), list) else [body.get("stop")])
                out_tokens += count_tokens(text) + reasoning
            choices.append({"index": i, "message": {"role": "assistant", "content": text, "refusal": None},
                            "logprobs": None, "finish_reason": {"end": "stop", "stop": "stop", "length": "length"}[reason]})
        usage = rule.get("usage", {})
        prompt = usage.get("input", conv.input_tokens())
        cached, _ = self.p.cache_usage(conv)
        cached = cached // 128 * 128  # OpenAI caches in 128-token steps
        completion = usage.get("output", out_tokens)
        return {"id": f"chatcmpl-{hashlib.sha1(str(time.time()).encode()).hexdigest()[:24]}",
                "object": "chat.completion", "created": int(time.time()), "model": body["model"],
                "choices": choices, "system_fingerprint": "fp_fake",
                "usage": {"prompt_tokens": prompt, "completion_tokens": completion,
                          "total_tokens": prompt + completion,
                          "prompt_tokens_details": {"cached_tokens": cached, "audio_tokens": 0},
                          "completion_tokens_details": {"reasoning_tokens": reasoning * n, "audio_tokens": 0}}}

    def anthropic_reply(self, body, conv, template, rule):
        text, reason, stop = cut(render(template, conv, 0), body["max_tokens"], body.get("stop_sequences"))
        usage = rule.get("usage", {})
        read, write = self.p.cache_usage(conv)
        total_in = usage.get("input", conv.input_tokens())
        content = [{"type": "text", "text": text}]
        stop_reason = {"end": "end_turn", "stop": "stop_sequence", "length": "max_tokens"}[reason]
        choice = body.get("tool_choice") or {}
        if choice.get("type") == "tool" and reason == "end":
            tool_input = json_object_in(text)
            if tool_input is None:
                tool_input = {"text": text}
            content = [{"type": "tool_use", "id": "toolu_fake", "name": choice.get("name"), "input": tool_input}]
            stop_reason = "tool_use"
        if isinstance(body.get("thinking"), dict):
            content.insert(0, {"type": "thinking", "thinking": "Let me think.", "signature": "sig_fake"})
        return {"id": f"msg_{hashlib.sha1(str(time.time()).encode()).hexdigest()[:24]}", "type": "message",
                "role": "assistant", "model": body["model"], "content": content,
                "stop_reason": stop_reason,
                "stop_sequence": stop,
                "usage": {"input_tokens": max(0, total_in - read - write), "output_tokens": usage.get("output", count_tokens(text)),
                          "cache_creation_input_tokens": write, "cache_read_input_tokens": read}}


def pieces(text, count=4):
    """`text` in up to `count` consecutive pieces (at least one)."""
    size = max(1, -(-len(text) // count))
    return [text[i:i + size] for i in range(0, len(text), size)] or [""]


def openai_events(payload, body):
    """The SSE events of an OpenAI chat.completion streamed: chunks, a usage chunk, [DONE]."""
    base = {"id": payload["id"], "object": "chat.completion.chunk", "created": payload["created"],
            "model": payload["model"], "system_fingerprint": payload["system_fingerprint"]}
    events = []
    for c in payload["choices"]:
        first = dict(base, choices=[{"index": c["index"], "delta": {"role": "assistant", "content": ""},
                                     "logprobs": None, "finish_reason": None}])
        events.append(first)
        for piece in pieces(c["message"]["content"]):
            events.append(dict(base, choices=[{"index": c["index"], "delta": {"content": piece},
                                               "logprobs": None, "finish_reason": None}]))
        events.append(dict(base, choices=[{"index": c["index"], "delta": {}, "logprobs": None,
                                           "finish_reason": c["finish_reason"]}]))
    if (body.get("stream_options") or {}).get("include_usage"):
        events.append(dict(base, choices=[], usage=payload["usage"]))
    return [f"data: {json.dumps(e)}\n\n" for e in events] + ["data: [DONE]\n\n"]


def anthropic_events(payload):
    """The SSE events of an Anthropic message streamed."""
    def event(kind, data):
        return f"event: {kind}\ndata: {json.dumps(dict(data, type=kind))}\n\n"
    usage = payload["usage"]
    start = dict(payload, content=[], stop_reason=None, stop_sequence=None,
                 usage=dict(usage, output_tokens=1))
    events = [event("message_start", {"message": start}), event("ping", {})]
    for i, block in enumerate(payload["content"]):
        if block["type"] == "text":
            events.append(event("content_block_start", {"index": i, "content_block": {"type": "text", "text": ""}}))
            for piece in pieces(block["text"]):
                events.append(event("content_block_delta", {"index": i, "delta": {"type": "text_delta", "text": piece}}))
        elif block["type"] == "tool_use":
            events.append(event("content_block_start", {"index": i, "content_block": dict(block, input={})}))
            for piece in pieces(json.dumps(block["input"])):
                events.append(event("content_block_delta", {"index": i, "delta": {"type": "input_json_delta",
                                                                                   "partial_json": piece}}))
        else:
            events.append(event("content_block_start", {"index": i, "content_block": dict(block, thinking="", signature="")}))
            events.append(event("content_block_delta", {"index": i, "delta": {"type": "thinking_delta",
                                                                               "thinking": block["thinking"]}}))
            events.append(event("content_block_delta", {"index": i, "delta": {"type": "signature_delta",
                                                                               "signature": block["signature"]}}))
        events.append(event("content_block_stop", {"index": i}))
    events.append(event("message_delta", {"delta": {"stop_reason": payload["stop_reason"],
                                                    "stop_sequence": payload["stop_sequence"]},
                                          "usage": {"output_tokens": usage["output_tokens"]}}))
    events.append(event("message_stop", {}))
    return events


async def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--rules", help="rules file (JSON)")
    ap.add_argument("--openai-key", default="sk-test-openai")
    ap.add_argument("--anthropic-key", default="sk-ant-test")
    ap.add_argument("--min-cache-tokens", type=int, default=1024, help="shortest prefix the prompt cache keeps")
    args = ap.parse_args()
    provider = FakeProvider(args)
    if args.rules:
        with open(args.rules) as f:
            provider.set_rules(json.load(f))

    async def on_connection(reader, writer):
        await Handler(provider, reader, writer).run()

    server = await asyncio.start_server(on_connection, args.host, args.port, backlog=4096, limit=1 << 20)
    print(server.sockets[0].getsockname()[1], flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)
