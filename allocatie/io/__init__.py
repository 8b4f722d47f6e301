"""The input and output floor: instance folders, user tables, drawn designs, the results folder
and the district geometry. With :mod:`allocatie.report`, the editor and onboarding, the only
door from :mod:`allocatie` to :mod:`gebieden`."""
