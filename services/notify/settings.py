"""Notify's own settings (prefix NOTIFY_), on top of the ones every service has."""
from __future__ import annotations

from typing import Literal

from services.common.settings import ServiceSettings


class NotifySettings(ServiceSettings):
    smtp_host: str = ""                          # empty: e-mail is off (deliveries are parked, replayable)
    smtp_port: int = 25
    smtp_security: Literal["none", "starttls", "ssl"] = "none"
    smtp_user: str = ""
    smtp_password: str = ""
    mail_from: str = "egov@localhost"
    sms_url: str = ""                            # empty: SMS is off
    sms_token: str = ""
    sms_payload: str = '{"to": "{{ phone }}", "message": "{{ text_json }}"}'
    max_attempts: int = 5                        # then the delivery is parked
    retry_backoff: float = 30.0                  # seconds before the 2nd attempt; doubles each time
    dispatch_interval: float = 1.0               # seconds between looks for due deliveries
