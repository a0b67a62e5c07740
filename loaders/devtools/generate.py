"""Realistic generated files in every format, for the demo, tests and benchmarks.

Header names, their order and fixed-width positions come from the layout
seed (seeds/layouts/layout_columns.csv), so a generated file looks like the
vendor's. Values are synthetic but plausible and valid for the format: score
ranges, both date forms where vendors mix them, ``--`` for "no score",
several administrations per row. Given the same ``people``, the person,
application and score files agree with each other, so records can be
matched. The four ``legacy_cert_*`` extracts agree with each other for one
seed and catalogue (``generate_cert_catalogue``): programs link components in
sequence, and students register for their program's components in order.
The eight ``a_*`` / ``b_*`` extracts of two learner systems come from one
population with links and drift (``generate_learner_systems``). Files are
written row by row in constant memory.

    python -m loaders.devtools.generate FORMAT PATH --records N [--seed S]
"""

from __future__ import annotations

import argparse
import csv
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache, lru_cache
from pathlib import Path

from loaders.core.formats import get_format, registry
from loaders.core.paths import SEEDS_DIR

FIRST = ["James", "Mary", "José", "Aisha", "Liam", "Olivia", "Noah", "Zoë", "Wei", "Fatima",
         "Mateo", "Chloé", "Ethan", "Priya", "Lucas", "Amara", "Seán", "Hana", "Diego", "Ava"]
LAST = ["Smith", "O'Brien", "McDonald", "Núñez", "García", "Nguyen", "Johnson", "Smith-Jones",
        "Okafor", "MacLeod", "Williams", "Kowalski", "D'Angelo", "Brown", "Van der Berg", "Lee",
        "Patel", "Müller", "Rodríguez", "Taylor"]
STREETS = ["Main St", "Oak Ave", "Maple Dr", "Cedar Ln", "Elm St", "Park Rd", "Lakeview Blvd"]
CITIES = [("Columbia", "SC", "29201"), ("Austin", "TX", "78701"), ("Madison", "WI", "53703"),
          ("Boise", "ID", "83702"), ("Albany", "NY", "12207"), ("Tucson", "AZ", "85701")]
EXAMS = ["CPA-AUD", "CPA-FAR", "RN-NCLEX", "PMP", "CFP"]
AP_EXAMS = ["07", "13", "14", "20", "25", "31", "34", "36", "40", "43", "53", "57", "60", "64",
            "66", "68", "75", "78", "80", "82", "87", "93"]
ACCUPLACER_SUBJECTS = ["Next-Generation Reading", "Next-Generation Writing",
                       "Next-Generation Arithmetic",
                       "Next-Generation Quantitative Reasoning, Algebra, and Statistics",
                       "Next-Generation Advanced Algebra and Functions"]


DEFAULT_START = date(2025, 9, 1)


@dataclass
class Person:
    person_id: str
    first: str
    middle: str
    last: str
    birth: date
    gender: str
    street: str
    city: str
    state: str
    zip: str
    email: str
    act_id: str
    cb_id: str
    ap_id: str
    gre_id: str
    gmac_id: str
    candidate_id: str


@dataclass(frozen=True)
class Column:
    name: str
    start: int | None  # 1-based inclusive, fixed width only
    end: int | None


@cache
def layout(format_name: str) -> tuple[Column, ...]:
    """The latest layout version's columns of a format, in order."""
    path = SEEDS_DIR / "layouts" / "layout_columns.csv"
    with open(path, newline="", encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r["format_name"] == format_name]
    if not rows:
        raise ValueError(f"no layout for format {format_name!r} in {path}")
    latest = max(r["layout_version"] for r in rows)
    rows = sorted((r for r in rows if r["layout_version"] == latest), key=lambda r: int(r["ordinal"]))
    return tuple(Column(r["column_name"], int(r["start_position"]) if r["start_position"] else None,
                        int(r["end_position"]) if r["end_position"] else None) for r in rows)


def formats() -> list[str]:
    return sorted(registry())


def generate_people(n: int, seed: int = 0) -> list[Person]:
    rnd = random.Random(f"people-{seed}")
    people = []
    for i in range(n):
        first, last = rnd.choice(FIRST), rnd.choice(LAST)
        city, state, zip_code = rnd.choice(CITIES)
        handle = "".join(c for c in f"{first}.{last}".lower() if c.isalnum() or c == ".")
        people.append(Person(
            person_id=f"P{seed % 1000:03d}{i:07d}", first=first,
            middle=rnd.choice("ABCDEFGHJKLMNPRSTW") if rnd.random() < 0.7 else "",
            last=last, birth=date(2003, 1, 1) + timedelta(days=rnd.randrange(365 * 6)),
            gender=rnd.choice("MF"), street=f"{rnd.randrange(1, 9999)} {rnd.choice(STREETS)}",
            city=city, state=state, zip=zip_code, email=f"{handle}{i}@example.org",
            act_id=f"{rnd.randrange(10**8, 10**9)}", cb_id=f"{rnd.randrange(10**8, 10**9)}",
            ap_id=f"{rnd.choice('ABCDEFGH')}{rnd.randrange(10**7, 10**8)}",
            gre_id=f"{rnd.randrange(10**6, 10**7)}", gmac_id=f"{rnd.randrange(10**7, 10**8)}",
            candidate_id=f"C{seed % 1000:03d}{i:07d}"))
    return people


# -- value helpers -------------------------------------------------------------------------
def _mdy(d: date) -> str:
    return f"{d.month}/{d.day}/{d.year}"


def _test_date(rnd: random.Random, start: date) -> date:
    # Three testing years, the last one beginning at the start date (so the
    # report's monthly charts span years): with the default start, always in
    # the past, so generated scores never trip the "not in the future" rule.
    return start + timedelta(days=rnd.randrange(-730, 365))


# -- one generator of rows per format: yields dicts of column name -> text --------------------
def _act(rnd, p: Person, start):
    d = _test_date(rnd, start)
    row = {"ID_ACT": p.act_id, "F_Name": p.first, "M_Initial": p.middle, "L_Name": p.last,
           "Address1": p.street, "City": p.city, "State": p.state, "Zip": p.zip,
           "Gender": "Female" if p.gender == "F" else "Male", "DOB": p.birth.strftime("%m%d%Y"),
           "Test_Dte": d.strftime("%m%Y")}
    if rnd.random() < 0.05:  # no scores reported
        row.update({k: "--" for k in ("Eng", "Mth", "Rdg", "Sci", "Composite")})
        return row
    s = {k: rnd.randint(8, 36) for k in ("Eng", "Mth", "Rdg", "Sci")}
    row.update({k: str(v) for k, v in s.items()})
    row["Composite"] = str(int(sum(s.values()) / 4 + 0.5))
    row["STEM"] = str(int((s["Mth"] + s["Sci"]) / 2 + 0.5))
    row["Writing"] = str(rnd.randint(2, 12)) if rnd.random() < 0.4 else ""
    row["ELA"] = str(int((s["Eng"] + s["Rdg"]) / 2 + 0.5)) if row["Writing"] else "--"
    return row


def _sat_scores(rnd) -> tuple[int, int]:
    return rnd.randrange(20, 81) * 10, rnd.randrange(20, 81) * 10


def _sat(rnd, p: Person, start):
    d = _test_date(rnd, start)
    ebrw, math = _sat_scores(rnd)
    row = {"CB_ID": p.cb_id, "NAME_FIRST": p.first, "NAME_LAST": p.last, "NAME_MI": p.middle,
           "GENDER": p.gender, "BIRTH_DATE": _mdy(p.birth), "EMAIL": p.email,
           "ADDRESS_LINE1": p.street, "ADDRESS_CITY": p.city, "ADDRESS_STATE": p.state,
           "ADDRESS_ZIP": p.zip, "LATEST_SAT_DATE": d.isoformat() if rnd.random() < 0.5 else _mdy(d),
           "LATEST_SAT_TOTAL": str(ebrw + math), "LATEST_SAT_EBRW": str(ebrw),
           "LATEST_SAT_MATH_SECTION": str(math)}
    for admin in range(2, 2 + rnd.choice([0, 0, 1, 1, 2])):
        earlier = d - timedelta(days=70 * (admin - 1))
        e, m = _sat_scores(rnd)
        row.update({f"ADMIN{admin}_SAT_DATE": _mdy(earlier), f"ADMIN{admin}_SAT_TOTAL": str(e + m),
                    f"ADMIN{admin}_SAT_EBRW": str(e), f"ADMIN{admin}_SAT_MATH_SECTION": str(m)})
    return row


def _ap(rnd, p: Person, start):
    row = {"AP Number / AP ID": p.ap_id, "Last Name": p.last, "First Name": p.first,
           "Middle Initial": p.middle, "Gender": p.gender,
           "Date of Birth": p.birth.strftime("%m%d%y"), "Student State": p.state,
           "Student Zip Code": p.zip, "Grade Level": str(rnd.randint(9, 12))}
    year = (start.year % 100)
    for slot, code in enumerate(rnd.sample(AP_EXAMS, rnd.randint(1, 5)), start=1):
        row[f"Admin Year {slot:02d}"] = f"{year - rnd.randint(0, 2):02d}"
        row[f"Exam Code {slot:02d}"] = code
        row[f"Exam Grade {slot:02d}"] = str(rnd.randint(1, 5))
    return row


def _accuplacer(rnd, p: Person, start) -> Iterator[dict]:
    for subject in rnd.sample(ACCUPLACER_SUBJECTS, rnd.randint(1, 3)):  # one row per session
        yield {"Last Name": p.last, "First Name": p.first, "Site Name": "Main Campus",
               "Student ID": p.person_id, "Birth Date": _mdy(p.birth), "Site ID": "1000",
               subject: str(rnd.randint(200, 300)), "Test End": _mdy(_test_date(rnd, start))}


def _preact(rnd, p: Person, start):
    d = _test_date(rnd, start)
    s = {k: rnd.randint(5, 35) for k in ("Eng", "Mth", "Rdg", "Sci")}
    row = {"Process_Num": f"X{rnd.randrange(10**7):07d}", "L_Name": p.last, "F_Name": p.first,
           "M_Initial": p.middle, "DOB": f"{p.birth.month:02d}{p.birth.day:02d}{p.birth.year}",
           "Gender": p.gender, "Test_Dte": f"{d.month:02d}{d.day:02d}{d.year}",
           "Grade_Reported": f"{rnd.randint(9, 10):02d}",
           "State_Code": "41"}
    row.update({k: f"{v:02d}" for k, v in s.items()})
    row["Composite"] = f"{int(sum(s.values()) / 4 + 0.5):02d}"
    row["STEM"] = f"{int((s['Mth'] + s['Sci']) / 2 + 0.5):02d}"
    return row


def _gre(rnd, p: Person, start):
    d = _test_date(rnd, start)
    row = {"institution_code": "5812", "last_name": p.last.upper(), "first_name": p.first.upper(),
           "birth_date": p.birth.strftime("%m%d%Y"), "registration_number": p.gre_id,
           "test_date": d.strftime("%m%d%Y"), "test_name": "GENERAL"}
    blocks = [("V", rnd.randint(130, 170)), ("Q", rnd.randint(130, 170)),
              ("W", rnd.randrange(0, 61, 5))]
    for i, (kind, score) in enumerate(blocks, start=1):
        row[f"score_{i}_type"] = kind
        row[f"score_{i}_scaled"] = f"{score:03d}"
        row[f"score_{i}_percentile"] = f"{rnd.randint(1, 99):02d}"
        row[f"score_{i}_estimated"] = f"{score:03d}"
    return row


def _gmat(rnd, p: Person, start):
    d = _test_date(rnd, start)
    focus = rnd.random() < 0.6
    row = {"GMAC_ID": p.gmac_id, "LastName": p.last, "FirstName": p.first,
           "BirthDate": p.birth.isoformat(), "TestDate": d.isoformat(),
           "Edition": "FOCUS" if focus else "CLASSIC", "Expired": rnd.choice("NNNY")}
    if focus:
        q, v, di = (rnd.randint(60, 90) for _ in range(3))
        row.update(Total=str(205 + 10 * rnd.randint(0, 60)), Quant=str(q), Verbal=str(v),
                   DataInsights=str(di), TotalPercentile=str(rnd.randint(0, 100)))
    else:
        row.update(Total=str(rnd.randrange(200, 801, 10)), Quant=str(rnd.randint(6, 51)),
                   Verbal=str(rnd.randint(6, 51)), TotalPercentile=str(rnd.randint(0, 99)))
    return row


def _placement(rnd, p: Person, start):
    for code in rnd.sample(["MPT", "WPC", "WPG", "WPS"], rnd.randint(1, 2)):
        score = rnd.randint(0, 100) if code == "MPT" else rnd.randint(1, 6)
        yield {"StudentID": p.person_id, "TestCode": code, "Score": str(score),
               "CompletedAt": f"{_test_date(rnd, start).isoformat()}T{rnd.randint(8, 17):02d}:00:00"}


def _prometric(rnd, p: Person, start):
    app = _application(rnd, p, start)
    kind = rnd.random()
    d = date.fromisoformat(app["eligibility_start"]) + timedelta(days=rnd.randint(1, 60))
    raw_result, score = ("NOSHOW", "") if kind < 0.07 else \
        (("PASS", str(rnd.randint(75, 99))) if kind < 0.7 else ("FAIL", str(rnd.randint(40, 74))))
    spelled = {"PASS": ["PASS", "P", "pass", " Pass "], "FAIL": ["FAIL", "F", "fail"],
               "NOSHOW": ["NOSHOW", "NS", "no show".replace(" ", "")]}[raw_result]
    return {"CandidateID": p.person_id, "EligibilityID": app["application_id"],
            "LastName": p.last, "FirstName": p.first, "ExamCode": app["exam_code"],
            "TestDate": d.isoformat() if rnd.random() < 0.6 else d.strftime("%m/%d/%Y"),
            "TestCenter": f"TC{rnd.randint(100, 999)}", "Score": score, "PassingScore": "75",
            "Result": rnd.choice(spelled), "ResultDate": (d + timedelta(days=3)).isoformat()}


def _application(rnd, p: Person, start):
    # Deterministic per person, so results and applications agree. Submitted
    # over three years before the start, so the yearly and quarterly charts span years.
    own = random.Random(f"app-{p.person_id}")
    submitted = start - timedelta(days=own.randint(10, 3 * 365))
    begin = submitted + timedelta(days=own.randint(1, 10))
    return {"application_id": f"A{p.person_id[1:]}", "person_id": p.person_id,
            "exam_code": own.choice(EXAMS), "submitted_at": submitted.isoformat(),
            "status": "Pending", "eligibility_start": begin.isoformat(),
            "eligibility_end": (begin + timedelta(days=120)).isoformat(),
            "accommodations": own.choice(["", "", "", "extra time"])}


def earlier_attempt(p: Person, start: date) -> dict | None:
    """About one person in four failed the same exam before: that earlier, failed
    application (deterministic per person), which makes the current one a retake."""
    own = random.Random(f"retake-{p.person_id}")
    if own.random() >= 0.25:
        return None
    current = _application(None, p, start)
    submitted = date.fromisoformat(current["submitted_at"]) - timedelta(days=own.randint(150, 400))
    begin = submitted + timedelta(days=own.randint(1, 10))
    return {**current, "application_id": f"{current['application_id']}R",
            "submitted_at": submitted.isoformat(), "status": "Failed",
            "eligibility_start": begin.isoformat(),
            "eligibility_end": (begin + timedelta(days=120)).isoformat()}


def retakers(people: list[Person], start: date | None = None) -> list[Person]:
    """The people with an earlier attempt (see earlier_attempt)."""
    return [p for p in people if earlier_attempt(p, start or DEFAULT_START) is not None]


def _persons(rnd, p: Person, start):
    return {"person_id": p.person_id, "last_name": p.last, "first_name": p.first,
            "middle_name": p.middle, "birth_date": p.birth.isoformat(), "email": p.email,
            "ssn": "", "gender": p.gender, "street1": p.street, "street2": "", "city": p.city,
            "state": p.state, "zip": p.zip, "country": "US"}


def _person_ids(rnd, p: Person, start):
    for kind, value in (("ACT", p.act_id), ("CB", p.cb_id), ("AP", p.ap_id), ("GRE", p.gre_id),
                        ("GMAC", p.gmac_id), ("PROMETRIC", p.candidate_id)):
        if rnd.random() < 0.7:
            yield {"person_id": p.person_id, "id_type": kind, "id_value": value}


def _checklist(rnd, p: Person, start):
    term = f"{start.year + rnd.randint(0, 1)}{rnd.choice(['10', '20'])}"
    received = "" if rnd.random() < 0.6 else (start - timedelta(days=rnd.randint(1, 60))).isoformat()
    asked = "" if rnd.random() < 0.5 else (start - timedelta(days=rnd.randint(1, 20))).isoformat()
    return {"person_id": p.person_id, "entry_term": term, "item_code": "TSTS",
            "received_date": received, "first_requested_date": asked,
            "last_requested_date": asked}


def _indicators(rnd, p: Person, start):
    return {"person_id": p.person_id, "indicator": rnd.choice(["TIUG", "TIGR"]),
            "test_letter": rnd.choice("ASGHRPBCM")}


def _eligibility(rnd, p: Person, start):
    app = _application(rnd, p, start)
    return {"EligibilityID": app["application_id"], "CandidateID": p.person_id,
            "LastName": p.last, "FirstName": p.first, "MiddleName": p.middle, "Email": p.email,
            "ExamCode": app["exam_code"], "EligibilityStart": app["eligibility_start"],
            "EligibilityEnd": app["eligibility_end"], "Accommodations": app["accommodations"]}


def _by_name(columns: tuple[Column, ...]) -> Callable:
    """Plausible values guessed from column names (legacy and learner extracts)."""
    def row(rnd, p: Person, start):
        out = {}
        for col in columns:
            n = col.name.lower()
            if n.endswith("first_name"):
                out[col.name] = p.first
            elif n.endswith("last_name"):
                out[col.name] = p.last
            elif n == "email":
                out[col.name] = p.email
            elif n in ("street1", "address"):
                out[col.name] = p.street
            elif n == "city":
                out[col.name] = p.city
            elif n == "postcode":
                out[col.name] = p.zip
            elif n == "birth_date":
                out[col.name] = p.birth.isoformat()
            elif n.endswith(("_date", "_on", "established")):
                out[col.name] = (start - timedelta(days=rnd.randint(0, 900))).isoformat()
            elif n.endswith("_id") or n in ("seqn", "lrn", "uln") or n.endswith("_code"):
                out[col.name] = f"{n[:3].upper()}{rnd.randrange(10**5, 10**6)}"
            elif n in ("required", "is_active"):
                out[col.name] = rnd.choice("YN")
            elif n in ("credits", "sequence", "risk", "coach_risk_score"):
                out[col.name] = str(rnd.randint(1, 10))
            elif n == "status":
                out[col.name] = rnd.choice(["Registered", "Completed", "Cancelled"])
            elif n == "gender":
                out[col.name] = p.gender
            elif n == "phone":
                out[col.name] = f"555-{rnd.randrange(1000, 9999)}"
            elif n in ("title", "name"):
                out[col.name] = f"{rnd.choice(['Advanced', 'Core', 'Applied'])} " \
                                f"{rnd.choice(['Audit', 'Care', 'Safety', 'Finance'])}"
            else:
                out[col.name] = ""
        return out
    return row



# -- legacy certification extract ---------------------------------------------------------
CERT_FIELDS = ["Safety", "Audit", "Care Coordination", "Project Delivery", "Data Stewardship",
               "Food Handling", "Forklift Operation", "Financial Planning", "Infection Control"]
CERT_LEVELS = ["Initial", "Renewal", "Advanced"]
CERT_TOPICS = ["Foundations", "Regulations", "Practicum", "Ethics", "Case Studies", "Assessment",
               "Field Work", "Documentation", "Risk", "Communication", "Capstone", "Tools"]
INDUSTRY_CODES = ["5417", "6211", "5412", "2382", "4931", "6221", "5239", "7225"]
GRADES = ["A", "A-", "B+", "B", "B-", "C+", "C", "P"]
CERT_FORMATS = ("legacy_cert_programs", "legacy_cert_components",
                "legacy_cert_program_components", "legacy_cert_registrations")
# A registration for a component its program does not contain (a warning, not
# an error, in the migration): about one in this many students has one.
OFF_PROGRAM_EVERY = 40


@dataclass
class CertCatalogue:
    programs: list[dict]
    components: list[dict]
    links: dict[str, list[tuple[str, bool]]]  # program code -> (component code, required) in order


def generate_cert_catalogue(programs: int, components: int, seed: int = 0) -> CertCatalogue:
    """Programs and components of a legacy certification module; each program
    links 3 to 8 of the components (required or elective) in sequence."""
    rnd = random.Random(f"cert-catalogue-{seed}")
    comps = []
    for i in range(max(components, 3)):
        field = rnd.choice(CERT_FIELDS)
        comps.append({
            "component_code": f"C{i + 1:05d}",
            "title": f"{field}: {rnd.choice(CERT_TOPICS)} {i // len(CERT_TOPICS) + 1}",
            "description": rnd.choice(["", f"Covers {field.lower()} in practice."]),
            "address": f"{rnd.randrange(1, 999)} {rnd.choice(STREETS)}, {rnd.choice(CITIES)[0]}"
            if rnd.random() < 0.4 else "",
            "prerequisites": f"C{rnd.randrange(1, i + 1):05d}" if i and rnd.random() < 0.2 else "",
            "instructors": "; ".join(f"{rnd.choice(FIRST)} {rnd.choice(LAST)}"
                                     for _ in range(rnd.randint(1, 2)))
            if rnd.random() < 0.5 else "",
            "credits": rnd.choice(["1", "2", "3", "1.5", "0.5"])})
    progs, links = [], {}
    for i in range(max(programs, 1)):
        field = CERT_FIELDS[i % len(CERT_FIELDS)]
        code = f"P{i + 1:04d}"
        filled = rnd.random() < 0.6
        progs.append({
            "program_code": code,
            "title": f"{field} {i // len(CERT_FIELDS) + 1} - {rnd.choice(CERT_LEVELS)}",
            "description": rnd.choice(["", f"Certificate in {field.lower()}."]),
            "established": (date(1995, 1, 1) + timedelta(days=rnd.randrange(9000))).isoformat()
            if filled else "",
            "industry_code": rnd.choice(INDUSTRY_CODES) if rnd.random() < 0.5 else "",
            "uf_1": rnd.choice(["Board approved", "Legacy"]) if rnd.random() < 0.3 else "",
            "uf_2": f"Cohort {rnd.randint(1, 9)}" if rnd.random() < 0.2 else "",
            "uf_3": "Evening" if rnd.random() < 0.1 else "",
            "uf_4": "",
            "coordinators": f"{rnd.choice(FIRST)} {rnd.choice(LAST)}" if filled else "",
            "notes": "Renewal every 3 years." if rnd.random() < 0.2 else "",
            "prerequisites": "High school diploma" if rnd.random() < 0.3 else "",
            "is_active": "Y" if rnd.random() < 0.85 else "N"})
        chosen = rnd.sample(comps, min(len(comps), rnd.randint(3, 8)))
        links[code] = [(c["component_code"], rnd.random() < 0.8) for c in chosen]
    return CertCatalogue(progs, comps, links)


def _default_cert_catalogue(format_name: str, records: int, seed: int) -> CertCatalogue:
    if format_name == "legacy_cert_programs":
        return generate_cert_catalogue(records, records * 10, seed)
    if format_name == "legacy_cert_components":
        return generate_cert_catalogue(max(1, records // 10), records, seed)
    # At least `records` links (3 or more per program).
    return generate_cert_catalogue(records // 3 + 1, max(3, records // 2), seed)


def _cert_registrations(rnd, cat: CertCatalogue, people: list[Person], start: date):
    """Each student in turn takes one program's components in sequence:
    completed ones (date and grade), then perhaps one registered or cancelled."""
    seqn = 100_000
    all_components = [c["component_code"] for c in cat.components]
    credits = {c["component_code"]: c["credits"] for c in cat.components}
    i = 0
    while True:
        person = people[i % len(people)]
        i += 1
        program = rnd.choice(cat.programs)["program_code"]
        taken = [code for code, _ in cat.links[program]]
        if i % OFF_PROGRAM_EVERY == 0:
            taken.insert(0, rnd.choice(all_components))
        day = start - timedelta(days=rnd.randint(60, 2000))
        for n, code in enumerate(taken[:rnd.randint(1, len(taken))]):
            seqn += rnd.randint(1, 3)
            status = "Completed" if rnd.random() < 0.75 else rnd.choice(["Registered", "Cancelled"])
            if status == "Registered" and n < len(taken) - 1:
                status = "Completed"
            done = min(start, day + timedelta(days=rnd.randint(20, 120)))
            yield {"seqn": str(seqn), "student_id": person.person_id, "program_code": program,
                   "component_code": code, "registered_on": day.isoformat(), "status": status,
                   "completed_on": done.isoformat() if status == "Completed" else "",
                   "grade": rnd.choice(GRADES) if status == "Completed" else "",
                   "credits": credits[code] if status == "Completed" else ""}
            day = done + timedelta(days=rnd.randint(1, 30))
            if status != "Completed" or day >= start:
                break


def _cert_records(format_name: str, rnd, cat: CertCatalogue, people, start) -> Iterator[dict]:
    if format_name == "legacy_cert_programs":
        yield from cat.programs
    elif format_name == "legacy_cert_components":
        yield from cat.components
    elif format_name == "legacy_cert_program_components":
        for program, components in cat.links.items():
            for n, (code, required) in enumerate(components, start=1):
                yield {"program_code": program, "component_code": code,
                       "required": "Y" if required else "N", "sequence": str(n * 10)}
    else:
        yield from _cert_registrations(rnd, cat, people, start)


# -- two learner systems (FORMATS.md "Two learner systems") --------------------------------
SYNC_COLUMNS: dict[str, tuple[str, ...]] = {
    "a_organisations": ("org_id", "name", "street1", "city", "postcode", "phone", "b_org_id"),
    "b_organisations": ("org_id", "name", "street1", "city", "postcode", "phone"),
    "a_officers": ("officer_id", "first_name", "last_name", "email", "phone", "b_officer_id"),
    "b_officers": ("officer_id", "first_name", "last_name", "email", "phone"),
    "a_learners": ("learner_id", "lrn", "uln", "first_name", "last_name", "birth_date", "gender",
                   "ethnicity", "disability", "email", "phone", "street1", "city", "postcode",
                   "employer_org_id", "risk", "b_learner_id"),
    "b_learners": ("b_learner_id", "student_id", "first_name", "last_name", "birth_date",
                   "gender", "ethnicity", "email", "phone", "street1", "city", "postcode",
                   "employer_b_org_id", "coach_risk_score"),
    "a_qualifications": ("learner_id", "qualification_code", "start_date", "planned_end_date",
                         "actual_end_date", "assessor_officer_id", "second_assessor_officer_id"),
    "b_qualifications": ("learner_id", "qualification_code", "start_date", "planned_end_date",
                         "actual_end_date", "assessor_officer_id", "second_assessor_officer_id"),
}
SYNC_FORMATS = tuple(SYNC_COLUMNS)
# The fields both sides hold, per entity (A column, B column): the ones drift may touch, so the
# share of differing fields among them is about ``differ``. Ids are compared through the links.
SYNC_COMPARED: dict[str, tuple[tuple[str, str], ...]] = {
    "organisations": (("name", "name"), ("street1", "street1"), ("city", "city"),
                      ("postcode", "postcode"), ("phone", "phone")),
    "officers": (("first_name", "first_name"), ("last_name", "last_name"), ("email", "email"),
                 ("phone", "phone")),
    "learners": (("lrn", "student_id"), ("first_name", "first_name"), ("last_name", "last_name"),
                 ("birth_date", "birth_date"), ("gender", "gender"), ("ethnicity", "ethnicity"),
                 ("email", "email"), ("phone", "phone"), ("street1", "street1"), ("city", "city"),
                 ("postcode", "postcode"), ("employer_org_id", "employer_b_org_id"),
                 ("risk", "coach_risk_score")),
    "qualifications": (("start_date", "start_date"), ("planned_end_date", "planned_end_date"),
                       ("actual_end_date", "actual_end_date"),
                       ("assessor_officer_id", "assessor_officer_id"),
                       ("second_assessor_officer_id", "second_assessor_officer_id")),
}
ORG_KINDS = ["Engineering Ltd", "Care Homes", "Logistics", "Dental Practice", "Construction",
             "Digital", "Hospitality Group", "Motors", "Nurseries", "Accountants LLP"]
# Apprenticeship standards (reference numbers as published).
QUALIFICATIONS = ["ST0116", "ST0070", "ST0118", "ST0219", "ST0311", "ST0384", "ST0419",
                  "ST0505", "ST0548", "ST0626", "ST0799", "ST0894"]
GENDERS = ["F", "M", "F", "M", "X"]
ETHNICITIES = ["31", "31", "31", "32", "33", "34", "35", "36", "37", "38", "39", "40", "41",
               "42", "43", "44", "45", "46", "47", "98", "99"]


def _typo(rnd: random.Random, text: str) -> str:
    """One slip of the keyboard: two neighbouring letters swapped, or one dropped; never equal."""
    if len(text) < 2:
        return text + "e"
    k = rnd.randrange(len(text) - 1)
    if text[k] != text[k + 1] and rnd.random() < 0.5:
        return text[:k] + text[k + 1] + text[k] + text[k + 2:]
    return text[:k] + text[k + 1:]


def _other(rnd: random.Random, choices: list, current):
    """Another value than ``current`` from ``choices`` (which hold at least two values)."""
    while True:
        value = rnd.choice(choices)
        if value != current:
            return value


def _phone(rnd: random.Random) -> str:
    return f"07{rnd.randrange(100_000_000, 1_000_000_000)}"


def _handle(first: str, last: str) -> str:
    return "".join(c for c in _ascii(f"{first}.{last}").lower() if c.isalnum() or c == ".")


def _drift_value(rnd: random.Random, field: str, value: str, *, pool=None) -> str:
    """A realistic other value of a field (never equal to ``value``)."""
    if field == "first_name":
        return _typo(rnd, value)
    if field == "last_name":
        return _typo(rnd, value) if rnd.random() < 0.5 else _other(rnd, LAST, value)
    if field == "name":
        if rnd.random() < 0.5:
            return _typo(rnd, value)
        return value[:-4] if value.endswith(" Ltd") else value + " Ltd"
    if field == "email":
        return value.replace("@", f"{rnd.randrange(1, 99)}@", 1).replace("example.org",
                                                                         "mail.example.com")
    if field == "phone":
        return _other(rnd, [_phone(rnd), _phone(rnd)], value)
    if field == "street1":
        return _other(rnd, [f"{rnd.randrange(1, 9999)} {rnd.choice(STREETS)}"] * 2
                      + [f"Flat {rnd.randrange(1, 40)}, {value}"], value)
    if field in ("city", "postcode"):
        return _other(rnd, pool, value)
    if field in ("gender", "ethnicity"):
        return _other(rnd, pool, value)
    if field in ("risk", "coach_risk_score"):
        return _other(rnd, [f"{rnd.randrange(0, 1001) / 10:.1f}"] * 2 + ["0.0"], value)
    if field == "lrn":  # B's student id never set, or an id of B's own
        return "" if rnd.random() < 0.7 else f"S{rnd.randrange(10**6, 10**7)}"
    if field.endswith("_date"):
        if not value:
            return pool.isoformat()
        shift = rnd.choice([-1, 1]) * rnd.randint(1, 60)
        return (date.fromisoformat(value) + timedelta(days=shift)).isoformat()
    if field.endswith(("_org_id", "_officer_id")):
        return _other(rnd, pool, value)
    raise ValueError(f"no drift for field {field!r}")


def _learner_systems(emit: dict[str, Callable], learners: int, seed: int, differ: float,
                     unlinked: float, start: date) -> None:
    """One population on both sides, each row handed to ``emit[format](values)`` in the
    order of SYNC_COLUMNS; drift as described in generate_learner_systems."""
    rnd = random.Random(f"learner-systems-{seed}")
    rand = rnd.random

    def drifted(field, a_value, b_value, pool=None, *, b_only=False):
        # Either side may hold the newer value; B's student id is only ever B's.
        if rand() >= differ:
            return a_value, b_value
        if b_only or rand() < 0.5:
            return a_value, _drift_value(rnd, field, b_value, pool=pool)
        return _drift_value(rnd, field, a_value, pool=pool), b_value

    cities = [c for c, _, _ in CITIES]
    postcodes = [z for _, _, z in CITIES]
    # A few organisations and officers newly entered on A: no link, not on B yet, and in
    # the baseline nobody's employer or assessor (drift on A may pick them).
    n_orgs = max(3, round(learners / 40))
    n_officers = max(3, round(learners / 25))
    orgs_new = max(1, n_orgs // 50)
    officers_new = max(1, n_officers // 50)
    org_b = {}
    for i in range(n_orgs):
        a_id, b_id = f"ORG{i + 1:05d}", f"BG{i + 1:06d}"
        city, _, postcode = rnd.choice(CITIES)
        a = [a_id, f"{rnd.choice(LAST)} {rnd.choice(ORG_KINDS)}",
             f"{rnd.randrange(1, 400)} {rnd.choice(STREETS)}", city, postcode, _phone(rnd)]
        if i >= n_orgs - orgs_new:
            emit["a_organisations"](a + [""])
            continue
        b = [b_id] + a[1:]
        for n, field in ((1, "name"), (2, "street1"), (3, "city"), (4, "postcode"), (5, "phone")):
            a[n], b[n] = drifted(field, a[n], b[n], cities if n == 3 else postcodes)
        org_b[a_id] = b_id
        emit["a_organisations"](a + [b_id])
        emit["b_organisations"](b)
    officer_b = {}
    for i in range(n_officers):
        a_id, b_id = f"OFF{i + 1:05d}", f"BO{i + 1:06d}"
        first, last = rnd.choice(FIRST), rnd.choice(LAST)
        a = [a_id, first, last, f"{_handle(first, last)}{i}@example.org", _phone(rnd)]
        if i >= n_officers - officers_new:
            emit["a_officers"](a + [""])
            continue
        b = [b_id] + a[1:]
        for n, field in ((1, "first_name"), (2, "last_name"), (3, "email"), (4, "phone")):
            a[n], b[n] = drifted(field, a[n], b[n])
        officer_b[a_id] = b_id
        emit["a_officers"](a + [b_id])
        emit["b_officers"](b)
    org_ids = [f"ORG{i + 1:05d}" for i in range(n_orgs)]
    linked_orgs = list(org_b)
    officer_ids = [f"OFF{i + 1:05d}" for i in range(n_officers)]
    linked_officers = list(officer_b)
    b_org_ids, b_officer_ids = list(org_b.values()), list(officer_b.values())

    def drifted_link(field, a_value, a_pool, b_pool, a_to_b):
        # An id field (as A's id on A, its linked B id on B): A's changes to another A id
        # (perhaps one not on B yet), or B's to another B id; a blank one is set on one side.
        if rand() >= differ:
            return a_value, a_to_b.get(a_value, "")
        b_value = a_to_b.get(a_value, "")
        if rand() < 0.5:
            return _drift_value(rnd, field, a_value, pool=a_pool), b_value
        return a_value, _drift_value(rnd, field, b_value, pool=b_pool)

    emit_al, emit_bl = emit["a_learners"], emit["b_learners"]
    emit_aq, emit_bq = emit["a_qualifications"], emit["b_qualifications"]
    first_day = date(1970, 1, 1)
    for i in range(learners):
        a_id = f"L{i + 1:07d}"
        first, last = rnd.choice(FIRST), rnd.choice(LAST)
        city, _, postcode = rnd.choice(CITIES)
        lrn = f"{seed % 1000:03d}{i + 1:07d}"
        a = [a_id, lrn, f"{rnd.randrange(1_000_000_000, 10_000_000_000)}", first, last,
             (first_day + timedelta(days=rnd.randrange(365 * 38))).isoformat(),
             rnd.choice(GENDERS), rnd.choice(ETHNICITIES), "Y" if rand() < 0.12 else "N",
             f"{_handle(first, last)}{i}@example.org", _phone(rnd),
             f"{rnd.randrange(1, 9999)} {rnd.choice(STREETS)}", city, postcode,
             rnd.choice(linked_orgs), f"{rnd.randrange(0, 1001) / 10:.1f}"]
        codes = rnd.sample(QUALIFICATIONS, rnd.choice((1, 1, 2, 2, 3)))
        quals = []
        for code in codes:
            begun = start - timedelta(days=rnd.randint(30, 900))
            planned = begun + timedelta(days=rnd.randint(365, 730))
            ended = planned + timedelta(days=rnd.randint(-30, 60))
            quals.append([a_id, code, begun.isoformat(), planned.isoformat(),
                          ended.isoformat() if ended < start and rand() < 0.7 else "",
                          rnd.choice(linked_officers),
                          rnd.choice(linked_officers) if rand() < 0.8 else ""])
        if rand() < unlinked:
            emit_al(a + [""])
            for q in quals:
                emit_aq(q)
            continue
        b_id = f"BL{i + 1:06d}"
        b = [b_id, lrn, first, last, a[5], a[6], a[7], a[9], a[10], a[11], city, postcode,
             "", a[15]]
        a[1], b[1] = drifted("lrn", a[1], b[1], b_only=True)
        for an, bn, field, pool in ((3, 2, "first_name", None), (4, 3, "last_name", None),
                                    (5, 4, "birth_date", None), (6, 5, "gender", GENDERS),
                                    (7, 6, "ethnicity", ETHNICITIES), (9, 7, "email", None),
                                    (10, 8, "phone", None), (11, 9, "street1", None),
                                    (12, 10, "city", cities), (13, 11, "postcode", postcodes),
                                    (15, 13, "risk", None)):
            a[an], b[bn] = drifted(field, a[an], b[bn], pool)
        a[14], b[12] = drifted_link("employer_org_id", a[14], org_ids, b_org_ids, org_b)
        emit_al(a + [b_id])
        emit_bl(b)
        for q in quals:
            bq = [b_id, q[1], q[2], q[3], q[4], "", ""]
            # A completion recorded on one side only: on the planned day, or today at the latest.
            ended = min(date.fromisoformat(q[3]), start)
            for n, field in ((2, "start_date"), (3, "planned_end_date"), (4, "actual_end_date")):
                q[n], bq[n] = drifted(field, q[n], bq[n], ended)
            for n, field in ((5, "assessor_officer_id"), (6, "second_assessor_officer_id")):
                q[n], bq[n] = drifted_link(field, q[n], officer_ids, b_officer_ids, officer_b)
            emit_aq(q)
            emit_bq(bq)


def generate_learner_systems(folder: Path, learners: int, *, seed: int = 0, differ: float = 0.05,
                             unlinked: float = 0.01, start_date: date | None = None
                             ) -> dict[str, Path]:
    """The eight extracts of a training provider's learner system (side A) and its
    assessment platform (side B) for one population, as ``<format>.csv`` in ``folder``;
    returns format name -> path.

    About learners/40 employer organisations and learners/25 officers (at least 3 each);
    each learner has an employer and 1 to 3 qualifications with an assessor and usually
    a second one. B holds the same records under its own ids (BL.., BO.., BG..), linked
    from A (b_learner_id, b_officer_id, b_org_id); qualification rows carry each side's
    own learner and officer ids. Drift: each field both sides hold (SYNC_COMPARED)
    differs with probability ``differ`` (on either side: a typo or a new surname, a new
    email or phone, a moved address, another employer or assessor, gender or ethnicity
    recorded differently, qualification dates shifted, B's coach risk score against A's
    risk, B's student id unset); a share ``unlinked`` of learners are on A only with no
    link, and a few organisations and officers are new on A (blank link). Deterministic
    for a seed; rows are streamed to the files."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for fmt, names in SYNC_COLUMNS.items():
        if tuple(c.name for c in layout(fmt)) != names:
            raise ValueError(f"layout of {fmt} in seeds/layouts/layout_columns.csv is not "
                             f"{', '.join(names)}")
    paths = {fmt: folder / f"{fmt}.csv" for fmt in SYNC_FORMATS}
    files = [open(path, "w", encoding="utf-8", newline="") for path in paths.values()]
    try:
        writers = {}
        for fmt, f in zip(SYNC_FORMATS, files, strict=True):
            writer = csv.writer(f, lineterminator="\n")
            writer.writerow(SYNC_COLUMNS[fmt])
            writers[fmt] = writer.writerow
        _learner_systems(writers, learners, seed, differ, unlinked, start_date or DEFAULT_START)
    finally:
        for f in files:
            f.close()
    return paths


def _sync_records(format_name: str, records: int, seed: int, start: date) -> list[dict]:
    """``records`` rows of one format, from a population just big enough to hold them
    (about 40 learners per organisation, 25 per officer)."""
    names = SYNC_COLUMNS[format_name]
    learners = max(1, records) * {"organisations": 41, "officers": 26}.get(
        format_name.split("_", 1)[1], 1)
    while True:
        rows: list = []
        emit = {fmt: (rows.append if fmt == format_name else _ignore) for fmt in SYNC_FORMATS}
        _learner_systems(emit, learners, seed, 0.05, 0.01, start)
        if len(rows) >= records:
            return [dict(zip(names, row, strict=True)) for row in rows[:records]]
        learners *= 2


def _ignore(row) -> None:
    pass


ROWS: dict[str, Callable] = {
    "act_csv": _act, "sat_csv": _sat, "ap_csv": _ap, "accuplacer_csv": _accuplacer,
    "preact_fixed": _preact, "gre_fixed": _gre, "gmat_csv": _gmat, "placement_csv": _placement,
    "prometric_results": _prometric, "applications": _application, "persons": _persons,
    "person_ids": _person_ids, "admissions_checklist": _checklist,
    "admission_test_indicators": _indicators, "eligibility": _eligibility,
}


def _terms(records: int, start: date) -> Iterator[dict]:
    for i in range(records):
        year = start.year - 1 + i // 2
        spring = i % 2 == 0
        yield {"term_code": f"{year}{'10' if spring else '20'}",
               "start_date": date(year, 1 if spring else 8, 15).isoformat(),
               "end_date": date(year, 5 if spring else 12, 15).isoformat()}


def _records(format_name: str, columns, records: int, seed: int, people, start,
             catalogue: CertCatalogue | None = None) -> Iterator[dict]:
    rnd = random.Random(f"{format_name}-{seed}")
    if format_name == "terms":
        yield from _terms(records, start)
        return
    if format_name in SYNC_FORMATS:
        yield from _sync_records(format_name, records, seed, start)
        return
    if format_name in CERT_FORMATS:
        cat = catalogue or _default_cert_catalogue(format_name, records, seed)
        for n, row in enumerate(_cert_records(format_name, rnd, cat, people, start)):
            if n >= records:
                return
            yield row
        return
    make = ROWS.get(format_name) or _by_name(columns)
    n = 0
    i = 0
    while n < records:
        person = people[i % len(people)]
        i += 1
        if format_name == "applications" and (i - 1) // len(people) == 1:
            # Once every person has a current application: the earlier attempts.
            produced = earlier_attempt(person, start)
            if produced is None:
                continue
        else:
            produced = make(rnd, person, start)
        for row in ([produced] if isinstance(produced, dict) else produced):
            yield row
            n += 1
            if n >= records:
                return


def generate(format_name: str, path: Path, records: int, *, seed: int = 0,
             people: list[Person] | None = None, encoding: str = "utf-8", bom: bool = False,
             newline: str = "\n", final_newline: bool = True,
             start_date: date | None = None, catalogue: CertCatalogue | None = None) -> Path:
    """Writes ``records`` records of a format to ``path``; returns the path.
    The ``legacy_cert_*`` formats take their programs and components from
    ``catalogue`` (give the same one to all four files); the programs,
    components and links files hold at most the catalogue's rows."""
    fmt = get_format(format_name)
    columns = layout(format_name)
    people = people or generate_people(max(1, min(records, 50_000)), seed)
    start = start_date or DEFAULT_START
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = _records(format_name, columns, records, seed, people, start, catalogue)
    with open(path, "w", encoding=encoding, newline="") as f:
        if bom:
            f.write("\ufeff")
        lines = _fixed_lines(columns, fmt.record_length, rows) if fmt.kind == "fixed" \
            else _csv_lines(columns, rows)
        pending = None
        for line in lines:
            if pending is not None:
                f.write(pending + newline)
            pending = line
        if pending is not None:
            f.write(pending + (newline if final_newline else ""))
    return path


def _fixed_lines(columns, length: int, rows) -> Iterator[str]:
    """Records of exactly ``length`` characters; vendors' fixed-width files are ASCII."""
    spans = {c.name: (c.start - 1, c.end) for c in columns}
    for row in rows:
        fields = sorted((spans[name] + (value,) for name, value in row.items()))
        parts = []
        at = 0
        for start, end, value in fields:
            width = end - start
            text = _ascii(value)[:width]
            if start < at:  # overlapping fields (as in the PreACT colspecs): keep the first
                continue
            parts.append(" " * (start - at))
            parts.append(text.rjust(width) if text.isdigit() else text.ljust(width))
            at = end
        parts.append(" " * (length - at))
        yield "".join(parts)


@lru_cache(maxsize=4096)
def _ascii(text: str) -> str:
    import unicodedata

    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return folded


class _Line:
    def __init__(self):
        self.text = ""

    def write(self, text):
        self.text = text


def _csv_lines(columns, rows) -> Iterator[str]:
    names = [c.name for c in columns]
    index = {}
    for i, name in enumerate(names):
        index.setdefault(name, i)  # repeated names (Filler): the first one gets values
    sink = _Line()
    writer = csv.writer(sink, lineterminator="")
    writer.writerow(names)
    yield sink.text
    blank = [""] * len(names)
    for row in rows:
        values = blank.copy()
        for name, value in row.items():
            values[index[name]] = value
        writer.writerow(values)
        yield sink.text


def main() -> None:
    ap = argparse.ArgumentParser(description="Write a generated file of a format.")
    ap.add_argument("format", choices=formats())
    ap.add_argument("path", type=Path)
    ap.add_argument("--records", type=int, default=100)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    generate(args.format, args.path, args.records, seed=args.seed)


if __name__ == "__main__":
    main()
