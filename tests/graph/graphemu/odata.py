"""The slice of OData query options the emulated APIs accept.

DOCS['query-params']: $filter, $orderby, $select, $expand, $top, $skip, $count.
Each collection declares which properties it knows; anything else is refused
the way Graph refuses it, so a client that asks for something the real
service would not give fails here too.

Documentation pages cited in this file as DOCS['key']:
  query-params             Use query parameters to customize responses
                           https://learn.microsoft.com/graph/query-parameters
"""

import re

from .common import GraphError, parse_iso

_TOKEN_RE = re.compile(r"""
    (?P<ws>\s+)
  | (?P<str>'(?:[^']|'')*')
  | (?P<dt>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,7})?)?(?:Z|[+-]\d{2}:\d{2})?)
  | (?P<date>\d{4}-\d{2}-\d{2})
  | (?P<num>-?\d+(?:\.\d+)?)
  | (?P<ident>[A-Za-z_@][A-Za-z0-9_./@]*)
  | (?P<punct>[(),:])
""", re.X)

OPS = {"eq", "ne", "lt", "le", "gt", "ge"}
_OP_KIND = {"eq": "Equal", "ne": "NotEqual", "lt": "LessThan", "le": "LessThanOrEqual",
            "gt": "GreaterThan", "ge": "GreaterThanOrEqual"}
_EDM = {"datetime": "Edm.DateTimeOffset", "string": "Edm.String", "bool": "Edm.Boolean",
        "number": "Edm.Int32", "date": "Edm.Date", "null": "null"}


class Schema:
    """Properties of one entity type: lowercase name -> (canonical, type)."""

    def __init__(self, type_name, props, sortable=(), filterable=None, select_extra=()):
        self.type_name = type_name
        self.props = {k.lower(): (k, t) for k, t in props.items()}
        self.sortable = {s.lower() for s in sortable}
        self.filterable = None if filterable is None else {f.lower() for f in filterable}
        self.select_extra = {s.lower(): s for s in select_extra}

    def lookup(self, name):
        return self.props.get(name.lower())


class QueryErrors:
    """How one API family words its query errors.  Outlook (mail, calendar)
    and OneDrive/SharePoint do not use the same codes."""

    def __init__(self, bad_request="BadRequest", unknown_prop="RequestBroker--ParseUri"):
        self.bad_request = bad_request
        self.unknown_prop = unknown_prop

    def syntax(self, msg):
        return GraphError(400, self.bad_request, "Invalid filter clause: " + msg)

    def unknown(self, schema, name):
        return GraphError(400, self.unknown_prop,
                          "Could not find a property named '%s' on type 'microsoft.graph.%s'."
                          % (name, schema.type_name))

    def bad(self, msg):
        return GraphError(400, self.bad_request, msg)


OUTLOOK_ERRORS = QueryErrors()
DRIVE_ERRORS = QueryErrors("invalidRequest", "invalidRequest")


def _tokenize(text, errs):
    pos, out = 0, []
    while pos < len(text):
        m = _TOKEN_RE.match(text, pos)
        if not m:
            raise errs.syntax("Syntax error at position %d in '%s'." % (pos, text))
        pos = m.end()
        kind = m.lastgroup
        if kind == "ws":
            continue
        out.append((kind, m.group()))
    return out


class Filter:
    """Parsed $filter.  ast nodes:
       ('and', a, b) ('or', a, b) ('not', a)
       ('cmp', prop, op, value, vtype)        value: epoch / str / bool / number / None
       ('any', prop, value)                   categories/any(c:c eq 'X')
       ('func', name, prop, value)            startswith / contains
    """

    def __init__(self, text, schema, errs=OUTLOOK_ERRORS):
        self.text, self.schema, self.errs = text, schema, errs
        self.toks = _tokenize(text, errs)
        self.i = 0
        self.props_in_order = []
        if not self.toks:
            raise errs.syntax("The filter is empty.")
        self.ast = self._or()
        if self.i != len(self.toks):
            raise errs.syntax("Syntax error: unexpected '%s'." % self.toks[self.i][1])

    # -- parsing ------------------------------------------------------------
    def _peek(self, k=0):
        j = self.i + k
        return self.toks[j] if j < len(self.toks) else (None, None)

    def _take(self):
        t = self._peek()
        self.i += 1
        return t

    def _kw(self, word):
        k, v = self._peek()
        if k == "ident" and v.lower() == word:
            self.i += 1
            return True
        return False

    def _or(self):
        a = self._and()
        while self._kw("or"):
            a = ("or", a, self._and())
        return a

    def _and(self):
        a = self._unary()
        while self._kw("and"):
            a = ("and", a, self._unary())
        return a

    def _unary(self):
        if self._kw("not"):
            return ("not", self._unary())
        k, v = self._peek()
        if k == "punct" and v == "(":
            self._take()
            a = self._or()
            self._expect(")")
            return a
        return self._comparison()

    def _expect(self, p):
        k, v = self._take()
        if k != "punct" or v != p:
            raise self.errs.syntax("Expected '%s' in '%s'." % (p, self.text))

    def _prop(self, name):
        hit = self.schema.lookup(name)
        if hit is None or (self.schema.filterable is not None and name.lower() not in self.schema.filterable):
            raise self.errs.unknown(self.schema, name)
        canon = hit[0]
        if canon not in self.props_in_order:
            self.props_in_order.append(canon)
        return hit

    def _literal(self, tok):
        k, v = tok
        if k == "str":
            return v[1:-1].replace("''", "'"), "string"
        if k == "dt":
            try:
                return parse_iso(v), "datetime"
            except ValueError:
                # No offset: OData DateTimeOffset literals need one.
                raise self.errs.syntax("The DateTimeOffset text '%s' should be in format "
                                       "'yyyy-mm-ddThh:mm:ss('.'s+)?(zzzzzz)?' and each field "
                                       "value is within valid range." % v)
        if k == "date":
            return v, "date"
        if k == "num":
            return float(v), "number"
        if k == "ident" and v.lower() in ("true", "false"):
            return v.lower() == "true", "bool"
        if k == "ident" and v.lower() == "null":
            return None, "null"
        raise self.errs.syntax("Unexpected '%s'." % v)

    def _comparison(self):
        k, v = self._peek()
        if k == "ident" and self._peek(1) == ("punct", "("):
            return self._function()
        if k == "ident" and v.lower().endswith("/any") and self._peek(1) == ("punct", "("):
            return self._function()
        if k == "ident" and v.lower() not in ("true", "false", "null"):
            self._take()
            left_prop = self._prop(v)
            opk, op = self._take()
            if opk != "ident" or op.lower() not in OPS:
                raise self.errs.syntax("Expected a comparison operator after '%s'." % v)
            val, vtype = self._literal(self._take())
            return self._cmp(left_prop, op.lower(), val, vtype)
        # literal op property
        val, vtype = self._literal(self._take())
        opk, op = self._take()
        if opk != "ident" or op.lower() not in OPS:
            raise self.errs.syntax("Expected a comparison operator.")
        pk, pv = self._take()
        if pk != "ident":
            raise self.errs.syntax("Expected a property.")
        prop = self._prop(pv)
        flip = {"lt": "gt", "le": "ge", "gt": "lt", "ge": "le", "eq": "eq", "ne": "ne"}
        return self._cmp(prop, flip[op.lower()], val, vtype)

    def _cmp(self, prop, op, val, vtype):
        canon, ptype = prop
        if vtype != "null" and not (ptype == vtype or (ptype == "number" and vtype == "number")):
            raise self.errs.syntax(
                "A binary operator with incompatible types was detected. Found operand types '%s' "
                "and '%s' for operator kind '%s'." % (_EDM.get(ptype, ptype), _EDM.get(vtype, vtype),
                                                       _OP_KIND[op]))
        if ptype == "collection":
            raise self.errs.syntax("The left side of a comparison cannot be a collection.")
        return ("cmp", canon, op, val, vtype)

    def _function(self):
        k, name = self._take()
        low = name.lower()
        if low.endswith("/any"):
            prop = self._prop(name[:-4])
            self._expect("(")
            _, var = self._take()
            self._expect(":")
            _, var2 = self._take()
            if var2 != var or not self._kw("eq"):
                raise self.errs.syntax("Unsupported lambda expression.")
            val, vtype = self._literal(self._take())
            self._expect(")")
            return ("any", prop[0], val)
        if low in ("startswith", "contains", "endswith"):
            self._expect("(")
            pk, pv = self._take()
            prop = self._prop(pv)
            self._expect(",")
            val, vtype = self._literal(self._take())
            self._expect(")")
            if prop[1] != "string" or vtype != "string":
                raise self.errs.syntax("%s needs a string property and a string literal." % name)
            return ("func", low, prop[0], val)
        raise self.errs.syntax("Unknown function '%s'." % name)

    # -- evaluation -----------------------------------------------------------
    def matches(self, obj, get):
        return _eval(self.ast, obj, get)

    def range_for(self, prop):
        """Bounds implied on prop by the top-level conjunction: (lo, lo_incl, hi, hi_incl),
        None when unbounded.  Used to cut an index before evaluating the rest."""
        lo = hi = None
        lo_incl = hi_incl = True
        for node in _conjuncts(self.ast):
            if node[0] != "cmp" or node[1] != prop or node[4] != "datetime":
                continue
            _, _, op, val, _ = node
            if op in ("gt", "ge", "eq"):
                if lo is None or val > lo or (val == lo and op == "gt"):
                    lo, lo_incl = val, op != "gt"
            if op in ("lt", "le", "eq"):
                if hi is None or val < hi or (val == hi and op == "lt"):
                    hi, hi_incl = val, op != "lt"
        return lo, lo_incl, hi, hi_incl


def _conjuncts(node):
    if node[0] == "and":
        return _conjuncts(node[1]) + _conjuncts(node[2])
    return [node]


def _eval(node, obj, get):
    t = node[0]
    if t == "and":
        return _eval(node[1], obj, get) and _eval(node[2], obj, get)
    if t == "or":
        return _eval(node[1], obj, get) or _eval(node[2], obj, get)
    if t == "not":
        return not _eval(node[1], obj, get)
    if t == "cmp":
        _, prop, op, val, vtype = node
        v = get(obj, prop)
        if vtype == "string" and isinstance(v, str):
            v, val = v.lower(), val.lower()
        if op == "eq":
            return v == val
        if op == "ne":
            return v != val
        if v is None or val is None:
            return False
        return {"lt": v < val, "le": v <= val, "gt": v > val, "ge": v >= val}[op]
    if t == "any":
        vals = get(obj, node[1]) or []
        return any(isinstance(x, str) and x.lower() == node[2].lower() for x in vals)
    if t == "func":
        _, name, prop, val = node
        v = (get(obj, prop) or "").lower()
        val = val.lower()
        return {"startswith": v.startswith(val), "contains": val in v, "endswith": v.endswith(val)}[name]
    raise AssertionError(node)


def parse_orderby(text, schema, errs=OUTLOOK_ERRORS):
    out = []
    for part in text.split(","):
        words = part.split()
        if not words or len(words) > 2:
            raise errs.bad("Invalid $orderby clause '%s'." % text)
        hit = schema.lookup(words[0])
        if hit is None:
            raise errs.unknown(schema, words[0])
        if hit[0].lower() not in schema.sortable:
            raise errs.bad("The property '%s' cannot be used in the $orderby query option." % hit[0])
        desc = False
        if len(words) == 2:
            if words[1].lower() not in ("asc", "desc"):
                raise errs.bad("Invalid $orderby direction '%s'." % words[1])
            desc = words[1].lower() == "desc"
        out.append((hit[0], desc))
    return out


def parse_select(text, schema, errs=OUTLOOK_ERRORS):
    out = []
    for part in text.split(","):
        name = part.strip()
        if not name:
            continue
        hit = schema.lookup(name)
        if hit is None:
            extra = schema.select_extra.get(name.lower())
            if extra is None:
                raise errs.unknown(schema, name)
            out.append(extra)
            continue
        out.append(hit[0])
    return out


def split_top_level(text, sep=","):
    parts, depth, cur, quote = [], 0, [], False
    for ch in text:
        if ch == "'":
            quote = not quote
        if not quote:
            if ch == "(":
                depth += 1
            elif ch == ")":
                depth -= 1
            elif ch == sep and depth == 0:
                parts.append("".join(cur))
                cur = []
                continue
        cur.append(ch)
    if cur:
        parts.append("".join(cur))
    return [p.strip() for p in parts if p.strip()]


def parse_expand(text, errs=OUTLOOK_ERRORS):
    """'a($filter=x;$select=y),b' -> [('a', {'$filter': 'x', '$select': 'y'}), ('b', {})]"""
    out = []
    for item in split_top_level(text):
        m = re.match(r"^([A-Za-z_][A-Za-z0-9_]*)(?:\((.*)\))?$", item, re.S)
        if not m:
            raise errs.bad("Invalid $expand clause '%s'." % item)
        opts = {}
        if m.group(2):
            for o in split_top_level(m.group(2), ";"):
                if "=" not in o:
                    raise errs.bad("Invalid $expand option '%s'." % o)
                k, v = o.split("=", 1)
                opts[k.strip().lower()] = v.strip()
        out.append((m.group(1), opts))
    return out


def parse_top(text, errs, maximum=None, what="$top"):
    try:
        n = int(text)
    except (TypeError, ValueError):
        raise errs.bad("Invalid value '%s' for query option %s." % (text, what))
    if n < 1:
        raise errs.bad("The value of %s must be at least 1." % what)
    if maximum is not None and n > maximum:
        raise errs.bad("The value of %s must be between 1 and %d." % (what, maximum))
    return n
