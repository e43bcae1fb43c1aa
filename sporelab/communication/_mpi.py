"""The one place that imports mpi4py: lazily, so ``import sporelab`` never loads MPI.

``comm_world()`` returns ``mpi4py.MPI.COMM_WORLD``. A plain ``python script.py`` (no ``mpiexec``)
is MPI's *singleton* mode: a valid world of size 1, so library code may always call it.

Without mpi4py, or with mpi4py but no MPI library (mpi4py then raises ``RuntimeError: cannot
load MPI library`` at ``from mpi4py import MPI``), one error says what to install.
"""

__all__ = ["mpi", "comm_world", "INSTALL_HINT"]

INSTALL_HINT = ("Distributed training needs mpi4py and an MPI library: pip install sporelab[dist] "
                "(that is: pip install mpi4py mpich)")

_MPI = None


def mpi():
    """The ``mpi4py.MPI`` module, imported on first use.

    Raises:
        RuntimeError: mpi4py is missing or cannot load an MPI library; the message says
            ``pip install sporelab[dist]``.
    """
    global _MPI
    if _MPI is None:
        try:
            from mpi4py import MPI
        except (ImportError, RuntimeError) as error:   # no MPI library: RuntimeError, not ImportError
            raise RuntimeError(f"{INSTALL_HINT}. ({type(error).__name__}: {error})") from None
        _MPI = MPI
    return _MPI


def comm_world():
    """``MPI.COMM_WORLD`` (a world of size 1 when the script was not started by mpiexec)."""
    return mpi().COMM_WORLD
