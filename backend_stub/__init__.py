"""Paydesk's reference backend: FastAPI over SQLAlchemy Core, run by `paydesk-stub serve`.

Layout: `app.create_app(settings)`; `routes/` one module per resource; `billing/` the money rules as
plain functions; `store/` tables, queries and Alembic migrations; `clock`, `mail`, `seed`, `cli`.
Environment knobs are listed in `paydesk-stub serve --help`.
"""
