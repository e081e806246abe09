"""``pdgov ui``: the Airflow UI with the pdgov dashboard on the embedded default (``pdgov.ui.server``)."""

from __future__ import annotations

import argparse


def cmd_ui(args: argparse.Namespace) -> int:
    from pdgov.ui.server import serve

    return serve(args.host, args.port)


def register(sub) -> None:
    p = sub.add_parser("ui", help="the Airflow UI with the pdgov dashboard on the embedded default, with a local login")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default: loopback only)")
    p.add_argument("--port", type=int, default=8080)
    p.set_defaults(func=cmd_ui)
