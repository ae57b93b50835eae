"""jupyter_server extension serving the jupyter_mfns REST API (see `app.MfnsExtension`).

Nothing is imported here: `jupyter_mfns._jupyter_server_extension_points` loads `app` lazily.
"""
