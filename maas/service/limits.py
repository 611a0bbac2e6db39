"""Request limits in front of every endpoint: sizes and per-client rates (pure ASGI middleware).

* Sizes: a request target (path and query) over ``max_target`` bytes gets 414, headers over
  ``max_headers`` bytes in total 431, a body over ``max_body`` bytes 413 (by ``Content-Length``,
  or counted as it streams). The API takes no bodies but the admin's, so the default is small.
* Rates: a token bucket per client address and rule. ``/v1/admin/`` is always limited
  (``admin_per_min`` requests a minute); ``/v1/plan`` only when ``plan_per_s`` is set. Over the
  limit: 429 with ``Retry-After`` (whole seconds). Behind a reverse proxy, run uvicorn with its
  proxy headers so that the client address is the real one.

Each worker process keeps its own buckets: with N workers a client gets up to N times the rate.
"""
from __future__ import annotations

import dataclasses
import json
import math
import threading
import time
from typing import Callable

MAX_TARGET = 8 * 1024
MAX_HEADERS = 16 * 1024
MAX_BODY = 64 * 1024


class TokenBucket:
    """Per-key token buckets: ``rate`` tokens a second, up to ``burst``."""

    def __init__(self, rate: float, burst: float, max_keys: int = 50_000):
        self.rate, self.burst, self.max_keys = float(rate), max(1.0, float(burst)), max_keys
        self._b: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, key: str, now: float | None = None) -> float:
        """0 when a request may go now, else the seconds until it may."""
        now = time.monotonic() if now is None else now
        with self._lock:
            tokens, at = self._b.get(key, (self.burst, now))
            tokens = min(self.burst, tokens + (now - at) * self.rate)
            if tokens >= 1.0:
                self._b[key] = (tokens - 1.0, now)
                wait = 0.0
            else:
                self._b[key] = (tokens, now)
                wait = (1.0 - tokens) / self.rate
            if len(self._b) > self.max_keys:   # forget clients whose bucket is full again
                full = [k for k, (t, a) in self._b.items() if t + (now - a) * self.rate >= self.burst]
                for k in full:
                    del self._b[k]
        return wait


@dataclasses.dataclass
class Limits:
    """What :class:`GuardMiddleware` enforces (see the module doc)."""

    max_target: int = MAX_TARGET
    max_headers: int = MAX_HEADERS
    max_body: int = MAX_BODY
    plan_per_s: float = 0.0          # 0 = no per-client limit on /v1/plan
    plan_burst: float = 0.0          # 0 = 2 x plan_per_s
    admin_per_min: float = 10.0


def _json(status: int, detail: str, headers: list | None = None):
    body = json.dumps({"detail": detail}).encode()
    return ({"type": "http.response.start", "status": status,
             "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
             + (headers or [])},
            {"type": "http.response.body", "body": body})


class GuardMiddleware:
    """Size limits and rate limits (see the module doc); ``on_limited(path, status)`` is told each refusal."""

    def __init__(self, app, limits: Limits | None = None, on_limited: Callable[[str, int], None] | None = None):
        self.app = app
        self.limits = lim = limits or Limits()
        self.on_limited = on_limited
        self.admin = TokenBucket(lim.admin_per_min / 60.0, max(1.0, lim.admin_per_min))
        self.plan = (TokenBucket(lim.plan_per_s, lim.plan_burst or max(1.0, 2 * lim.plan_per_s))
                     if lim.plan_per_s > 0 else None)

    async def _refuse(self, send, path: str, status: int, detail: str, headers: list | None = None):
        if self.on_limited is not None:
            self.on_limited(path, status)
        start, body = _json(status, detail, headers)
        await send(start)
        await send(body)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        lim = self.limits
        path = scope.get("path", "")
        target = len(scope.get("raw_path") or path.encode()) + len(scope.get("query_string", b""))
        if target > lim.max_target:
            await self._refuse(send, path, 414, f"request target longer than {lim.max_target} bytes")
            return
        headers = scope.get("headers", ())
        if sum(len(k) + len(v) + 4 for k, v in headers) > lim.max_headers:
            await self._refuse(send, path, 431, f"request headers larger than {lim.max_headers} bytes")
            return
        length = next((v for k, v in headers if k == b"content-length"), None)
        if length is not None:
            try:
                too_big = int(length) > lim.max_body
            except ValueError:
                too_big = True
            if too_big:
                await self._refuse(send, path, 413, f"request body larger than {lim.max_body} bytes")
                return
        bucket = self.admin if path.startswith("/v1/admin/") else (self.plan if path == "/v1/plan" else None)
        if bucket is not None:
            client = scope.get("client") or ("?", 0)
            wait = bucket.take(str(client[0]))
            if wait > 0:
                await self._refuse(send, path, 429, "too many requests, retry later",
                                   [(b"retry-after", str(max(1, math.ceil(wait))).encode())])
                return
        if length is None and scope.get("method") in ("POST", "PUT", "PATCH"):
            receive = self._counting(receive, lim.max_body)
        await self.app(scope, receive, send)

    @staticmethod
    def _counting(receive, limit: int):
        seen = 0

        async def counted():
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise BodyTooLarge()
            return message
        return counted


class BodyTooLarge(Exception):
    """A streamed body went past the limit (answered 413 by the service middleware)."""
