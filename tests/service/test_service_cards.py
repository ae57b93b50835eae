"""Cards on the service + S3 deployment: the story's PredictionFlow runs made their `train`
cards in S3 (`<sysroot>/mf.cards/...`); the resumed run's cloned train tasks have them on the
failed origin. Metaflow's client in service mode is the oracle; moto's log counts requests."""

from __future__ import annotations

from card_store import metaflow_cards_with, sha256

from jupyter_mfns.core.limits import MAX_CARD_BYTES


def train_tasks(service_catalog, run: str) -> list:
    step = service_catalog.get_object(f"{run}/train", namespace=None)
    return [t["pathspec"] for t in step["children"]]


def test_cards_from_s3_equal_get_cards_and_cost_one_request_each(
    deployment, story, service_catalog
):
    """Given the failed run's train tasks (anne) and the resumed run's clones (will), when
    their cards are listed and read, then they are get_cards' (the clones' from the origin),
    and each listing costs one S3 LIST, each page one ranged GET, each data one GET."""
    tasks = train_tasks(service_catalog, story["failed"]) + train_tasks(
        service_catalog, story["resumed"]
    )
    theirs = metaflow_cards_with(deployment.env("anne"), deployment.workdir / "client", tasks)
    for task in tasks:
        mark = deployment.s3_log_mark()
        listing = service_catalog.cards(task, namespace=None)
        lists = [r for r in deployment.s3_requests(mark) if "list-type=2" in r[1]]
        assert len(lists) == 1 and lists[0][2] == 200, deployment.s3_requests(mark)
        assert listing["origin_task"] == theirs[task]["origin"]
        assert [(c["type"], c["id"], c["hash"]) for c in listing["cards"]] == [
            (c["type"], c["id"], c["hash"]) for c in theirs[task]["cards"]
        ]
        for card, their in zip(listing["cards"], theirs[task]["cards"]):
            mark = deployment.s3_log_mark()
            page = service_catalog.card_html(task, card["hash"], namespace=None)
            gets = [r for r in deployment.s3_requests(mark) if r[1].split("?")[0].endswith(".html")]
            assert [(m, s) for m, _, s in gets] == [("GET", 206)]  # one ranged GET
            assert sha256(page) == their["html_sha256"] and len(page) == card["size"]
            mark = deployment.s3_log_mark()
            data = service_catalog.card_data(task, card["hash"], namespace=None)
            reads = [r for r in deployment.s3_requests(mark) if ".data.json" in r[1]]
            assert [m for m, _, _ in reads] == ["GET"]
            assert data["payload"] == their["data"] and data["finished"]
    resumed = train_tasks(service_catalog, story["resumed"])[0]
    assert service_catalog.cards(resumed, None)["origin_task"].startswith(story["failed"] + "/")
    assert "mf.cards" in service_catalog.store.card_folder.root
    sizes = [c["size"] for t in tasks for c in service_catalog.cards(t, None)["cards"]]
    assert sizes and 0 < max(sizes) < MAX_CARD_BYTES
