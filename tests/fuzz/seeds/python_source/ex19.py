"""A module-level app in a package: `page_counter.app:app`, re-exported by the package."""
import itertools
import os

from flask import Flask, render_template

APP = Flask(__name__)
APP.config["SECRET_KEY"] = os.environ["SECRET_KEY"]
_counter = itertools.count(1)


@APP.route("/")
def index():
    return render_template("index.html", count=next(_counter), owner=os.getenv("OWNER", "nobody"))
