#!/usr/bin/python3
"""Deadline propagation probe on Debian's grpcio (not one of the official interop cases).

    /usr/bin/python3 deadline_probe.py serve --port N
    /usr/bin/python3 deadline_probe.py client [--server_host 127.0.0.1] --server_port N

No official interop case can tell whether a client sends its deadline as grpc-timeout:
in timeout_on_sleeping_server the client's own timer ends the call either way. This probe
asks the server what deadline it sees.

serve: grpc.testing.TestService/EmptyCall; when the request carries the header
x-interop-echo-deadline, the response headers carry x-interop-deadline-remaining-ms:
the time left until the call's deadline as the server sees it, in whole milliseconds,
or "none" when the call has no deadline. Prints 'LISTENING <port>'; stops on
SIGTERM/SIGINT or when stdin closes.
client: calls EmptyCall with a 5 s timeout and x-interop-echo-deadline, and expects
x-interop-deadline-remaining-ms between 1 and 5000. Prints 'PASS deadline_propagation'
(exit 0) or 'FAIL deadline_propagation: <reason>' (exit 1).
"""
import argparse
import os
import sys
import threading

import gen

gen.ensure()

import grpc  # noqa: E402
from interop_pb.grpc.testing import empty_pb2, test_pb2_grpc  # noqa: E402

import common  # noqa: E402

CASE = "deadline_propagation"
ECHO_REQUEST = "x-interop-echo-deadline"
REMAINING = "x-interop-deadline-remaining-ms"
CLIENT_TIMEOUT = 5.0           # seconds
NO_DEADLINE = 10 * 365 * 86400  # grpcio reports "no deadline" as a deadline centuries away


class DeadlineEcho(test_pb2_grpc.TestServiceServicer):
    def EmptyCall(self, request, context):
        if any(m.key == ECHO_REQUEST for m in (context.invocation_metadata() or ())):
            remaining = context.time_remaining()
            value = "none" if remaining is None or remaining > NO_DEADLINE else str(int(remaining * 1000))
            context.send_initial_metadata(((REMAINING, value),))
        return empty_pb2.Empty()


def finish(error):
    if error is None:
        print("PASS %s" % CASE, flush=True)
        os._exit(0)
    print("FAIL %s: %s" % (CASE, error), flush=True)
    os._exit(1)


def run_client(host, port):
    watchdog = threading.Timer(30.0, finish, ("watchdog: case took over 30s",))
    watchdog.daemon = True
    watchdog.start()
    error = None
    with grpc.insecure_channel("%s:%d" % (host, port), options=common.CHANNEL_OPTIONS) as channel:
        try:
            stub = test_pb2_grpc.TestServiceStub(channel)
            _, call = stub.EmptyCall.with_call(empty_pb2.Empty(), metadata=((ECHO_REQUEST, "1"),), timeout=CLIENT_TIMEOUT)
            values = [v for k, v in (call.initial_metadata() or ()) if k == REMAINING]
            if len(values) != 1:
                error = "response headers carry %s = %r, want one value" % (REMAINING, values)
            elif not values[0].isdigit() or not 0 < int(values[0]) <= CLIENT_TIMEOUT * 1000:
                error = "the server sees %s ms left of a %g s timeout: the deadline did not travel as grpc-timeout" % (values[0], CLIENT_TIMEOUT)
        except grpc.RpcError as e:
            error = "unexpected status %s: %r" % (e.code(), e.details())
        except Exception as e:
            error = "%s: %s" % (type(e).__name__, e)
    sys.stdout.flush()
    finish(error)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="mode", required=True)
    p_serve = sub.add_parser("serve")
    p_serve.add_argument("--port", type=int, required=True)
    p_client = sub.add_parser("client")
    p_client.add_argument("--server_host", default="127.0.0.1")
    p_client.add_argument("--server_port", type=int, required=True)
    args = parser.parse_args()
    if args.mode == "serve":
        common.run_server(args.port, lambda server: test_pb2_grpc.add_TestServiceServicer_to_server(DeadlineEcho(), server))
    else:
        run_client(args.server_host, args.server_port)


if __name__ == "__main__":
    main()
