"""E-mails go through the job queue: the request only records them, a worker sends them.

`EMAIL_BACKEND` is `ops.mail.QueuedEmailBackend`; each message becomes one job (`ops.tasks.
send_email`), which the worker sends with `EMAIL_DELIVERY_BACKEND` (SMTP, console… as configured
from the environment). The call sites (`send_mail`, password reset) do not change. A job that
fails is retried with a growing wait, then stays `failed` in the queue's table, listed by
`manage.py failed_jobs` and the public admin.
"""

from django.core.mail.backends.base import BaseEmailBackend

from ops.messages import message_to_dict
from ops.tasks import send_email


class QueuedEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        count = 0
        for message in email_messages:
            if not message.recipients():
                continue
            send_email.defer(message=message_to_dict(message))
            count += 1
        return count
