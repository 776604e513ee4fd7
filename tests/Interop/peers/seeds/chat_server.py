#!/usr/bin/python3
"""Seed 002's chat server (written in Go there), its behaviour in Python.

Every member's line goes to every member, the sender included, with the user_id the client
sent passed on as it is and the server's timestamp. No notices, no names of its own. Like the
Go handler, a call stays open after the client closes its side, until the client goes.

--ms stamps milliseconds instead of seconds (a server a client may well meet).
"""
import queue
import threading
import time

import seedlib

seedlib.stubs()
import chat_pb2 as pb  # noqa: E402
import chat_pb2_grpc as rpc  # noqa: E402

MILLISECONDS = seedlib.flag("--ms")


class Chat(rpc.ChatServiceServicer):
    def __init__(self):
        self.lock = threading.Lock()
        self.outboxes = []

    def JoinChat(self, request_iterator, context):
        outbox = queue.Queue()
        with self.lock:
            self.outboxes.append(outbox)

        def read():
            try:
                for message in request_iterator:
                    stamp = int(time.time() * 1000) if MILLISECONDS else int(time.time())
                    stamped = pb.ChatMessage(user_id=message.user_id, text=message.text, timestamp=stamp)
                    with self.lock:
                        for box in self.outboxes:
                            box.put(stamped)
            except Exception:  # the client went away
                pass

        threading.Thread(target=read, daemon=True).start()
        try:
            while context.is_active():
                try:
                    yield outbox.get(timeout=0.2)
                except queue.Empty:
                    pass
        finally:
            with self.lock:
                self.outboxes.remove(outbox)


if __name__ == "__main__":
    seedlib.serve(lambda s: rpc.add_ChatServiceServicer_to_server(Chat(), s), seedlib.port_argument())
