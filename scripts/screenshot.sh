#!/usr/bin/env bash
# screenshot.sh BIN OUT.png — opens BIN --demo under Xvfb, selects an event
# and writes a picture of the window to OUT.png.
set -euo pipefail
bin=$1 out=$2
display=:$((90 + RANDOM % 9))
Xvfb "$display" -screen 0 1400x900x24 -nolisten tcp >/dev/null 2>&1 &
xvfb=$!
trap 'kill $app $xvfb 2>/dev/null || true' EXIT
export DISPLAY=$display
for _ in $(seq 50); do xdpyinfo >/dev/null 2>&1 && break; sleep 0.1; done
"$bin" --demo --addr 127.0.0.1:0 &
app=$!
win=""
for _ in $(seq 100); do
	win=$(xdotool search --name '^Hooklens' 2>/dev/null | head -n1 || true)
	[ -n "$win" ] && break
	sleep 0.2
done
[ -n "$win" ] || { echo "the Hooklens window did not appear" >&2; exit 1; }
sleep 2
# Filter to the failing signatures and open the first on its Signature tab:
# the filter in use, the chips, and the pane explaining one failure.
xdotool mousemove --window "$win" 190 122 click 1 || true
sleep 0.3
xdotool type --window "$win" --delay 20 "verdict:invalid" || true
sleep 1.5
xdotool mousemove --window "$win" 200 205 click 1 || true
sleep 1
xdotool mousemove --window "$win" 617 202 click 1 || true
sleep 1
import -window "$win" "$out"
echo "wrote $out"
