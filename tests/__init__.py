"""The test suite, a package so that tests and tools import its helpers by name
(``tests._strict_gpu``, ``tests.classroom._users``) from this checkout, ahead of any top-level
``tests`` package an installed distribution may carry (pytest's ``pythonpath`` puts the root first).
"""
