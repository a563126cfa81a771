"""The outside channels, as real clients: SMTP for e-mail, an HTTP gateway for SMS."""
from __future__ import annotations

import json
import smtplib
import ssl
from email.message import EmailMessage

import requests

from services.notify.domain.dispatch import ChannelError
from services.notify.domain.templates import ENV
from services.notify.models import Delivery


class EmailChannel:
    def __init__(self, *, host: str, port: int, security: str, user: str, password: str, sender: str,
                 timeout: float = 10):
        self.host, self.port, self.security = host, port, security
        self.user, self.password, self.sender, self.timeout = user, password, sender, timeout

    def send(self, delivery: Delivery) -> None:
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = self.sender, delivery.address, delivery.subject
        message.set_content(delivery.body)
        try:
            if self.security == "ssl":
                client = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout,
                                          context=ssl.create_default_context())
            else:
                client = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            with client:
                if self.security == "starttls":
                    client.starttls(context=ssl.create_default_context())
                if self.user:
                    client.login(self.user, self.password)
                client.send_message(message)
        except (OSError, smtplib.SMTPException) as exc:
            raise ChannelError(f"SMTP {self.host}:{self.port}: {exc.__class__.__name__}: {exc}") from exc


class SmsChannel:
    """POSTs to an SMS gateway; the JSON payload is a template over ``phone`` and ``text``."""

    def __init__(self, *, url: str, token: str, payload: str, timeout: float = 10):
        self.url, self.token, self.timeout = url, token, timeout
        self.payload = ENV.from_string(payload)

    def send(self, delivery: Delivery) -> None:
        try:
            body = json.loads(self.payload.render(phone=delivery.address, text=delivery.body,
                                                  text_json=json.dumps(delivery.body)[1:-1]))
        except ValueError as exc:
            raise ChannelError(f"NOTIFY_SMS_PAYLOAD does not give JSON: {exc}") from exc
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        try:
            response = requests.post(self.url, json=body, headers=headers, timeout=self.timeout)
        except requests.RequestException as exc:
            raise ChannelError(f"SMS gateway unreachable: {exc.__class__.__name__}") from exc
        if response.status_code >= 300:
            raise ChannelError(f"SMS gateway answered {response.status_code}: {response.text[:200]}")
