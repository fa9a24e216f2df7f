"""Realistic text for the scanner's tests and benchmark: filler prose and
table rows that hold no personal data (but plenty of numbers, dates and
codes that look a little like it), and generators of valid values for each
detector. Deterministic for a given random.Random."""
import random

WORDS = ("the of and to in a is that for on with as by at from this be are was "
         "project report meeting budget review quarter agenda minutes action item "
         "deadline schedule module course lecture seminar assessment feedback "
         "research funding proposal committee faculty department office policy "
         "retention archive records storage backup server network folder share "
         "document draft version update summary outcome risk issue plan target "
         "delivery contract supplier invoice payment order stock price total "
         "analysis results data sample method figure table chapter section page "
         "please note attached following previous next week month year today "
         "we will should would could may can must also however therefore because "
         "new old first last main other each every some many several few more "
         "students staff team group panel board council service support system").split()

CLIENTS = ["Acme Widgets Ltd", "Brightwater Consulting", "Calder Valley Trust",
           "Dunmore & Hale LLP", "Elmstead Logistics", "Fenwick Morrow plc",
           "Greyfriars Analytics", "Hollowmere Estates", "Ivybridge Foods",
           "Juniper Row Architects", "Kestrel Marine", "Larchmont Pharma",
           "Müller Feinmechanik GmbH", "Northgate Civic Partners", "Oakhollow Studios",
           "Pemberton Quayle", "Quarrybank Mills", "Rosendale Lettings",
           "Saltmarsh Engineering", "Thornbury Vets"]

FIRST = "Ada Alan Grace Linus Mary Tim Joan Ken Barbara Dennis Frances Edsger Radia Niklaus".split()
LAST = "Lovelace Turing Hopper Torvalds Shelley Berners Clarke Thompson Liskov Ritchie Allen Dijkstra Perlman Wirth".split()
DOMAINS = ["example.org", "example.com", "mail.example.co.uk", "uni.example.ac.uk"]

NINO_FIRST = "ABCEGHJKLMNOPRSTWXYZ"
NINO_SECOND = "ABCEGHJKLMNPRSTWXYZ"
NINO_BAD = {"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"}
IBAN_LEN = {"GB": 22, "DE": 22, "FR": 27, "NL": 18, "ES": 24, "IT": 27, "BE": 16,
            "IE": 22, "AT": 20, "PL": 28, "SE": 24, "CH": 21, "MT": 31, "NO": 15}
MONTHS = "January February March April May June July August September October November December".split()


def luhn_complete(digits):
    total = 0
    for i, d in enumerate(reversed(digits)):
        d = int(d)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return digits + str((10 - total % 10) % 10)


def luhn_ok(digits):
    total = 0
    for i, d in enumerate(reversed(digits)):
        d = int(d)
        if i % 2:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def iban_check(cc, bban):
    s = bban + cc + "00"
    num = int("".join(str(int(c, 36)) for c in s))
    return "%02d" % (98 - num % 97)


def group4(s):
    return " ".join(s[i:i + 4] for i in range(0, len(s), 4))


class Values:
    def __init__(self, rng):
        self.r = rng

    def email(self):
        r = self.r
        return "%s.%s%d@%s" % (r.choice(FIRST).lower(), r.choice(LAST).lower(),
                                r.randint(1, 99), r.choice(DOMAINS))

    def phone(self):
        r = self.r
        n3 = "%03d" % r.randint(0, 999)
        return r.choice([
            "07700 900" + n3, "07700900" + n3, "+44 7700 900" + n3, "+447700900" + n3,
            "020 7946 0" + n3, "(020) 7946 0" + n3, "0161 496 0" + n3, "+44 (0)161 496 0" + n3,
            "0113 496 0" + n3, "01632 960" + n3, "+1 415 555 0" + n3, "+33 1 23 45 6" + n3[:1] + " " + n3[1:],
            "0044 7700 900" + n3, "07700-900-" + n3])

    def nino(self):
        r = self.r
        while True:
            p = r.choice(NINO_FIRST) + r.choice(NINO_SECOND)
            if p not in NINO_BAD:
                break
        d = "%06d" % r.randint(0, 999999)
        s = r.choice("ABCD")
        if r.random() < 0.5:
            return p + d + s
        return "%s %s %s %s %s" % (p, d[:2], d[2:4], d[4:], s)

    def iban(self):
        r = self.r
        cc = r.choice(sorted(IBAN_LEN))
        n = IBAN_LEN[cc] - 4
        if cc in ("GB", "NL", "IE", "MT"):
            bban = "".join(r.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(4)) + \
                "".join(r.choice("0123456789") for _ in range(n - 4))
        else:
            bban = "".join(r.choice("0123456789") for _ in range(n))
        iban = cc + iban_check(cc, bban) + bban
        return group4(iban) if r.random() < 0.6 else iban

    def card(self):
        r = self.r
        kind = r.choice(["visa", "mc", "amex", "disc"])
        if kind == "amex":
            d = luhn_complete(r.choice(["34", "37"]) + "".join(r.choice("0123456789") for _ in range(12)))
            return d[:4] + " " + d[4:10] + " " + d[10:] if r.random() < 0.5 else d
        pre = {"visa": "4", "mc": str(r.randint(51, 55)), "disc": "6011"}[kind]
        d = luhn_complete(pre + "".join(r.choice("0123456789") for _ in range(15 - len(pre))))
        sep = r.choice([" ", "-", ""])
        return sep.join(d[i:i + 4] for i in range(0, 16, 4))

    def dob(self):
        r = self.r
        y, m, d = r.randint(1940, 2005), r.randint(1, 12), r.randint(1, 28)
        date = r.choice(["%02d/%02d/%d" % (d, m, y), "%d-%02d-%02d" % (y, m, d),
                         "%d %s %d" % (d, MONTHS[m - 1], y), "%s %d, %d" % (MONTHS[m - 1], d, y),
                         "%d.%d.%d" % (d, m, y)])
        kw = r.choice(["DOB:", "Date of birth:", "born", "Birth date", "D.O.B.", "date of birth"])
        return r.choice(["%s %s" % (kw, date), "%s (%s)" % (date, kw)]) if kw != "born" \
            else "born on %s" % date

    def client(self):
        name = self.r.choice(CLIENTS)
        return name.upper() if self.r.random() < 0.2 else name

    def of(self, det):
        return getattr(self, det.replace("-", "_"))()


DETECTORS = ["email", "phone", "nino", "iban", "card", "dob", "client"]


class Filler:
    """Prose and table cells without personal data."""

    def __init__(self, rng, hard=False):
        self.r = rng
        self.hard = hard   # also digit strings that pass checksums by chance
        self.hard_tokens = 0

    def noise(self):
        r = self.r
        k = r.randint(19, 21) if self.hard and r.random() < 0.05 else r.randint(0, 18)
        self.hard_tokens += k >= 19
        if k == 0: return "£%d.%02d" % (r.randint(1, 9999), r.randint(0, 99))
        if k == 1: return "%d" % r.randint(1990, 2030)
        if k == 2: return "%02d:%02d" % (r.randint(0, 23), r.randint(0, 59))
        if k == 3: return "on %02d/%02d/%d" % (r.randint(1, 28), r.randint(1, 12), r.randint(2000, 2030))
        if k == 4: return "%d-%02d-%02d" % (r.randint(2000, 2030), r.randint(1, 12), r.randint(1, 28))
        if k == 5: return "Order %d" % r.randint(10000, 9999999)
        if k == 6: return "INV-%d-%04d" % (r.randint(2019, 2026), r.randint(1, 9999))
        if k == 7: return "%d%%" % r.randint(1, 100)
        if k == 8: return "v%d.%d.%d" % (r.randint(0, 9), r.randint(0, 20), r.randint(0, 99))
        if k == 9: return "10.%d.%d.%d" % (r.randint(0, 255), r.randint(0, 255), r.randint(1, 254))
        if k == 10: return r.choice(["LS1 4AP", "SW1A 1AA", "M13 9PL", "EH8 9YL", "CB2 1TN"])
        if k == 11: return "Room %d.%02d" % (r.randint(1, 9), r.randint(1, 40))
        if k == 12: return "ext. %d" % r.randint(2000, 6999)
        if k == 13: return "%d-%d" % (r.randint(2000, 2020), r.randint(2021, 2030))
        if k == 14: return "%s,%03d" % (r.randint(1, 99), r.randint(0, 999))
        if k == 15: return "ISBN 978-%d-%d-%d" % (r.randint(0, 9), r.randint(100, 999), r.randint(10000, 99999))
        if k == 16: return "REF%06d" % r.randint(0, 999999)
        if k == 17: return "%d March %d" % (r.randint(1, 28), r.randint(2000, 2030))
        if k == 18: return "support@"   # a lone at-sign, no address
        # hard noise: long references that look like cards or phones
        if k == 19: return "tracking %d" % r.randint(10**15, 10**16 - 1)
        if k == 20: return "account 0%010d" % r.randint(0, 10**10 - 1)
        return "ref %d" % r.randint(10**12, 10**13 - 1)

    def sentence(self, n=None):
        r = self.r
        n = n or r.randint(8, 22)
        words = [r.choice(WORDS) for _ in range(n)]
        if n >= 8 and r.random() < 0.5:   # far enough from a keyword on the line before
            words.insert(r.randint(8, n), self.noise())
        words[0] = words[0].capitalize()
        return " ".join(words) + "."

    def cell(self):
        r = self.r
        return r.choice([r.choice(WORDS), "%d" % r.randint(0, 100000), "%d.%02d" % (r.randint(0, 999), r.randint(0, 99)),
                         self.noise(), "%s %s" % (r.choice(WORDS), r.choice(WORDS))])


CLEAN_HEADERS = [["Product", "Price", "Quantity", "Warehouse"],
                 ["Module", "Credits", "Semester", "Room"],
                 ["Date", "Amount", "Category", "Reference"],
                 ["Item", "Company name", "File name", "Status"]]
PERSON_HEADERS = [["Name", "Email", "Phone"], ["First name", "Surname", "Course"],
                  ["Delegate", "Organisation", "Dietary"], ["ID", "Attendee", "Mobile"],
                  ["Participant", "Date of birth", "Group"]]
