"""The run summary: printed after every run and sent as one email."""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage

from loaders.core.config import SmtpConfig
from loaders.core.mail import open_smtp

log = logging.getLogger(__name__)


def summary_text(result) -> str:
    lines = [f"scorebridge run {result.run_id}: {result.status}"]
    lines.append("")
    if not result.summaries:
        lines.append("No sources configured.")
    for s in result.summaries:
        parts = [f"{s.received} file(s) received", f"{s.rows_landed} row(s) landed"]
        for label, n in (("duplicate", s.duplicates), ("empty", s.empty),
                         ("quarantined", s.quarantined), ("failed", s.failed),
                         ("refused", s.refused),
                         ("still being written", s.waiting)):
            if n:
                parts.append(f"{n} {label}")
        lines.append(f"{s.source}: " + ", ".join(parts))
        for reason in s.quarantine_reasons:
            lines.append(f"  quarantined {reason}")
        for err in s.errors:
            lines.append(f"  error: {err}")
    total_rows = sum(s.rows_landed for s in result.summaries)
    total_files = sum(s.received for s in result.summaries)
    total_q = sum(s.quarantined for s in result.summaries)
    lines.append("")
    lines.append(f"Total: {total_files} file(s) received, {total_rows} row(s) landed, "
                 f"{total_q} file(s) quarantined.")
    drift = getattr(result, "drift_quarantined", [])
    if drift:
        lines.append(f"Files quarantined by the models (layout drift): {len(drift)}")
        lines.extend(f"  {line}" for line in drift)
    anomalies = getattr(result, "anomalies", {})
    if anomalies:
        lines.append("Results that need a person, by type: " + ", ".join(
            f"{kind} {n}" for kind, n in anomalies.items()))
    problems = getattr(result, "problems", None)
    if problems is not None:
        from loaders.runs.problems import problem_lines

        lines.append("")
        lines.extend(problem_lines(problems))
        lines.append("")
    notices = getattr(result, "notices", [])
    if notices:
        lines.append("")
        lines.extend(notices)
    if result.dbt_ok is not None:
        lines.append("dbt build: " + ("ok" if result.dbt_ok else "FAILED (see the log)"))
    if result.overdue:
        lines.append("")
        lines.append("Expected files missing:")
        lines.extend(f"  {line}" for line in result.overdue)
    return "\n".join(lines) + "\n"


def check_smtp(smtp: SmtpConfig) -> str | None:
    """Connects, says EHLO, STARTTLS and logs in as configured, sends nothing;
    None when all went well, else the problem in one line (no secret)."""
    where = f"smtp {smtp.host}:{smtp.port}"
    try:
        with open_smtp(smtp) as client:
            client.noop()
    except smtplib.SMTPAuthenticationError as exc:
        return f"{where}: login refused for user {smtp.user} ({exc.smtp_code})"
    except smtplib.SMTPNotSupportedError as exc:
        return f"{where}: {exc}"
    except smtplib.SMTPException as exc:
        return f"{where}: refused: {type(exc).__name__}: {exc}"
    except OSError as exc:
        return f"{where}: cannot connect: {exc.strerror or type(exc).__name__}"
    return None


def send_summary(smtp: SmtpConfig, result, text: str) -> bool:
    msg = EmailMessage()
    open_problems = getattr(result, "problems", None)
    if open_problems is not None:
        # Quarantined files are problems too: counted once, and handled ones not at all.
        problems = (sum(len(s.errors) for s in result.summaries) + len(result.overdue)
                    + open_problems.open)
    else:
        problems = (sum(s.quarantined + len(s.errors) for s in result.summaries)
                    + len(result.overdue) + len(getattr(result, "drift_quarantined", [])))
    flag = f" - {problems} need attention" if problems else ""
    msg["Subject"] = f"scorebridge run {result.run_id}: {result.status}{flag}"
    msg["From"] = smtp.sender
    msg["To"] = ", ".join(smtp.recipients)
    msg.set_content(text)
    try:
        with open_smtp(smtp) as client:
            client.send_message(msg)
    except (OSError, smtplib.SMTPException) as exc:
        log.error("could not send the run email through %s:%s: %s", smtp.host, smtp.port,
                  type(exc).__name__)
        return False
    log.info("run email sent to %s", ", ".join(smtp.recipients))
    return True
