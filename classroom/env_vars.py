"""The environment variables by which the classroom's own processes know one another.

>>> MARKER, SETTINGS
('SPORELAB_CLASSROOM_ID', 'SPORELAB_CLASSROOM_SETTINGS')
"""

# Set in every process of one class (proxy, hub, culler, each student's server and kernels) to the
# class's id: the kit and its tests find and stop them all by it, even servers a crashed hub left.
MARKER = "SPORELAB_CLASSROOM_ID"

# The path of the settings file serve.py writes and jupyterhub_config.py reads (never a secret:
# those stay in the secrets file it names).
SETTINGS = "SPORELAB_CLASSROOM_SETTINGS"
