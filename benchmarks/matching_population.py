"""A synthetic population and noisy incoming score records, with the truth kept.

Used by bench_matching.py. Pure Python and seeded: the same seed gives the
same persons and records. Names follow skewed, realistic frequencies (a head
of very common names with their approximate US shares, then a long synthetic
tail with Zipf weights), so "John Smith" collides as it does in real data.

Persons come in households: singles, siblings (same surname and address,
different first names and birth dates) and twins (the same, with the same
birth date). Each record belongs to a person of the population, or (about
20%) to someone who is not in it; a few of those are the twin or sibling of a
person who is, the hardest case for a matcher. Every record carries the noise
it was given (``Record.noise``) so shares can be checked.
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass, field
from datetime import date, timedelta

# Approximate share per 100,000 people of the most common US surnames.
SURNAMES = [
    ("Smith", 828), ("Johnson", 655), ("Williams", 550), ("Brown", 487), ("Jones", 483),
    ("Garcia", 466), ("Miller", 424), ("Davis", 394), ("Rodriguez", 370), ("Martinez", 354),
    ("Hernandez", 344), ("Lopez", 294), ("Gonzalez", 279), ("Wilson", 278), ("Anderson", 271),
    ("Thomas", 259), ("Taylor", 254), ("Moore", 244), ("Jackson", 241), ("Martin", 239),
    ("Lee", 237), ("Perez", 225), ("Thompson", 224), ("White", 219), ("Harris", 208),
    ("Sanchez", 206), ("Clark", 187), ("Ramirez", 185), ("Lewis", 181), ("Robinson", 178),
    ("Walker", 176), ("Young", 167), ("Allen", 166), ("King", 164), ("Wright", 162),
    ("Scott", 153), ("Torres", 151), ("Nguyen", 150), ("Hill", 149), ("Flores", 147),
    ("Green", 146), ("Adams", 145), ("Nelson", 144), ("Baker", 143), ("Hall", 136),
    ("Rivera", 134), ("Campbell", 133), ("Mitchell", 131), ("Carter", 130), ("Roberts", 129),
    ("Tran", 90), ("Le", 80), ("Pham", 60), ("Patel", 75), ("Kim", 85), ("Chen", 60),
    ("O'Brien", 40), ("McDonald", 45), ("Kowalski", 15), ("Müller", 5),
]
# Share per 100,000 of the same sex; a mix of older and younger cohorts.
MALE_FIRST = [
    ("James", 1650), ("John", 1600), ("Robert", 1500), ("Michael", 1800), ("William", 1300),
    ("David", 1400), ("Joseph", 900), ("Thomas", 800), ("Christopher", 1000), ("Daniel", 1000),
    ("Matthew", 900), ("Anthony", 700), ("Joshua", 800), ("Andrew", 700), ("Jacob", 800),
    ("Ethan", 600), ("Richard", 600), ("Jose", 600), ("Juan", 400), ("Carlos", 350),
    ("Luis", 350), ("Nicholas", 500), ("Alexander", 550), ("Benjamin", 450), ("Samuel", 400),
    ("Noah", 450), ("Liam", 350), ("Wei", 60), ("Minh", 50), ("Mohammed", 80), ("Steven", 400),
    ("Kevin", 450), ("Brian", 400), ("Edward", 300), ("Charles", 600),
]
FEMALE_FIRST = [
    ("Mary", 1300), ("Maria", 900), ("Patricia", 700), ("Jennifer", 1000), ("Linda", 600),
    ("Elizabeth", 900), ("Barbara", 500), ("Susan", 500), ("Jessica", 1000), ("Sarah", 900),
    ("Karen", 450), ("Nancy", 400), ("Lisa", 500), ("Emily", 900), ("Ashley", 900),
    ("Emma", 600), ("Olivia", 550), ("Sophia", 550), ("Isabella", 500), ("Madison", 500),
    ("Abigail", 450), ("Hannah", 500), ("Samantha", 600), ("Katherine", 500), ("Margaret", 400),
    ("Ana", 250), ("Guadalupe", 150), ("Mai", 50), ("Fatima", 60), ("Chloe", 300),
    ("Victoria", 350), ("Rebecca", 400), ("Michelle", 500), ("Amanda", 600), ("Stephanie", 500),
]
NICKNAMES = {
    "James": ["Jim", "Jimmy", "Jamie"], "John": ["Johnny", "Jack"], "Robert": ["Bob", "Rob", "Bobby"],
    "Michael": ["Mike", "Mikey"], "William": ["Bill", "Will", "Billy"], "David": ["Dave"],
    "Joseph": ["Joe", "Joey"], "Thomas": ["Tom", "Tommy"], "Christopher": ["Chris"],
    "Daniel": ["Dan", "Danny"], "Matthew": ["Matt"], "Anthony": ["Tony"], "Joshua": ["Josh"],
    "Andrew": ["Andy", "Drew"], "Jacob": ["Jake"], "Richard": ["Rick", "Dick", "Rich"],
    "Jose": ["Pepe"], "Nicholas": ["Nick"], "Alexander": ["Alex"], "Benjamin": ["Ben"],
    "Samuel": ["Sam"], "Steven": ["Steve"], "Edward": ["Ed", "Eddie", "Ted"],
    "Charles": ["Charlie", "Chuck"], "Mary": ["Molly"], "Patricia": ["Pat", "Patty", "Trish"],
    "Jennifer": ["Jen", "Jenny"], "Elizabeth": ["Liz", "Beth", "Betty"], "Barbara": ["Barb"],
    "Susan": ["Sue", "Susie"], "Jessica": ["Jess"], "Rebecca": ["Becky"], "Emily": ["Em"],
    "Abigail": ["Abby"], "Samantha": ["Sam"], "Katherine": ["Kate", "Katie", "Kathy"],
    "Margaret": ["Maggie", "Peggy", "Meg"], "Victoria": ["Vicky", "Tori"], "Amanda": ["Mandy"],
    "Stephanie": ["Steph"], "Isabella": ["Bella"], "Madison": ["Maddie"], "Olivia": ["Liv"],
    "Sophia": ["Sophie"],
}
_SYLLABLES_A = ["Bar", "Kel", "Mor", "Ash", "Hal", "Ren", "Dor", "Whit", "Pel", "Cal", "Stan",
                "Far", "Gil", "Har", "Lin", "Mar", "Nor", "Os", "Quin", "Rad", "Sel", "Tal",
                "Ul", "Ver", "Wal", "Yar", "Zel", "Brad", "Cor", "Dun", "El", "Fen", "Gor",
                "Hol", "Ing", "Jor", "Kir", "Lom", "Mel", "Ash"]
_SYLLABLES_B = ["ton", "son", "ley", "wick", "man", "berg", "field", "ford", "stein", "ridge",
                "wood", "well", "by", "dale", "er", "ham", "ing", "ez", "ov", "ski", "en", "as",
                "ard", "ett", "ins", "mont", "rick", "sen", "ster", "vich", "ova", "ero",
                "ani", "ello", "ay", "ow", "ek", "ich", "ue", "ot"]
_SYLLABLES_C = ["", "a", "e", "i", "o", "s", "y", "ie", "an", "el"]
_SYLLABLES_D = ["", "n", "r", "t", "l", "k"]
_FIRST_A = ["Ar", "Bel", "Cor", "Dar", "Em", "Fel", "Gr", "Hel", "Is", "Jal", "Kay", "Lor",
            "Mir", "Nal", "Or", "Pen", "Ros", "Sil", "Tam", "Val", "Wyn", "Xan", "Yas", "Zor"]
_FIRST_B_M = ["an", "on", "el", "ius", "en", "ar", "ik", "o", "ian", "us"]
_FIRST_B_F = ["a", "ia", "elle", "ina", "een", "ara", "ie", "ette", "ana", "ys"]
STREETS = ["Main St", "Oak Ave", "Maple Dr", "Cedar Ln", "Elm St", "Park Rd", "Pine St",
           "Washington Ave", "Lake Dr", "Hill Rd", "Church St", "Sunset Blvd", "River Rd"]
CITIES = [("Columbia", "SC", "29201"), ("Austin", "TX", "78701"), ("Madison", "WI", "53703"),
          ("Boise", "ID", "83702"), ("Albany", "NY", "12207"), ("Tucson", "AZ", "85701"),
          ("Houston", "TX", "77002"), ("Miami", "FL", "33101"), ("Chicago", "IL", "60601"),
          ("Phoenix", "AZ", "85001"), ("Denver", "CO", "80202"), ("Atlanta", "GA", "30303")]
EMAIL_DOMAINS = ["example.org", "example.com", "example.net", "mail.example.edu"]

# Households: kind -> (share of households, number of members).
HOUSEHOLDS = {"single": (0.79, 1), "siblings2": (0.14, 2), "siblings3": (0.04, 3),
              "twins": (0.025, 2), "twins_sibling": (0.005, 3)}
PERSON_HAS_SSN = 0.25
PERSON_HAS_CB_ID = 0.60
PERSON_HAS_EMAIL = 0.85
PERSON_HAS_ADDRESS = 0.90
PERSON_HAS_MIDDLE = 0.60
RECORD_OUTSIDE = 0.20         # records of people not in the population
OUTSIDE_IS_FAMILY = 0.10      # of those: a twin or sibling of a person who is
RECORD_RETAKE = 0.12          # a record of someone who already has one
RECORD_KNOWN_ID = 0.70        # records of a person with a known CB id that carry it
RECORD_HAS_SSN = 0.25
RECORD_HAS_EMAIL = 0.70
RECORD_HAS_ADDRESS = 0.85
# Noise of one record, each drawn independently (share of records; nickname:
# of the records whose first name has one; day/month swap: of those whose
# day is 12 or less and not the month; hyphenation: unless married).
NOISE = {
    "typo_last": 0.03, "typo_first": 0.03, "nickname": 0.10, "swapped_names": 0.015,
    "day_month_swap": 0.015, "birth_typo": 0.005, "birth_invalid": 0.005, "empty_name": 0.003,
    "marriage": 0.02, "hyphenation": 0.015, "upper_case": 0.20, "padded": 0.05,
    "moved": 0.10, "ssn_typo": 0.01, "email_changed": 0.20,
}


@dataclass(slots=True)
class Individual:
    """A real person: in the population (person_id set) or not (person_id None)."""

    family_id: int
    first: str
    middle: str
    last: str
    birth: date
    gender: str
    ssn: str
    email: str
    street: str
    city: str
    state: str
    zip: str
    person_id: str | None = None
    known_cb_id: str | None = None  # the CB id the organisation has on file
    vendor_id: str = ""             # the CB id the vendor uses for them
    is_twin: bool = False
    shows_ssn: bool = False         # the persons file has the SSN
    shows_email: bool = True
    shows_address: bool = True


@dataclass(slots=True)
class Record:
    """One incoming score record and its truth."""

    vendor_person_id: str
    first_name: str
    middle_name: str
    last_name: str
    birth_date: date | None
    gender: str
    street: str
    city: str
    state: str
    zip: str
    email: str
    phone: str
    ssn: str
    test_date: date
    true_person_id: str | None
    family_person_ids: tuple[str, ...]  # the true person's twins and siblings in the population
    has_twin: bool                       # one of those is a twin
    noise: set[str] = field(default_factory=set)


class _Names:
    """Weighted draws from a head of real names and a synthetic Zipf tail."""

    def __init__(self, head: list[tuple[str, int]], tail: list[str]):
        head_mass = sum(w for _, w in head)
        tail_mass = max(100_000 - head_mass, 0)
        zipf = [1 / (rank + 50) for rank in range(len(tail))]
        scale = tail_mass / sum(zipf)
        self.names = [n for n, _ in head] + tail
        self.cum = list(itertools.accumulate([float(w) for _, w in head] + [z * scale for z in zipf]))

    def draw(self, rnd: random.Random, k: int = 1) -> list[str]:
        return rnd.choices(self.names, cum_weights=self.cum, k=k)


def _tail_surnames() -> list[str]:
    heads = {n for n, _ in SURNAMES}
    names = (a + b + c + d for a in _SYLLABLES_A for b in _SYLLABLES_B for c in _SYLLABLES_C
             for d in _SYLLABLES_D)
    return [n for n in dict.fromkeys(names) if n not in heads]


def _tail_first(endings: list[str]) -> list[str]:
    return [a + b for a in _FIRST_A for b in endings]


SURNAME_DRAW = _Names(SURNAMES, _tail_surnames())
FIRST_DRAW = {"M": _Names(MALE_FIRST, _tail_first(_FIRST_B_M)),
              "F": _Names(FEMALE_FIRST, _tail_first(_FIRST_B_F))}


class _Ids:
    """Unique random numeric ids in [low, high)."""

    def __init__(self, rnd: random.Random, low: int, high: int):
        self.rnd, self.low, self.high, self.seen = rnd, low, high, set()

    def new(self) -> str:
        while True:
            value = self.rnd.randrange(self.low, self.high)
            if value not in self.seen:
                self.seen.add(value)
                return str(value)


def _birth(rnd: random.Random) -> date:
    if rnd.random() < 0.7:  # students
        return date(2004, 1, 1) + timedelta(days=rnd.randrange(7 * 365))
    return date(1965, 1, 1) + timedelta(days=rnd.randrange(38 * 365))


def _first_name(rnd: random.Random, gender: str, taken: set[str]) -> str:
    while True:
        name = FIRST_DRAW[gender].draw(rnd)[0]
        if name not in taken:
            taken.add(name)
            return name


class Generator:
    """Makes the population, then the records; holds the id spaces shared by both."""

    def __init__(self, seed: int):
        self.rnd = random.Random(f"matching-{seed}")
        self.ssns = _Ids(self.rnd, 100_000_000, 900_000_000)  # 9 digits, none from 9
        self.cb_ids = _Ids(self.rnd, 100_000_000, 1_000_000_000)
        self.families: dict[int, list[Individual]] = {}
        self._family_seq = itertools.count(1)

    def _member(self, family_id: int, last: str, birth: date, address: tuple, taken: set[str],
                twin: bool = False) -> Individual:
        rnd = self.rnd
        gender = rnd.choice("MF")
        first = _first_name(rnd, gender, taken)
        middle = ""
        if rnd.random() < PERSON_HAS_MIDDLE:
            middle = rnd.choice("ABCDEFGHJKLMNPRSTW") if rnd.random() < 0.5 else \
                FIRST_DRAW[gender].draw(rnd)[0]
        street, city, state, zip_code = address
        handle = f"{first}.{last}".lower().replace("'", "").replace(" ", "")
        return Individual(
            family_id=family_id, first=first, middle=middle, last=last, birth=birth,
            gender=gender, ssn=self.ssns.new(),
            email=f"{handle}{rnd.randrange(1, 9999)}@{rnd.choice(EMAIL_DOMAINS)}",
            street=street, city=city, state=state, zip=zip_code, is_twin=twin,
            vendor_id=self.cb_ids.new())

    def _address(self) -> tuple:
        city, state, zip_code = self.rnd.choice(CITIES)
        return f"{self.rnd.randrange(1, 9999)} {self.rnd.choice(STREETS)}", city, state, zip_code

    def _surname(self) -> str:
        last = SURNAME_DRAW.draw(self.rnd)[0]
        if self.rnd.random() < 0.02:  # a double surname on file
            other = SURNAME_DRAW.draw(self.rnd)[0]
            if other != last:
                last = f"{last}-{other}"
        return last

    def _sibling_birth(self, births: list[date]) -> date:
        """A birth date at least nine months from every other child's."""
        while True:
            birth = births[0] + timedelta(days=self.rnd.choice([-1, 1]) * self.rnd.randrange(300, 2200))
            if all(abs((birth - b).days) >= 270 for b in births):
                return birth

    def household(self, kind: str) -> list[Individual]:
        rnd, family_id = self.rnd, next(self._family_seq)
        last, address, taken = self._surname(), self._address(), set()
        size = HOUSEHOLDS[kind][1]
        twins = kind.startswith("twins")
        births = [_birth(rnd)]
        if twins:
            births.append(births[0])
        while len(births) < size:
            births.append(self._sibling_birth(births))
        members = [self._member(family_id, last, b, address, taken, twin=twins and i < 2)
                   for i, b in enumerate(births)]
        self.families[family_id] = members
        return members

    def population(self, n: int) -> list[Individual]:
        kinds = list(HOUSEHOLDS)
        weights = [HOUSEHOLDS[k][0] for k in kinds]
        people: list[Individual] = []
        while len(people) < n:
            people.extend(self.household(self.rnd.choices(kinds, weights)[0]))
        del people[n:]
        for i, p in enumerate(people):
            p.person_id = f"P{i + 1:08d}"
            p.known_cb_id = p.vendor_id if self.rnd.random() < PERSON_HAS_CB_ID else None
            p.shows_ssn = self.rnd.random() < PERSON_HAS_SSN
            p.shows_email = self.rnd.random() < PERSON_HAS_EMAIL
            p.shows_address = self.rnd.random() < PERSON_HAS_ADDRESS
        # A household cut at n keeps only the members that made it in.
        for members in self.families.values():
            members[:] = [m for m in members if m.person_id]
        return people

    def outsider(self, population: list[Individual]) -> Individual:
        """Someone not in the population; sometimes a twin or sibling of someone who is."""
        rnd = self.rnd
        if rnd.random() < OUTSIDE_IS_FAMILY:
            relative = rnd.choice(population)
            family = self.families[relative.family_id]
            twin = rnd.random() < 0.4
            birth = relative.birth if twin else self._sibling_birth([m.birth for m in family])
            taken = {m.first for m in family}
            address = (relative.street, relative.city, relative.state, relative.zip)
            person = self._member(relative.family_id, relative.last, birth, address, taken, twin=twin)
            if twin:
                relative.is_twin = True
            family.append(person)
            return person
        return self.household("single")[0]

    def records(self, n: int, population: list[Individual]) -> list[Record]:
        rnd, chosen, out = self.rnd, [], []
        for _ in range(n):
            if chosen and rnd.random() < RECORD_RETAKE:
                person = rnd.choice(chosen)
            elif rnd.random() < RECORD_OUTSIDE:
                person = self.outsider(population)
            else:
                person = rnd.choice(population)
            chosen.append(person)
            out.append(self.record(person))
        return out

    def record(self, p: Individual) -> Record:
        rnd, noise = self.rnd, set()
        hit = {name: rnd.random() < share for name, share in NOISE.items()}
        first, last, birth = p.first, p.last, p.birth
        if hit["nickname"] and first in NICKNAMES:
            first = rnd.choice(NICKNAMES[first])
            noise.add("nickname")
        if hit["marriage"]:
            new = SURNAME_DRAW.draw(rnd)[0]
            if new != last:
                last = new
                noise.add("marriage")
        elif hit["hyphenation"]:
            last = last.split("-")[0] if "-" in last else f"{last}-{SURNAME_DRAW.draw(rnd)[0]}"
            noise.add("hyphenation")
        if hit["typo_first"]:
            first = typo(rnd, first)
            noise.add("typo_first")
        if hit["typo_last"]:
            last = typo(rnd, last)
            noise.add("typo_last")
        if hit["swapped_names"]:
            first, last = last, first
            noise.add("swapped_names")
        if hit["day_month_swap"] and birth.day <= 12 and birth.day != birth.month:
            birth = birth.replace(month=birth.day, day=birth.month)
            noise.add("day_month_swap")
        elif hit["birth_typo"]:
            birth = birth + timedelta(days=rnd.choice([-1, 1, 10, -10, 365, -365]))
            noise.add("birth_typo")
        if hit["birth_invalid"]:
            birth = None  # the vendor sent an impossible date: parsed to null
            noise.add("birth_invalid")
        if hit["empty_name"]:
            first = ""
            noise.add("empty_name")
        if hit["upper_case"]:
            first, last = first.upper(), last.upper()
            noise.add("upper_case")
        if hit["padded"]:
            first, last = f" {first} ", f"{last}  "
            noise.add("padded")
        street, city, state, zip_code = p.street, p.city, p.state, p.zip
        if hit["moved"]:
            street, city, state, zip_code = self._address()
            noise.add("moved")
        if rnd.random() >= RECORD_HAS_ADDRESS:
            street = city = state = zip_code = ""
        email = p.email
        if hit["email_changed"]:
            email = f"{p.first.lower()}{rnd.randrange(100, 999)}@{rnd.choice(EMAIL_DOMAINS)}"
            noise.add("email_changed")
        if rnd.random() >= RECORD_HAS_EMAIL:
            email = ""
        ssn = p.ssn if rnd.random() < RECORD_HAS_SSN else ""
        if ssn and hit["ssn_typo"]:
            i = rnd.randrange(9)
            ssn = ssn[:i] + str((int(ssn[i]) + 1) % 10) + ssn[i + 1:]
            noise.add("ssn_typo")
        if p.known_cb_id and rnd.random() < RECORD_KNOWN_ID:
            vendor_id = p.known_cb_id
        elif p.known_cb_id:
            vendor_id = self.cb_ids.new()  # a second account at the vendor
        else:
            vendor_id = p.vendor_id
        family = tuple(m.person_id for m in self.families[p.family_id]
                       if m.person_id and m is not p)
        has_twin = p.is_twin and any(m.is_twin and m.birth == p.birth
                                     for m in self.families[p.family_id] if m is not p and m.person_id)
        return Record(
            vendor_person_id=vendor_id, first_name=first, middle_name=p.middle, last_name=last,
            birth_date=birth, gender=p.gender if rnd.random() < 0.9 else "",
            street=street, city=city, state=state, zip=zip_code, email=email,
            phone=f"{rnd.randrange(200, 999)}555{rnd.randrange(10**4):04d}" if rnd.random() < 0.5 else "",
            ssn=ssn, test_date=date(2025, 9, 1) + timedelta(days=rnd.randrange(365)),
            true_person_id=p.person_id, family_person_ids=family, has_twin=has_twin, noise=noise)


def typo(rnd: random.Random, word: str) -> str:
    """One keyboard slip: a letter replaced, dropped, doubled or two swapped."""
    if len(word) < 3:
        return word + rnd.choice("aeiou")
    i = rnd.randrange(1, len(word) - 1)
    kind = rnd.randrange(4)
    if kind == 0:
        return word[:i] + rnd.choice("aeioulnrst".replace(word[i].lower(), "")) + word[i + 1:]
    if kind == 1:
        return word[:i] + word[i + 1:]
    if kind == 2:
        return word[:i] + word[i] + word[i:]
    if word[i] == word[i + 1]:
        return word[:i] + word[i + 1:]
    return word[:i] + word[i + 1] + word[i] + word[i + 2:]


def generate(persons: int, records: int, seed: int) -> tuple[list[Individual], list[Record]]:
    """The population and the incoming records, each record with its truth."""
    gen = Generator(seed)
    population = gen.population(persons)
    return population, gen.records(records, population)
