"""The kernel side of jupyter_mfns: `%mfns` magic, ipywidgets browser, namespace sync comm.

Everything here runs inside an IPython kernel, the one process allowed to unpickle artifacts.
Metaflow's namespace is process-global in the kernel; `session.KernelSession` owns it and tells
the sidebar comm and the widgets whenever it changes. Importing this package imports nothing
heavy: each module pulls IPython or ipywidgets in only when used.
"""
