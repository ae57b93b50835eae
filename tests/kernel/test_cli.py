"""The `%mfns` grammar is declared once (the argparse parser): help, the magic's docstring and
completion are all written from it."""

from __future__ import annotations

import argparse

import pytest

from jupyter_mfns.kernel import cli, completion
from jupyter_mfns.kernel.magic import MfnsMagics


def test_help_names_every_subcommand_and_each_of_its_options():
    text = cli.usage()
    lines = text.splitlines()
    for command, flags in cli.options().items():
        line = next(ln for ln in lines if ln.startswith(f"%mfns {command}"))
        for flag in flags:
            assert flag in line, (command, flag, line)
    assert MfnsMagics.mfns.__doc__ is not None and text in MfnsMagics.mfns.__doc__


def test_completion_offers_exactly_what_the_parser_accepts():
    parser = cli.build_parser()
    for command, flags in cli.options(parser).items():
        assert sorted(completion._OPTIONS[command]) == sorted(flags)
        assert {f for f in flags if flags[f]} == {f for f in flags if f in completion._TAKES_VALUE}
    assert set(cli.SUBCOMMANDS) == set(cli.options(parser))


def test_help_is_not_an_exit():
    with pytest.raises(cli.HelpRequested) as asked:
        cli.build_parser().parse_args(["runs", "--help"])
    assert "--where" in str(asked.value)
    assert isinstance(cli.build_parser(), argparse.ArgumentParser)
