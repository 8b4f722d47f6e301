"""Read the CBS Wijk- en Buurtkaart (or PDOK gebiedsindelingen) for chosen municipalities.

Layouts recognised (field names compared case-insensitively):

- ``recent`` (Wijk- en Buurtkaart 2022+): ``buurtcode``/``wijkcode``, ``buurtnaam``/``wijknaam``,
  ``gemeentecode``, ``gemeentenaam``, ``water``, ``aantalInwoners``;
- ``old`` (up to 2021, Shapefile style): ``BU_CODE``/``WK_CODE``, ``BU_NAAM``/``WK_NAAM``,
  ``GM_CODE``, ``GM_NAAM``, ``WATER``, ``AANT_INW``;
- ``pdok`` (PDOK gebiedsindelingen): ``statcode``, ``statnaam`` (no water flag, no
  inhabitants; the municipality is read from the code).

One layer per level in a GeoPackage (``buurten``, ``wijken``...) or one file per level. CBS
marks secret or unknown figures with negative codes (-99995, -99997, ...): they are missing,
never numbers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

import gebieden
from allocatie.errors import InstanceError, Problem

LEVELS = ("wijk", "buurt")
_PREFIX = {"wijk": "WK", "buurt": "BU"}
# layout -> role -> field name per level (None: the layout does not have it)
LAYOUTS: dict[str, dict[str, dict[str, str | None]]] = {
    "recent": {
        "code": {"wijk": "wijkcode", "buurt": "buurtcode"},
        "name": {"wijk": "wijknaam", "buurt": "buurtnaam"},
        "gemeente": {"wijk": "gemeentecode", "buurt": "gemeentecode"},
        "gemeentenaam": {"wijk": "gemeentenaam", "buurt": "gemeentenaam"},
        "water": {"wijk": "water", "buurt": "water"},
        "inhabitants": {"wijk": "aantalinwoners", "buurt": "aantalinwoners"},
    },
    "old": {
        "code": {"wijk": "wk_code", "buurt": "bu_code"},
        "name": {"wijk": "wk_naam", "buurt": "bu_naam"},
        "gemeente": {"wijk": "gm_code", "buurt": "gm_code"},
        "gemeentenaam": {"wijk": "gm_naam", "buurt": "gm_naam"},
        "water": {"wijk": "water", "buurt": "water"},
        "inhabitants": {"wijk": "aant_inw", "buurt": "aant_inw"},
    },
    "pdok": {
        "code": {"wijk": "statcode", "buurt": "statcode"},
        "name": {"wijk": "statnaam", "buurt": "statnaam"},
        "gemeente": {"wijk": None, "buurt": None},
        "gemeentenaam": {"wijk": None, "buurt": None},
        "water": {"wijk": None, "buurt": None},
        "inhabitants": {"wijk": None, "buurt": None},
    },
}
LAYOUT_NAMES = {"recent": "CBS Wijk- en Buurtkaart, recent field names (buurtcode/wijkcode, "
                          "gemeentecode, water, aantalInwoners)",
                "old": "CBS Wijk- en Buurtkaart, old upper-case field names (BU_CODE/WK_CODE, "
                       "GM_CODE, WATER, AANT_INW)",
                "pdok": "PDOK gebiedsindelingen (statcode, statnaam)"}
_ALTERNATIVE_INHABITANTS = ("aantal_inwoners", "inwoners", "aantalinwoners_5")
_GEMEENTE = re.compile(r"^(GM)?(\d{1,4})$", re.IGNORECASE)


@dataclass
class CbsDistricts:
    """The districts of the chosen municipalities, as read from a CBS file.

    ``frame`` is indexed by district code with columns ``name``, ``gemeente``,
    ``gemeentenaam``, ``inhabitants`` (float, NaN = missing) and the geometry (projected, RD
    New for WGS84 input). ``water`` lists the dropped water-only districts, ``secret`` the
    districts whose inhabitants CBS marks as secret or unknown (code -> raw value).
    """

    frame: gpd.GeoDataFrame
    path: Path
    layer: str | None
    layout: str
    level: str
    crs: str
    water: list[tuple[str, str]] = field(default_factory=list)
    secret: dict[str, float] = field(default_factory=dict)
    gemeenten: dict[str, str] = field(default_factory=dict)  # code -> name

    @property
    def layout_text(self) -> str:
        return LAYOUT_NAMES[self.layout]


def gemeente_code(text: str) -> str | None:
    """``GM0114``, ``gm114`` or ``0114`` -> ``GM0114``; a name -> None."""
    match = _GEMEENTE.match(text.strip())
    return f"GM{int(match.group(2)):04d}" if match else None


def read_cbs(path: str | Path, gemeenten: list[str], level: str = "wijk") -> CbsDistricts:
    """Read the districts of ``gemeenten`` (codes like GM0114, or names) at ``level``.

    Raises :class:`InstanceError` naming the file when it cannot be read, no layer has the
    level, the layout is not recognised, or a municipality has no districts in it.
    """
    if level not in LEVELS:
        raise InstanceError([Problem(f"level {level!r}; expected wijk or buurt")])
    path = Path(path)
    name = path.name
    if not path.is_file():
        raise InstanceError([Problem(f"geometry file {path} not found", file=name,
                                     hint="pass the CBS Wijk- en Buurtkaart (.gpkg or .shp)")])
    layer = _pick_layer(path, level)
    fields = _fields(path, layer)
    layout = _layout(fields, level, path, layer)
    roles: dict[str, str | None] = {}  # role -> the field's spelling in this file
    for role, keys in LAYOUTS[layout].items():
        key = keys[level]
        roles[role] = fields.get(key) if key else None
    if roles["inhabitants"] is None:
        roles["inhabitants"] = next((fields[k] for k in _ALTERNATIVE_INHABITANTS
                                     if k in fields), None)
    codes = [c for c in (gemeente_code(g) for g in gemeenten) if c]
    names = [g.strip() for g in gemeenten if gemeente_code(g) is None]
    where = _where(roles, level, codes, names, path)
    try:
        gdf = gebieden.read_districts(path, id_field=roles["code"], layer=layer, where=where)
    except gebieden.GeometryError as exc:
        if "no features" in str(exc):
            raise _no_municipality(path, layer, roles, gemeenten) from exc
        raise InstanceError([Problem(str(exc), file=name)]) from exc
    frame = _standard_frame(gdf, roles, level)
    wrong = [d for d in frame.index if not str(d).upper().startswith(_PREFIX[level])]
    if wrong:
        raise InstanceError([Problem(
            f"layer {layer or path.stem!r} holds codes like {wrong[0]}, not {level} codes "
            f"({_PREFIX[level]}...)", file=name,
            hint=f"pass the {level}en layer or file (--level {level})")])
    found = set(frame["gemeente"])
    missing = [g for g in gemeenten if (gemeente_code(g) or "") not in found
               and g.strip().lower() not in {n.lower() for n in frame["gemeentenaam"]}]
    if missing:
        raise _no_municipality(path, layer, roles, missing)
    water = []
    if roles["water"] is not None:
        is_water = frame.pop("water").astype(str).str.strip().str.upper().isin(["JA", "J", "1"])
        water = [(d, frame.at[d, "name"]) for d in frame.index[is_water]]
        frame = frame.loc[~is_water]
    else:
        frame = frame.drop(columns=["water"])
    secret = {d: float(v) for d, v in frame["inhabitants_raw"].items()
              if pd.notna(v) and float(v) < 0}
    frame["inhabitants"] = [float("nan") if (pd.isna(v) or float(v) < 0) else float(v)
                            for v in frame.pop("inhabitants_raw")]
    gm = dict(zip(frame["gemeente"], frame["gemeentenaam"], strict=True))
    return CbsDistricts(frame=frame, path=path, layer=layer, layout=layout, level=level,
                        crs=str(gdf.crs.to_string()), water=water, secret=secret,
                        gemeenten=dict(sorted(gm.items())))


def _pick_layer(path: Path, level: str) -> str | None:
    layers = [str(n) for n in pyogrio.list_layers(path)[:, 0]]
    if len(layers) == 1:
        return layers[0]
    matching = [n for n in layers if level in n.lower()]
    if len(matching) == 1:
        return matching[0]
    if len(matching) > 1:  # e.g. buurten and buurten_gegeneraliseerd: the plainest name
        return min(matching, key=len)
    raise InstanceError([Problem(
        f"no {level} layer in {path.name}; layers found: {', '.join(layers)}", file=path.name,
        hint=f"pass the file or GeoPackage that holds the {level}en (--level wijk|buurt)")])


def _fields(path: Path, layer: str | None) -> dict[str, str]:
    """lower-case field name -> the file's own spelling."""
    info = pyogrio.read_info(path, layer=layer)
    return {str(f).lower(): str(f) for f in info["fields"]}


def _layout(fields: dict[str, str], level: str, path: Path, layer: str | None) -> str:
    for layout, roles in LAYOUTS.items():
        if roles["code"][level] in fields:
            return layout
    raise InstanceError([Problem(
        f"layer {layer!r} of {path.name} has no {level} code field; fields found: "
        f"{', '.join(fields.values())}", file=path.name,
        hint="expected the CBS Wijk- en Buurtkaart (buurtcode or BU_CODE) or PDOK "
             "gebiedsindelingen (statcode)")])


def _where(roles: dict[str, str | None], level: str, codes: list[str], names: list[str],
           path: Path) -> str:
    parts = []
    if roles["gemeente"] is not None:
        if codes:
            parts.append(f"{roles['gemeente']} IN ({', '.join(_quote(c) for c in codes)})")
    else:  # PDOK: the municipality is digits 3-6 of the code
        parts += [f"{roles['code']} LIKE {_quote(_PREFIX[level] + c[2:] + '%')}" for c in codes]
    if names:
        if roles["gemeentenaam"] is None:
            raise InstanceError([Problem(
                f"municipality {', '.join(names)} given by name, but {path.name} has no "
                "municipality names (PDOK layout)", file=path.name,
                hint="pass the CBS code, e.g. --gemeente GM0114")])
        parts.append(f"{roles['gemeentenaam']} IN ({', '.join(_quote(n) for n in names)})")
    return " OR ".join(f"({p})" for p in parts)


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _standard_frame(gdf: gpd.GeoDataFrame, roles: dict[str, str | None],
                    level: str) -> gpd.GeoDataFrame:
    def column(role: str) -> list:
        name = roles[role]
        return list(gdf[name]) if name is not None and name in gdf.columns else [None] * len(gdf)

    gemeente = column("gemeente")
    if roles["gemeente"] is None:
        gemeente = [f"GM{str(d)[2:6]}" for d in gdf.index]
    names = ["" if n is None or pd.isna(n) else str(n).strip() for n in column("name")]
    gm_names = column("gemeentenaam")
    gm_names = ["" if n is None or pd.isna(n) else str(n) for n in gm_names]
    inhabitants = [pd.to_numeric(v, errors="coerce") if v is not None else float("nan")
                   for v in column("inhabitants")]
    return gpd.GeoDataFrame(
        {"name": names, "gemeente": [str(g).strip().upper() for g in gemeente],
         "gemeentenaam": gm_names, "water": column("water"), "inhabitants_raw": inhabitants},
        geometry=gdf.geometry.values, crs=gdf.crs, index=pd.Index(gdf.index, name="id"))


def _no_municipality(path: Path, layer: str | None, roles: dict[str, str | None],
                     asked: list[str]) -> InstanceError:
    """An error naming the municipalities not found, with the ones that are there."""
    import difflib

    columns = [c for c in (roles["gemeente"], roles["gemeentenaam"]) if c]
    known: dict[str, str] = {}
    if columns:
        table = pyogrio.read_dataframe(path, layer=layer, columns=columns, read_geometry=False)
        for row in table.drop_duplicates().itertuples(index=False):
            known[str(row[0])] = str(row[1]) if len(row) > 1 else ""
    problems = []
    for g in asked:
        options = [f"{code} {name}".strip() for code, name in known.items()]
        close = difflib.get_close_matches(g, list(known) + list(known.values()), n=3, cutoff=0.6)
        hint = (f"bedoelt u {', '.join(close)}?" if close else
                f"{len(known)} municipalities in the file, e.g. {', '.join(options[:5])}"
                if known else "check the code: GM followed by 4 digits")
        problems.append(Problem(f"municipality {g!r} has no districts in {path.name}",
                                file=path.name, hint=hint))
    return InstanceError(problems)
