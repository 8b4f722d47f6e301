"""Tools that are not part of the product (not packaged)."""
