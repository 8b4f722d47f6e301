"""The one exception type of the geometry layer."""

from __future__ import annotations


class GeometryError(ValueError):
    """Geometry that cannot be read or used; the message names the file and/or ids involved."""
