#!/bin/sh
# Captures heaptrack_print's own figures for the interpreted fixtures here (heaptrack 1.4.0,
# Debian 12). The importer tests compare our import with these files; they never run this.
#   <f>.print.txt      heaptrack_print's summary (allocation calls, peak, leaked, suppressed)
#   <f>.histogram.txt  its allocation-size histogram (-H): "<size>\t<calls>"
#   <f>.leaked.txt     leaked bytes per call stack, suppressions off (-F, last column only);
#                      their sum is the exact leaked total that the summary rounds
# The *.raw.interpreted.zst files are the raw fixtures run through heaptrack's own converter:
#   zstd -dc X.raw.zst | /usr/lib/heaptrack/libexec/heaptrack_interpret | zstd -19 -c > X.raw.interpreted.zst
set -eu
cd "$(dirname "$0")"
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
summary="--print-peaks=0 --print-allocators=0 --print-temporary=0 --print-leaks=0"
for f in ls.zst allocdemo.zst python3.zst allocdemo.raw.interpreted.zst edge.raw.interpreted.zst python3.raw.interpreted.zst; do
  b=${f%.zst}
  heaptrack_print -f "$f" $summary -H "$b.histogram.txt" > "$b.print.txt"
  heaptrack_print -f "$f" $summary --disable-builtin-suppressions -F "$tmp" --flamegraph-cost-type leaked > /dev/null
  awk '{print $NF}' "$tmp" > "$b.leaked.txt"
done
