"""E-mails go through the job queue: the request only records them, a worker sends them.

`EMAIL_BACKEND` is `ops.mail.QueuedEmailBackend`; each message becomes one job (`ops.tasks.
send_email`), which the worker sends with `EMAIL_DELIVERY_BACKEND` (SMTP, console… as configured
from the environment). The call sites (`send_mail`, password reset) do not change. A job that
fails is retried with a growing wait, then stays `failed` in the queue's table, listed by
`manage.py failed_jobs` and the public admin.
"""

import base64

from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.core.mail.backends.base import BaseEmailBackend


def message_to_dict(message: EmailMessage) -> dict:
    """A JSON-serialisable copy of a message (the queue stores job arguments as JSON)."""
    attachments = []
    for attachment in message.attachments:
        if isinstance(attachment, tuple):
            filename, content, mimetype = attachment
            if isinstance(content, str):
                content = content.encode()
            attachments.append([filename, base64.b64encode(content).decode(), mimetype])
        else:  # a MIMEBase instance
            attachments.append([None, base64.b64encode(attachment.as_bytes()).decode(), None])
    return {
        "subject": str(message.subject),
        "body": str(message.body),
        "from_email": message.from_email,
        "to": list(message.to),
        "cc": list(message.cc),
        "bcc": list(message.bcc),
        "reply_to": list(message.reply_to),
        "headers": {str(k): str(v) for k, v in (message.extra_headers or {}).items()},
        "alternatives": [
            [str(content), mimetype] for content, mimetype in getattr(message, "alternatives", [])
        ],
        "attachments": attachments,
        "content_subtype": message.content_subtype,
    }


def message_from_dict(data: dict) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=data["subject"],
        body=data["body"],
        from_email=data["from_email"],
        to=data["to"],
        cc=data["cc"],
        bcc=data["bcc"],
        reply_to=data["reply_to"],
        headers=data["headers"],
        alternatives=[tuple(item) for item in data["alternatives"]],
    )
    message.content_subtype = data.get("content_subtype", "plain")
    for filename, content, mimetype in data["attachments"]:
        if filename is not None:
            message.attach(filename, base64.b64decode(content), mimetype)
    return message


class QueuedEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        from ops.tasks import send_email

        count = 0
        for message in email_messages:
            if not message.recipients():
                continue
            send_email.defer(message=message_to_dict(message))
            count += 1
        return count
