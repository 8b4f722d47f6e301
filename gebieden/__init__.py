"""Geometry layer of allocatie: read districts (wijken/buurten), check them, find neighbours,
join islands, dissolve lots and measure their shape. Knows nothing of bids or solvers."""

from gebieden.contiguity import Adjacency, adjacency, cut_border_m
from gebieden.errors import GeometryError
from gebieden.export import to_wgs84, write_geojson_atomic
from gebieden.islands import Bridge, connected_parts, nearest_bridges
from gebieden.lots import dissolve_lots
from gebieden.quality import GeometryIssue, check_geometry
from gebieden.reading import duplicate_ids, read_districts
from gebieden.shape import compactness

__all__ = [
    "Adjacency",
    "Bridge",
    "GeometryError",
    "GeometryIssue",
    "adjacency",
    "check_geometry",
    "compactness",
    "connected_parts",
    "cut_border_m",
    "dissolve_lots",
    "duplicate_ids",
    "nearest_bridges",
    "read_districts",
    "to_wgs84",
    "write_geojson_atomic",
]
