"""`GET compare` over the demo store: runs of one flow or of two, a resumed run against its
failed origin, differential against Metaflow's client (tests/compare_checks.py); bad input is a
JSON 4xx naming what is wrong (the `api` fixture checks every answer against the OpenAPI
document)."""

from __future__ import annotations

import pytest
from compare_checks import ask_compare_oracle, check_answer

from harness.demo_stores import DemoStore


def _query(runs, namespace=""):
    return [*(("run", r) for r in runs), ("namespace", namespace)]


async def test_compare_answers_what_metaflows_client_says(api, mfns_store: DemoStore):
    story = mfns_store.story
    feature = story.feature_runs[0]
    anne = next(r for r in story.anne_prediction_runs if r != story.failed_run)
    comparisons = [
        [story.resumed_run, story.failed_run],  # a resume against its origin
        [anne, story.will_prediction_runs[0], story.failed_run],
        [anne, feature],  # two flows
    ]
    runs = {p: [] for c in comparisons for p in c}
    oracle = ask_compare_oracle(mfns_store.env("anne"), mfns_store.root, runs)
    for runs_asked in comparisons:
        answer = await api.ok("compare", _query(runs_asked))
        check_answer(answer, runs_asked, oracle)
    # two flows: each run's own parameters and steps, absent from the other
    answer = await api.ok("compare", _query(comparisons[2]))
    assert {s["name"] for s in answer["steps"] if None in s["status"]}
    assert all(p["differs"] and False in p["present"] for p in answer["parameters"])
    # the resumed run's cloned steps are unchanged
    answer = await api.ok("compare", _query(comparisons[0]))
    cloned = {s["name"] for s in answer["steps"] if s["cloned"][0]}
    assert cloned and not any(a["differs"] for a in answer["artifacts"] if a["step"] in cloned)


async def test_a_run_outside_the_namespace_is_409_naming_its_owners(api, mfns_store):
    story = mfns_store.story
    will = story.will_prediction_runs[0]
    reply = await api.get("compare", _query([story.anne_prediction_runs[0], will], "user:anne"))
    assert reply.status == 409 and reply.reason == "namespace_mismatch"
    assert reply.body["pathspec"] == will and reply.body["namespaces"] == ["user:will"]


@pytest.mark.parametrize(
    "runs, reason, says",
    [
        ([], "invalid_argument", "Compare 2 to 8 runs, not 0"),
        (["{a}"], "invalid_argument", "not 1"),
        ([f"PredictionFlow/{i}" for i in range(9)], "invalid_argument", "not 9"),
        (["{a}", "{a}"], "invalid_argument", "named twice"),
        (["{a}", "PredictionFlow"], "invalid_pathspec", "run pathspec"),
        (["{a}", "PredictionFlow/1/start"], "invalid_pathspec", "run pathspec"),
        (["{a}", "../../etc/1"], "invalid_pathspec", "pathspec"),
        (["{a}", ""], "invalid_pathspec", ""),
    ],
)
async def test_bad_comparisons_are_json_400(api, mfns_store, runs, reason, says):
    first = mfns_store.story.anne_prediction_runs[0]
    reply = await api.get("compare", _query([r.format(a=first) for r in runs]))
    assert reply.status == 400 and reply.reason == reason, reply.body
    assert says in reply.body["message"]


async def test_an_unknown_run_is_404_and_unknown_parameters_400(api, mfns_store):
    first = mfns_store.story.anne_prediction_runs[0]
    missing = await api.get("compare", _query([first, "PredictionFlow/999"]))
    assert missing.status == 404 and "does not exist" in missing.body["message"]
    typo = await api.get("compare", [("run", first), ("runs", first), ("namespace", "")])
    assert typo.status == 400 and "runs" in typo.body["message"]
