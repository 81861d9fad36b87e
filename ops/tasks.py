"""Jobs of the queue (Procrastinate). They run in the worker (`manage.py procrastinate worker`),
outside any request, in the public schema."""

from django.conf import settings
from django.core.mail import get_connection
from procrastinate import RetryStrategy
from procrastinate.contrib.django import app

from ops.messages import message_from_dict

# 6 runs in all: after the first failure, 5 retries waiting 15 s, 35 s, 2 min, 11 min and 52 min
# (10 + 5^n seconds), about an hour of SMTP outage; then the job stays `failed` (failed_jobs).
EMAIL_RETRY = RetryStrategy(max_attempts=5, wait=10, exponential_wait=5)


@app.task(name="ops.send_email", queue="emails", retry=EMAIL_RETRY)
def send_email(message: dict) -> None:
    connection = get_connection(settings.EMAIL_DELIVERY_BACKEND, fail_silently=False)
    sent = connection.send_messages([message_from_dict(message)])
    if not sent:
        raise RuntimeError("the e-mail backend sent nothing")
