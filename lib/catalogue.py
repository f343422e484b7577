"""Name matching against the configured catalogues: communes, villages, programmes, activity
types and organisations. Users type names with any case, accents, apostrophes and spacing; every
catalogue folds its names and aliases once, and unknown names get a fuzzy "có phải là …?" hint."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from rapidfuzz import fuzz, process

from .config import Config
from .normalize import clean_name, name_key

VILLAGE_PREFIX_RE = re.compile(r"^(thon|buon|bon|to(danpho)?|ap|xom|lang|tieukhu)(?=\w)")


@dataclass(frozen=True)
class Catalogue:
    """Folded key (``name_key``: no case, accents, spacing or leading zeros) → canonical value,
    plus the display names used for suggestions."""

    keys: dict[str, str]
    names: dict[str, str]  # folded display name → display name
    exact: dict[str, str]  # lower-case name with its accents → value; wins where folding collides

    def match(self, text: str) -> str | None:
        return self.exact.get(_exact(text)) or self.keys.get(name_key(text))

    def suggest(self, text: str, cutoff: float = 72) -> str | None:
        """The closest display name to an unknown text, if close enough."""
        if not self.names:
            return None
        found = process.extractOne(name_key(text), list(self.names), scorer=fuzz.WRatio, score_cutoff=cutoff)
        return self.names[found[0]] if found else None

    @classmethod
    def build(cls, entries: list[tuple[str, str, list[str]]]) -> Catalogue:
        """From (canonical value, display name, extra keys) triples; earlier entries win on clashes."""
        keys: dict[str, str] = {}
        names: dict[str, str] = {}
        exact: dict[str, str] = {}
        for value, display, extra in entries:
            for text in (display, *extra):
                keys.setdefault(name_key(text), value)
                exact.setdefault(_exact(text), value)
            names.setdefault(name_key(display), display)
        return cls(keys, names, exact)


def _exact(text: str) -> str:
    """ "Đam Rông" and "Đạ M'Rông" fold alike; with accents kept they differ."""
    return clean_name(str(text)).lower().replace("' ", "'")


def village_key(name: str) -> str:
    """Folded village name without its generic prefix: "Thôn 1", "thon1", "Thôn 01" and "1" all
    match (``name_key``)."""
    key = name_key(name)
    return VILLAGE_PREFIX_RE.sub("", key) or key


class Catalogues:
    """All catalogues of one configuration, built once."""

    def __init__(self, config: Config):
        self.config = config

    @cached_property
    def communes(self) -> Catalogue:
        unit = self.config.unit
        whole = unit.whole_unit_label
        entries = [(c.name, c.name, c.aliases) for c in unit.communes]
        entries.append(
            (whole, whole, [unit.name, *unit.aliases, unit.level, f"toàn {unit.level}", f"{unit.level} {unit.name}"])
        )
        return Catalogue.build(entries)

    @cached_property
    def outside(self) -> Catalogue:
        """Areas of other units: their rows are out of scope."""
        return Catalogue.build([(a.name, a.name, a.aliases) for a in self.config.unit.outside])

    @cached_property
    def ambiguous_villages(self) -> dict[str, dict[str, list[str]]]:
        """Commune → {village key → names}: a village name two predecessors shared, qualified after
        a merge («Thôn 1 (Rô Men)», «Thôn 1 (Liêng Srônh)»), typed without its qualifier."""
        found: dict[str, dict[str, list[str]]] = {}
        for (_, village), (commune, target) in self.config.village_moves.items():
            if target != village:
                found.setdefault(commune, {}).setdefault(village_key(village), []).append(target)
        return found

    @cached_property
    def villages(self) -> dict[str, dict[str, str]]:
        """Commune → {village key → village name}."""
        return {
            c.name: {village_key(k): v.name for v in c.villages for k in (v.name, *v.aliases)}
            for c in self.config.unit.communes
        }

    @cached_property
    def village_homes(self) -> dict[str, list[str]]:
        """Village key → communes that have a village of that name."""
        homes: dict[str, list[str]] = {}
        for commune, villages in self.villages.items():
            for key in villages:
                homes.setdefault(key, []).append(commune)
        return homes

    @cached_property
    def programmes(self) -> Catalogue:
        entries = []
        for p in self.config.programmes.values():
            extra = [p.code, str(p.number), f"chương trình {p.number}", f"CT{p.number}", p.short_name, *p.aliases]
            entries.append((p.code, p.name, extra))
        return Catalogue.build(entries)

    @cached_property
    def activity_types(self) -> Catalogue:
        return Catalogue.build([(a.code, a.name, [a.code, *a.aliases]) for a in self.config.activity_types.values()])

    @cached_property
    def organisations(self) -> Catalogue:
        return Catalogue.build(
            [(o.code, o.short_name, [o.name, o.code, o.tab, *o.aliases]) for o in self.config.organisations.values()]
        )

    @cached_property
    def indicators(self) -> Catalogue:
        return Catalogue.build([(i.code, i.name, [i.code]) for i in self.config.indicators.values()])

    @cached_property
    def headers(self) -> Catalogue:
        """Column headers → field or measure code."""
        columns = [*self.config.fields.values(), *self.config.measures.values()]
        entries = [(c.code, c.name, c.aliases) for c in columns]
        entries += [(m.code, m.name, [m.short_name]) for m in self.config.measures.values() if m.short_name]
        return Catalogue.build(entries)
