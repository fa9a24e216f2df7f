#!/usr/bin/env python3
"""Write the scanner's labelled corpus: files of every supported format with
planted values (labels.tsv says how many of each per file); a clean corpus
(clean/) of the same formats with none; and a hard corpus (hard/), clean
but for a sprinkling of long reference numbers that may pass a checksum or
have the shape of a UK phone number by chance (hard/hard.tsv counts them).

usage: gen_labelled.py OUTDIR [SEED]"""
import os
import random
import sys

sys.dont_write_bytecode = True   # leave no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import corpusgen as cg          # noqa: E402
import officegen                # noqa: E402
import pdfgen                   # noqa: E402

BLOCK = 256 * 1024              # the scanner's read block: values straddle it
NAMES = {"client": "client-name"}


class Doc:
    """Lines of text with planted values, counted."""

    def __init__(self, rng, planted=True, hard=False):
        self.r = rng
        self.v = cg.Values(rng)
        self.f = cg.Filler(rng, hard)
        self.planted = planted
        self.counts = {}
        self.values = []

    def plant(self, det=None):
        det = det or self.r.choice(cg.DETECTORS)
        value = self.v.of(det)
        key = NAMES.get(det, det)
        self.counts[key] = self.counts.get(key, 0) + 1
        self.values.append((key, value))
        return value

    def shared_strings(self):
        """xlsx keeps each distinct string once: count distinct values, but
        numbers (cells of digits) each time."""
        seen = set()
        for key, value in self.values:
            if value.isdigit() and not value.startswith("0"):
                continue
            if value in seen:
                self.counts[key] -= 1
            seen.add(value)

    def line(self, p_value=0.3, short=False):
        if self.planted and self.r.random() < p_value:
            words = " ".join(self.r.choice(cg.WORDS) for _ in range(self.r.randint(1, 3)))
            tail = " ".join(self.r.choice(cg.WORDS) for _ in range(0 if short else self.r.randint(0, 4)))
            return ("%s %s %s." % (words.capitalize(), self.plant(), tail)).replace(" .", ".")
        return self.f.sentence(self.r.randint(4, 9) if short else None)

    def lines(self, n, **kw):
        return [self.line(**kw) for _ in range(n)]


def write(out, name, data, labels, counts):
    with open(os.path.join(out, name), "wb") as f:
        f.write(data)
    if labels is not None:
        for det, n in sorted(counts.items()):
            labels.append("%s\t%s\t%d" % (name, det, n))


def big_text(d, size):
    """Text of about size bytes, with a value straddling every BLOCK."""
    parts, length, boundary = [], 0, BLOCK
    while length < size:
        if d.planted and boundary - length < 400:
            value = d.plant(d.r.choice(["email", "phone", "iban", "card", "dob", "nino", "client"]))
            pad = boundary - len(value.encode()) // 2 - 1 - length
            line = " " * pad + " " + value + " \n"
            boundary += BLOCK
        else:
            line = d.line() + "\n"
        parts.append(line)
        length += len(line.encode())
    return "".join(parts)


def csv_file(d, sep, quote, person):
    header = d.r.choice(cg.PERSON_HEADERS if person else cg.CLEAN_HEADERS)
    rows = [header]
    n = d.r.randint(20, 60)
    for _ in range(n):
        row = []
        for _ in header:
            if d.planted and d.r.random() < 0.25:
                row.append(d.plant())
            else:
                row.append(d.f.cell())
        rows.append(row)
    if person:
        d.counts["person-column"] = d.counts.get("person-column", 0) + n

    def cell(c):
        return '"%s"' % c.replace('"', '""') if quote or sep in c else c
    return "\n".join(sep.join(cell(c) for c in row) for row in rows) + "\n", rows


def table(d, person):
    text, rows = csv_file(d, ",", False, person and d.planted)
    return rows


def make(out, planted, hard, seed, labels):
    r = random.Random(seed)
    docs = []

    def D():
        docs.append(Doc(r, planted, hard))
        return docs[-1]

    d = D(); write(out, "notes.txt", "\n".join(d.lines(400)).encode(), labels, d.counts)
    d = D(); write(out, "big.txt", big_text(d, 5 * BLOCK + 1000).encode(), labels, d.counts)
    d = D(); write(out, "latin1-crlf.txt", "\r\n".join(d.lines(300)).encode("latin-1"), labels, d.counts)
    d = D(); write(out, "mac-cr.txt", "\r".join(d.lines(100)).encode(), labels, d.counts)
    for i, (sep, quote) in enumerate([(",", False), (";", True), ("\t", False)]):
        for person in (True, False):
            d = D()
            text, _ = csv_file(d, sep, quote, person and planted)
            ext = "tsv" if sep == "\t" else "csv"
            write(out, "table%d%s.%s" % (i, "-people" if person else "", ext), text.encode(), labels, d.counts)
    d = D()
    paras = []
    for line in d.lines(200):
        cut = r.randint(1, max(1, len(line) - 1))
        paras.append([line[:cut], line[cut:]])      # a value may be split across runs
    write(out, "report.docx", officegen.docx(paras), labels, d.counts)
    d = D(); write(out, "slides.pptx", officegen.pptx([d.lines(8) for _ in range(20)]), labels, d.counts)
    d = D(); write(out, "letter.odt", officegen.odt(d.lines(200)), labels, d.counts)
    for first in (True, False):
        d = D()
        sheets = [table(d, True), table(d, False), table(d, True)]
        d.shared_strings()
        write(out, "book-%s.xlsx" % ("sst-first" if first else "sst-last"),
              officegen.xlsx(sheets, shared_first=first), labels, d.counts)
    d = D(); write(out, "book.ods", officegen.ods([table(d, True), table(d, False)]), labels, d.counts)
    for compress in (False, True):
        d = D()
        lines = d.lines(300, short=True)
        write(out, "paper-%s.pdf" % ("flate" if compress else "plain"),
              pdfgen.pdf_bytes(pdfgen.paginate(lines), compress=compress), labels, d.counts)
    return sum(d.f.hard_tokens for d in docs)


def main():
    out = sys.argv[1]
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    os.makedirs(os.path.join(out, "clean"), exist_ok=True)
    os.makedirs(os.path.join(out, "hard"), exist_ok=True)
    labels = []
    make(out, True, False, seed, labels)
    make(os.path.join(out, "clean"), False, False, seed + 1, None)
    hard = make(os.path.join(out, "hard"), False, True, seed + 2, None)
    with open(os.path.join(out, "hard", "hard.tsv"), "w") as f:
        f.write("%d\n" % hard)
    with open(os.path.join(out, "labels.tsv"), "w") as f:
        f.write("\n".join(labels) + "\n")
    with open(os.path.join(out, "clients.txt"), "w", encoding="utf-8") as f:
        f.write("# the organisation's clients\n" + "\n".join(cg.CLIENTS) + "\n")


if __name__ == "__main__":
    main()
