"""SFTP benchmark: download a file from a loopback OpenSSH server through the
custody download path of `fetch` and through OpenSSH's `sftp` client.

The scorebridge side runs the same code `fetch` runs for a download: the
paramiko transport writing through the SHA-256 hashing writer into the
archive's incoming folder, then fsync. Landing is not part of this figure
(bench_landing.py measures it). Prints the throughput ratio (target >= 0.5).

    python benchmarks/bench_sftp.py [--mb 200] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import ROOT  # noqa: F401  (puts the project on sys.path)
from loaders.core.config import Config, SourceConfig
from loaders.custody.pipeline import Custody
from loaders.custody.transports import open_transport
from tests.servers import start_sshd


def scorebridge_download(source: SourceConfig, name: str, archive: Path, size: int) -> float:
    custody = Custody(Config(path=None, archive=archive), db=None, conn=None, run_id=0)
    start = time.perf_counter()
    with open_transport(source) as transport:
        tmp, _, got = custody._receive(name, lambda w: transport.download(name, w), size)
    elapsed = time.perf_counter() - start
    assert got == size
    tmp.unlink()
    return elapsed


def openssh_download(server, path: Path, dest: Path) -> float:
    batch = dest.parent / "batch"
    batch.write_text(f"get {path} {dest}\n")
    start = time.perf_counter()
    subprocess.run(["sftp", "-q", "-b", str(batch), "-P", str(server.port), "-i",
                    str(server.key_file), "-o", f"UserKnownHostsFile={server.known_hosts}",
                    "-o", "StrictHostKeyChecking=yes", f"{server.user}@127.0.0.1"],
                   check=True, stdout=subprocess.DEVNULL)
    with open(dest, "rb") as f:
        os.fsync(f.fileno())
    elapsed = time.perf_counter() - start
    dest.unlink()
    return elapsed


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--mb", type=int, default=200)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="sb-bench-sftp-"))
    proc, server = start_sshd(work / "sshd")
    try:
        size = args.mb * 1024 * 1024
        remote = server.root / "BIG.dat"
        with open(remote, "wb") as f:
            for _ in range(args.mb):
                f.write(os.urandom(1024 * 1024))
        source = SourceConfig(name="bench", format="act_csv", transport="sftp", host="127.0.0.1",
                              port=server.port, user=server.user, key_file=server.key_file,
                              known_hosts=server.known_hosts, remote_folder=str(server.root))
        ours, theirs, ratios = [], [], []
        for _ in range(args.repeat):  # interleaved pairs, so drift hits both alike
            a = scorebridge_download(source, "BIG.dat", work / "archive", size)
            b = openssh_download(server, remote, work / "openssh.dat")
            ours.append(a)
            theirs.append(b)
            ratios.append(b / a)  # throughput ratio = their time / our time
        mb = size / 1e6
        print(f"file: {mb:.0f} MB over loopback, {args.repeat} interleaved pairs")
        print(f"scorebridge fetch download: median {statistics.median(ours):.2f} s "
              f"({mb / statistics.median(ours):.0f} MB/s)")
        print(f"OpenSSH sftp client:        median {statistics.median(theirs):.2f} s "
              f"({mb / statistics.median(theirs):.0f} MB/s)")
        print(f"throughput ratio (scorebridge / OpenSSH): median {statistics.median(ratios):.2f} "
              f"(min {min(ratios):.2f}, max {max(ratios):.2f}; target >= 0.5)")
    finally:
        proc.terminate()
        proc.wait(10)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
