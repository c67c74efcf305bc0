#!/usr/bin/env bash
# Clean release build time and binary size of one program (mute a participant)
# written three ways: with graph-runtime, by hand with reqwest, with graph-rs-sdk.
# Design section 6: our clean build takes at most 0.5x graph-rs-sdk's.
#
# usage: scripts/bench-build.sh [RUNS]            (default RUNS=3)
# env:   PROGRAMS="graph-actions reqwest graph-rs-sdk"  which programs, in order
#        WORK=/tmp/graph-bench-build              where the crates and target dirs go
#        SNAPSHOT=head|worktree                   build graph-runtime from the committed
#                                                 HEAD (default) or the working tree
#        TIMINGS=1                                also write cargo --timings reports
#
# Each run builds every program from an empty target directory, one after the
# other; the order rotates between runs so that a change in machine load falls on
# each program in turn. Dependencies are fetched before timing (no network time).
# Output: one TSV line per build in $WORK/results.tsv, medians on stdout.
set -euo pipefail

RUNS="${1:-3}"
PROGRAMS="${PROGRAMS:-graph-actions reqwest graph-rs-sdk}"
WORK="${WORK:-/tmp/graph-bench-build}"
SNAPSHOT="${SNAPSHOT:-head}"
REPO="$(cd "$(dirname "$0")/.." && pwd)"
SRC="$REPO/benches/programs"

mkdir -p "$WORK"
unset CARGO_TARGET_DIR RUSTC_WRAPPER CARGO_BUILD_RUSTC_WRAPPER

# The graph-runtime the program builds against.
if [ "$SNAPSHOT" = head ]; then
    rm -rf "$WORK/repo" && mkdir -p "$WORK/repo"
    git -C "$REPO" archive HEAD | tar -x -C "$WORK/repo"
    RUNTIME_REPO="$WORK/repo"
    REV="$(git -C "$REPO" rev-parse --short HEAD)"
else
    RUNTIME_REPO="$REPO"
    REV="$(git -C "$REPO" rev-parse --short HEAD)+worktree"
fi

for p in $PROGRAMS; do
    d="$WORK/$p"
    mkdir -p "$d/src"
    cp "$SRC/$p/main.rs" "$d/src/main.rs"
    sed "s|@REPO@|$RUNTIME_REPO|g" "$SRC/$p/Cargo.toml.in" > "$d/Cargo.toml"
    # Same dependency versions as the workspace for our program.
    if [ "$p" = graph-actions ]; then cp "$REPO/Cargo.lock" "$d/Cargo.lock"; fi
    (cd "$d" && cargo fetch -q)
done

echo "# $(date -u +%FT%TZ) rev=$REV nproc=$(nproc) $(rustc --version)" | tee -a "$WORK/results.tsv"
echo -e "# program\trun\tseconds\tbinary_bytes\tload_before\tload_after" | tee -a "$WORK/results.tsv"

read -ra list <<< "$PROGRAMS"
n=${#list[@]}
declare -A times sizes
for ((run = 1; run <= RUNS; run++)); do
    for ((i = 0; i < n; i++)); do
        p="${list[$(((i + run - 1) % n))]}"
        d="$WORK/$p"
        rm -rf "$d/target"
        extra=()
        if [ "${TIMINGS:-0}" = 1 ]; then extra+=(--timings); fi
        load0="$(cut -d' ' -f1 /proc/loadavg)"
        t0="$(date +%s.%N)"
        (cd "$d" && cargo build -q --release --locked "${extra[@]}")
        t1="$(date +%s.%N)"
        load1="$(cut -d' ' -f1 /proc/loadavg)"
        secs="$(echo "$t1 - $t0" | bc -l)"
        bin="$d/target/release/mute-$p"
        size="$(stat -c %s "$bin")"
        printf '%s\t%d\t%.1f\t%d\t%s\t%s\n' "$p" "$run" "$secs" "$size" "$load0" "$load1" \
            | tee -a "$WORK/results.tsv"
        times[$p]+="$secs "
        sizes[$p]="$size"
    done
done

median() { tr ' ' '\n' | sed '/^$/d' | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
echo "# medians over $RUNS runs (seconds, binary bytes)"
for p in $PROGRAMS; do
    printf '%s\t%.1f s\t%d bytes\n' "$p" "$(echo "${times[$p]}" | median)" "${sizes[$p]}"
done
if [[ -n "${times[graph-actions]:-}" && -n "${times[graph-rs-sdk]:-}" ]]; then
    ours="$(echo "${times[graph-actions]}" | median)"
    theirs="$(echo "${times[graph-rs-sdk]}" | median)"
    printf 'ratio graph-actions / graph-rs-sdk: %.2f (bar: <= 0.50)\n' "$(echo "$ours / $theirs" | bc -l)"
fi
