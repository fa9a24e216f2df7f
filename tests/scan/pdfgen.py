"""A small PDF writer for the scanner's tests: text lines on pages, with
the content streams plain or Flate-compressed. Only what the tests need:
one base-14 font (Helvetica, WinAnsiEncoding), Latin-1 text."""
import zlib


def _esc(s):
    return s.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def _content(lines):
    out = ["BT", "/F1 10 Tf", "12 TL", "40 800 Td"]
    for line in lines:
        out.append("(%s) Tj T*" % _esc(line))
    out.append("ET")
    return "\n".join(out).encode("latin-1")


def pdf_bytes(pages, compress=False):
    """pages: a list of pages, each a list of text lines (max ~60 lines)."""
    objs = []   # (number, bytes)

    def add(body):
        objs.append(body)
        return len(objs)

    font = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica "
               b"/Encoding /WinAnsiEncoding >>")
    pages_num = len(objs) + 1 + 2 * len(pages)   # reserved below
    kids = []
    for lines in pages:
        data = _content(lines)
        if compress:
            data = zlib.compress(data)
            head = b"<< /Length %d /Filter /FlateDecode >>" % len(data)
        else:
            head = b"<< /Length %d >>" % len(data)
        stream = add(head + b"\nstream\n" + data + b"\nendstream")
        page = add(b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 612 842] "
                   b"/Resources << /Font << /F1 %d 0 R >> >> /Contents %d 0 R >>"
                   % (pages_num, font, stream))
        kids.append(page)
    assert add(b"<< /Type /Pages /Kids [%s] /Count %d >>"
               % (b" ".join(b"%d 0 R" % k for k in kids), len(kids))) == pages_num
    catalog = add(b"<< /Type /Catalog /Pages %d 0 R >>" % pages_num)

    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objs) + 1, catalog, xref)
    return bytes(out)


def paginate(lines, per_page=60):
    return [lines[i:i + per_page] for i in range(0, len(lines), per_page)] or [[]]
