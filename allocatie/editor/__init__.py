"""The browser lot editor (``allocatie editor``): draw lots on the map and see, after every
edit, the exact optimal award of the drawn lots and the checker's verdict.

Modules: :mod:`.session` (state, request checks, draft), :mod:`.evaluation` (the award and
checker of ``evaluate``, the panel's figures), :mod:`.complete` ("Maak af"), :mod:`.repair`
("Herstel"), :mod:`.prices` (price of a boundary), :mod:`.save`, :mod:`.jobs` (long solves in
a worker thread), :mod:`.app` (the HTTP API), :mod:`.server`, :mod:`.command` (the CLI),
:mod:`.geo` and :mod:`.texts`; the page is in ``static/``.
"""
