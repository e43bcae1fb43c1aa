# The scenario scripts and their harness run only under mpiexec (test_mpi.py launches them);
# pytest must not import them (the harness joins MPI and sets thread variables on import).
collect_ignore = ["_harness.py"]
collect_ignore_glob = ["scenario_*.py"]
