"""The Elastic Beanstalk convention: `application.py` holding an `application` object."""
from flask import Flask, jsonify

application = Flask(__name__)


@application.route("/")
def health():
    return jsonify(status="ok", managed_by="pipenv")
