"""Words for street legs (turn-by-turn instructions, accessibility notes) in English and
Romanian, and the encoded polyline mobile clients expect."""
from __future__ import annotations

import numpy as np

from maas.router.polyline import polyline_bytes

LANGS = ("en", "ro")

_UNNAMED = {
    "en": {"footway": "the footway", "sidewalk": "the sidewalk", "crossing": "the crossing", "steps": "the steps",
           "path": "the path", "cycleway": "the cycleway", "pedestrian": "the pedestrian area",
           "platform": "the platform", "service": "the service road", "track": "the track",
           "elevator": "the elevator", "": "an unnamed street"},
    "ro": {"footway": "aleea pietonală", "sidewalk": "trotuar", "crossing": "trecerea de pietoni",
           "steps": "scări", "path": "potecă", "cycleway": "pista de biciclete", "pedestrian": "zona pietonală",
           "platform": "peron", "service": "drumul de serviciu", "track": "drumul de pământ",
           "elevator": "lift", "": "o stradă fără nume"},
}
_DIR = {
    "en": {"NORTH": "north", "NORTHEAST": "northeast", "EAST": "east", "SOUTHEAST": "southeast", "SOUTH": "south",
           "SOUTHWEST": "southwest", "WEST": "west", "NORTHWEST": "northwest"},
    "ro": {"NORTH": "nord", "NORTHEAST": "nord-est", "EAST": "est", "SOUTHEAST": "sud-est", "SOUTH": "sud",
           "SOUTHWEST": "sud-vest", "WEST": "vest", "NORTHWEST": "nord-vest"},
}
_TURN = {
    "en": {"DEPART": "Head {dir} on {street}", "CONTINUE": "Continue onto {street}", "LEFT": "Turn left onto {street}",
           "RIGHT": "Turn right onto {street}", "SLIGHTLY_LEFT": "Turn slightly left onto {street}",
           "SLIGHTLY_RIGHT": "Turn slightly right onto {street}", "UTURN": "Make a U-turn onto {street}"},
    "ro": {"DEPART": "Mergeți spre {dir} pe {street}", "CONTINUE": "Continuați pe {street}",
           "LEFT": "Virați la stânga pe {street}", "RIGHT": "Virați la dreapta pe {street}",
           "SLIGHTLY_LEFT": "Virați ușor la stânga pe {street}", "SLIGHTLY_RIGHT": "Virați ușor la dreapta pe {street}",
           "UTURN": "Întoarceți-vă pe {street}"},
}
_NOTES = {
    "en": {"kerb_unknown": "{n} crossing(s) with a kerb of unknown height", "rough": "{m} m of rough surface",
           "limited": "limited wheelchair access on part of the way", "steps": "steps on the way",
           "raised_kerb": "a raised kerb on the way", "wheelchair_no": "a way marked not accessible by wheelchair",
           "steep": "an incline steeper than 8 %", "crow_fly": "no street data: the way is not known"},
    "ro": {"kerb_unknown": "{n} traversare(i) cu bordură de înălțime necunoscută",
           "rough": "{m} m de suprafață denivelată", "limited": "acces limitat cu scaunul rulant pe o parte a drumului",
           "steps": "scări pe traseu", "raised_kerb": "o bordură înaltă pe traseu",
           "wheelchair_no": "o porțiune marcată ca neaccesibilă cu scaunul rulant",
           "steep": "o pantă mai abruptă de 8 %", "crow_fly": "fără date despre străzi: traseul nu este cunoscut"},
}


def lang_of(lang: str | None) -> str:
    return lang if lang in LANGS else "en"


def instruction(step: dict, lang: str) -> str:
    """The sentence of one step, e.g. 'Turn left onto Strada Paris'."""
    lang = lang_of(lang)
    street = step.get("street") or _UNNAMED[lang].get(step.get("kind", ""), _UNNAMED[lang][""])
    return _TURN[lang][step["relative_direction"]].format(dir=_DIR[lang][step["absolute_direction"]], street=street)


def note_text(note: dict, lang: str) -> str:
    lang = lang_of(lang)
    return _NOTES[lang][note["feature"]].format(n=note.get("count", ""), m=round(note.get("distance_m", 0)))


def encode_polyline(points, precision: int = 5) -> str:
    """Google's encoded polyline (lat, lon pairs; a list or an (n, 2) array)."""
    a = np.asarray(points, np.float64).reshape(-1, 2)
    if not len(a):
        return ""
    return polyline_bytes(np.ascontiguousarray(a[:, 0]), np.ascontiguousarray(a[:, 1]),
                          float(10 ** precision)).tobytes().decode("ascii")
