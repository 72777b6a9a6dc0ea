#!/usr/bin/env bash
# Times a dataset-style batch: N small MIDI files (default 1,000: the
# jazz-soft test files that render without error in 40 s of audio or less,
# copied round-robin under distinct names) rendered with FluidR3_GM, the
# way each renderer is used for such a batch:
#
#   bash bench/peers/batch.sh [N] [FLUID_FILES]     (from the repository root)
#
# Aether: one bounce process for the whole batch (the font read once),
# with -jobs 1 -workers 1 (one core) and with its defaults (every core).
# FluidSynth: one process per file, one core, reverb and chorus off, as
# users script it; it runs on the first FLUID_FILES files of the batch
# (default 100) and its times are scaled to N. For each it prints wall
# seconds, CPU seconds (user + system), peak resident memory and audio
# seconds rendered per CPU-second. Needs fluidsynth and FluidR3_GM.sf2
# (fluidsynth, fluid-soundfont-gm); installs nothing itself.
set -euo pipefail
n=${1:-1000}
nfluid=${2:-100}
root=$(cd "$(dirname "$0")/../.." && pwd)
jazzdir=$root/../shared/testdata/midi-jazz-soft
font=${FONT:-/usr/share/sounds/sf2/FluidR3_GM.sf2}
command -v fluidsynth >/dev/null || { echo "batch: fluidsynth is not installed" >&2; exit 1; }
[ -f "$font" ] || { echo "batch: $font is missing (fluid-soundfont-gm)" >&2; exit 1; }
[ -d "$jazzdir" ] || { echo "batch: $jazzdir is missing" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$root" && go build -o "$work/bounce" ./cmd/bounce)
mkdir -p "$work/in" "$work/probe"

# The small files: those a first pass renders without error, 40 s or less.
ls "$jazzdir"/*.mid >"$work/all.txt"
"$work/bounce" -quiet -soundfont "$font" -manifest "$work/all.txt" -outdir "$work/probe" \
  -report "$work/probe.jsonl" >/dev/null 2>&1 || true
grep '"status":"ok"' "$work/probe.jsonl" |
  sed -n 's/.*"input":"\([^"]*\)".*"audio_seconds":\([0-9.]*\).*/\2 \1/p' |
  awk '$1 <= 40 {print $2}' | sort >"$work/small.txt" # the report is in finishing order
mapfile -t small <"$work/small.txt"
[ "${#small[@]}" -gt 0 ] || { echo "batch: no small file rendered" >&2; exit 1; }
for ((i = 0; i < n; i++)); do
  f=${small[i % ${#small[@]}]}
  cp "$f" "$work/in/$(printf '%05d' "$i")-$(basename "$f")"
done
ls "$work"/in/*.mid >"$work/batch.txt"
head -n "$nfluid" "$work/batch.txt" >"$work/fluid.txt"
"$work/bounce" -quiet -soundfont "$font" -manifest "$work/batch.txt" -outdir "$work/out" \
  -report "$work/batch.jsonl" >/dev/null 2>&1
# audio seconds of the whole batch, and of its first FLUID_FILES files
seconds() {
  sed -n 's/.*"index":\([0-9]*\),.*"audio_seconds":\([0-9.]*\).*/\1 \2/p' "$work/batch.jsonl" |
    awk -v k="$1" '$1 < k {s += $2} END {printf "%.1f", s}'
}
audio=$(seconds "$n")
audiofluid=$(seconds "$nfluid")
rm -rf "$work/out"

# measure NAME CMD...: runs CMD, prints wall, CPU and peak RSS.
measure() {
  local name=$1
  shift
  /usr/bin/time -f '%e %U %S %M' -o "$work/time" "$@" >/dev/null 2>&1 || { echo "batch: failed: $*" >&2; exit 1; }
  read -r wall user sys rss <"$work/time"
  awk -v n="$name" -v w="$wall" -v c="$(awk -v u="$user" -v s="$sys" 'BEGIN {print u + s}')" -v r="$rss" -v a="$audio" \
    'BEGIN {printf "%-28s %8.1f s wall %8.1f cpu-s %6.0f MiB peak %8.0f audio-s per cpu-s\n", n, w, c, r / 1024, a / c}'
}
echo "CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(nproc) cores"
echo "batch: $n files, $audio s of audio"
measure "aether -jobs 1 -workers 1" "$work/bounce" -quiet -jobs 1 -workers 1 -soundfont "$font" \
  -manifest "$work/batch.txt" -outdir "$work/out1"
rm -rf "$work/out1"
measure "aether (defaults)" "$work/bounce" -quiet -soundfont "$font" -manifest "$work/batch.txt" -outdir "$work/out2"
rm -rf "$work/out2"

# FluidSynth, a process per file: the sum of their times, scaled to the
# batch by audio seconds.
wall=0 cpu=0 rss=0
while read -r f; do
  /usr/bin/time -f '%e %U %S %M' -o "$work/time" fluidsynth -ni -q -F "$work/f.wav" -r 48000 -R 0 -C 0 \
    -o synth.cpu-cores=1 -o synth.reverb.active=0 -o synth.chorus.active=0 "$font" "$f" >/dev/null 2>&1 ||
    { echo "batch: fluidsynth failed on $f" >&2; exit 1; }
  read -r w u s m <"$work/time"
  wall=$(awk -v a="$wall" -v b="$w" 'BEGIN {print a + b}')
  cpu=$(awk -v a="$cpu" -v u="$u" -v s="$s" 'BEGIN {print a + u + s}')
  rss=$((m > rss ? m : rss))
done <"$work/fluid.txt"
awk -v w="$wall" -v c="$cpu" -v r="$rss" -v k="$audio" -v m="$audiofluid" -v f="$nfluid" \
  'BEGIN {printf "%-28s %8.1f s wall %8.1f cpu-s %6.0f MiB peak %8.0f audio-s per cpu-s   (%d files timed, x%.2f)\n",
    "fluidsynth, a process a file", w * k / m, c * k / m, r / 1024, m / c, f, k / m}'
