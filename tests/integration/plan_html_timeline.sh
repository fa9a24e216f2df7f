#!/bin/bash
# The HTML plan answers a reviewer's first two questions before any list:
# what goes now, rule by rule with the totals (the overview), and what will
# become due in the next twelve months (the timeline), each item counted in
# the calendar month (UTC) from which it may be deleted: a grace period
# moves an item to the month its grace ends; an item held, one due now, and
# one due after the twelve months are not in the timeline. (A hold
# marker is no item: it is not counted as scanned.)
. "$(dirname "$0")/lib.sh"
setup_tmp
PY=$(command -v python3) || skip "python3 is not installed"
D=$T/site
mkdir -p "$D/rules.d" "$D/share/rec" "$D/share/docs/held"
now=2027-01-15T12:00:00Z
at() { touch -d "$1" "$D/share/$2" || fail "touch $2"; }
# rec: retain 30 days, no grace. Due = mtime + 30 days.
for f in now1 now2 jan1 jan2 mar1 feb28 late; do : >"$D/share/rec/$f.mp4"; done
at 2026-12-01T00:00:00Z rec/now1.mp4   # due 2026-12-31: delete now
at 2026-12-10T00:00:00Z rec/now2.mp4   # due 2027-01-09: delete now
at 2026-12-20T00:00:00Z rec/jan1.mp4   # due 2027-01-19: January
at 2027-01-01T23:59:59Z rec/jan2.mp4   # due 2027-01-31T23:59:59: January
at 2027-02-01T00:00:00Z rec/feb28.mp4  # due 2027-03-03: March
at 2027-02-10T00:00:00Z rec/mar1.mp4   # due 2027-03-12: March
at 2027-12-20T00:00:00Z rec/late.mp4   # due 2028-01-19: after the twelve months
# docs: retain 10 days, grace 60 days. Due = mtime + 70 days.
printf 'x%.0s' {1..1000} >"$D/share/docs/grace.txt"
at 2027-01-01T00:00:00Z docs/grace.txt       # expired 2027-01-11, in grace: due 2027-03-12
: >"$D/share/docs/held/kept.txt"
at 2027-01-01T00:00:00Z docs/held/kept.txt   # held: not in the timeline
: >"$D/share/docs/held/.lethe-hold"
write_config "$D"
cat >"$D/rules.d/10.ini" <<EOF
[rule recordings]
source = file://$D/share/rec
select = *.mp4
retain = 30 days
action = unlink

[rule documents]
source = file://$D/share/docs
select = **
except = **/.lethe-hold
retain = 10 days
grace = 60 days
action = unlink
EOF
run html "$LETHE" plan -c "$D/lethe.ini" --now "$now" --format html -o "$T/plan.html"
expect_rc 0 html
# The overview and the timeline as rows of cells, tags stripped.
"$PY" - "$T/plan.html" >"$T/tables" <<'EOF' || fail "cannot read the HTML plan"
import html.parser, sys
class P(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(); self.section = None; self.rows = []; self.cell = None
    def handle_starttag(self, tag, a):
        if tag == "h2": self.section = ""
        if tag == "tr": self.rows.append([])
        if tag in ("td", "th"): self.cell = ""
    def handle_endtag(self, tag):
        if tag == "h2": self.head = self.section; self.section = None
        if tag in ("td", "th"):
            self.rows[-1].append(self.cell.strip()); self.cell = None
        if tag == "table" and getattr(self, "head", None) in ("Overview", "The next twelve months"):
            for r in self.rows: print(self.head[:8] + "|" + "|".join(r))
            self.head = None
        if tag == "table": self.rows = []
    def handle_data(self, d):
        if self.section is not None: self.section += d
        if self.cell is not None: self.cell += d
p = P(); p.feed(open(sys.argv[1], encoding="utf-8").read())
EOF
cat >"$T/expected" <<'EOF'
Overview|Rule|Delete|Size|Grace|Held|Skipped|Report|Not due|Scanned
Overview|recordings|2|0 B|0|0|0|0|5|7
Overview|documents|0|0 B|1|1|0|0|0|2
Overview|All rules|2|0 B|1|1|0|0|5|9
The next|Rule|2027-01|2027-02|2027-03|2027-04|2027-05|2027-06|2027-07|2027-08|2027-09|2027-10|2027-11|2027-12
The next|recordings|2||2|||||||||
The next|documents|||1|||||||||
The next|All rules|2||3|||||||||
EOF
diff -u "$T/expected" "$T/tables" >"$T/diff" || fail "the overview and timeline differ: $(cat "$T/diff")"
# The busiest month is shaded most; a month's size is its cell's title.
grep -q 'title="1000 B" style="background:rgba(0,102,204,0.35)">1<' "$T/plan.html" ||
  fail "the documents' March cell is not shaded by its share, or lacks its size"
note "overview and twelve-month timeline exact"
