#!/bin/sh
# ctest's fuzz runs (tests/fuzz/CMakeLists.txt):
#   run_fuzzer.sh replay <fuzzer> <regressions dir>                  each input of the directory once
#   run_fuzzer.sh fuzz <fuzzer> <seed corpus> <work dir> <seconds>   fuzzes from a copy of the seeds
# The fuzz run works in the build tree: the corpus it grows and any crashing input land in <work dir>.
set -eu
mode=$1
fuzzer=$2
case "$mode" in
  replay)
    regressions=$3
    # Files named on the command line are run once each; libFuzzer writes nothing.
    if [ -d "$regressions" ] && [ -n "$(ls -A "$regressions")" ]; then
      exec "$fuzzer" -rss_limit_mb=2048 -timeout=10 "$regressions"/*
    fi
    echo "no regression inputs in $regressions"
    ;;
  fuzz)
    seeds=$3 work=$4 seconds=$5
    rm -rf "$work"
    mkdir -p "$work/corpus" "$work/artifacts"
    cp "$seeds"/* "$work/corpus/"
    exec "$fuzzer" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
      -artifact_prefix="$work/artifacts/" "$work/corpus"
    ;;
  *)
    echo "usage: $0 replay|fuzz ..." >&2
    exit 2
    ;;
esac
