#!/usr/bin/python3
"""Seed 003's basic file service (file_server.py there): a greeting, the server's time, writing
a file into its folder and listing the folder. Nothing the workbook added.

Usage: file_server.py --port N --folder PATH
"""
import os
import sys

import seedlib

seedlib.stubs()
import files_pb2 as pb  # noqa: E402
import files_pb2_grpc as rpc  # noqa: E402
from google.protobuf.timestamp_pb2 import Timestamp  # noqa: E402

args = sys.argv[1:]
FOLDER = args[args.index("--folder") + 1]


class Files(rpc.FileServiceServicer):
    def SayHello(self, request, context):
        return pb.HelloReply(message="Hello, %s!" % request.name)

    def GetServerTime(self, request, context):
        now = Timestamp()
        now.GetCurrentTime()
        return pb.ServerTimeReply(time=now)

    def WriteFile(self, request, context):
        name = os.path.basename(request.file_name)
        with open(os.path.join(FOLDER, name), "wb") as f:
            f.write(request.content)
        return pb.WriteFileReply(file_name=name, size=len(request.content))

    def ListFiles(self, request, context):
        entries = [pb.FileEntry(name=n, size=os.path.getsize(os.path.join(FOLDER, n))) for n in sorted(os.listdir(FOLDER))]
        return pb.ListFilesReply(files=entries)


if __name__ == "__main__":
    seedlib.serve(lambda s: rpc.add_FileServiceServicer_to_server(Files(), s), seedlib.port_argument())
