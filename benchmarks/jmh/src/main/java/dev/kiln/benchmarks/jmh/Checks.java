package dev.kiln.benchmarks.jmh;

/**
 * The agreement checks every benchmark's {@code @Setup} runs before anything is timed: a fast
 * kernel that computes the wrong thing must fail the run, not win it (the JDK's own Vector API
 * micro-benchmarks do the same).
 */
final class Checks {
    private Checks() {}

    /** |expected[i] − actual[i]| ≤ tol·max(1, |expected|∞) for every i, else an exception naming the first bad index. */
    static void close(double[] expected, double[] actual, double tol, String what) {
        double scale = 1;
        for (double v : expected) scale = Math.max(scale, Math.abs(v));
        for (int i = 0; i < expected.length; i++) {
            if (!(Math.abs(expected[i] - actual[i]) <= tol * scale)) {
                throw new IllegalStateException(what + ": element " + i + " is " + actual[i] + ", the scalar reference "
                        + expected[i] + " (tolerance " + tol * scale + ")");
            }
        }
    }

    static void close(float[] expected, float[] actual, double tol, String what) {
        double[] e = new double[expected.length], a = new double[actual.length];
        for (int i = 0; i < e.length; i++) { e[i] = expected[i]; a[i] = actual[i]; }
        close(e, a, tol, what);
    }

    static void close(double expected, double actual, double tol, String what) {
        close(new double[] {expected}, new double[] {actual}, tol, what);
    }
}
