#!/usr/bin/python3
"""Self-check of the workbook peers: every client against every server.

    /usr/bin/python3 run_selfcheck.py [--cross-only] [--case NAME ...]

For each (client language, server language) pair it starts the server with
--port 0, reads its 'LISTENING <port>' line, runs every workbook case as a
separate client process, then closes the server's stdin and
checks that it exits by itself. One line per cell, then a summary; exit code 0
only if every cell passed. Everything is bounded by timeouts.

Needs: /usr/bin/python3 with grpcio + protobuf, protoc + grpc_python_plugin,
node with node/node_modules installed (npm ci in node/).
"""
import argparse
import os
import selectors
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
PYTHON = "/usr/bin/python3"
NODE = shutil.which("node") or "node"

WORKBOOK_CASES = ["upload", "sum", "chat"]

# How each language's peers are started.
PEERS = {
    "python": {
        "workbook": [PYTHON, os.path.join(HERE, "python", "workbook_peer.py")],
    },
    "node": {
        "workbook": [NODE, os.path.join(HERE, "node", "workbook_peer.js")],
    },
}

START_TIMEOUT = 30.0   # s for a server to print LISTENING
CLIENT_TIMEOUT = 60.0  # s per client process (clients have their own 30 s watchdog)
EXIT_TIMEOUT = 5.0     # s for a server to exit once its stdin is closed


class Server:
    """A peer server process started with --port 0; stopped by closing its stdin."""

    def __init__(self, argv):
        self.log = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=self.log, cwd=HERE)
        self.port = self._read_port()

    def _read_port(self):
        sel = selectors.DefaultSelector()
        sel.register(self.proc.stdout, selectors.EVENT_READ)
        end = time.monotonic() + START_TIMEOUT
        line = b""
        while not line.endswith(b"\n"):
            left = end - time.monotonic()
            if left <= 0 or not sel.select(left):
                raise RuntimeError("no LISTENING line within %gs" % START_TIMEOUT)
            chunk = os.read(self.proc.stdout.fileno(), 1)
            if not chunk:
                raise RuntimeError("server exited before LISTENING: %s" % self.stderr_tail())
            line += chunk
        sel.close()
        parts = line.decode().split()
        if len(parts) != 2 or parts[0] != "LISTENING" or not parts[1].isdigit():
            raise RuntimeError("unexpected first line %r" % line)
        return int(parts[1])

    def stderr_tail(self, n=400):
        self.log.seek(0)
        return self.log.read().decode(errors="replace")[-n:].strip()

    def stop(self):
        """Closes stdin; returns None if the server exited by itself, else a reason."""
        if self.proc.poll() is not None:
            return "server died during the run (exit %s): %s" % (self.proc.returncode, self.stderr_tail())
        self.proc.stdin.close()
        try:
            self.proc.wait(EXIT_TIMEOUT)
            return None
        except subprocess.TimeoutExpired:
            self.proc.terminate()
            try:
                self.proc.wait(EXIT_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            return "server did not exit within %gs of stdin closing" % EXIT_TIMEOUT


def run_client(argv):
    """Runs one client; returns (ok, detail, seconds)."""
    start = time.monotonic()
    try:
        res = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True,
                             timeout=CLIENT_TIMEOUT, cwd=HERE)
    except subprocess.TimeoutExpired:
        return False, "client killed after %gs" % CLIENT_TIMEOUT, time.monotonic() - start
    took = time.monotonic() - start
    lines = res.stdout.decode(errors="replace").strip().splitlines()
    last = lines[-1] if lines else ""
    if res.returncode == 0 and last.startswith("PASS "):
        return True, last, took
    detail = last or res.stderr.decode(errors="replace").strip()[-300:] or "no output"
    return False, "exit %d: %s" % (res.returncode, detail), took


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cross-only", action="store_true",
                        help="skip python->python and node->node")
    parser.add_argument("--case", action="append", help="run only these cases (repeatable)")
    args = parser.parse_args()

    if not os.path.isdir(os.path.join(HERE, "node", "node_modules", "@grpc", "grpc-js")):
        sys.exit("node/node_modules is missing: run 'npm ci' in %s" % os.path.join(HERE, "node"))
    # Generate the Python stubs once, before processes start in parallel with each other.
    subprocess.run([PYTHON, os.path.join(HERE, "python", "gen.py")], check=True, stdout=subprocess.DEVNULL)

    pairs = [("python", "node"), ("node", "python")]  # (client, server)
    if not args.cross_only:
        pairs += [("python", "python"), ("node", "node")]
    wanted = set(args.case) if args.case else None

    results = []  # (suite, client, server, case, ok, detail)

    def record(suite, client, server, case, ok, detail, took=None):
        results.append((suite, client, server, case, ok, detail))
        timing = " (%.2fs)" % took if took is not None else ""
        print("%-4s %-8s %-6s -> %-6s %-28s %s%s" % (
            "PASS" if ok else "FAIL", suite, client, server, case, "" if ok else detail, timing), flush=True)

    suites = [
        ("workbook", "workbook", ["serve", "--port", "0"], WORKBOOK_CASES,
         lambda c, port, case: PEERS[c]["workbook"] + [
             "client", "--server_port", str(port), "--case", case]),
    ]
    for suite, server_key, server_args, cases, client_argv in suites:
        cases = [c for c in cases if wanted is None or c in wanted]
        if not cases:
            continue
        for client, server in pairs:
            try:
                srv = Server(PEERS[server][server_key] + server_args)
            except RuntimeError as e:
                for case in cases:
                    record(suite, client, server, case, False, "server start failed: %s" % e)
                continue
            for case in cases:
                ok, detail, took = run_client(client_argv(client, srv.port, case))
                record(suite, client, server, case, ok, detail, took)
            problem = srv.stop()
            record(suite, client, server, "(server exits on stdin EOF)", problem is None, problem or "")

    print()
    print("Summary")
    for client, server in pairs:
        for suite in ("workbook",):
            cells = [r for r in results if r[0] == suite and r[1] == client and r[2] == server]
            if cells:
                passed = sum(1 for r in cells if r[4])
                print("  %-8s %-6s client -> %-6s server: %2d/%-2d passed" % (
                    suite, client, server, passed, len(cells)))
    failed = [r for r in results if not r[4]]
    print("TOTAL: %d/%d cells passed%s" % (len(results) - len(failed), len(results),
                                           "" if not failed else ", %d FAILED" % len(failed)))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
