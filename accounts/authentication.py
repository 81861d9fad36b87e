import re
from functools import cache

from django.db import connection
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from accounts.models import Membership, User

TOKEN_RE = re.compile(r"^[0-9a-f]{40}$")


@cache
def _token_and_role_sql(token_model) -> tuple[str, list[str]]:
    """The statement that reads a token, its user and the user's role in one collectivité, and
    the user's field names in the order it returns them. Built once per process from the
    models' metadata: the ORM's version of it (a subquery with Membership's default ordering,
    hence two joins) cost ten times its round trip on every API call."""
    quote = connection.ops.quote_name
    user_fields = [field for field in User._meta.concrete_fields]
    columns = ", ".join(f"u.{quote(field.column)}" for field in user_fields)
    membership = Membership._meta
    role = (
        f"SELECT m.{quote(membership.get_field('role').column)}"  # noqa: S608 (identifiers)
        f" FROM {quote(membership.db_table)} m"
        f" WHERE m.{quote(membership.get_field('user').column)} = u.{quote(User._meta.pk.column)}"
        f" AND m.{quote(membership.get_field('collectivite').column)} = %s"
    )  # at most one row: constraint membership_unique
    token = token_model._meta
    sql = (
        f"SELECT t.{quote(token.get_field('created').column)}, ({role}), {columns}"  # noqa: S608
        f" FROM {quote(token.db_table)} t"
        f" JOIN {quote(User._meta.db_table)} u"
        f" ON u.{quote(User._meta.pk.column)} = t.{quote(token.get_field('user').column)}"
        f" WHERE t.{quote(token.get_field('key').column)} = %s"
    )
    return sql, [field.attname for field in user_fields]


class StrictTokenAuthentication(TokenAuthentication):
    """DRF's token authentication, refusing a malformed key before it reaches the database
    (a NUL byte in a header made PostgreSQL fail with a 500).

    One statement reads the token and its user; on a collectivité's site, it also reads the
    caller's role there (`role_in`, used by accounts.policy.role_of for this request only): one
    round trip instead of two per call, and no ORM compilation (_token_and_role_sql). The token
    is read at every call, so a revoked token or a deactivated account is refused at once."""

    def authenticate(self, request):
        self.collectivite = getattr(request, "collectivite", None)
        return super().authenticate(request)

    def authenticate_credentials(self, key):
        if not TOKEN_RE.match(key):
            raise exceptions.AuthenticationFailed(_("Jeton invalide."))
        collectivite = getattr(self, "collectivite", None)
        token_model = self.get_model()
        sql, user_fields = _token_and_role_sql(token_model)
        with connection.cursor() as cursor:
            cursor.execute(sql, [getattr(collectivite, "pk", None), key])
            row = cursor.fetchone()
        if row is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        created, role, *user_values = row
        user = User.from_db(connection.alias, user_fields, user_values)
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        token = token_model.from_db(
            connection.alias, ["key", "user_id", "created"], [key, user.pk, created]
        )
        token.user = user
        if collectivite is not None:
            user.role_in = (collectivite.pk, role)
        return (user, token)
