"""An app configured entirely by environment variables, on port 8080."""
import os

from flask import Flask, jsonify

from config import Config

application = Flask(__name__)
application.config.from_object(Config)


@application.route("/")
def index():
    return jsonify(
        feature_flag=application.config["FEATURE_FLAG"],
        log_level=application.config["LOG_LEVEL"],
        cache_seconds=application.config["CACHE_SECONDS"],
        token_set=bool(application.config["API_TOKEN"]),
    )


if __name__ == "__main__":
    application.run(host="0.0.0.0", port=int(os.environ.get("PORT", 8080)))
