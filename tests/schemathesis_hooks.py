"""Schemathesis hooks for tests/test_openapi_fuzz.py: a check that no body carries internal
detail (a filesystem path, a traceback, an OS or Python error text) and that every JSON body is
strict JSON (no NaN/Infinity). Loaded with SCHEMATHESIS_HOOKS=schemathesis_hooks."""
from __future__ import annotations

import json
import re

import schemathesis

LEAK_RE = re.compile(r"Traceback|\[Errno|File \"|invalid literal|Error: |/tmp/|/work/|/home/|/srv/|site-packages")


def _refuse_constant(token: str):
    raise ValueError(f"non-standard JSON constant {token}")


@schemathesis.check
def no_internal_detail(ctx, response, case) -> None:
    """No path, traceback or OS error in a body; JSON bodies parse strictly."""
    text = response.text or ""
    hit = LEAK_RE.search(text)
    if hit:
        raise AssertionError(f"internal detail in the body: {hit.group(0)!r}")
    ctype = response.headers.get("content-type", [""])
    ctype = ctype[0] if isinstance(ctype, list) else ctype
    if "json" in ctype:
        json.loads(text, parse_constant=_refuse_constant)
