"""Office files for the scanner's tests, written with zipfile and
hand-written OOXML / ODF XML (no office suite needed). Each writer takes
paragraphs (lists of runs: a value may be split across runs, as Word does)
or table rows, and returns the file's bytes."""
import io
import zipfile
from xml.sax.saxutils import escape

CT = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
      '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
      '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
      '<Default Extension="xml" ContentType="application/xml"/>%s</Types>')
W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
A = 'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"'
P = 'xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main"'
S = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
ODF_NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
          'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
          'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" office:version="1.2"')
HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


def _zip(members, compression=zipfile.ZIP_DEFLATED):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as z:
        for name, data in members:
            if isinstance(data, str):
                data = data.encode("utf-8")
            # ODF wants mimetype first and stored
            z.writestr(zipfile.ZipInfo(name) if name != "mimetype" else name, data,
                       compress_type=zipfile.ZIP_STORED if name == "mimetype" else compression)
    return buf.getvalue()


def _runs(p):
    return p if isinstance(p, list) else [p]


def docx(paragraphs, header=None):
    body = []
    for p in paragraphs:
        runs = "".join('<w:r><w:t xml:space="preserve">%s</w:t></w:r>' % escape(r) for r in _runs(p))
        body.append("<w:p>%s</w:p>" % runs)
    doc = HEAD + '<w:document %s><w:body>%s</w:body></w:document>' % (W, "".join(body))
    members = [("[Content_Types].xml", CT % '<Override PartName="/word/document.xml" '
                'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'),
               ("_rels/.rels", HEAD + '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>'
                '<Relationship Id="rId9" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink" Target="http://192.0.2.1/never-fetched" TargetMode="External"/>'
                '</Relationships>'),
               ("word/document.xml", doc)]
    if header:
        members.append(("word/header1.xml", HEAD + '<w:hdr %s><w:p><w:r><w:t>%s</w:t></w:r></w:p></w:hdr>'
                        % (W, escape(header))))
    return _zip(members)


def pptx(slides):
    members = [("[Content_Types].xml", CT % ""), ("ppt/presentation.xml", HEAD + "<p:presentation %s/>" % P)]
    for i, paras in enumerate(slides, 1):
        body = "".join("<a:p>%s</a:p>" % "".join("<a:r><a:t>%s</a:t></a:r>" % escape(r) for r in _runs(p))
                       for p in paras)
        members.append(("ppt/slides/slide%d.xml" % i, HEAD +
                        '<p:sld %s %s><p:cSld><p:spTree><p:sp><p:txBody>%s</p:txBody></p:sp>'
                        '</p:spTree></p:cSld></p:sld>' % (P, A, body)))
    return _zip(members)


def xlsx(sheets, shared_first=True):
    """sheets: lists of rows of cell strings; strings go to the shared
    string table except those starting with '=' (inline) or all digits
    (numbers)."""
    sst, index = [], {}
    sheet_xml = []
    for rows in sheets:
        out = []
        for r, row in enumerate(rows, 1):
            cells = []
            for c, v in enumerate(row):
                ref = "%s%d" % (chr(65 + c), r)
                if v.isdigit() and not v.startswith("0"):
                    cells.append('<c r="%s"><v>%s</v></c>' % (ref, v))
                elif v.startswith("="):
                    cells.append('<c r="%s" t="inlineStr"><is><t>%s</t></is></c>' % (ref, escape(v[1:])))
                else:
                    if v not in index:
                        index[v] = len(sst)
                        sst.append(v)
                    cells.append('<c r="%s" t="s"><v>%d</v></c>' % (ref, index[v]))
            out.append('<row r="%d">%s</row>' % (r, "".join(cells)))
        sheet_xml.append(HEAD + '<worksheet %s><sheetData>%s</sheetData></worksheet>' % (S, "".join(out)))
    sst_xml = HEAD + '<sst %s count="%d" uniqueCount="%d">%s</sst>' % (
        S, len(sst), len(sst), "".join("<si><t>%s</t></si>" % escape(s) for s in sst))
    members = [("[Content_Types].xml", CT % ""), ("xl/workbook.xml", HEAD + "<workbook %s/>" % S)]
    sheets_m = [("xl/worksheets/sheet%d.xml" % i, x) for i, x in enumerate(sheet_xml, 1)]
    sst_m = [("xl/sharedStrings.xml", sst_xml)]
    members += (sst_m + sheets_m) if shared_first else (sheets_m + sst_m)
    return _zip(members)


def _odf(mimetype, body):
    content = HEAD + '<office:document-content %s><office:body>%s</office:body></office:document-content>' % (ODF_NS, body)
    return _zip([("mimetype", mimetype),
                 ("META-INF/manifest.xml", HEAD + '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"/>'),
                 ("content.xml", content)])


def odt(paragraphs):
    body = "".join("<text:p>%s</text:p>" % "".join("<text:span>%s</text:span>" % escape(r) for r in _runs(p))
                   for p in paragraphs)
    return _odf("application/vnd.oasis.opendocument.text", "<office:text>%s</office:text>" % body)


def ods(sheets):
    tables = []
    for i, rows in enumerate(sheets, 1):
        trs = "".join("<table:table-row>%s</table:table-row>" % "".join(
            '<table:table-cell office:value-type="string"><text:p>%s</text:p></table:table-cell>' % escape(v)
            for v in row) for row in rows)
        trs += '<table:table-row table:number-rows-repeated="1048000"><table:table-cell table:number-columns-repeated="1024"/></table:table-row>'
        tables.append('<table:table table:name="Sheet%d">%s</table:table>' % (i, trs))
    return _odf("application/vnd.oasis.opendocument.spreadsheet",
                "<office:spreadsheet>%s</office:spreadsheet>" % "".join(tables))
