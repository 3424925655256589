package dev.kiln.solvers.krylov;

import dev.kiln.solvers.kernel.KrylovKernels;
import dev.kiln.solvers.kernel.SparseOperator;

/**
 * Deflated preconditioned CG with a recycled subspace, for a family of related SPD systems
 * solved one after another: Saad, Yeung, Erhel and Guyomarc'h, "A deflated version of the
 * conjugate gradient algorithm", SIAM J. Sci. Comput. 21(5), 2000 (their Algorithm 2.1 with a
 * preconditioner, and §4 for refreshing the subspace from the CG coefficients). Written once above
 * {@link KrylovKernels} and a {@link SparseOperator}, like {@link ConjugateGradient}.
 *
 * <p><b>Start.</b> Given W (n×k, from earlier solves) and a warm start x₀ (the nearest earlier
 * solution), the initial guess is the Galerkin (A-norm-optimal) point of x₀·span{x₀} + span{W}:
 * x = γ·x₀ + W·y with [W x₀]ᵀ·A·[W x₀]·(y, γ) = [W x₀]ᵀ·b. Its A-norm error is never larger than
 * that of x₀ itself, of 0, or of the plain deflated start x₀ + W(WᵀAW)⁻¹Wᵀr₀; the optimal γ also
 * rescales a warm start whose right-hand side only changed in size (a decaying heat solution).
 * Then Wᵀr = 0, the condition of Saad et al.'s Algorithm 2.1.
 *
 * <p><b>Iteration</b> (Saad et al., Algorithm 2.1, preconditioned): p = z − W·μ with
 * (WᵀAW)·μ = WᵀA·z, so every search direction is A-orthogonal to W and the residuals stay
 * orthogonal to W: CG runs on the part of the spectrum W does not cover, and its convergence is
 * governed by the effective condition number λ_max/λ_{k+1} instead of λ_max/λ_1 (their Theorem
 * 3.3-style bound). WᵀA·z is (AW)ᵀz with AW formed once per solve (k products), so an iteration
 * costs k dot products and k axpys more than CG. (WᵀAW) is inverted once, through its
 * eigen-decomposition: dependent columns of W are dropped (pseudo-inverse), and an indefinite
 * WᵀAW (A not SPD on span W) refuses the subspace.
 *
 * <p><b>Refreshing W</b> (Saad et al. §4; the same Rayleigh–Ritz step as eigCG, Stathopoulos and
 * Orginos, SIAM J. Sci. Comput. 32(1), 2010, and the recycling of RMINRES, Wang, de Sturler and
 * Paulino 2007): the first ℓ preconditioned residuals z_j are kept. With v_j = z_j/√ρ_j
 * (ρ_j = r_jᵀz_j) they are M-orthonormal and M-orthogonal to W (since Wᵀr_j = 0), and everything
 * the Rayleigh–Ritz problem on Z = [W, V] needs is already known, without a product with A:
 * <pre>
 *   ZᵀAZ = [ WᵀAW     C        ]     ZᵀMZ = [ WᵀMW  0 ]
 *          [ Cᵀ   T + Cᵀ(WᵀAW)⁻¹C ]            [ 0     I ]
 * </pre>
 * where T is the Lanczos tridiagonal of the CG coefficients (Saad, "Iterative Methods for Sparse
 * Linear Systems", 2nd ed., §6.7.3, eq. 6.103: T_jj = 1/α_j + β_{j−1}/α_{j−1},
 * T_{j,j+1} = −√β_j/α_j for these unsigned v_j) and C = WᵀA·V, whose columns are the WᵀAz_j the
 * iteration computed anyway. The k eigenvectors of ZᵀAZ·y = θ·ZᵀMZ·y with the smallest θ give
 * the new W = Z·y, M-orthonormal, with Ritz values θ. Across a family the subspace improves
 * solve by solve, converging to the slowest eigenvectors of M⁻¹A. WᵀMW is computed only for
 * M = I or diagonal M (Jacobi); with another preconditioner nothing is harvested.
 *
 * <p><b>Honest ends</b>, as in {@link ConjugateGradient}: the recursive residual's convergence is
 * accepted only when the true residual b − A·x meets the tolerance; otherwise the residual is
 * replaced, re-projected (x += W(WᵀAW)⁺Wᵀr) and the iteration restarted; the report carries the
 * true residual of the returned x. If the deflated iteration breaks down (non-positive curvature,
 * a non-finite value, stagnation) the subspace did not fit: plain CG is run from the caller's x₀
 * within the remaining budget, and that is the answer ({@code deflationAbandoned}). So recycling
 * never returns a residual above the tolerance where plain CG would have met it.
 *
 * <p>Memory: r, z, p, q, x, the k vectors AW, and ℓ stored residuals (ℓ·n doubles), allocated
 * per solve before the iteration; nothing is allocated inside the loop. Stateless, thread-safe.
 */
public final class DeflatedConjugateGradient {
    /** Eigenvalues of WᵀAW (or of the start's Galerkin matrix) at or below this fraction of the largest mark dependent directions. */
    static final double RANK_TOLERANCE = 1e-10;

    private DeflatedConjugateGradient() {}

    /**
     * Solves A·x = b, deflating with {@code recycled} and harvesting up to {@code harvest} Ritz
     * vectors from the first {@code lanczosVectors} iterations.
     *
     * @param a              SPD operator
     * @param k              vector kernels
     * @param b              right-hand side
     * @param x0             warm start, or {@code null} for none (not modified)
     * @param m              preconditioner (SPD), or {@code null} for none
     * @param recycled       subspace to deflate with, or {@code null}/empty for none; its vectors must have length n
     * @param extraStart     further earlier solutions whose span joins x0's in the Galerkin start
     *                       (Fischer's projection onto previous solutions), or {@code null}; length n each
     * @param harvest        Ritz vectors to return for the next solve (0: none)
     * @param lanczosVectors residuals to keep for harvesting (the window ℓ), ≥ 0
     * @param tolerance      relative residual target, &gt; 0
     * @param maxIterations  iteration budget, ≥ 0
     * @param monitor        called once per iteration, or {@code null}
     * @throws dev.kiln.solvers.problem.InvalidProblemException on mismatched shapes or invalid options
     * @throws IllegalArgumentException when the subspace's vectors do not have length n, or a count is negative
     */
    public static DeflatedSolveReport solve(SparseOperator a, KrylovKernels k, double[] b, double[] x0, Preconditioner m,
                                            RecycledSubspace recycled, double[][] extraStart, int harvest, int lanczosVectors,
                                            double tolerance, int maxIterations, IterationMonitor monitor) {
        int n = a.rows();
        SystemChecks.check(n, b, x0, tolerance, maxIterations);
        if (extraStart != null) {
            for (int i = 0; i < extraStart.length; i++) {
                if (extraStart[i] == null || extraStart[i].length != n) {
                    throw new IllegalArgumentException("extraStart[" + i + "] must have length n=" + n);
                }
            }
        }
        if (recycled != null && recycled.size() > 0 && recycled.dimension() != n) {
            throw new IllegalArgumentException("recycled subspace vectors have length " + recycled.dimension() + ", the system has n=" + n);
        }
        if (harvest < 0 || lanczosVectors < 0) {
            throw new IllegalArgumentException("harvest and lanczosVectors must not be negative: " + harvest + ", " + lanczosVectors);
        }
        if (m == null) m = IdentityPreconditioner.INSTANCE;
        if (monitor == null) monitor = IterationMonitor.NONE;
        DeflatedSolveReport r = run(a, k, b, x0, m, recycled, extraStart, harvest, lanczosVectors, tolerance, maxIterations, monitor);
        Termination t = r.report().termination();
        boolean brokeDown = t == Termination.NOT_SPD || t == Termination.DIVERGED || t == Termination.STAGNATED;
        if (brokeDown && r.deflatedVectors() > 0) {
            // The subspace did not fit this matrix: answer with plain CG from the caller's start.
            int left = Math.max(0, maxIterations - r.report().iterations());
            SolveReport plain = ConjugateGradient.solve(a, k, b, x0, m, tolerance, left, monitor, null);
            SolveReport total = new SolveReport(plain.termination(), r.report().iterations() + plain.iterations(),
                    plain.relativeResidual(), plain.recursiveResidual(), plain.x());
            return new DeflatedSolveReport(total, null, r.deflatedVectors(), r.initialResidual(), true);
        }
        return r;
    }

    private static DeflatedSolveReport run(SparseOperator a, KrylovKernels k, double[] b, double[] x0, Preconditioner m,
                                           RecycledSubspace recycled, double[][] extraStart, int harvest, int window,
                                           double tol, int maxIterations, IterationMonitor monitor) {
        final int n = a.rows();
        final boolean identity = m instanceof IdentityPreconditioner;
        final double[] invDiag = identity ? null : m.inverseDiagonal();
        final boolean harvesting = harvest > 0 && (identity || invDiag != null);
        final double[] x = new double[n];
        final double bnorm = k.norm2(n, b);
        if (bnorm == 0) return new DeflatedSolveReport(new SolveReport(Termination.CONVERGED, 0, 0.0, 0.0, x), null, 0, 0, false);

        // ---- the recycled subspace: AW, E = WᵀAW and its pseudo-inverse ----
        double[][] w = recycled == null ? new double[0][] : recycled.basis();
        int kw = w.length;
        double[][] aw = new double[kw][];
        double[][] e = new double[kw][kw];
        double[][] einv = new double[0][0];
        if (kw > 0) {
            for (int c = 0; c < kw; c++) {
                aw[c] = new double[n];
                a.apply(w[c], aw[c]);
            }
            double[] col = new double[kw];
            for (int j = 0; j < kw; j++) {
                SubspaceKernels.dots(n, w, aw[j], col);
                for (int i = 0; i <= j; i++) {           // symmetrise: WᵀAW is symmetric up to rounding
                    double v = i == j ? col[i] : 0.5 * (col[i] + e[i][j]);
                    e[i][j] = v;
                    e[j][i] = v;
                }
                for (int i = j + 1; i < kw; i++) e[j][i] = col[i]; // held until column i symmetrises it
            }
            einv = SmallSymmetric.pseudoInverse(e, RANK_TOLERANCE);
            if (einv == null || !allFinite(e)) { // A is not SPD on span W, or W is garbage: do not deflate
                kw = 0;
                w = new double[0][];
                aw = new double[0][];
                e = new double[0][0];
                einv = new double[0][0];
            }
        }
        final double[] c = new double[kw], mu = new double[kw];
        final double[] r = new double[n], z = new double[n], p = new double[n], q = new double[n];
        final double[] zz = identity ? r : z;
        final double[] out = new double[2];

        // ---- start: Galerkin point of span{x0} + span{W} ----
        start(a, k, b, x0, extraStart, w, aw, e, einv, x, r, q, c, mu);
        a.residual(x, b, r);
        double rel = k.norm2(n, r) / bnorm;
        final double initialRel = rel;

        // ---- the Lanczos window kept for harvesting ----
        final int ell = harvesting ? Math.min(window, maxIterations) : 0;
        final double[][] zs = new double[ell][];
        final double[][] cs = new double[ell][kw];
        final double[] rhos = new double[ell], alphas = new double[ell], betas = new double[ell];
        for (int j = 0; j < ell; j++) zs[j] = new double[n];
        int stored = 0, alphaCount = 0;
        boolean recording = ell > 0;

        int it = 0;
        double lastRestartTrue = Double.POSITIVE_INFINITY;
        Termination end;
        if (!Double.isFinite(rel)) {
            end = Termination.DIVERGED;
        } else if (rel <= tol) {
            end = Termination.CONVERGED;
        } else if (maxIterations == 0) {
            end = Termination.MAX_ITERATIONS;
        } else {
            if (!identity) m.apply(r, z);
            double rho = k.dot(n, r, zz);
            deflatedDirection(k, n, zz, w, aw, einv, c, mu, p);   // p0 = z0 − W·μ0
            if (recording) { stored = keep(k, n, zz, rho, c, zs, cs, rhos, stored); }
            while (true) {
                if (!Double.isFinite(rho)) { end = Termination.DIVERGED; break; }
                if (rho <= 0) { end = Termination.NOT_SPD; break; }
                double curvature = a.applyDot(p, q);
                if (!Double.isFinite(curvature)) { end = Termination.DIVERGED; break; }
                if (curvature <= 0) { end = Termination.NOT_SPD; break; }
                double alpha = rho / curvature;
                k.cgUpdate(n, alpha, p, q, x, r, invDiag, z, out);
                boolean alphaKept = recording && alphaCount < ell;
                if (alphaKept) alphas[alphaCount++] = alpha;
                it++;
                rel = Math.sqrt(out[1]) / bnorm;
                if (!Double.isFinite(rel)) { end = Termination.DIVERGED; break; }
                boolean proceed = monitor.proceed(it, rel);
                if (rel <= tol) {
                    a.residual(x, b, z);
                    double trueRel = k.norm2(n, z) / bnorm;
                    if (trueRel <= tol) { end = Termination.CONVERGED; break; }
                    // Residual replacement (van der Vorst and Ye 2000), re-projected so Wᵀr = 0 again.
                    k.copy(n, z, r);
                    rel = trueRel;
                    if (trueRel > ConjugateGradient.RESTART_PROGRESS * lastRestartTrue) { end = Termination.STAGNATED; break; }
                    lastRestartTrue = trueRel;
                    recording = false;                // the Lanczos relation does not survive a restart
                    if (kw > 0) {
                        project(k, n, r, w, einv, c, mu, x);
                        a.residual(x, b, r);
                    }
                    if (!proceed) { end = Termination.STOPPED; break; }
                    if (it >= maxIterations) { end = Termination.MAX_ITERATIONS; break; }
                    if (!identity) m.apply(r, z);
                    rho = k.dot(n, r, zz);
                    deflatedDirection(k, n, zz, w, aw, einv, c, mu, p);
                    continue;
                }
                if (!proceed) { end = Termination.STOPPED; break; }
                if (it >= maxIterations) { end = Termination.MAX_ITERATIONS; break; }
                double rhoNext;
                if (identity || invDiag != null) {
                    rhoNext = out[0];
                } else {
                    m.apply(r, z);
                    rhoNext = k.dot(n, r, z);
                }
                double beta = rhoNext / rho;
                if (alphaKept) betas[alphaCount - 1] = beta;
                // p = z + β·p − W·μ with (WᵀAW)·μ = (AW)ᵀz
                if (kw > 0) {
                    SubspaceKernels.dots(n, aw, zz, c);
                    SmallSymmetric.multiply(einv, c, mu);
                    SubspaceKernels.direction(n, zz, beta, w, mu, p);
                } else {
                    k.xpay(n, zz, beta, p);
                }
                rho = rhoNext;
                if (recording && stored < ell) stored = keep(k, n, zz, rho, c, zs, cs, rhos, stored);
            }
        }
        a.residual(x, b, z);
        double trueRel = k.norm2(n, z) / bnorm;
        if (end == Termination.MAX_ITERATIONS && trueRel <= tol) end = Termination.CONVERGED;
        SolveReport report = new SolveReport(end, it, trueRel, rel, x);

        RecycledSubspace harvested = null;
        boolean healthy = end == Termination.CONVERGED || end == Termination.MAX_ITERATIONS || end == Termination.STOPPED;
        int lanczos = Math.min(stored, alphaCount);
        if (harvesting && healthy && kw + lanczos > 0) {
            harvested = harvest(k, n, invDiag, w, e, einv, zs, cs, rhos, alphas, betas, lanczos, harvest);
        }
        return new DeflatedSolveReport(report, harvested, kw, initialRel, false);
    }

    /**
     * Sets x to the Galerkin point of span{x0, extra…} + span W: solves the projected system
     * over [W, x0, extra…] (pseudo-inverse, so dependent vectors are harmless), falling back to
     * x0 + W·E⁺Wᵀ(b − A·x0) when that matrix is indefinite (A not SPD on the span). Uses r and q
     * as scratch.
     */
    private static void start(SparseOperator a, KrylovKernels k, double[] b, double[] x0, double[][] extra, double[][] w,
                              double[][] aw, double[][] e, double[][] einv, double[] x, double[] r, double[] q,
                              double[] c, double[] mu) {
        int n = a.rows(), kw = w.length;
        int s = (x0 == null ? 0 : 1) + (extra == null ? 0 : extra.length);
        if (s > 0) {
            double[][] sv = new double[s][];
            int t = 0;
            if (x0 != null) sv[t++] = x0;
            if (extra != null) for (double[] v : extra) sv[t++] = v;
            double[][] as = new double[s][];
            for (int i = 0; i < s; i++) {
                as[i] = i == 0 ? q : new double[n];
                a.apply(sv[i], as[i]);
            }
            int dim = kw + s;
            double[][] g = new double[dim][dim];
            double[] rhs = new double[dim], y = new double[dim];
            for (int i = 0; i < kw; i++) {
                System.arraycopy(e[i], 0, g[i], 0, kw);
                rhs[i] = k.dot(n, w[i], b);
                for (int j = 0; j < s; j++) {
                    double v = k.dot(n, aw[i], sv[j]);
                    g[i][kw + j] = v;
                    g[kw + j][i] = v;
                }
            }
            boolean finite = true;
            for (int i = 0; i < s; i++) {
                rhs[kw + i] = k.dot(n, sv[i], b);
                for (int j = i; j < s; j++) {
                    double v = k.dot(n, sv[i], as[j]);
                    g[kw + i][kw + j] = v;
                    g[kw + j][kw + i] = v;
                    finite &= Double.isFinite(v);
                }
            }
            double[][] ginv = finite ? SmallSymmetric.pseudoInverse(g, RANK_TOLERANCE) : null;
            if (ginv != null) {
                SmallSymmetric.multiply(ginv, rhs, y);
                java.util.Arrays.fill(x, 0, n, 0.0);
                for (int i = 0; i < kw; i++) k.axpy(n, y[i], w[i], x);
                for (int j = 0; j < s; j++) k.axpy(n, y[kw + j], sv[j], x);
                return;
            }
            if (x0 != null) k.copy(n, x0, x);
        }
        if (kw == 0) return;
        a.residual(x, b, r);
        project(k, n, r, w, einv, c, mu, x);
    }

    /** x += W·E⁺·Wᵀr: removes from the error its A-orthogonal projection on span W. */
    private static void project(KrylovKernels k, int n, double[] r, double[][] w, double[][] einv, double[] c, double[] mu,
                                double[] x) {
        SubspaceKernels.dots(n, w, r, c);
        SmallSymmetric.multiply(einv, c, mu);
        SubspaceKernels.addCombination(n, w, mu, x);
    }

    /** p = z − W·μ with E·μ = (AW)ᵀz; leaves (AW)ᵀz in c. */
    private static void deflatedDirection(KrylovKernels k, int n, double[] z, double[][] w, double[][] aw, double[][] einv,
                                          double[] c, double[] mu, double[] p) {
        if (w.length == 0) {
            k.copy(n, z, p);
            return;
        }
        SubspaceKernels.dots(n, aw, z, c);
        SmallSymmetric.multiply(einv, c, mu);
        SubspaceKernels.direction(n, z, 0, w, mu, p);
    }

    private static int keep(KrylovKernels k, int n, double[] z, double rho, double[] c, double[][] zs, double[][] cs,
                            double[] rhos, int stored) {
        k.copy(n, z, zs[stored]);
        System.arraycopy(c, 0, cs[stored], 0, c.length);
        rhos[stored] = rho;
        return stored + 1;
    }

    /** The Rayleigh–Ritz step of the class comment: the {@code h} smallest Ritz pairs of M⁻¹A on span[W, V]. */
    private static RecycledSubspace harvest(KrylovKernels k, int n, double[] invDiag, double[][] w, double[][] e, double[][] einv,
                                            double[][] zs, double[][] cs, double[] rhos, double[] alphas, double[] betas,
                                            int lanczos, int h) {
        int kw = w.length, dim = kw + lanczos;
        double[] s = new double[lanczos];
        for (int j = 0; j < lanczos; j++) s[j] = 1 / Math.sqrt(rhos[j]);
        // G = ZᵀAZ
        double[][] g = new double[dim][dim];
        for (int i = 0; i < kw; i++) System.arraycopy(e[i], 0, g[i], 0, kw);
        for (int j = 0; j < lanczos; j++) {
            for (int i = 0; i < kw; i++) {
                g[i][kw + j] = cs[j][i] * s[j];
                g[kw + j][i] = g[i][kw + j];
            }
            g[kw + j][kw + j] = 1 / alphas[j] + (j > 0 ? betas[j - 1] / alphas[j - 1] : 0);
            if (j + 1 < lanczos) {
                double off = -Math.sqrt(betas[j]) / alphas[j];
                g[kw + j][kw + j + 1] = off;
                g[kw + j + 1][kw + j] = off;
            }
        }
        if (kw > 0) {
            double[] t = new double[kw];
            for (int i = 0; i < lanczos; i++) {
                SmallSymmetric.multiply(einv, cs[i], t);
                for (int j = 0; j < lanczos; j++) {
                    double v = 0;
                    for (int l = 0; l < kw; l++) v += cs[j][l] * t[l];
                    g[kw + i][kw + j] += v * s[i] * s[j];
                }
            }
        }
        // F_W = WᵀMW (M = I, or M = diag(1/invDiag))
        double[][] fw = new double[kw][kw];
        if (kw > 0) {
            double[] mwj = new double[n];
            for (int j = 0; j < kw; j++) {
                if (invDiag == null) {
                    k.copy(n, w[j], mwj);
                } else {
                    double[] wj = w[j];
                    for (int i = 0; i < n; i++) mwj[i] = wj[i] / invDiag[i];
                }
                double[] col = new double[kw];
                SubspaceKernels.dots(n, w, mwj, col);
                for (int i = 0; i <= j; i++) {
                    fw[i][j] = col[i];
                    fw[j][i] = col[i];
                }
            }
        }
        // X = blockdiag(U_W·Λ_W^{-1/2}, I): ZᵀMZ-orthonormalises Z, dropping dependent columns of W.
        SmallSymmetric.Eigen fe = SmallSymmetric.eigen(fw);
        double fmax = kw == 0 ? 0 : Math.abs(fe.values()[kw - 1]);
        int kept = 0;
        for (int i = 0; i < kw; i++) if (fe.values()[i] > RANK_TOLERANCE * fmax) kept++;
        int red = kept + lanczos;
        double[][] xt = new double[dim][red];
        int col = 0;
        for (int i = 0; i < kw; i++) {
            double lambda = fe.values()[i];
            if (!(lambda > RANK_TOLERANCE * fmax)) continue;
            double sc = 1 / Math.sqrt(lambda);
            for (int r = 0; r < kw; r++) xt[r][col] = fe.vectors()[r][i] * sc;
            col++;
        }
        for (int j = 0; j < lanczos; j++) xt[kw + j][kept + j] = 1;
        // H = Xᵀ G X, its eigenpairs, and Y = X·Q
        double[][] gx = new double[dim][red];
        for (int i = 0; i < dim; i++) {
            for (int j = 0; j < red; j++) {
                double v = 0;
                for (int l = 0; l < dim; l++) v += g[i][l] * xt[l][j];
                gx[i][j] = v;
            }
        }
        double[][] hm = new double[red][red];
        for (int i = 0; i < red; i++) {
            for (int j = 0; j < red; j++) {
                double v = 0;
                for (int l = 0; l < dim; l++) v += xt[l][i] * gx[l][j];
                hm[i][j] = v;
            }
        }
        SmallSymmetric.Eigen he = SmallSymmetric.eigen(hm);
        int take = Math.min(h, red);
        if (take > 0 && !(he.values()[0] > 0)) return null; // not SPD on Z: nothing trustworthy to keep
        double[][] coef = new double[dim][take];
        for (int l = 0; l < dim; l++) {
            for (int j = 0; j < take; j++) {
                double v = 0;
                for (int i = 0; i < red; i++) v += xt[l][i] * he.vectors()[i][j];
                coef[l][j] = v;
            }
        }
        double[][] sources = new double[dim][];
        double[] scale = new double[dim];
        for (int i = 0; i < kw; i++) { sources[i] = w[i]; scale[i] = 1; }
        for (int j = 0; j < lanczos; j++) { sources[kw + j] = zs[j]; scale[kw + j] = s[j]; }
        double[][] basis = new double[take][n];
        SubspaceKernels.combine(n, sources, scale, coef, basis);
        double[] theta = new double[take];
        System.arraycopy(he.values(), 0, theta, 0, take);
        return new RecycledSubspace(basis, theta);
    }

    private static boolean allFinite(double[][] m) {
        for (double[] row : m) for (double v : row) if (!Double.isFinite(v)) return false;
        return true;
    }
}
