"""A tiny router for the REST API: Discord-style 404/405 bodies, buckets and per-call context."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from .messages import UploadedFile
from .validation import ApiError


@dataclass
class Call:
    """What a handler sees: path params, query, JSON body (or ``payload_json``) and uploaded files."""

    request: web.Request
    method: str
    path: str
    params: dict[str, str]
    query: dict[str, str]
    body: Any
    files: list[UploadedFile] = field(default_factory=list)

    def snowflake(self, name: str) -> int:
        return int(self.params[name])

    @property
    def json(self) -> dict[str, Any]:
        if self.body is None:
            return {}
        if not isinstance(self.body, dict):
            raise ApiError(400, 50109, "The request body contains invalid JSON.")
        return self.body

    def query_int(self, name: str, default: int, *, low: int, high: int) -> int:
        raw = self.query.get(name)
        if raw is None:
            return default
        try:
            value = int(raw)
        except ValueError as exc:
            raise ApiError(
                400,
                50035,
                "Invalid Form Body",
                {
                    name: {
                        "_errors": [{"code": "NUMBER_TYPE_COERCE", "message": f'Value "{raw}" is not int.'}]
                    }
                },
            ) from exc
        if not low <= value <= high:
            raise ApiError(
                400,
                50035,
                "Invalid Form Body",
                {
                    name: {
                        "_errors": [
                            {
                                "code": "NUMBER_TYPE_MAX",
                                "message": f"int value should be between {low} and {high}.",
                            }
                        ]
                    }
                },
            )
        return value

    def query_snowflake(self, name: str) -> int | None:
        raw = self.query.get(name)
        return int(raw) if raw and raw.isdigit() else None


Handler = Callable[[Call], Awaitable[Any]]


@dataclass
class Route:
    method: str
    template: str
    pattern: re.Pattern[str]
    handler: Handler
    auth: bool = True

    @property
    def bucket_hash(self) -> str:
        return hashlib.sha1(f"{self.method} {self.template}".encode()).hexdigest()[:16]


_PARAM = re.compile(r"\{(\w+)\}")
_MAJOR = ("channel_id", "guild_id", "webhook_id", "interaction_id", "application_id")


class Router:
    def __init__(self) -> None:
        self.routes: list[Route] = []

    def add(self, method: str, template: str, handler: Handler, *, auth: bool = True) -> None:
        def repl(m: re.Match[str]) -> str:
            name = m.group(1)
            return rf"(?P<{name}>\d+)" if name.endswith("_id") else rf"(?P<{name}>[^/]+)"

        regex = "^" + _PARAM.sub(repl, re.escape(template).replace(r"\{", "{").replace(r"\}", "}")) + "$"
        self.routes.append(Route(method, template, re.compile(regex), handler, auth))

    def match(self, method: str, path: str) -> tuple[Route, dict[str, str]] | bool:
        """Return the route and its params, ``True`` if the path exists for another method, else ``False``."""
        path_exists = False
        for route in self.routes:
            m = route.pattern.match(path)
            if m is None:
                continue
            if route.method == method:
                return route, m.groupdict()
            path_exists = True
        return path_exists

    @staticmethod
    def bucket_key(route: Route, params: dict[str, str]) -> str:
        major = ":".join(params[k] for k in _MAJOR if k in params)
        return f"{route.bucket_hash}:{major}"
