"""The outbox's fsync helper process: fsync the WAL whenever the relay asks, answer per ask.

Run as a script (`python -I -S fsync_child.py WAL_FD SOCKET_FD`) by `fsync_process`, with
the WAL file and one end of a socket pair inherited. Protocol: the relay writes one byte per
request after its commit; this process reads every byte waiting, fsyncs once, then answers
one byte per request read (0 = on disk, else the errno). A request's commit was written
before its byte, so the fsync that follows the read covers it.

Standard library only, and nothing imported beyond it: the process starts in milliseconds
and holds no customer data (it never reads the file, it only syncs it).
"""

from __future__ import annotations

import os
import signal
import sys

# Same call as the thread syncer (`wal_sync.sync_data`): data plus the size, not the mtime.
_sync_data = getattr(os, "fdatasync", os.fsync)
_READ_SIZE = 65536


def serve(wal_fd: int, sock_fd: int) -> None:
    # Ctrl-C in a terminal and `systemctl stop` signal the whole process group; the relay then
    # shuts down gracefully and still needs its last fsyncs. This process ends when the
    # relay closes its end of the socket (also when the relay is killed: the kernel closes it).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    while True:
        try:
            asks = os.read(sock_fd, _READ_SIZE)
        except OSError:
            return
        if not asks:
            return
        try:
            _sync_data(wal_fd)
            answer = bytes(len(asks))
        except OSError as exc:
            answer = bytes([min(exc.errno or 5, 255)]) * len(asks)
        try:
            while answer:  # a blocking socket may still take part of it (a signal)
                answer = answer[os.write(sock_fd, answer) :]
        except OSError:
            return


if __name__ == "__main__":
    serve(int(sys.argv[1]), int(sys.argv[2]))
