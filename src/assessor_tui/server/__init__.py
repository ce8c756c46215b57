"""The central sync server: an ASGI app over SQLAlchemy (SQLite or PostgreSQL).

It shares only `assessor_tui.sync.protocol` with the client; it never imports
the store, the session or the domain, so it could run from its own wheel.
"""
