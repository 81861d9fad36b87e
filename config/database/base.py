"""django-tenants' PostgreSQL backend, without a `SET search_path` when the next request of a
connection is for the collectivité it is already on.

django-tenants records in `search_path_set_schemas` the search_path it last set on the
connection, and forgets it when the connection closes, on a rollback (a `SET` is transactional)
and when a `SET` fails; with `TENANT_LIMIT_SET_CALLS` it issues no `SET` while it knows. But
`set_tenant` forgets it too, though it changes nothing on the server — and every request calls
it twice (the public schema to find the host, then the collectivité), so each request of a
collectivité's API paid a `SET`: one round trip of four.

Here `_server_search_path` is what the server carries, as far as the backend knows: the value of
each `SET` the library issues (None when one fails), forgotten on close, rollback and rollback
to a savepoint, the library's own cases. After `set_tenant`, when the wanted search_path is the
one the server carries, the library's record is put back: no `SET`. Every other case issues the
`SET` as before (tests/registry/test_page_cache.py, the same collectivité twice, another one,
the public site in between, a closed connection, a rolled-back transaction).
"""

from django_tenants.postgresql_backend.base import DatabaseWrapper as TenantDatabaseWrapper


class DatabaseWrapper(TenantDatabaseWrapper):
    def __init__(self, *args, **kwargs):
        self._server_search_path = None
        super().__init__(*args, **kwargs)

    def set_tenant(self, tenant, include_public=True):
        super().set_tenant(tenant, include_public)
        carried = self._server_search_path
        if carried is not None and carried == self._get_cursor_search_paths():
            self.search_path_set_schemas = carried

    def _handle_search_path(self, cursor=None):
        super()._handle_search_path(cursor)
        if not self._setting_search_path:  # not the library's re-entry while it sets one
            self._server_search_path = self.search_path_set_schemas

    def close(self):
        self._server_search_path = None
        super().close()

    def rollback(self):
        self._server_search_path = None
        super().rollback()

    def savepoint_rollback(self, sid):
        self._server_search_path = None
        super().savepoint_rollback(sid)
