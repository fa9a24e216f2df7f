#!/usr/bin/env python3
"""Write the scanner's benchmark corpora.

usage: gen_bench.py text OUTDIR SIZE_MB    plain text and CSV files, 64 MB each,
                                           half and half, values sprinkled in
       gen_bench.py office OUTDIR COUNT    COUNT files of each office format
                                           (docx, xlsx, pptx, odt, ods, pdf)
Deterministic: the same arguments write the same bytes."""
import os
import random
import sys

sys.dont_write_bytecode = True   # leave no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import corpusgen as cg          # noqa: E402
import officegen                # noqa: E402
import pdfgen                   # noqa: E402

FILE_MB = 64


def pools(r, n=60000, rate=0.005):
    v, f = cg.Values(r), cg.Filler(r)

    def maybe(text):
        return text if r.random() > rate else text + " " + v.of(r.choice(cg.DETECTORS))
    prose = [maybe(f.sentence()) + "\n" for _ in range(n)]
    header = "Name,Email,Phone,Course,Amount,Notes\n"
    rows = [",".join([r.choice(cg.FIRST) + " " + r.choice(cg.LAST),
                      v.email() if r.random() < 0.02 else "",
                      v.phone() if r.random() < 0.02 else "",
                      f.cell(), "%d.%02d" % (r.randint(0, 9999), r.randint(0, 99)),
                      '"%s"' % maybe(f.sentence(r.randint(4, 10)))]) + "\n" for _ in range(n)]
    return prose, header, rows


def write_file(r, path, pool, head=""):
    size = FILE_MB << 20
    with open(path, "w", encoding="utf-8") as out:
        out.write(head)
        written = len(head)
        while written < size:
            r.shuffle(pool)
            chunk = "".join(pool)
            out.write(chunk)
            written += len(chunk.encode())


def text(out, size_mb):
    r = random.Random(42)
    prose, header, rows = pools(r)
    os.makedirs(out, exist_ok=True)
    for i in range(max(2, size_mb // FILE_MB)):
        if i % 2:
            write_file(r, os.path.join(out, "table%02d.csv" % i), rows, header)
        else:
            write_file(r, os.path.join(out, "notes%02d.txt" % i), prose)


def office(out, count):
    r = random.Random(7)
    os.makedirs(out, exist_ok=True)
    v, f = cg.Values(r), cg.Filler(r)

    def lines(n):
        return [f.sentence() + (" " + v.of(r.choice(cg.DETECTORS)) if r.random() < 0.01 else "")
                for _ in range(n)]

    def sheet(n):
        return [["Name", "Email", "Amount", "Notes"]] + [
            [r.choice(cg.FIRST), v.email(), f.cell(), f.sentence()] for _ in range(n)]
    for i in range(count):
        w = lambda name, data: open(os.path.join(out, name % i), "wb").write(data)  # noqa: E731
        w("doc%03d.docx", officegen.docx(lines(20000)))
        w("book%03d.xlsx", officegen.xlsx([sheet(10000), sheet(10000)]))
        w("deck%03d.pptx", officegen.pptx([lines(40) for _ in range(200)]))
        w("text%03d.odt", officegen.odt(lines(20000)))
        w("calc%03d.ods", officegen.ods([sheet(10000)]))
        w("paper%03d.pdf", pdfgen.pdf_bytes(pdfgen.paginate([s[:90] for s in lines(6000)]), compress=True))


if __name__ == "__main__":
    {"text": text, "office": office}[sys.argv[1]](sys.argv[2], int(sys.argv[3]))
