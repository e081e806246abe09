"""Valid and invalid national IDs for the ingest tests: a literal reference list, not computed.

The IDs were worked out once by hand from the Ministry of the Interior's rule (letter → area code
A=10 … H=17, I=34, J=18 … N=22, O=35, P=23 … V=29, W=32, X=30, Y=31, Z=33; the code's tens digit ×1,
its units digit ×9, the next eight digits ×8 … ×1, the check digit ×1; the sum is a multiple of
ten) and are written out here, so a wrong entry in the letter table under test
(``pdgov.ingest.national_id``) cannot make its own test data agree with it. ``A123456789`` is the
rule's textbook example. Each letter has a man's (1) and a woman's (2) valid ID, and the first
with its check digit one higher, which no letter table can make valid.
"""

from __future__ import annotations

import random

#: (valid, valid, same as the first with the wrong check digit) for each of the 26 letters
REFERENCE = [
    ("A131846895", "A214729897", "A131846896"),
    ("B116829399", "B236722357", "B116829390"),
    ("C187761067", "C257227107", "C187761068"),
    ("D142526361", "D249386769", "D142526362"),
    ("E127395905", "E224322948", "E127395906"),
    ("F181824504", "F200834648", "F181824505"),
    ("G188639371", "G229415557", "G188639372"),
    ("H145724247", "H212355458", "H145724248"),
    ("I143303227", "I239176465", "I143303228"),
    ("J174463450", "J216628793", "J174463451"),
    ("K115216092", "K266813298", "K115216093"),
    ("L144979062", "L238156671", "L144979063"),
    ("M180429144", "M230054886", "M180429145"),
    ("N199549043", "N246395255", "N199549044"),
    ("O133380124", "O240719986", "O133380125"),
    ("P119753384", "P214276937", "P119753385"),
    ("Q101506765", "Q201214960", "Q101506766"),
    ("R192519166", "R246232210", "R192519167"),
    ("S100599535", "S246364030", "S100599536"),
    ("T134035916", "T235007123", "T134035917"),
    ("U169073103", "U215262290", "U169073104"),
    ("V150388450", "V278072019", "V150388451"),
    ("W102821320", "W288012714", "W102821321"),
    ("X198375653", "X224846349", "X198375654"),
    ("Y111696147", "Y219977945", "Y111696148"),
    ("Z141365059", "Z286565991", "Z141365050"),
]
VALID = ["A123456789", *(v for row in REFERENCE for v in row[:2])]
BAD_CHECKSUM = ["A123456788", *(row[2] for row in REFERENCE)]
#: Wrong in form, whatever the letter table: (value, the words the ingest must use for it)
MALFORMED = [
    ("a131846895", "lower-case"),            # a lower-case letter
    ("A331846895", "1 or 2"),                # the second digit is neither 1 nor 2
    ("A13184689", "eight digits"),           # nine characters
    ("A1318468950", "eight digits"),         # eleven characters
    ("AB31846895", "eight digits"),          # two letters (a resident permit's old form)
    ("Ａ131846895", "eight digits"),         # a full-width letter
    ("1131846895", "eight digits"),          # no letter
]


def valid_id(rng: random.Random) -> str:
    return rng.choice(VALID)


def bad_checksum_id(rng: random.Random) -> str:
    return rng.choice(BAD_CHECKSUM)
