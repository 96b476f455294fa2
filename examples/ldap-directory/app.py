"""A directory lookup page: python-ldap, built from source, against OpenLDAP's libldap.

The page reports which LDAP client library python-ldap loaded, so it proves the
runtime image has the shared library the builder compiled against.
"""
import os

import ldap
from flask import Flask, jsonify

app = Flask(__name__)
app.config["LDAP_URI"] = os.getenv("LDAP_URI", "ldap://ldap:389")
app.config["LDAP_BASE_DN"] = os.environ.get("LDAP_BASE_DN", "dc=example,dc=org")


@app.get("/")
def library():
    info = ldap.get_option(ldap.OPT_API_INFO)
    return jsonify(
        python_ldap=ldap.__version__,
        vendor=info.get("vendor_name"),
        vendor_version=info.get("vendor_version"),
        server=app.config["LDAP_URI"],
    )
