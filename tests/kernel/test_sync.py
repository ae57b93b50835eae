"""The kernel half of the sidebar <-> kernel namespace sync (docs/kernel-sync.md), in a real
kernel, with the test acting as the sidebar over jupyter_client."""

from __future__ import annotations

import pytest

TARGET = "jupyter_mfns"


def namespace_msgs(messages):
    return [m for m in messages if m.get("type") == "namespace"]


@pytest.fixture
def link(kernel):
    """A sidebar linked to the kernel (the comm is closed after the test)."""
    kernel.run("%mfns namespace --default")
    comm_id, replies = kernel.comm_open(TARGET, {"type": "hello", "protocol": 1, "id": "h1"})
    yield comm_id, replies
    kernel.comm_close(comm_id)


def test_opening_a_link_answers_the_kernels_namespace_and_default(link):
    # Given anne's kernel in her namespace, when a sidebar links with a hello
    _, replies = link
    # Then the kernel answers its state, as a reply to the hello
    assert replies == [
        {
            "type": "namespace",
            "protocol": 1,
            "namespace": "user:anne",
            "default": "user:anne",
            "source": "kernel",
            "reply_to": "h1",
        }
    ]


def test_hello_message_repeats_the_state(kernel, link):
    comm_id, _ = link
    kernel.run("%mfns namespace user:will")
    replies = kernel.comm_send(comm_id, {"type": "hello", "id": "h2"})
    assert [(m["namespace"], m["reply_to"]) for m in replies] == [("user:will", "h2")]


def test_the_magic_moves_a_linked_sidebar(kernel, link):
    # Given a linked sidebar
    # When anne runs %mfns namespace in her notebook
    done = kernel.run("%mfns namespace user:will")
    # Then the sidebar is told, as a change made in the kernel
    assert namespace_msgs(done.comm_messages) == [
        {
            "type": "namespace",
            "protocol": 1,
            "namespace": "user:will",
            "default": "user:anne",
            "source": "kernel",
            "reply_to": None,
        }
    ]
    status = kernel.run("%mfns")
    assert "linked sidebars:    1" in status.stdout


def test_metaflow_namespace_called_in_a_cell_is_noticed(kernel, link):
    # When user code calls Metaflow directly
    done = kernel.run("import metaflow\nmetaflow.namespace(None)")
    # Then, once the cell ran, the sidebar hears about the global namespace
    assert [(m["namespace"], m["source"]) for m in namespace_msgs(done.comm_messages)] == [
        (None, "kernel")
    ]


def test_the_sidebar_sets_the_kernels_namespace(kernel, link, store):
    # Given a linked sidebar
    comm_id, _ = link
    # When the user picks the production namespace in the sidebar
    replies = kernel.comm_send(
        comm_id, {"type": "namespace", "namespace": "production:demo-prod-1", "id": "r1"}
    )
    # Then the kernel confirms it, and Metaflow in the kernel follows
    assert replies == [
        {
            "type": "namespace",
            "protocol": 1,
            "namespace": "production:demo-prod-1",
            "default": "user:anne",
            "source": "sidebar",
            "reply_to": "r1",
        }
    ]
    assert kernel.json("__import__('metaflow').get_namespace()") == "production:demo-prod-1"
    latest = kernel.json("__import__('metaflow').Flow('PredictionFlow').latest_run.pathspec")
    assert latest == store.story.production_run


def test_the_sidebar_can_choose_global_and_default(kernel, link):
    comm_id, _ = link
    to_global = kernel.comm_send(comm_id, {"type": "namespace", "namespace": None, "id": "g"})
    in_global = kernel.json("__import__('metaflow').get_namespace()")
    back = kernel.comm_send(comm_id, {"type": "namespace", "default": True, "id": "d"})
    assert [(m["namespace"], m["reply_to"]) for m in to_global] == [(None, "g")]
    assert in_global is None
    assert [(m["namespace"], m["reply_to"]) for m in back] == [("user:anne", "d")]
    assert kernel.json("__import__('metaflow').get_namespace()") == "user:anne"


@pytest.mark.parametrize(
    "request_data, reason",
    [
        ({"type": "namespace", "namespace": "", "id": "x"}, "invalid_tag"),
        ({"type": "namespace", "namespace": 42, "id": "x"}, "invalid_tag"),
        ({"type": "namespace", "namespace": "t" * 501, "id": "x"}, "invalid_tag"),
        ({"type": "namespace", "id": "x"}, "bad_message"),
        ({"type": "nonsense", "id": "x"}, "bad_message"),
    ],
)
def test_a_bad_request_is_refused_and_the_state_resent(kernel, link, request_data, reason):
    # Given a kernel in will's namespace
    comm_id, _ = link
    kernel.run("%mfns namespace user:will")
    # When the sidebar sends a bad request
    replies = kernel.comm_send(comm_id, request_data)
    # Then an error names the reason, the namespace is unchanged, and the state is resent
    assert replies[0]["type"] == "error" and replies[0]["reason"] == reason
    assert replies[0]["reply_to"] == "x" and replies[0]["message"]
    if request_data["type"] == "namespace":
        assert [(m["namespace"], m["reply_to"]) for m in replies[1:]] == [("user:will", "x")]
    assert kernel.json("__import__('metaflow').get_namespace()") == "user:will"


def test_two_sidebars_hear_each_others_changes(kernel, link):
    # Given two linked sidebars (say, two Lab windows on one kernel)
    first, _ = link
    second, _ = kernel.comm_open(TARGET, {"type": "hello"})
    try:
        # When the first changes the namespace
        replies = kernel.comm_send(first, {"type": "namespace", "namespace": "crazy_test"})
        # Then the kernel answers on the first comm only (the second gets the broadcast)
        assert [(m["namespace"], m["source"]) for m in replies] == [("crazy_test", "sidebar")]
        done = kernel.run("%mfns namespace --default")
        assert len(namespace_msgs(done.comm_messages)) == 2  # both links hear the magic
    finally:
        kernel.comm_close(second)


def test_unlinking_stops_the_messages(kernel):
    # Given a link that the sidebar then closes
    comm_id, _ = kernel.comm_open(TARGET, {"type": "hello"})
    kernel.comm_close(comm_id)
    # When the namespace changes
    done = kernel.run("%mfns namespace user:will")
    kernel.run("%mfns namespace --default")
    # Then nothing is sent, and the status shows no link
    assert done.comm_messages == []
    assert "linked sidebars" not in kernel.run("%mfns").stdout


def test_a_kernel_without_the_extension_refuses_the_link(store, tmp_path):
    # Given a kernel where %load_ext jupyter_mfns was not run
    from kernel_harness import RealKernel, kernel_env

    bare = RealKernel(kernel_env(store.env("anne"), tmp_path), cwd=store.root)
    try:
        # When a sidebar tries to link
        _, replies = bare.comm_open(TARGET, {"type": "hello"})
        # Then the kernel closes the comm at once (the sidebar says "not linked")
        assert replies == [{"closed": True}]
        # And loading the extension silently, as the sidebar may, makes the link work
        bare.client.execute("%load_ext jupyter_mfns", silent=True, store_history=False)
        _, replies = bare.comm_open(TARGET, {"type": "hello"})
        assert namespace_msgs(replies)[0]["namespace"] == "user:anne"
    finally:
        bare.shutdown()
