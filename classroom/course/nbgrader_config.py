"""nbgrader course configuration for the sporelab labs (run nbgrader commands from this folder).

The sources in source/<lab>/ are generated from notebooks/labs/ by classroom/assignments.py
(`make assignments`); everything else nbgrader makes here (release/, submitted/, autograded/,
feedback/, gradebook.db) is git-ignored.
"""
import os

c = get_config()  # noqa: F821 -- provided by nbgrader when it loads this file

c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))
c.CourseDirectory.course_id = "sporelab"

# One stub for every solution region: the answer cell keeps the labs' `answer = None` line above it.
c.ClearSolutions.code_stub = {"python": "# (replace None above with your answer)"}

# Autograde runs each student's notebook: every cell gets at most this long (an endless loop in a
# submission costs one timeout, then the kernel is interrupted and the rest of the notebook runs).
c.Execute.timeout = 60
# A deleted test cell comes back (locked, with the source's code) and is graded as usual.
c.OverwriteCells.add_missing_cells = True
