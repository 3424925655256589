"""Kiln's PETSc peer for `./kiln bench spmv|cg` (run by PetscPeer.java with /usr/bin/python3).

  kiln_petsc_peer.py version
  kiln_petsc_peer.py spmv MATFILE SECONDS
  kiln_petsc_peer.py cg MATFILE RTOL MAXIT PC[,PC...] REPS [BUDGET_SECONDS MAX_REPS]

cg: best of REPS runs per preconditioner, continued while the runs so far took under
BUDGET_SECONDS in all, up to MAX_REPS runs (Kiln's side applies the same rule, CgBench.REP_BUDGET_MS):
a 1 ms solve timed once on a shared machine is mostly noise. Each run is a fresh KSP, so
KSPSetUp factorises again every time.

Prints one `PEER key=value ...` line per measurement. One process, one thread.
"""
import os
import sys
import time

os.environ.setdefault("PETSC_DIR", "/usr/lib/petscdir/petsc3.18/x86_64-linux-gnu-real")
import petsc4py  # noqa: E402
petsc4py.init([])
from petsc4py import PETSc  # noqa: E402


def load(path):
    viewer = PETSc.Viewer().createBinary(path, "r")
    a = PETSc.Mat().create(comm=PETSc.COMM_SELF)
    a.setType(PETSc.Mat.Type.SEQAIJ)
    a.load(viewer)
    viewer.destroy()
    return a


def spmv(path, seconds):
    a = load(path)
    x, y = a.createVecs()
    x.set(1.0)
    for _ in range(3):
        a.mult(x, y)
    best = float("inf")
    deadline = time.perf_counter() + seconds
    reps = 1
    while time.perf_counter() < deadline:
        t0 = time.perf_counter()
        for _ in range(reps):
            a.mult(x, y)
        dt = (time.perf_counter() - t0) / reps
        best = min(best, dt)
        if dt * reps < 0.05:
            reps *= 2
    print("PEER mode=spmv seconds=%.9g" % best, flush=True)


def cg(path, rtol, maxit, pcs, reps, budget, max_reps):
    a = load(path)
    b, _ = a.createVecs()
    b.set(1.0)
    bnorm = b.norm()
    r = b.duplicate()
    for pc_name in pcs:
        best, its, rel, reason = float("inf"), 0, float("nan"), 0
        spent, done = 0.0, 0
        while done < reps or (spent < budget and done < max_reps):
            x = b.duplicate()
            x.set(0.0)
            ksp = PETSc.KSP().create(comm=PETSc.COMM_SELF)
            ksp.setType("cg")
            ksp.setOperators(a)
            ksp.getPC().setType(pc_name)
            ksp.setNormType(PETSc.KSP.NormType.UNPRECONDITIONED)
            ksp.setTolerances(rtol=rtol, atol=0.0, max_it=maxit)
            t0 = time.perf_counter()
            ksp.setUp()
            ksp.solve(b, x)
            dt = time.perf_counter() - t0
            spent += dt
            done += 1
            if dt < best:
                best = dt
                its = ksp.getIterationNumber()
                reason = int(ksp.getConvergedReason())
                a.mult(x, r)
                r.aypx(-1.0, b)
                rel = r.norm() / bnorm
            ksp.destroy()
        print("PEER mode=cg pc=%s seconds=%.9g iters=%d true_rel=%.6g reason=%d reps=%d" % (pc_name, best, its, rel, reason, done),
              flush=True)


def main(argv):
    if argv[0] == "version":
        print("version=%s" % ".".join(str(v) for v in PETSc.Sys.getVersion()))
    elif argv[0] == "spmv":
        spmv(argv[1], float(argv[2]))
    elif argv[0] == "cg":
        budget = float(argv[6]) if len(argv) > 6 else 0.0
        max_reps = int(argv[7]) if len(argv) > 7 else int(argv[5])
        cg(argv[1], float(argv[2]), int(argv[3]), argv[4].split(","), int(argv[5]), budget, max_reps)


if __name__ == "__main__":
    main(sys.argv[1:])
