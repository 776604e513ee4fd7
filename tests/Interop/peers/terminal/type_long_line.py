#!/usr/bin/python3
"""Types a line longer than the window into a chat client running in a pseudo-terminal.

Usage: type_long_line.py COLUMNS PORT -- <command that starts the chat client>

The client runs in a terminal COLUMNS wide. Once it has joined, this types 60 'a' and 'END'
(no Enter), then a second member (the seed-002-shaped client in ../seeds) says 'ping from bob'
in the same room, and the client has to print that line and draw the typed line again.
Prints what the terminal received, as facts the test checks:
  LONGEST <n>   the longest run of text ended by a carriage return (a redrawn typed line):
                longer than COLUMNS - 1 wraps to a second row, which \\r cannot reach back to
  REDRAWN yes   the typed text ('END') was drawn again after the ping line
"""
import os
import pty
import re
import select
import signal
import struct
import subprocess
import sys
import fcntl
import termios
import time

cols, port = int(sys.argv[1]), sys.argv[2]
command = sys.argv[sys.argv.index("--") + 1:]
here = os.path.dirname(os.path.abspath(__file__))

pid, fd = pty.fork()
if pid == 0:
    os.execvp(command[0], command)
fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, cols, 0, 0))

screen = bytearray()


def read_until(pattern, after=0, timeout=30):
    end = time.monotonic() + timeout
    while pattern not in screen[after:]:
        left = end - time.monotonic()
        if left <= 0:
            raise SystemExit("TIMEOUT waiting for %r; got %r" % (pattern, bytes(screen[-400:])))
        ready, _, _ = select.select([fd], [], [], left)
        if ready:
            try:
                screen.extend(os.read(fd, 4096))
            except OSError:
                raise SystemExit("ENDED waiting for %r; got %r" % (pattern, bytes(screen[-400:])))
    return screen.index(pattern, after)


bob = None
try:
    read_until(b"has joined the chat")
    typing_from = len(screen)
    os.write(fd, b"a" * 60 + b"END")
    read_until(b"END", typing_from)
    bob = subprocess.Popen(["/usr/bin/python3", os.path.join(here, "..", "seeds", "chat_client.py"), "--port", port, "--id", "bob"],
                           stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    bob.stdin.write(b"ping from bob\n")
    bob.stdin.flush()
    ping = read_until(b"ping from bob", typing_from)
    read_until(b"END", ping)
    # The terminal turns each newline into \r\n; escape sequences print nothing.
    text = re.sub(rb"\x1b\[[0-9;?]*[A-Za-z]", b"", bytes(screen[typing_from:])).replace(b"\r\n", b"\n")
    # Runs that end in a newline are printed lines: they may wrap, the cursor goes on below.
    # The line being typed is redrawn with \r, which only reaches the start of the last row.
    redrawn = [m.group(1) for m in re.finditer(rb"([^\r\n]*)(\r|$)", text)]
    print("LONGEST %d" % max(len(r) for r in redrawn))
    if os.environ.get("SHOW_RUNS"):
        print([r for r in redrawn if len(r) > 30])
    print("REDRAWN yes")
finally:
    if bob:
        bob.kill()
    os.kill(pid, signal.SIGKILL)
