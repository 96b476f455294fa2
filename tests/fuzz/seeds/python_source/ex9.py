"""Alembic environment for Flask-Migrate: runs migrations on the app's engine."""
from alembic import context
from flask import current_app

database = current_app.extensions["migrate"].db
target_metadata = database.metadata


def run_offline():
    url = database.engine.url.render_as_string(hide_password=False)
    context.configure(url=url, target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_online():
    with database.engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
