#!/usr/bin/env bash
# Times Aether's offline bounce against scsynth (non-real-time mode) and
# FluidSynth (fast render) on the same loads, interleaved, and prints CPU
# seconds (user + system) and throughput per CPU-second, medians of ROUNDS
# rounds, with the ratios:
#
#   bash bench/peers/run.sh [ROUNDS]        (from the repository root)
#
# Needs scsynth (Debian: supercollider-server), fluidsynth and
# FluidR3_GM.sf2 (fluidsynth, fluid-soundfont-gm); installs nothing itself.
# Every renderer uses one core: bounce -workers 1, scsynth -N (one thread;
# -n 16384 so that it starts all 5,000 synths, its default being 1,024),
# fluidsynth synth.cpu-cores=1 with reverb and chorus off and a polyphony
# of 4096, so that it drops none of organ_1000's notes.
#
# AETHER_SOUNDFONT=1 adds Aether playing FluidR3_GM (bounce -soundfont),
# against the same FluidSynth runs, and times the font's loading apart:
# "load" renders load.mid (one note of 0.125 s), so its cost is reading
# the font. It also renders a set of jazz-soft test files (JAZZ, from
# ../shared/testdata/midi-jazz-soft) the way each is used: Aether as one
# batch (one process, one font load, bounce -manifest -jobs 1), FluidSynth
# one process per file, as users run it (a load per file).
set -euo pipefail
rounds=${1:-5}
root=$(cd "$(dirname "$0")/../.." && pwd)
data=$root/../shared/testdata/midi-bench
jazzdir=$root/../shared/testdata/midi-jazz-soft
jazz=${JAZZ:-test-all-gm-sounds.mid test-all-gm-percussion.mid test-multichannel-chords-0.mid test-multichannel-chords-1.mid
  test-multichannel-chords-2.mid test-multichannel-chords-3.mid test-karaoke-kar.mid test-c-major-scale.mid
  test-2-tracks-type-1.mid test-note-on-velocity.mid}
font=${FONT:-/usr/share/sounds/sf2/FluidR3_GM.sf2}
for tool in scsynth fluidsynth; do
  command -v $tool >/dev/null || { echo "peers: $tool is not installed" >&2; exit 1; }
done
[ -f "$font" ] || { echo "peers: $font is missing (fluid-soundfont-gm)" >&2; exit 1; }
[ -d "$data" ] || { echo "peers: $data is missing" >&2; exit 1; }
sf=${AETHER_SOUNDFONT:-}
[ -z "$sf" ] || [ -d "$jazzdir" ] || { echo "peers: $jazzdir is missing" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$root" && go build -o "$work/bounce" ./cmd/bounce && go run ./bench/peers -voices 5000 -seconds 10 -dir "$work")
export HOME=$work # scsynth looks for a synthdefs folder there

# cpu CMD...: runs CMD with its output discarded, prints user+sys seconds.
cpu() {
  /usr/bin/time -f '%U %S' -o "$work/time" "$@" >/dev/null 2>&1 || { echo "peers: failed: $*" >&2; exit 1; }
  awk '{printf "%.3f\n", $1 + $2}' "$work/time"
}
fluid=(fluidsynth -ni -q -F "$work/f.wav" -r 48000 -R 0 -C 0 -o synth.cpu-cores=1 -o synth.polyphony=4096
  -o synth.reverb.active=0 -o synth.chorus.active=0 "$font")
njazz=0
for f in $jazz; do echo "$jazzdir/$f"; njazz=$((njazz + 1)); done >"$work/jazz.txt"

declare -A runs
for ((r = 1; r <= rounds; r++)); do
  runs[aether-sines]+="$(cpu "$work/bounce" -workers 1 "$work/sines.json" -o "$work/a.wav") "
  runs[scsynth-sines]+="$(cpu scsynth -n 16384 -m 65536 -N "$work/sines.osc" _ "$work/s.wav" 48000 WAV float -o 2) "
  for f in organ_1000 piano_500; do
    runs[aether-$f]+="$(cpu "$work/bounce" -workers 1 "$data/$f.mid" -o "$work/a.wav") "
    if [ -n "${AETHER_SOUNDFONT:-}" ]; then
      runs[aether-sf-$f]+="$(cpu "$work/bounce" -workers 1 -soundfont "$font" "$data/$f.mid" -o "$work/a.wav") "
    fi
    runs[fluidsynth-$f]+="$(cpu "${fluid[@]}" "$data/$f.mid") "
  done
  if [ -n "$sf" ]; then
    runs[aether-sf-load]+="$(cpu "$work/bounce" -workers 1 -soundfont "$font" "$work/load.mid" -o "$work/a.wav") "
    runs[fluidsynth-load]+="$(cpu "${fluid[@]}" "$work/load.mid") "
    runs[aether-sf-jazz]+="$(cpu "$work/bounce" -workers 1 -jobs 1 -soundfont "$font" -manifest "$work/jazz.txt" -outdir "$work/jazz") "
    sum=0
    for f in $jazz; do sum=$(awk -v a="$sum" -v b="$(cpu "${fluid[@]}" "$jazzdir/$f")" 'BEGIN {printf "%.3f", a + b}'); done
    runs[fluidsynth-jazz]+="$sum "
  fi
done

median() { tr ' ' '\n' | grep . | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
declare -A med
echo "CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(nproc) cores; $rounds rounds, medians"
printf '%-26s %10s %14s   %s\n' run cpu-s per-cpu-s rounds
for k in aether-sines scsynth-sines aether-organ_1000 aether-sf-organ_1000 fluidsynth-organ_1000 aether-piano_500 aether-sf-piano_500 fluidsynth-piano_500 \
  aether-sf-load fluidsynth-load aether-sf-jazz fluidsynth-jazz; do
  [ -n "${runs[$k]:-}" ] || continue
  m=$(echo "${runs[$k]}" | median)
  med[$k]=$m
  case $k in
    *sines) per=$(awk -v m="$m" 'BEGIN {printf "%.0f voice-s", 5000 * 10 / m}') ;;
    *organ_1000) per=$(awk -v m="$m" 'BEGIN {printf "%.0f notes", 1000 / m}') ;;
    *piano_500) per=$(awk -v m="$m" 'BEGIN {printf "%.0f notes", 500 / m}') ;;
    *load) per="" ;;
    *jazz) per=$(awk -v m="$m" -v n="$njazz" 'BEGIN {printf "%.2f files", n / m}') ;;
  esac
  printf '%-26s %10s %14s   %s\n' "$k" "$m" "$per" "${runs[$k]}"
done
ratio() { awk -v a="${med[$1]}" -v b="${med[$2]}" 'BEGIN {printf "%.2f", b / a}'; }
echo "ratio, sines, aether over scsynth: $(ratio aether-sines scsynth-sines)x"
for f in organ_1000 piano_500; do
  echo "ratio, $f, aether over fluidsynth: $(ratio aether-$f fluidsynth-$f)x"
  [ -n "${med[aether-sf-$f]:-}" ] && echo "ratio, $f, aether with FluidR3_GM over fluidsynth: $(ratio aether-sf-$f fluidsynth-$f)x"
done
[ -n "$sf" ] || exit 0
# Less the font's loading (each side's load median): the rendering alone.
net() { awk -v a="${med[$1]}" -v l="${med[$2]}" -v n="$3" 'BEGIN {printf "%.3f", a - n * l}'; }
for f in organ_1000 piano_500; do
  a=$(net aether-sf-$f aether-sf-load 1) b=$(net fluidsynth-$f fluidsynth-load 1)
  echo "rendering alone, $f: aether $a cpu-s, fluidsynth $b cpu-s: $(awk -v a="$a" -v b="$b" 'BEGIN {printf "%.2f", b / a}')x"
done
a=$(net aether-sf-jazz aether-sf-load 1) b=$(net fluidsynth-jazz fluidsynth-load "$njazz")
echo "rendering alone, $njazz jazz-soft files: aether $a cpu-s, fluidsynth $b cpu-s: $(awk -v a="$a" -v b="$b" 'BEGIN {printf "%.2f", b / a}')x"
echo "ratio, $njazz jazz-soft files as run (aether: one batch, one load; fluidsynth: a process and a load per file): $(ratio aether-sf-jazz fluidsynth-jazz)x"
