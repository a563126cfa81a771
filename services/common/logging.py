"""structlog set-up: readable in a terminal, JSON otherwise; the correlation id rides in contextvars."""
from __future__ import annotations

import logging
import sys
import uuid
from contextlib import contextmanager

import structlog

_configured: tuple[str, str] | None = None


def configure_logging(log_format: str = "auto", level: str = "INFO") -> None:
    """Route structlog and the standard library through one renderer. Idempotent per (format, level)."""
    global _configured
    if _configured == (log_format, level):
        return
    _configured = (log_format, level)
    use_console = log_format == "console" or (log_format == "auto" and sys.stderr.isatty())
    renderer = structlog.dev.ConsoleRenderer() if use_console else structlog.processors.JSONRenderer(
        ensure_ascii=False
    )
    shared = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=shared,
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.processors.format_exc_info,
                renderer,
            ],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # werkzeug's own request lines would duplicate our access log.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)


def new_correlation_id() -> str:
    return uuid.uuid4().hex


def current_correlation_id() -> str | None:
    return structlog.contextvars.get_contextvars().get("correlation_id")


@contextmanager
def correlation(correlation_id: str | None, **extra):
    """Bind a correlation id (and extra fields) to every log line inside the block."""
    tokens = structlog.contextvars.bind_contextvars(
        correlation_id=correlation_id or new_correlation_id(), **extra
    )
    try:
        yield
    finally:
        structlog.contextvars.reset_contextvars(**tokens)


def get_logger(name: str):
    return structlog.get_logger(name)
