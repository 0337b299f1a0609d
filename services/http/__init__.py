"""The optional HTTP server (health, readiness, Prometheus metrics, the subscribable club calendar)."""

from services.http.server import Backlog, HttpServer

__all__ = ["Backlog", "HttpServer"]
