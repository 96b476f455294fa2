"""An app-factory package: `create_app()` builds the app, `wsgi.py` calls it."""
import os

from flask import Flask


def create_app(config=None):
    app = Flask(__name__)
    app.config["SHOP_NAME"] = os.environ.get("SHOP_NAME", "Corner Shop")
    if config:
        app.config.update(config)

    from . import views

    app.register_blueprint(views.bp)
    return app
