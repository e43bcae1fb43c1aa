"""nbgrader for the teacher's server: the formgrader and the nbgrader commands use the course in
classroom/course/ (its own nbgrader_config.py is loaded here, so both say the same)."""
import os

c = get_config()  # noqa: F821 -- provided by nbgrader when it loads this file
_course = os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, os.pardir, "course")
load_subconfig(os.path.join(os.path.normpath(_course), "nbgrader_config.py"))  # noqa: F821
