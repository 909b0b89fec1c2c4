#!/usr/bin/env bash
# Open DIR/report.html in headless Chromium: screenshot it, dump the DOM, and check that
# the page is not blank, holds one <svg> per chart, and logs no console errors.
# Usage: tests/browser/check_report.sh DIR [EXPECTED_CHARTS]   (default 11 charts)
# SCREENSHOT=path chooses where the screenshot goes. Exit 77 = chromium missing (skip).
set -euo pipefail

dir=${1:?usage: check_report.sh DIR [EXPECTED_CHARTS]}
expected=${2:-11}
dir=$(cd "$dir" && pwd)
report="$dir/report.html"
[[ -f $report ]] || { echo "no $report" >&2; exit 1; }
browser=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
[[ -n $browser ]] || { echo "chromium not installed (apt-get install -y chromium)" >&2; exit 77; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
flags=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run
  --disable-background-networking --disable-component-update --disable-sync
  --enable-logging=stderr --v=0)

# The screenshot is kept (outside DIR, so the results folder stays as it was).
shot=${SCREENSHOT:-$(mktemp -d)/report_screenshot.png}
"$browser" "${flags[@]}" --user-data-dir="$work/profile1" --window-size=1400,3000 \
  --screenshot="$shot" "file://$report" >"$work/shot.out" 2>"$work/shot.err" || true
"$browser" "${flags[@]}" --user-data-dir="$work/profile2" --dump-dom \
  "file://$report" >"$work/dom.html" 2>"$work/dom.err" || true

fail=0
[[ -s $shot ]] || { echo "FAIL: no screenshot written" >&2; fail=1; }

# Non-blank: decode the PNG with the standard library and count non-background pixels.
if [[ -s $shot ]]; then
  if ! python3 - "$shot" <<'PY'
import struct, sys, zlib
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
pos, idat, w, h, bpp = 8, b"", 0, 0, 0
while pos < len(data):
    n, kind = struct.unpack(">I4s", data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + n]
    if kind == b"IHDR":
        w, h, depth, ctype = struct.unpack(">IIBB", body[:10])
        bpp = {2: 3, 6: 4, 0: 1, 4: 2}[ctype] * depth // 8
    elif kind == b"IDAT":
        idat += body
    pos += 12 + n
raw = zlib.decompress(idat)
stride = w * bpp
prev = bytearray(stride)
rows = []
i = 0
for _ in range(h):
    f = raw[i]; line = bytearray(raw[i + 1:i + 1 + stride]); i += 1 + stride
    for x in range(stride):
        a = line[x - bpp] if x >= bpp else 0
        b = prev[x]; c = prev[x - bpp] if x >= bpp else 0
        if f == 1: line[x] = (line[x] + a) & 255
        elif f == 2: line[x] = (line[x] + b) & 255
        elif f == 3: line[x] = (line[x] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c; pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    rows.append(bytes(line)); prev = line
bg = rows[0][:bpp]
# Sample every 4th pixel of every 4th row: enough to tell a blank page.
ink = sum(1 for r in rows[::4] for x in range(0, stride, 4 * bpp) if r[x:x + bpp] != bg)
total = len(rows[::4]) * len(range(0, stride, 4 * bpp))
print(f"screenshot {w}x{h}: {100 * ink / total:.1f} % non-background pixels")
sys.exit(0 if ink / total > 0.02 else 1)
PY
  then echo "FAIL: screenshot is blank" >&2; fail=1; fi
fi

svgs=$(grep -o '<svg' "$work/dom.html" | wc -l)
echo "DOM: $svgs <svg> elements (expected $expected)"
[[ $svgs -eq $expected ]] || { echo "FAIL: expected $expected <svg> in the DOM, found $svgs" >&2; fail=1; }
grep -q "What this shows" "$work/dom.html" || { echo "FAIL: DOM lacks the summary text" >&2; fail=1; }

if grep -hE "Uncaught|ERROR:CONSOLE|CONSOLE\(.*\)\] \"?(Error|Failed)" "$work/shot.err" "$work/dom.err"; then
  echo "FAIL: console errors (above)" >&2; fail=1
fi
# Anything fetched from the network means the page is not self-contained.
if grep -hiE "net::ERR_|Failed to load resource" "$work/shot.err" "$work/dom.err"; then
  echo "FAIL: the page tried to load a resource (above)" >&2; fail=1
fi

[[ $fail -eq 0 ]] && echo "OK: $report renders ($shot)"
exit $fail
