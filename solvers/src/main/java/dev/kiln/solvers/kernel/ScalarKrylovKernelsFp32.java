package dev.kiln.solvers.kernel;

/** {@link KrylovKernelsFp32} as plain loops: the reference path. Stateless. */
public final class ScalarKrylovKernelsFp32 implements KrylovKernelsFp32 {
    public static final ScalarKrylovKernelsFp32 INSTANCE = new ScalarKrylovKernelsFp32();

    private ScalarKrylovKernelsFp32() {}

    @Override public String name() { return "scalar-fp32"; }

    @Override
    public double dot(int n, float[] x, float[] y) {
        double s = 0;
        for (int i = 0; i < n; i++) s += (double) x[i] * y[i];
        return s;
    }

    @Override
    public void xpay(int n, float[] x, float a, float[] y) {
        for (int i = 0; i < n; i++) y[i] = x[i] + a * y[i];
    }

    @Override
    public void cgUpdate(int n, float alpha, float[] p, float[] q, float[] x, float[] r, float[] invDiag, float[] z,
                         double[] out) {
        double rz = 0, rr = 0;
        for (int i = 0; i < n; i++) {
            x[i] += alpha * p[i];
            float ri = r[i] - alpha * q[i];
            r[i] = ri;
            rr += (double) ri * ri;
            if (invDiag != null) {
                float zi = ri * invDiag[i];
                z[i] = zi;
                rz += (double) ri * zi;
            }
        }
        out[0] = invDiag == null ? rr : rz;
        out[1] = rr;
    }
}
