import os

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()


def _refuse_the_development_key():
    """The server never starts in production (DEBUG=0) on the public development key: sessions,
    password-reset links and CSRF tokens would be forgeable by anyone who read the code."""
    if not settings.DEBUG and settings.SECRET_KEY == settings.INSECURE_SECRET_KEY:
        raise ImproperlyConfigured(
            "SECRET_KEY manquante : avec DEBUG=0, le serveur refuse de démarrer sur la clé de "
            "développement. Définissez SECRET_KEY (par exemple : python -c 'import secrets; "
            "print(secrets.token_urlsafe(50))'), ou DEBUG=1 en développement."
        )


_refuse_the_development_key()
