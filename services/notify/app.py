"""Composition root of the notify service: settings → database, bus, consumer, channels, dispatcher, API."""
from __future__ import annotations

import threading
from dataclasses import dataclass, field

from flask import Flask

from services.common.bus import Bus
from services.common.http import create_service_app
from services.common.logging import get_logger
from services.common.runtime import ServiceRuntime, build_runtime
from services.common.sealing import sealer_for
from services.common.settings import settings_for
from services.notify import events
from services.notify.api import blueprints
from services.notify.channels import EmailChannel, SmsChannel
from services.notify.domain.dispatch import send_due
from services.notify.settings import NotifySettings

SERVICE = "notify"
log = get_logger(__name__)


@dataclass
class NotifyParts:
    runtime: ServiceRuntime
    settings: NotifySettings
    channels: dict = field(default_factory=dict)
    wake: threading.Event = field(default_factory=threading.Event)

    def dispatch_once(self) -> int:
        return send_due(self.runtime.db, self.channels, max_attempts=self.settings.max_attempts,
                        backoff=self.settings.retry_backoff)

    def dispatch_forever(self, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                if self.dispatch_once():
                    continue
            except Exception as exc:  # noqa: BLE001 - the loop must survive a database hiccup
                log.warning("notify.dispatch_failed", error=str(exc)[:300])
            self.wake.wait(self.settings.dispatch_interval)
            self.wake.clear()

    def start_dispatcher(self) -> None:
        thread = threading.Thread(target=self.dispatch_forever, args=(self.runtime._stop,), name="notify-dispatch",
                                  daemon=True)
        thread.start()
        self.runtime._threads.append(thread)


def channels_from(settings: NotifySettings) -> dict:
    found = {}
    if settings.smtp_host:
        found["email"] = EmailChannel(host=settings.smtp_host, port=settings.smtp_port,
                                      security=settings.smtp_security, user=settings.smtp_user,
                                      password=settings.smtp_password, sender=settings.mail_from)
    if settings.sms_url:
        found["sms"] = SmsChannel(url=settings.sms_url, token=settings.sms_token, payload=settings.sms_payload)
    return found


def create_app(settings: NotifySettings | None = None, *, bus: Bus | None = None) -> Flask:
    settings = settings or settings_for(SERVICE, NotifySettings)
    runtime = build_runtime(settings, bus=bus)
    events.subscribe(runtime, sealer_for(settings))
    parts = NotifyParts(runtime, settings, channels_from(settings))
    app = create_service_app(
        runtime, title="Notify (Thông báo)", blueprints=blueprints(parts),
        description="Notification rules and templates, the in-app inbox with a live stream, e-mail and SMS "
                    "deliveries with retries, a delivery log and replays.")
    app.extensions["notify"] = parts
    runtime.extra_background.append(parts.start_dispatcher)
    return app


def run_dispatcher(app: Flask, stop: threading.Event) -> None:
    """The worker entry point's ``dispatch`` command."""
    app.extensions["notify"].dispatch_forever(stop)


WORKERS = {"dispatch": run_dispatcher}


def wsgi() -> Flask:
    return create_app()
