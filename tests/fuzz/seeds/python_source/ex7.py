from flask import Blueprint, current_app, render_template

bp = Blueprint("shop", __name__)


@bp.route("/")
def index():
    return render_template("index.html", name=current_app.config["SHOP_NAME"])
