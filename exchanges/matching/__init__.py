"""Matching: pairs requests with the offers and members who can help, ranked and explained.

`text`, `taxonomy` and `scoring` are pure Python so they can be tested without a database.
"""

import os

# One request's vector arithmetic is small: NumPy's BLAS would start a thread per core for it and
# spend twice the CPU for the same answer, taken from the other requests a worker serves. Set here,
# before any module of matching imports NumPy; an operator's own setting wins.
for _threads in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_threads, "1")
