"""The database backend: django-tenants', which keeps a connection's search_path across
requests to the same collectivité (config/database/base.py)."""
