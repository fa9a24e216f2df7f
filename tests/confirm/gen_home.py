#!/usr/bin/env python3
"""Make a trainer's home directory for the lethe confirm tests: planted
personal data in txt, csv, xlsx, docx, pptx, odt and pdf files (made with
zipfile and a small PDF writer, tests/scan's generators), files that look
alike but hold none, and one file of 1 GiB (sparse: text at both ends,
nothing personal). Prints the planted files, relative to HOME, one a line.

usage: gen_home.py HOME"""
import os
import sys

sys.dont_write_bytecode = True   # leave no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "scan"))
import officegen as o   # noqa: E402
import pdfgen           # noqa: E402

PLANTED = {
    "Downloads/delegates.csv":
        b"Name,Email,Company\nAda Byron,ada.byron@example.org,Acme\n"
        b"Grace Hopper,grace@example.net,Beta\nAlan Turing,alan@example.com,Gamma\n",
    "Downloads/notes from day 2.txt":
        b"Follow up with j.smith@example.org about the assessment.\n"
        b"Her mobile is 07700 900123.\n",
    "Documents/Workshop 2026/attendees.xlsx":
        o.xlsx([[["Participant", "E-mail"], ["Ada", "ada@example.org"],
                 ["Bob", "bob@example.org"]]]),
    "Documents/Workshop 2026/feedback.docx":
        o.docx(["Feedback from the cohort", "Contact: mary.jones@example.co.uk",
                "NI number AB 12 34 56 C on the expenses form"]),
    "Documents/Workshop 2026/deck.pptx":
        o.pptx([["Welcome"], ["Refunds to GB82 WEST 1234 5698 7654 32"]]),
    "Desktop/letter.odt":
        o.odt(["Dear Sir,", "please call me on +44 20 7946 0958."]),
    "Desktop/scan of form.pdf":
        pdfgen.pdf_bytes([["Application form", "Date of birth: 12/03/1985",
                           "Email: peter@example.org"]]),
}

CLEAN = {
    "Downloads/agenda.csv":
        b"Session,Room,Start\nOpening,Hall A,09:00\nCoaching,Room 2,10:30\n",
    "Documents/Workshop 2026/outline.docx":
        o.docx(["Workshop outline", "Module 1: listening", "Module 2: questions"]),
    "Documents/Workshop 2026/rooms.xlsx":
        o.xlsx([[["Room", "Seats"], ["Hall A", "120"], ["Room 2", "30"]]]),
    "Desktop/readme.txt":
        b"Order 1234 5678 9012 3456 is not a card number (its check digit fails).\n"
        b"Call the front desk on extension 2201.\n",
    "Desktop/slides.pdf":
        pdfgen.pdf_bytes([["Quarterly review", "Revenue up 4 percent"]]),
}

BIG = "Documents/archive/recordings-index.txt"
GIB = 1 << 30


def write(home, rel, data):
    path = os.path.join(home, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


def big(home):
    """1 GiB of text that names no one: a readable start, a hole, an end."""
    path = os.path.join(home, BIG)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    line = b"Recording index for the facilitation team, nothing personal here.\n"
    with open(path, "wb") as f:
        f.write(line * 2000)
        f.truncate(GIB - len(line))
        f.seek(0, os.SEEK_END)
        f.write(line)


def main(home):
    for rel, data in list(PLANTED.items()) + list(CLEAN.items()):
        write(home, rel, data)
    big(home)
    os.symlink("/etc/passwd", os.path.join(home, "Desktop", "link-to-elsewhere"))
    for rel in sorted(PLANTED):
        print(rel)


if __name__ == "__main__":
    main(sys.argv[1])
