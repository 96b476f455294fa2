"""A notebook app whose factory makes a bare app: its launcher adds the
pages and serves them with its own server, the shape of apps that ship a
`python run.py` of their own."""
import os

from flask import Flask


def create_app():
    app = Flask(__name__)
    app.config["SECRET_KEY"] = os.environ["SECRET_KEY"]
    return app
