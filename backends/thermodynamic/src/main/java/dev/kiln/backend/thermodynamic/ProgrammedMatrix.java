package dev.kiln.backend.thermodynamic;

import dev.kiln.solvers.matrix.CsrMatrix;

/**
 * A matrix as the device holds it: Â = A / max|a_ij|, each entry quantised to the device bits,
 * with what the digital side knows about it before running — the extreme eigenvalues of Â
 * (exact by Jacobi for small devices, Lanczos estimates otherwise) and the quantisation error
 * ‖Â_q − Â‖_∞ (max row sum), which bounds ‖Â_q − Â‖₂ for symmetric matrices.
 *
 * <p>Iterative refinement around the device converges when ‖Â_q⁻¹(Â − Â_q)‖₂ < 1 (Higham,
 * "Accuracy and Stability of Numerical Algorithms", 2nd ed., Thm 12.1); a sufficient
 * condition is ‖Â − Â_q‖₂ < λ_min(Â_q). {@link #refinable()} demands a factor 4 margin,
 * because a 40-step Lanczos λ_min can overestimate.
 */
record ProgrammedMatrix(CsrMatrix device, double scale, double lambdaMin, double lambdaMax, double quantisationError,
                        double[][] dense) {

    /** Matrices kept by {@link #of}: a job's supports() and solve() program the same matrix. */
    static final int CACHED = 16;
    private static final java.util.Map<String, ProgrammedMatrix> RECENT = new java.util.LinkedHashMap<>(32, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(java.util.Map.Entry<String, ProgrammedMatrix> e) {
            return size() > CACHED;
        }
    };

    /**
     * The matrix programmed at {@code bits}, from a small LRU by the matrix's fingerprint: the
     * router asks every backend's supports() for every job, and this backend's answer needs the
     * spectrum (a dense Jacobi eigensolve up to {@link ThermodynamicLinearSolver#EXACT_LIMIT}
     * unknowns); uncached it was half of the Kafka poll thread's time on a stream of tiny jobs
     * (measured here: JFR of {@code ./kiln bench routing --quick --case tiny}). Read-only once
     * built, so solves may share it.
     */
    static ProgrammedMatrix of(CsrMatrix a, int bits, long seed) {
        String key = a.fingerprint() + "/" + bits + "/" + (a.rows() <= ThermodynamicLinearSolver.EXACT_LIMIT ? 0 : seed);
        synchronized (RECENT) {
            ProgrammedMatrix pm = RECENT.get(key);
            if (pm != null) return pm;
        }
        ProgrammedMatrix pm = program(a, bits, seed);
        synchronized (RECENT) {
            RECENT.put(key, pm);
        }
        return pm;
    }

    private static ProgrammedMatrix program(CsrMatrix a, int bits, long seed) {
        Quantizer quant = new Quantizer(bits);
        int n = a.rows();
        double scale = Quantizer.maxAbs(a.values());
        double[] qv = new double[a.values().length];
        double[] rowError = new double[n];
        for (int i = 0; i < n; i++) {
            for (int k = a.rowPtr()[i]; k < a.rowPtr()[i + 1]; k++) {
                double exact = a.values()[k] / scale;
                qv[k] = quant.apply(exact);
                rowError[i] += Math.abs(qv[k] - exact);
            }
        }
        double qErr = 0;
        for (double e : rowError) qErr = Math.max(qErr, e);
        CsrMatrix programmed = CsrMatrix.of(n, n, a.rowPtr(), a.colIdx(), qv);
        if (n <= ThermodynamicLinearSolver.EXACT_LIMIT) {
            double[][] dense = new double[n][n];
            for (int i = 0; i < n; i++) for (int k = a.rowPtr()[i]; k < a.rowPtr()[i + 1]; k++) dense[i][a.colIdx()[k]] += qv[k];
            SymmetricEigen e = SymmetricEigen.of(dense);
            return new ProgrammedMatrix(programmed, scale, e.min(), e.max(), qErr, dense);
        }
        SpectrumEstimate s = SpectrumEstimate.lanczos(programmed::multiply, n, ThermodynamicLinearSolver.LANCZOS_STEPS, seed);
        return new ProgrammedMatrix(programmed, scale, s.min(), s.max(), qErr, null);
    }

    boolean positiveDefinite() { return lambdaMin > 0; }

    boolean refinable() { return positiveDefinite() && 4 * quantisationError < lambdaMin; }
}
