#!/usr/bin/env python3
"""Write small office files and PDFs with known contents for
test_scan_formats. usage: gen_formats.py OUTDIR"""
import os
import sys

sys.dont_write_bytecode = True   # leave no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import officegen as o   # noqa: E402
import pdfgen           # noqa: E402


def main(out):
    os.makedirs(out, exist_ok=True)

    def w(name, data):
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)
    w("runs.docx", o.docx(["Hello", ["Call 077", "00 900", "123 now"], "x jane@example.org"],
                          header="DOB: 12/03/1985"))
    w("late-sst.xlsx", o.xlsx([[["Name", "Email", "Phone"], ["Ada", "ada@example.org", "07700 900123"],
                                ["Bob", "=bob@example.org", "020 7946 0958"]],
                               [["Product", "Price"], ["Widget", "12"]]], shared_first=False))
    w("inline-header.xlsx", o.xlsx([[["=Surname", "=Notes"], ["=Smith", "=x"], ["=Jones", "=y"], ["=Brown", "=z"]]]))
    w("deck.pptx", o.pptx([["AB123456C", "GB82 WEST 1234 5698 7654 32"], ["4111 1111 1111 1111"]]))
    w("letter.odt", o.odt(["Hi ", ["x@exa", "mple.org"]]))
    w("people.ods", o.ods([[["Surname", "Mobile"], ["Smith", "07700 900123"], ["Jones", "07700 900124"]],
                           [["Item", "Cost"], ["Pen", "1"]]]))
    pages = [["Hello jane@example.org", "Call 07700 900123"], ["DOB: 12/03/1985", "NI AB 12 34 56 C"]]
    w("plain.pdf", pdfgen.pdf_bytes(pages))
    w("flate.pdf", pdfgen.pdf_bytes(pages, compress=True))


if __name__ == "__main__":
    main(sys.argv[1])
