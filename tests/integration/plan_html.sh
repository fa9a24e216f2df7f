#!/bin/bash
# lethe plan --format html: one page listing every rule and every listed
# item, with names from the tree escaped (a file called <script>... must not
# become markup) and nothing loaded from elsewhere.
source "$(dirname "$0")/lib.sh"
setup_tmp
mkdir -p "$T/share/Client" "$T/rules.d"
printf 'x' >"$T/share/Client/<script>alert(1)<script>.mp4"
printf 'y' >"$T/share/Client/Tom & \"Jerry\".mp4"
touch -d 2024-01-01 "$T/share/Client/"*.mp4
printf '[agent]\nrules = rules.d\nstate = state\n' >"$T/lethe.ini"
cat >"$T/rules.d/r.ini" <<EOR
[rule recordings]
description = Recordings <older> than 180 days
source = file://$T/share
select = **/*.mp4
retain = 180 days
action = unlink
EOR
run html "$LETHE" plan -c "$T/lethe.ini" --now "$FIXED_NOW" --format html
expect_rc 0 html
page=$T/html.out
grep -q '^<!DOCTYPE html>' "$page" || fail "not an HTML page"
grep -q '<h2>Rule recordings</h2>' "$page" || fail "the rule has no heading"
grep -q '&lt;script&gt;alert(1)&lt;script&gt;.mp4' "$page" || fail "the hostile name is not shown escaped"
grep -q '<script' "$page" && fail "a file name became markup"
grep -q 'Tom &amp; &quot;Jerry&quot;.mp4' "$page" || fail "& and quotes are not escaped"
grep -q 'Recordings &lt;older&gt; than 180 days' "$page" || fail "the description is not escaped"
[[ $(grep -c '<td class="delete">delete</td>' "$page") == 2 ]] || fail "expected 2 delete rows"
grep -qiE '(src|href)=' "$page" && fail "the page loads or links something"
note "ok"
