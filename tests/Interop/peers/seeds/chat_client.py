#!/usr/bin/python3
"""Seed 002's Python chat client: a fixed CLIENT_ID sent with every line, lines from stdin,
'exit' to leave, each incoming message printed as '[HH:MM:SS] user: text'.

Usage: chat_client.py --port N [--id NAME]   (NAME defaults to the seed's PythonClient)
"""
import sys
import threading
from datetime import datetime

import grpc

import seedlib

seedlib.stubs()
import chat_pb2 as pb  # noqa: E402
import chat_pb2_grpc as rpc  # noqa: E402

args = sys.argv[1:]
CLIENT_ID = args[args.index("--id") + 1] if "--id" in args else "PythonClient"


def typed_lines():
    for line in sys.stdin:
        text = line.rstrip("\n")
        if text.lower() == "exit":
            return
        yield pb.ChatMessage(user_id=CLIENT_ID, text=text)


def print_incoming(responses):
    try:
        for message in responses:
            # The seed reads seconds; a server that stamps milliseconds would crash it, so this peer
            # (which tests the other side) reads those too.
            stamp = message.timestamp / 1000 if message.timestamp > 99999999999 else message.timestamp
            ts = datetime.fromtimestamp(stamp).strftime("%H:%M:%S")
            print("[%s] %s: %s" % (ts, message.user_id, message.text), flush=True)
        print("Server closed the stream.", flush=True)
    except grpc.RpcError as error:
        print("RPC error: %s: %s" % (error.code().name, error.details()), flush=True)


with grpc.insecure_channel("127.0.0.1:%d" % seedlib.port_argument()) as channel:
    print("--- Python Client (%s) Joined Chat ---" % CLIENT_ID, flush=True)
    responses = rpc.ChatServiceStub(channel).JoinChat(typed_lines())
    receiver = threading.Thread(target=print_incoming, args=(responses,), daemon=True)
    receiver.start()
    receiver.join()
