"""Whether file system notifications can be trusted for a folder.

inotify reports changes made through this machine's kernel only: on a network file system
(NFS, SMB, a FUSE mount of object storage, WSL's 9p drives) another machine's writes are never
reported, so a store there must be rescanned instead. The mount table says which it is.
"""

from __future__ import annotations

import os
from typing import Optional, Tuple

#: file system types whose remote writes inotify never sees
NETWORK_FS = frozenset(
    """nfs nfs4 cifs smb smb3 smbfs ncpfs afs 9p ceph glusterfs lustre gpfs beegfs davfs
    fuse.sshfs fuse.s3fs fuse.gcsfuse fuse.rclone fuse.juicefs fuse.goofys fuse.mountpoint-s3
    fuse.blobfuse fuse.blobfuse2 fuse.glusterfs fuse.cephfs fuse.lizardfs fuse.moosefs""".split()
)
MOUNTINFO = "/proc/self/mountinfo"


def _unescape(field: str) -> str:
    """Mount points in mountinfo escape space, tab, newline and backslash as octal."""
    for code, char in (("\\040", " "), ("\\011", "\t"), ("\\012", "\n"), ("\\134", "\\")):
        field = field.replace(code, char)
    return field


def mount_of(path: str, mountinfo: str = MOUNTINFO) -> Optional[Tuple[str, str]]:
    """(mount point, file system type) of the mount holding `path`; None when unknown."""
    try:
        with open(mountinfo, encoding="utf-8", errors="replace") as f:
            lines = f.read().splitlines()
    except OSError:
        return None
    target = os.path.realpath(path)
    best: Optional[Tuple[str, str]] = None
    for line in lines:
        left, sep, right = line.partition(" - ")
        fields = left.split()
        if not sep or len(fields) < 5 or not right:
            continue
        point, fstype = _unescape(fields[4]), right.split()[0]
        inside = target == point or target.startswith(point.rstrip("/") + "/")
        if inside and (best is None or len(point) >= len(best[0])):
            best = (point, fstype)
    return best


def network_fs(path: str, mountinfo: str = MOUNTINFO) -> Optional[str]:
    """The network file system type `path` lives on, or None (local, or unknown)."""
    found = mount_of(path, mountinfo)
    if found is None:
        return None
    fstype = found[1]
    return fstype if fstype in NETWORK_FS or fstype.startswith("nfs") else None
