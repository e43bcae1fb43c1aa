"""nbgrader for a student's server: the course whose assignments the Assignments tab lists."""
c = get_config()  # noqa: F821 -- provided by nbgrader when it loads this file
c.CourseDirectory.course_id = "sporelab"
