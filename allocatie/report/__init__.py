"""Human-readable results: maps, an HTML report and an Excel workbook."""
