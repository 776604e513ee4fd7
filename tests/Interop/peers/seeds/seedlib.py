"""What the seed-shaped peers share: stubs generated from ./protos, and serving on a free port.

The stubs go to _generated/ (git-ignored), rebuilt when a .proto changes. Servers bind
127.0.0.1, print 'LISTENING <port>' once they serve, and stop on SIGTERM, SIGINT or when
stdin closes (the test that started them has finished).
"""
import fcntl
import hashlib
import os
import signal
import subprocess
import sys
import threading
from concurrent import futures

HERE = os.path.dirname(os.path.abspath(__file__))
PROTOS = os.path.join(HERE, "protos")
OUT = os.path.join(HERE, "_generated")
PLUGIN = "/usr/bin/grpc_python_plugin"
# Seed 003 describes its services but prints no .proto: the workbook's protos were written from it.
WORKBOOK_PROTOS = os.path.normpath(os.path.join(HERE, "..", "..", "..", "..", "protos"))
SEED_003 = ["files.proto", "time_updates.proto", "random_numbers.proto"]


def stubs():
    """Makes sure the stubs are current and importable."""
    names = sorted(n for n in os.listdir(PROTOS) if n.endswith(".proto"))
    digest = hashlib.sha256()
    for folder, files in ((PROTOS, names), (WORKBOOK_PROTOS, SEED_003)):
        for name in files:
            with open(os.path.join(folder, name), "rb") as f:
                digest.update(name.encode() + b"\0" + f.read())
    stamp = os.path.join(OUT, ".stamp")
    with open(os.path.join(HERE, ".gen.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        current = open(stamp).read() if os.path.exists(stamp) else None
        if current != digest.hexdigest():
            os.makedirs(OUT, exist_ok=True)
            for folder, files in ((PROTOS, names), (WORKBOOK_PROTOS, SEED_003)):
                subprocess.run(["protoc", "-I", folder, "-I", "/usr/include", "--python_out=" + OUT, "--grpc_out=" + OUT,
                                "--plugin=protoc-gen-grpc=" + PLUGIN] + files, check=True)
            with open(stamp, "w") as f:
                f.write(digest.hexdigest())
    if OUT not in sys.path:
        sys.path.insert(0, OUT)


def port_argument(default=50051):
    """--port N (0: any free port), as the tests pass it."""
    args = sys.argv[1:]
    return int(args[args.index("--port") + 1]) if "--port" in args else default


def flag(name):
    return name in sys.argv[1:]


def serve(register, port):
    import grpc
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=16))
    register(server)
    bound = server.add_insecure_port("127.0.0.1:%d" % port)
    server.start()
    print("LISTENING %d" % bound, flush=True)

    def watch_stdin():
        try:
            while os.read(0, 4096):
                pass
        except OSError:
            pass
        stop.set()

    threading.Thread(target=watch_stdin, daemon=True).start()
    while not stop.wait(0.5):
        pass
    server.stop(grace=0.5).wait(2)


if __name__ == "__main__":
    import grpc  # noqa: F401  (run as a script: checks grpcio and generates the stubs)
    stubs()
