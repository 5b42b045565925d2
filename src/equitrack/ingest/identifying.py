"""What looks like it identifies a person: a column's header, or the values in it.

equitrack stores no column that no profile maps, unless a profile keeps it by name (`keep`).
A kept column is refused when its header reads like an identifier (a name, a date of birth, a
National Insurance, NHS, registration or staff number, an email or postal address, a phone
number), or when its values look like one. Its header is read as every header is (`headers.py`:
CamelCase split, case, spaces and punctuation ignored), as ESR interface files and warehouse
extracts write them (`LastName`, `DateofBirth`, `NHSUniqueID`, `Unique Nhs Identifier`).

Each kind of value has one function here. Most kinds are specific enough that a single value
refuses the column (an NHS number with a valid check digit, an email address); three are not:
seven digits (a GMC number, or a cost centre), a date in a birth-date range (or a start date),
a capitalised word after a known first name. Those refuse a column when they are at least half
of its values, where one such value would mostly be something else.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

from equitrack.ingest.headers import header_words

# --- headers ----------------------------------------------------------------------------------

#: Any header holding one of these (its words run together) names an identifier.
_JOINED = (
    "surname", "forename", "firstname", "lastname", "givenname", "fullname", "middlename",
    "maidenname", "familyname", "preferredname", "username", "dateofbirth",
    "birthdate", "nationalinsurance", "ninumber", "nhsnumber", "email", "postcode", "postalcode",
    "zipcode", "address", "phone", "mobilenumber", "contactnumber", "registrationnumber",
    "registrationno", "payrollnumber", "payrollno",
)  # fmt: skip
#: Words that are an identifier on their own.
_WORDS = frozenset({
    "dob", "nino", "initials", "mobile", "tel", "fax", "gmc", "nmc", "hcpc", "gphc", "gdc", "pin",
    "signature", "chi",
})  # fmt: skip
#: Words naming whose number it is; with an `_ID_WORDS` word they name a person's identifier.
_WHOSE = frozenset({
    "employee", "emp", "staff", "person", "personnel", "assignment", "payroll", "applicant",
    "candidate", "worker", "member", "patient", "esr", "nhs", "ni", "registration",
    "professional", "user", "login", "passport", "licence", "license",
})  # fmt: skip
_ID_WORDS = frozenset({"number", "no", "num", "nbr", "id", "identifier", "ref", "reference", "pin"})
#: "<this> name" is the name of a thing, not of a person.
_THINGS = frozenset({
    "org", "organisation", "organization", "trust", "site", "course", "job", "post", "position",
    "role", "department", "dept", "ward", "team", "unit", "directorate", "division", "location",
    "centre", "center", "cost", "file", "sheet", "report", "vacancy", "survey", "question",
    "group", "band", "grade", "employer", "hospital", "provider", "supplier", "programme",
    "program", "event", "module", "competence", "competency", "qualification", "project",
    "service", "specialty", "speciality", "area", "region", "system", "icb", "company", "place",
    "product", "item", "category", "type", "scheme", "campaign", "country", "nationality",
})  # fmt: skip


def identifying_header(header: object) -> str | None:
    """The word that makes a header read like a personal identifier, or None."""
    words = header_words(header)
    joined = "".join(words)
    for part in _JOINED:
        if part in joined:
            return part
    if joined in _WORDS:  # an acronym written with stops: D.O.B., N.I.N.O.
        return joined
    for i, word in enumerate(words):
        if word in _WORDS:
            return word
        if word in ("name", "names") and (i == 0 or words[i - 1] not in _THINGS):
            return " ".join(words[max(i - 1, 0) : i + 1])
        if word in _WHOSE and any(w in _ID_WORDS for w in words[i + 1 : i + 3]):
            return " ".join(words[i : i + 3])
        if word == "known" and words[i + 1 : i + 2] == ["as"]:
            return "known as"
    return None


# --- values -----------------------------------------------------------------------------------

_NHS = re.compile(r"(?<![\d])(\d{3})[ -]?(\d{3})[ -]?(\d{4})(?![\d])")
_NI = re.compile(
    r"\b(?!BG|GB|KN|NK|NT|TN|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z] ?\d{2} ?\d{2} ?\d{2} ?[A-D]\b",
    re.IGNORECASE,
)
_EMAIL = re.compile(r"[\w.%+'-]+@[\w-]+(\.[\w-]+)*\.[A-Za-z]{2,}")
_POSTCODE = re.compile(
    r"\b(GIR ?0AA|[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]? ?\d[ABD-HJLNP-UW-Z]{2})\b", re.IGNORECASE
)
_GMC = re.compile(r"(GMC\W{0,3}(no\.?|number|ref)?\W{0,3})?\d{7}", re.IGNORECASE)
_GMC_IN_TEXT = re.compile(r"\bGMC\W{0,3}(no\.?|number|ref)?\W{0,3}\d{7}\b", re.IGNORECASE)
_NMC = re.compile(r"\b\d{2}[A-Z]\d{4}[A-Z]\b", re.IGNORECASE)
_MONTHS = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
)}  # fmt: skip
_DMY = re.compile(r"(\d{1,2})[/.\- ](\d{1,2}|[A-Za-z]{3,9})[/.\- ,]+(\d{4})")
_YMD = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?")
#: Ages at which people are in the workforce: a full date this long ago may be a birth date.
_AGES = (15, 100)
_TITLE = re.compile(r"\b(Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Sir|Dame)\.? +[A-Z][\w'’-]+")
_SURNAME_FIRST = re.compile(r"[A-Z][\w'’-]+, *([A-Z][\w'’-]+)( [A-Z][\w'’-]*)?\.?")
#: Common first names of NHS staff, from many backgrounds; words with another common meaning
#: (Grace, Hope, Will, May, Mark…) are left out, so that ordinary text is not taken for a name.
_GIVEN = """
aaliyah abdul abdullah abigail adam adebayo adeola adrian agnieszka ahmed aisha alan alexander
alice alison amanda amelia amir amit amy ana andrea andrew angela anil anita ann anna anne
anthony anu arjun ashok asif ayesha barbara ben benjamin beverley bilal blessing carol caroline
catherine charles charlotte chidi chinedu chloe christine christopher claire daniel david
deborah deepak dennis diana dominic donna dorota ebony edward elaine eleanor elizabeth emily
emma emmanuel esther fatima fiona florence francesca funmilayo gareth gary george gillian
gurpreet hannah harjit harpreet harry hassan helen ibrahim imran isabella isaac jacqueline
james jane janet jasmine jason jennifer jessica joanna joanne john jonathan joseph joshua judith
julie karen kate katherine kathleen katie kelly kevin kwame kwabena lakshmi laura lauren leanne
lisa louise lucy luke magdalena manjit margaret maria marie martin mary matthew megan michael
michelle mohamed mohammad mohammed muhammad nadia naomi natalie neil nicholas nicola nikhil
nkechi nomvula obinna oliver olivia oluwaseun patricia paul paula pauline peter philip pooja
priya priyanka rachel rahul raj rajesh rakesh ravi rebecca richard robert rosemary ruth ryan
samantha samuel sandeep sanjay sarah sharon simon sophie stephanie stephen steven sunil susan
tariq thomas timothy tracey tunde usha victoria vijay wendy william yasmin yusuf zainab zara
zoe zoë
"""
GIVEN_NAMES = frozenset(_GIVEN.split())
_WORD = re.compile(r"[^\W\d_][\w'’-]*")


def nhs_number(value: str) -> bool:
    """Ten digits (spaced 3-3-4 or not) whose last is the modulus 11 check digit of the rest."""
    for match in _NHS.finditer(value):
        digits = "".join(match.groups())
        if len(set(digits)) > 1 and _nhs_check_digit(digits[:9]) == int(digits[9]):
            return True
    return False


def _nhs_check_digit(nine: str) -> int | None:
    remainder = sum(int(d) * w for d, w in zip(nine, range(10, 1, -1), strict=True)) % 11
    check = 11 - remainder
    return 0 if check == 11 else None if check == 10 else check


def ni_number(value: str) -> bool:
    """A National Insurance number: two letters (of those HMRC uses), six digits, A to D."""
    return _NI.search(value) is not None


def email_address(value: str) -> bool:
    return _EMAIL.search(value) is not None


def postcode(value: str) -> bool:
    """A full UK postcode (outward and inward parts), with or without its space."""
    return _POSTCODE.search(value) is not None


def gmc_number(value: str) -> bool:
    """Seven digits (a GMC reference number), alone or after the letters GMC."""
    text = value.strip()
    return _GMC.fullmatch(text) is not None or _GMC_IN_TEXT.search(text) is not None


def nmc_pin(value: str) -> bool:
    """An NMC PIN: two digits, a letter, four digits, a letter (12A3456E)."""
    return _NMC.search(value) is not None


def date_of_birth(value: str, today: dt.date | None = None) -> bool:
    """A full date (day, month and year) from 15 to 100 years ago: someone's birth date, maybe."""
    date = _full_date(value.strip())
    if date is None:
        return False
    year = (today or dt.date.today()).year
    return year - _AGES[1] <= date.year <= year - _AGES[0]


def _full_date(text: str) -> dt.date | None:
    if match := _YMD.fullmatch(text):
        y, m, d = (int(g) for g in match.groups()[:3])
    elif match := _DMY.fullmatch(text):
        d, month, y = int(match[1]), match[2], int(match[3])
        m = int(month) if month.isdigit() else _MONTHS.get(month[:3].casefold(), 0)
    else:
        return None
    try:
        return dt.date(y, m, d)
    except ValueError:
        return None


def person_name(value: str) -> bool:
    """A name: a title and a surname (Dr Okafor), Surname, Firstname, or a known first name
    alone or followed by a capitalised word (Priya Shah)."""
    if _TITLE.search(value):
        return True
    text = value.strip()
    match = _SURNAME_FIRST.fullmatch(text)
    if match and match[1].casefold() in GIVEN_NAMES:
        return True
    words = _WORD.findall(text)
    if len(words) == 1 and words[0].casefold() in GIVEN_NAMES:
        return True
    return any(
        a.casefold() in GIVEN_NAMES and a[0].isupper() and b[0].isupper()
        for a, b in itertools.pairwise(words)
    )


@dataclass(frozen=True)
class Kind:
    """A kind of identifying value, and the share of a column's values that refuses it."""

    name: str
    looks: Callable[[str], bool]
    share: float = 0.0  # 0: any one value


KINDS = (
    Kind("NHS numbers", nhs_number),
    Kind("National Insurance numbers", ni_number),
    Kind("email addresses", email_address),
    Kind("postcodes", postcode),
    Kind("NMC PINs", nmc_pin),
    Kind("people's names", person_name),
    Kind("GMC numbers", gmc_number, share=0.5),
    Kind("dates of birth", date_of_birth, share=0.5),
)


def identifying_values(values: pa.Array | pa.ChunkedArray) -> tuple[str, int] | None:
    """The first kind of identifier a column's values look like, and the first row holding
    one, or None. Each distinct value is looked at once."""
    try:
        text = values.cast(pa.string())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):  # bytes, structs: as Python shows them
        text = pa.array([None if v is None else str(v) for v in values.to_pylist()], pa.string())
    text = pc.utf8_trim_whitespace(text)
    counts = pc.value_counts(pc.drop_null(text))
    uniques, weights = counts.field("values").to_pylist(), counts.field("counts").to_pylist()
    total = sum(n for v, n in zip(uniques, weights, strict=True) if v)
    for kind in KINDS:
        hits = [v for v in uniques if v and kind.looks(v)]
        found = sum(n for v, n in zip(uniques, weights, strict=True) if v in set(hits))
        if hits and found >= kind.share * total:
            at = pc.is_in(text, pa.array(hits, pa.string()))
            return kind.name, int(pc.index(pc.fill_null(at, False), True).as_py())
    return None
