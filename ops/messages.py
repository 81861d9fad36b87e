"""An e-mail as a job's argument (JSON) and back: what the queue stores and the worker sends."""

import base64

from django.core.mail import EmailMessage, EmailMultiAlternatives


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
