"""The ``pdgov`` command finds its domain sub-commands and lends them nothing private."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "include" / "pdgov"


def test_every_domain_cli_module_is_found_and_registers_its_commands():
    from pdgov.cli import build_parser, domain_commands

    found = domain_commands()
    assert {"pdgov.synth.cli", "pdgov.retention.cli", "pdgov.incidents.cli"} <= set(found)
    assert all((PACKAGE / name.split(".")[1] / "cli.py").is_file() for name in found), found
    commands = next(a for a in build_parser()._actions if a.dest == "command").choices
    assert {"run", "demo", "parse", "synth", "hold", "retention", "incident"} <= set(commands)


@pytest.mark.parametrize("module", sorted(PACKAGE.glob("*/cli.py")), ids=lambda p: p.parent.name)
def test_sub_commands_import_nothing_private_from_the_front_door(module):
    for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module == "pdgov.cli":
            assert not [a.name for a in node.names if a.name.startswith("_")], module


def test_dates_are_checked_where_they_are_typed():
    from pdgov.cli import build_parser

    with pytest.raises(SystemExit):
        build_parser().parse_args(["retention", "--date", "2026-02-30"])
    assert str(build_parser().parse_args(["retention", "--date", "2026-02-28"]).date) == "2026-02-28"


def test_demo_refuses_a_home_with_data_but_not_one_holding_only_a_left_lock(tmp_path, monkeypatch, capsys):
    """`make test` then `make demo` on a fresh clone: a command that found no warehouse leaves an
    empty warehouse/writer.lock in ./var; that is no data to protect. Anything else is."""
    from pdgov import cli
    from pdgov.cli import build_parser, cmd_demo

    home = tmp_path / "var"
    (home / "warehouse").mkdir(parents=True)
    (home / "warehouse" / "writer.lock").touch()
    monkeypatch.setenv("PDGOV_HOME", str(home))
    assert cli._only_a_lock(home)
    (home / "landing").mkdir()
    (home / "landing" / "kept.csv").write_text("a steward's file\n", encoding="utf-8")
    assert cmd_demo(build_parser().parse_args(["demo"])) != 0
    assert "not made by `pdgov demo`" in capsys.readouterr().err
    assert (home / "landing" / "kept.csv").exists()
    assert not cli._only_a_lock(home)
