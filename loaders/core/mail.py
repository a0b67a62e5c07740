"""Email through the configured SMTP server: the run summary (loaders.runs)
and the rooms' own mails (the date changes of loaders.evaluation)."""

from __future__ import annotations

import smtplib
import ssl

from loaders.core.config import SmtpConfig


def open_smtp(smtp: SmtpConfig) -> smtplib.SMTP:
    """A connected client: EHLO done, STARTTLS and login when configured."""
    if smtp.ssl:
        client = smtplib.SMTP_SSL(smtp.host, smtp.port, timeout=30,
                                  context=ssl.create_default_context())
    else:
        client = smtplib.SMTP(smtp.host, smtp.port, timeout=30)
    try:
        client.ehlo()
        if smtp.starttls:
            client.starttls(context=ssl.create_default_context())
            client.ehlo()
        if smtp.user and smtp.password:
            client.login(smtp.user, smtp.password.reveal())
    except BaseException:
        client.close()
        raise
    return client
