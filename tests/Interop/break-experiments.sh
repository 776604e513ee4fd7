#!/usr/bin/env bash
# Proves the interop cells can fail: for each break, copies the repository (without bin, obj
# and .git) to a scratch folder, breaks the copy's runtime in one place, runs the interop tests
# there and prints which cells turned red. The repository itself is never changed.
#
#   tests/Interop/break-experiments.sh                      # every break (about 5 minutes)
#   tests/Interop/break-experiments.sh drop-trailers        # one or more by name
#
# Breaks: none (control), drop-trailers, length-plus-one, length-little-endian, drop-grpc-timeout.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
breaks=("$@")
[ ${#breaks[@]} -gt 0 ] || breaks=(none drop-trailers length-plus-one length-little-endian drop-grpc-timeout)
work=$(mktemp -d /tmp/interop-breaks.XXXXXX)
echo "scratch folder: $work"

for name in "${breaks[@]}"; do
  copy=$work/copy
  rm -rf "$copy"; mkdir -p "$copy"
  tar -C "$repo" --exclude=./.git --exclude=bin --exclude=obj -cf - . | tar -C "$copy" -xf -
  /usr/bin/python3 - "$name" "$copy/runtime/StreamingTutorial.GrpcRuntime" <<'PY'
import sys
name, rt = sys.argv[1], sys.argv[2]
def patch(path, old, new):
    p = rt + "/" + path
    s = open(p).read()
    if s.count(old) != 1:
        raise SystemExit("%s: the code to break was not found once in %s (the runtime changed?)" % (name, path))
    open(p, "w").write(s.replace(old, new))
header = "BinaryPrimitives.WriteUInt32BigEndian(destination.Slice(1), (uint)length);"
if name == "none":
    pass
elif name == "drop-trailers":      # the server never sends grpc-status/grpc-message/metadata trailers
    patch("Server/HttpContextServerCallContext.cs", "            response.AppendTrailer(key, value);", "            _ = (key, value); // BREAK")
elif name == "length-plus-one":    # every message prefix claims one byte more than the message has
    patch("Wire/GrpcProtocol.cs", header, "BinaryPrimitives.WriteUInt32BigEndian(destination.Slice(1), (uint)length + 1); // BREAK")
elif name == "length-little-endian":  # the prefix length in the wrong byte order
    patch("Wire/GrpcProtocol.cs", header, "BinaryPrimitives.WriteUInt32LittleEndian(destination.Slice(1), (uint)length); // BREAK")
elif name == "drop-grpc-timeout":  # the client keeps its own timer but never sends grpc-timeout
    patch("Client/GrpcCall.cs",
          "            message.Headers.TryAddWithoutValidation(GrpcProtocol.TimeoutHeader, GrpcProtocol.FormatTimeout(t));",
          "            _ = t; // BREAK")
else:
    raise SystemExit("unknown break: " + name)
PY
  echo "=== $name"
  if ! (cd "$copy/tests/Interop/Interop.Tests" && dotnet build -nologo -v q > "$work/$name.build.log" 2>&1); then
    echo "build failed: $work/$name.build.log"; continue
  fi
  start=$(date +%s)
  set +e
  (cd "$copy/tests/Interop/Interop.Tests" && timeout 1200 dotnet test --no-build --logger "trx;LogFileName=$work/$name.trx" > "$work/$name.log" 2>&1)
  set -e
  echo "tests ran in $(( $(date +%s) - start )) s"
  /usr/bin/python3 - "$work/$name.trx" <<'PY'
import sys, xml.etree.ElementTree as ET
ns = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
counts, red = {}, []
for r in ET.parse(sys.argv[1]).getroot().iterfind(".//t:UnitTestResult", ns):
    counts[r.get("outcome")] = counts.get(r.get("outcome"), 0) + 1
    if r.get("outcome") == "Failed":
        red.append(r.get("testName"))
for name in sorted(red):
    print("  RED  " + name)
print("  " + ", ".join("%s %d" % kv for kv in sorted(counts.items())))
PY
done
rm -rf "$work/copy"
echo "logs and trx files: $work"
