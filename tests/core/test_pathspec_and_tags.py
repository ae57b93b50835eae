"""Pathspec parsing, tag rules and scalar pickle decoding, without a store."""

from __future__ import annotations

import gzip
import pickle

import pytest

from jupyter_mfns.core.errors import InvalidPathspec, InvalidTag
from jupyter_mfns.core.pathspec import parse_pathspec
from jupyter_mfns.core.safepickle import NotAScalar, decode_bool, decode_scalar
from jupyter_mfns.core.tags import namespace_kind, validate_tag


def test_pathspec_levels():
    assert parse_pathspec("F").type == "flow"
    ps = parse_pathspec("F/12/start/3")
    assert (ps.flow, ps.run, ps.step, ps.task, ps.type) == ("F", "12", "start", "3", "task")
    assert parse_pathspec("F/argo-f-x1y2/start/t-1").run == "argo-f-x1y2"
    art = parse_pathspec("F/1/s/2/df", min_depth=5, max_depth=5)
    assert (art.artifact, art.task_pathspec) == ("df", "F/1/s/2")


@pytest.mark.parametrize("bad", ["F/1/2/3/4", "F/../x", "F/1/s/..", "F//1", " / "])
def test_pathspec_rejections(bad):
    with pytest.raises(InvalidPathspec):
        parse_pathspec(bad)


def test_tag_rules_and_kinds():
    assert validate_tag("any: chars ✓") == "any: chars ✓"
    for bad in ("", "x" * 501, "\ud800", None):
        with pytest.raises(InvalidTag):
            validate_tag(bad)
    assert namespace_kind("user:anne", True) == "user"
    assert namespace_kind("production:tok", True) == "production"
    assert namespace_kind("runtime:dev", True) == "system"
    assert namespace_kind("xyz_features", False) == "tag"


@pytest.mark.parametrize("value", [True, False, None, 7, 70000])
def test_scalar_pickles_decode_without_unpickling(value):
    for protocol in range(2, 6):
        blob = pickle.dumps(value, protocol=protocol)
        assert decode_scalar(blob) == value
        assert decode_scalar(gzip.compress(blob)) == value


def test_non_scalar_pickles_are_refused_without_running_them():
    class Boom:
        def __reduce__(self):
            return (exec, ("raise SystemExit('pickle ran code')",))

    for payload in (pickle.dumps(Boom()), pickle.dumps([True]), b"garbage"):
        with pytest.raises(NotAScalar):
            decode_scalar(payload)
        assert decode_bool(payload) is None
