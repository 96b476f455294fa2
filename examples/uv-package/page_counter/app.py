"""A module-level app in a package: `page_counter.app:app`, re-exported by the package."""
import itertools
import os
from importlib import metadata

from flask import Flask, render_template

APP = Flask(__name__)
APP.config["SECRET_KEY"] = os.environ["SECRET_KEY"]
_counter = itertools.count(1)


def widgets():
    """The widgets of every installed package: only an installed project has its entry points."""
    return {point.name: point.load()() for point in metadata.entry_points(group="page_counter.widgets")}


@APP.route("/")
def index():
    return render_template(
        "index.html",
        count=next(_counter),
        owner=os.getenv("OWNER", "nobody"),
        version=metadata.version("page-counter"),
        widgets=widgets(),
    )
