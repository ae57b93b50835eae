"""Every limit of jupyter_mfns, defined once.

Hard bounds (`MAX_*`) are what the core itself accepts whatever a server is configured with;
`DEFAULT_*` are a server's settings out of the box (the `MfnsExtension` traitlets start from
them and may not exceed the hard bounds). `GET status` serves the configured values, and the
frontend clamps its own settings to them.
"""

from __future__ import annotations

# -- runs pages --------------------------------------------------------------------------------
#: largest page the Catalog answers (`limit`), and the largest a server may be configured with
MAX_PAGE = 1000
#: runs per page when a request gives no `limit`
DEFAULT_PAGE_SIZE = 50
#: largest `limit` a server accepts out of the box (the labextension's page size setting tops here)
DEFAULT_MAX_PAGE_SIZE = 500
#: cursors a server hands out are far shorter; bounds the work of decoding a forged one
MAX_CURSOR_LENGTH = 1024

# -- a run's tasks (`GET tasks`, the timeline) -------------------------------------------------
#: most tasks one `tasks` answer holds, and the default page
MAX_TASK_PAGE = 5000
DEFAULT_TASK_PAGE = 1000

# -- comparisons (`GET compare`, `%mfns compare`) ------------------------------------------------
MIN_COMPARE_RUNS = 2
MAX_COMPARE_RUNS = 8

# -- logs --------------------------------------------------------------------------------------
#: most log lines one Catalog answer holds (tail, window or grep matches)
MAX_TAIL = 100_000
#: most log lines a server answers out of the box; also the default `tail`
DEFAULT_MAX_LOG_TAIL = 20_000
#: longest `grep` text
MAX_GREP_LENGTH = 1000

# -- request bodies ----------------------------------------------------------------------------
DEFAULT_MAX_BODY_SIZE = 256 * 1024
MIN_BODY_SIZE = 1024
MAX_BODY_SIZE = 64 * 1024 * 1024

# -- cards (`@card` HTML and live data from the datastore's card folder) -----------------------
#: largest card HTML read (a default card is about 1 MB: Metaflow embeds its JS in each card)
MAX_CARD_BYTES = 64 * 1024 * 1024
#: largest live-card data file read (`runtime/<card>.data.json`)
MAX_CARD_DATA_BYTES = 16 * 1024 * 1024
#: most resume hops followed from a task to the origin holding its cards (a loop guard)
MAX_ORIGIN_HOPS = 64

# -- the background refresh --------------------------------------------------------------------
DEFAULT_REFRESH_INTERVAL = 1.0
MIN_REFRESH_INTERVAL = 0.05
MAX_REFRESH_INTERVAL = 3600.0

# -- tags (Metaflow's own rules, `metaflow/tagging_util.py`) -----------------------------------
MAX_TAG_LENGTH = 500
MAX_USER_TAGS = 50
#: most `tag` filters one query may carry (a run holds at most MAX_USER_TAGS user tags)
MAX_TAG_FILTERS = MAX_USER_TAGS
#: most tags one `add` or `remove` list of a tag edit may name
MAX_TAG_EDIT = 2 * MAX_USER_TAGS
#: most tags any list handed to the core may hold (refused before each tag is checked)
MAX_TAG_LIST = 10 * MAX_USER_TAGS
