package dev.kiln.solvers.kernel;

/** {@link KrylovKernels} on the plain loops of {@link ScalarKernels}: the reference path. Stateless. */
public final class ScalarKrylovKernels implements KrylovKernels {
    public static final ScalarKrylovKernels INSTANCE = new ScalarKrylovKernels();

    private ScalarKrylovKernels() {}

    @Override public String name() { return "scalar"; }
    @Override public double dot(int n, double[] x, double[] y) { return ScalarKernels.dot(n, x, y); }
    @Override public void axpy(int n, double a, double[] x, double[] y) { ScalarKernels.axpy(n, a, x, y); }
    @Override public void xpay(int n, double[] x, double a, double[] y) { ScalarKernels.xpay(n, x, a, y); }
    @Override public void copy(int n, double[] x, double[] y) { ScalarKernels.copy(n, x, y); }
    @Override public void scale(int n, double a, double[] x) { ScalarKernels.scale(n, a, x); }

    @Override
    public void cgUpdate(int n, double alpha, double[] p, double[] q, double[] x, double[] r,
                         double[] invDiag, double[] z, double[] out) {
        ScalarKernels.cgUpdate(n, alpha, p, q, x, r, invDiag, z, out);
    }
}
