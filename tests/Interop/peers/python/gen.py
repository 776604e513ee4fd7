#!/usr/bin/python3
"""Generates (and caches) the Python gRPC stubs the peers import.

The stubs go to python/_generated/ (git-ignored). They are rebuilt only when a
.proto of the repository's protos/ changes (a hash of them is kept in a stamp file).

The workbook protos are staged under <stage>/workbook_pb/ so the generated modules
import as `workbook_pb.chat_pb2` and so on. Only file paths change; proto packages,
services and messages stay the same, so the wire contract is untouched.

Usage as a script: /usr/bin/python3 gen.py   (prints the output folder)
Usage from a peer:  import gen; gen.ensure()   (also puts it on sys.path)
"""
import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
# The workbook's own contracts are read from the repository's protos/ folder, not copied.
WORKBOOK_PROTOS = os.path.normpath(os.path.join(HERE, "..", "..", "..", "..", "protos"))
OUT = os.path.join(HERE, "_generated")
STAMP = os.path.join(OUT, ".stamp")
PLUGIN = "/usr/bin/grpc_python_plugin"

WORKBOOK = ["uploader.proto", "numbers.proto", "chat.proto"]


def _sources():
    """(source path, staged relative path, text) for every proto we compile."""
    out = []
    for name in WORKBOOK:
        src = os.path.join(WORKBOOK_PROTOS, name)
        with open(src, encoding="utf-8") as f:
            out.append((src, "workbook_pb/" + name, f.read()))
    return out


def _digest(sources):
    h = hashlib.sha256()
    for _, rel, text in sources:
        h.update(rel.encode() + b"\0" + text.encode("utf-8") + b"\0")
    return h.hexdigest()


def ensure():
    """Makes sure the stubs are current, puts them on sys.path, returns the folder."""
    sources = _sources()
    digest = _digest(sources)
    os.makedirs(HERE, exist_ok=True)
    # A lock file keeps concurrent peers from generating at the same time.
    with open(os.path.join(HERE, ".gen.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        current = None
        if os.path.exists(STAMP):
            with open(STAMP) as f:
                current = f.read().strip()
        if current != digest:
            _generate(sources, digest)
    if OUT not in sys.path:
        sys.path.insert(0, OUT)
    return OUT


def _generate(sources, digest):
    with tempfile.TemporaryDirectory(prefix="peers-gen-") as tmp:
        stage = os.path.join(tmp, "src")
        build = os.path.join(tmp, "out")
        os.makedirs(build)
        for _, rel, text in sources:
            dst = os.path.join(stage, rel)
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            with open(dst, "w", encoding="utf-8") as f:
                f.write(text)
        cmd = ["protoc", "-I", stage, "--python_out=" + build, "--grpc_out=" + build,
               "--plugin=protoc-gen-grpc=" + PLUGIN] + [rel for _, rel, _ in sources]
        subprocess.run(cmd, check=True, cwd=stage)
        with open(os.path.join(build, ".stamp"), "w") as f:
            f.write(digest + "\n")
        # Swap the new tree in place of the old one.
        shutil.rmtree(OUT, ignore_errors=True)
        shutil.copytree(build, OUT)


if __name__ == "__main__":
    print(ensure())
