"""dissolve_lots: districts into lots."""

from __future__ import annotations

import pandas as pd
import pytest

from gebieden import GeometryError, dissolve_lots


def test_four_squares_into_two_lots(grid) -> None:
    gdf = grid(2, 2)
    mapping = {"r0c0": "lot2", "r1c0": "lot2", "r0c1": "lot10", "r1c1": "lot10"}
    lots = dissolve_lots(gdf, mapping)
    assert lots.index.name == "lot"
    assert list(lots.index) == ["lot2", "lot10"]  # natural order
    assert list(lots["districts"]) == [2, 2]
    assert list(lots.geom_type) == ["Polygon", "Polygon"]
    assert lots.geometry.area.tolist() == pytest.approx([20_000.0, 20_000.0])
    assert lots.crs == gdf.crs


def test_split_lot_is_multipolygon_and_unmapped_are_left_out(grid) -> None:
    lots = dissolve_lots(grid(3), {"r0c0": "A", "r0c2": "A"})
    assert list(lots.index) == ["A"]
    assert lots.geom_type.iloc[0] == "MultiPolygon"
    assert lots["districts"].iloc[0] == 2


def test_extra_columns_are_joined(grid) -> None:
    mapping = {"r0c0": "P1", "r0c1": "P2", "r0c2": "P2"}
    extra = pd.DataFrame({"inwoners": [500, 900], "naam": ["Noord", "Zuid"]}, index=["P2", "P1"])
    lots = dissolve_lots(grid(3), mapping, extra=extra)
    assert list(lots.columns) == ["districts", "inwoners", "naam", "geometry"]
    assert lots.loc["P1", "inwoners"] == 900 and lots.loc["P2", "naam"] == "Noord"
    agreeing = extra.assign(districts=[2, 1])
    assert dissolve_lots(grid(3), mapping, extra=agreeing).equals(lots)
    with pytest.raises(ValueError, match=r"'districts' disagrees .* lot\(s\) P1;"):
        dissolve_lots(grid(3), mapping, extra=pd.DataFrame({"districts": [3]}, index=["P1"]))
    with pytest.raises(ValueError, match=r"extra has a 'geometry' column"):
        dissolve_lots(grid(3), mapping, extra=pd.DataFrame({"geometry": [3]}, index=["P1"]))


def test_unknown_ids_are_listed(grid) -> None:
    with pytest.raises(GeometryError, match=r"2 district id\(s\) not in the districts: x1, x2;"):
        dissolve_lots(grid(2), {"r0c0": "A", "x2": "A", "x1": "B"})
