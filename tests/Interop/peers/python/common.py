"""Small helpers shared by the Python peers: server lifecycle and status codes."""
import os
import signal
import sys
import threading
from concurrent import futures

import grpc

# Above the 4 MiB default, so a size limit is never what fails a workbook case.
MAX_MESSAGE = 16 * 1024 * 1024
CHANNEL_OPTIONS = [
    ("grpc.max_receive_message_length", MAX_MESSAGE),
    ("grpc.max_send_message_length", MAX_MESSAGE),
]

# int -> grpc.StatusCode, for statuses that arrive as plain numbers in requests.
STATUS_BY_NUMBER = {code.value[0]: code for code in grpc.StatusCode}


def run_server(port, register):
    """Binds 127.0.0.1:port (0 = any free port), registers services, prints
    'LISTENING <port>' and serves until SIGTERM/SIGINT or until stdin closes."""
    # Handlers first: a parent may signal as soon as it has read LISTENING.
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())

    server = grpc.server(futures.ThreadPoolExecutor(max_workers=32), options=CHANNEL_OPTIONS)
    register(server)
    try:
        bound = server.add_insecure_port("127.0.0.1:%d" % port)
    except RuntimeError:  # grpcio raises when the address cannot be bound
        bound = 0
    if bound == 0:
        print("cannot bind 127.0.0.1:%d" % port, file=sys.stderr)
        sys.exit(2)
    server.start()
    print("LISTENING %d" % bound, flush=True)

    def watch_stdin():
        # Returns at EOF, i.e. when the parent closes our stdin or goes away.
        # Raw os.read on fd 0: no buffered-reader lock to trip over at shutdown.
        try:
            while os.read(0, 4096):
                pass
        except OSError:  # no usable stdin counts as closed
            pass
        stop.set()

    threading.Thread(target=watch_stdin, daemon=True).start()
    # Waiting in short slices keeps the main thread responsive to signals.
    while not stop.wait(0.5):
        pass
    server.stop(grace=1).wait(2)
