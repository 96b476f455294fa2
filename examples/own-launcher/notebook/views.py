import os

from flask import Blueprint

pages = Blueprint("pages", __name__)


@pages.route("/")
def index():
    return (
        "<h1>Notebook</h1>"
        "<p>Served by the project's own launcher "
        f"(process {os.getpid()}), which registered this page.</p>"
    )
