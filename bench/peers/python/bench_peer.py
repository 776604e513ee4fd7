#!/usr/bin/python3
"""The benchmark's Python peer: grpcio (gRPC C-core) as server and as client.

  /usr/bin/python3 bench_peer.py version
  /usr/bin/python3 bench_peer.py serve [--port 0]
  /usr/bin/python3 bench_peer.py client --target 127.0.0.1:PORT --scenario NAME [sizes]

serve prints 'LISTENING <port>' and stops when stdin closes. client runs one scenario
(unary, upload, server-stream, ping-pong) after a warm-up of --warmup-seconds and prints one line
'RESULT {json}' with ops, seconds, bytes, p50_us and p99_us, as the C# and Node
clients do. Stubs are generated from ../../bench.proto with protoc and
grpc_python_plugin into _generated/ (git-ignored) when the proto changes.
"""
import argparse
import hashlib
import json
import os
import queue
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from concurrent import futures

HERE = os.path.dirname(os.path.abspath(__file__))
PROTO = os.path.normpath(os.path.join(HERE, "..", "..", "bench.proto"))
OUT = os.path.join(HERE, "_generated")
PLUGIN = "/usr/bin/grpc_python_plugin"

# Large enough for the 1 MiB upload chunks with room to spare (the default is 4 MiB).
OPTIONS = [
    ("grpc.max_receive_message_length", 16 * 1024 * 1024),
    ("grpc.max_send_message_length", 16 * 1024 * 1024),
]


def ensure_stubs():
    """Generates bench_pb2 and bench_pb2_grpc when bench.proto has changed, and imports them."""
    with open(PROTO, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    stamp = os.path.join(OUT, ".stamp")
    current = open(stamp).read().strip() if os.path.exists(stamp) else None
    if current != digest:
        with tempfile.TemporaryDirectory(prefix="bench-gen-") as tmp:
            subprocess.run(
                ["protoc", "-I", os.path.dirname(PROTO), "--python_out=" + tmp, "--grpc_out=" + tmp,
                 "--plugin=protoc-gen-grpc=" + PLUGIN, os.path.basename(PROTO)],
                check=True)
            with open(os.path.join(tmp, ".stamp"), "w") as f:
                f.write(digest + "\n")
            # Build aside, then swap, so a half-written folder is never imported.
            staged = OUT + ".new"
            shutil.rmtree(staged, ignore_errors=True)
            shutil.copytree(tmp, staged)
            shutil.rmtree(OUT, ignore_errors=True)
            os.replace(staged, OUT)
    sys.path.insert(0, OUT)


ensure_stubs()
import grpc  # noqa: E402
import bench_pb2  # noqa: E402
import bench_pb2_grpc  # noqa: E402


# ---- server --------------------------------------------------------------------

class BenchService(bench_pb2_grpc.BenchServiceServicer):
    def Echo(self, request, context):
        return request

    def Upload(self, request_iterator, context):
        total = 0
        count = 0
        for chunk in request_iterator:
            total += len(chunk.data)
            count += 1
        return bench_pb2.UploadSummary(bytes=total, messages=count)

    def Download(self, request, context):
        message = bench_pb2.Payload(data=bytes(request.size))
        for _ in range(request.count):
            yield message

    def PingPong(self, request_iterator, context):
        for message in request_iterator:
            yield message


def serve(port):
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=8), options=OPTIONS)
    bench_pb2_grpc.add_BenchServiceServicer_to_server(BenchService(), server)
    bound = server.add_insecure_port("127.0.0.1:%d" % port)
    if bound == 0:
        print("cannot bind 127.0.0.1:%d" % port, file=sys.stderr)
        return 2
    server.start()
    print("LISTENING %d" % bound, flush=True)
    # Serve until the parent closes our stdin (or goes away).
    try:
        while os.read(0, 4096):
            pass
    except OSError:
        pass
    server.stop(grace=None)
    return 0


# ---- client --------------------------------------------------------------------

def percentile(sorted_ns, fraction):
    """Nearest-rank percentile of sorted nanoseconds, in microseconds."""
    if not sorted_ns:
        return 0.0
    rank = max(1, int(-(-fraction * len(sorted_ns) // 1)))  # ceil
    return sorted_ns[min(rank, len(sorted_ns)) - 1] / 1000.0


def run_unary(stub, size, seconds):
    request = bench_pb2.Payload(data=bytes(size))
    latencies = []
    clock = time.perf_counter_ns
    start = clock()
    end = start + int(seconds * 1e9)
    now = start
    while now < end:
        stub.Echo(request)
        after = clock()
        latencies.append(after - now)
        now = after
    return len(latencies), (now - start) / 1e9, len(latencies) * size, latencies


def run_upload(stub, total, chunk):
    message = bench_pb2.Payload(data=bytes(chunk))
    count = total // chunk

    def chunks():
        for _ in range(count):
            yield message

    start = time.perf_counter_ns()
    summary = stub.Upload(chunks())
    elapsed = (time.perf_counter_ns() - start) / 1e9
    if summary.bytes != count * chunk:
        raise RuntimeError("server counted %d bytes, expected %d" % (summary.bytes, count * chunk))
    return count, elapsed, summary.bytes, []


def run_server_stream(stub, count, size):
    start = time.perf_counter_ns()
    received = 0
    total = 0
    for message in stub.Download(bench_pb2.DownloadRequest(count=count, size=size)):
        received += 1
        total += len(message.data)
    elapsed = (time.perf_counter_ns() - start) / 1e9
    if received != count:
        raise RuntimeError("received %d messages, expected %d" % (received, count))
    return received, elapsed, total, []


def run_ping_pong(stub, count, size):
    message = bench_pb2.Payload(data=bytes(size))
    outbox = queue.SimpleQueue()

    def requests():
        while True:
            item = outbox.get()
            if item is None:
                return
            yield item

    responses = stub.PingPong(requests())
    latencies = []
    clock = time.perf_counter_ns
    start = clock()
    for _ in range(count):
        before = clock()
        outbox.put(message)
        next(responses)
        latencies.append(clock() - before)
    elapsed = (clock() - start) / 1e9
    outbox.put(None)
    for _ in responses:
        raise RuntimeError("the server answered after the last ping")
    return count, elapsed, count * size, latencies


def client(args):
    with grpc.insecure_channel(args.target, options=OPTIONS) as channel:
        grpc.channel_ready_future(channel).result(timeout=30)
        stub = bench_pb2_grpc.BenchServiceStub(channel)
        # Each scenario with `warm` set to True runs a smaller piece of the same work.
        runs = {
            "unary": lambda warm: run_unary(stub, args.size, 0.25 if warm else args.seconds),
            "upload": lambda warm: run_upload(stub, min(args.total, 64 << 20) if warm else args.total, args.chunk),
            "server-stream": lambda warm: run_server_stream(stub, max(args.count // 10, 1) if warm else args.count, args.size),
            "ping-pong": lambda warm: run_ping_pong(stub, max(args.count // 10, 1) if warm else args.count, args.size),
        }
        if args.scenario not in runs:
            print("unknown scenario %r" % args.scenario, file=sys.stderr)
            return 2
        run = runs[args.scenario]
        # Warm up with the scenario itself for a while, as the other clients do.
        warm_until = time.perf_counter() + args.warmup_seconds
        while True:
            run(True)
            if time.perf_counter() >= warm_until:
                break
        result = run(False)
    ops, seconds, total, latencies = result
    latencies.sort()
    print("RESULT " + json.dumps({
        "ops": ops, "seconds": seconds, "bytes": total,
        "p50_us": percentile(latencies, 0.50), "p99_us": percentile(latencies, 0.99),
    }), flush=True)
    return 0


def version():
    from google.protobuf.internal import api_implementation
    import google.protobuf
    print("Python %s, grpcio %s, protobuf %s (%s)" % (
        ".".join(map(str, sys.version_info[:3])), grpc.__version__,
        google.protobuf.__version__, api_implementation.Type()))
    return 0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["version", "serve", "client"])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--target")
    parser.add_argument("--scenario")
    parser.add_argument("--size", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--warmup-seconds", type=float, default=2.0)
    parser.add_argument("--count", type=int, default=10000)
    parser.add_argument("--total", type=int, default=1 << 30)
    parser.add_argument("--chunk", type=int, default=1 << 20)
    args = parser.parse_args()
    if args.mode == "version":
        return version()
    if args.mode == "serve":
        return serve(args.port)
    # A stuck call must not hang the benchmark: give up after ten minutes.
    watchdog = threading.Timer(600, lambda: os._exit(3))
    watchdog.daemon = True
    watchdog.start()
    return client(args)


if __name__ == "__main__":
    sys.exit(main())
