package dev.kiln.solvers.krylov;

import dev.kiln.solvers.kernel.KrylovKernels;
import dev.kiln.solvers.kernel.SparseOperator;

/**
 * Preconditioned CG with a subspace recycled across a family of related SPD systems solved one
 * after another: Saad, Yeung, Erhel and Guyomarc'h, "A deflated version of the conjugate gradient
 * algorithm", SIAM J. Sci. Comput. 21(5), 2000 (Algorithm 2.1, preconditioned; §4 for refreshing
 * the subspace from the CG coefficients). Written once above {@link KrylovKernels} and a
 * {@link SparseOperator}, like {@link ConjugateGradient}.
 *
 * <p><b>Start.</b> Given W (n×k, from earlier solves), a warm start x₀ (the nearest earlier
 * solution) and optionally further earlier solutions s₁…s_m, the start is built in two Galerkin
 * (A-norm-optimal) steps: first the best point of span{x₀, s₁…s_m} (Fischer, "Projection
 * techniques for iterative solution of Ax = b with successive right-hand sides", CMAME 163,
 * 1998 — used here for slowly varying A as well: the span of nearby solutions interpolates or
 * extrapolates the family), computed on an orthonormalised basis of those vectors; then
 * x += W(WᵀAW)⁺Wᵀr, which removes W's part of the error and makes Wᵀr = 0, the condition
 * Saad et al.'s Algorithm 2.1 starts from (a W-component left in r was measured to make the
 * deflated iteration diverge: no direction with WᵀAp = 0 can remove it). Each step only lowers
 * the A-norm of the error, so the start is never worse in that norm than x₀, than 0, or than
 * the plain deflated start x₀ + W(WᵀAW)⁻¹Wᵀr₀.
 *
 * <p><b>Iteration</b>, one of two ({@link RecyclingSettings#deflateIterations()}):
 * <ul>
 *   <li>deflated (Saad et al., Algorithm 2.1): p = z + βp − W·μ with (WᵀAW)·μ = (AW)ᵀz, so
 *   every search direction is A-orthogonal to W and the residuals stay orthogonal to it: CG runs
 *   on the part of the spectrum W does not cover, with effective condition number
 *   λ_max/λ_{k+1}. AW is formed once per solve (k products); an iteration costs k dot products
 *   and k axpys more than CG.</li>
 *   <li>start-only ("init-CG", Saad et al. §5; Erhel and Guyomarc'h, SIAM J. Matrix Anal. Appl.
 *   21(4), 2000): plain PCG after the projected start. The start removes W's part of the error;
 *   in exact arithmetic with an invariant W the Krylov space stays orthogonal to it and the two
 *   coincide. CG's cost per iteration.</li>
 * </ul>
 *
 * <p><b>Refreshing W</b> (Saad et al. §4; the Rayleigh–Ritz step of eigCG, Stathopoulos and
 * Orginos, SIAM J. Sci. Comput. 32(1), 2010): the first ℓ preconditioned residuals z_j are kept.
 * With v_j = z_j/√ρ_j (ρ_j = r_jᵀz_j) they are M-orthonormal, and VᵀAV = T, the Lanczos
 * tridiagonal of the CG coefficients (Saad, "Iterative Methods for Sparse Linear Systems", 2nd ed.,
 * §6.7.3, eq. 6.103: T_jj = 1/α_j + β_{j−1}/α_{j−1}, T_{j,j+1} = −√β_j/α_j for these unsigned v_j).
 * On Z = [W, V] the Rayleigh–Ritz problem ZᵀAZ·y = θ·ZᵀMZ·y needs only small matrices:
 * <pre>
 *   ZᵀAZ = [ WᵀAW  C      ]     ZᵀMZ = [ WᵀMW  D ]     C = WᵀA·V,  D = WᵀM·V = Wᵀr_j/√ρ_j
 *          [ Cᵀ    T + Δ  ]            [ Dᵀ    I ]
 * </pre>
 * In the deflated iteration C's columns are the (AW)ᵀz_j it computes anyway, D = 0 (Wᵀr_j = 0),
 * and Δ = Cᵀ(WᵀAW)⁺C (z_iᵀAz_j gains c_iᵀμ_j from p's −Wμ term); in the start-only iteration
 * C and D cost 2k dot products in each of the first ℓ iterations and Δ = 0. The k eigenvectors
 * with the smallest θ give the new W = Z·y, M-orthonormal, with Ritz values θ. Across a family
 * the subspace improves solve by solve towards the slowest eigenvectors of M⁻¹A. WᵀMW is formed
 * only for M = I or diagonal M (Jacobi); with another preconditioner nothing is harvested.
 *
 * <p><b>Honest ends</b>, as in {@link ConjugateGradient}: convergence of the recursive residual is
 * accepted only when the true residual b − A·x meets the tolerance; otherwise the residual is
 * replaced, re-projected (x += W(WᵀAW)⁺Wᵀr) and the iteration restarted; the report carries the
 * true residual of the returned x. If the recycled iteration breaks down (non-positive curvature,
 * a non-finite value, a residual 10⁵ times the initial one, stagnation) the subspace did not fit:
 * plain CG runs from the caller's x₀ within the remaining budget, and that is the answer
 * ({@link DeflatedSolveReport#deflationAbandoned()}). So recycling never returns a residual above
 * the tolerance where plain CG would have met it.
 *
 * <p>Memory: r, z, p, q, x, the k vectors AW, and up to ℓ kept residuals (allocated as they are
 * kept, in the first ℓ iterations only). Stateless and thread-safe.
 */
public final class DeflatedConjugateGradient {
    /** Eigenvalues at or below this fraction of the largest mark dependent directions (pseudo-inverses, ZᵀMZ). */
    static final double RANK_TOLERANCE = 1e-10;
    /**
     * A residual this many times the initial one ends the recycled iteration as DIVERGED (PETSc's
     * default divergence tolerance, KSPSetTolerances dtol = 1e5), and plain CG takes over.
     */
    static final double DIVERGENCE = 1e5;
    /** A start vector whose part orthogonal to the ones before is below this fraction of its norm adds nothing (1e-12: ten thousand times fp64's unit roundoff). */
    static final double DEPENDENT = 1e-12;

    private DeflatedConjugateGradient() {}

    /**
     * Solves A·x = b starting from the Galerkin point of x0, {@code extraStart} and the recycled
     * subspace, and harvests Ritz vectors for the next solve.
     *
     * @param a             SPD operator
     * @param k             vector kernels
     * @param b             right-hand side
     * @param x0            warm start, or {@code null} (not modified)
     * @param m             preconditioner (SPD), or {@code null} for none
     * @param recycled      subspace to deflate with, or {@code null}/empty; vectors of length n
     * @param extraStart    further earlier solutions joining x0's span in the start, or {@code null}; length n each
     * @param settings      harvest size, Lanczos window, and whether to deflate every iteration
     * @param tolerance     relative residual target, &gt; 0
     * @param maxIterations iteration budget, ≥ 0
     * @param monitor       called once per iteration, or {@code null}
     * @throws dev.kiln.solvers.problem.InvalidProblemException on mismatched shapes or invalid options
     * @throws IllegalArgumentException when a recycled or start vector does not have length n
     */
    public static DeflatedSolveReport solve(SparseOperator a, KrylovKernels k, double[] b, double[] x0, Preconditioner m,
                                            RecycledSubspace recycled, double[][] extraStart, RecyclingSettings settings,
                                            double tolerance, int maxIterations, IterationMonitor monitor) {
        return solve(a, k, ScalarBlockKernels.INSTANCE, b, x0, m, recycled, extraStart, settings, tolerance, maxIterations, monitor);
    }

    /** As {@link #solve(SparseOperator, KrylovKernels, double[], double[], Preconditioner, RecycledSubspace, double[][], RecyclingSettings, double, int, IterationMonitor)}, with a backend's {@link BlockKernels}. */
    public static DeflatedSolveReport solve(SparseOperator a, KrylovKernels k, BlockKernels bk, double[] b, double[] x0,
                                            Preconditioner m, RecycledSubspace recycled, double[][] extraStart,
                                            RecyclingSettings settings, double tolerance, int maxIterations,
                                            IterationMonitor monitor) {
        int n = a.rows();
        SystemChecks.check(n, b, x0, tolerance, maxIterations);
        if (recycled != null && recycled.size() > 0 && recycled.dimension() != n) {
            throw new IllegalArgumentException("recycled subspace vectors have length " + recycled.dimension() + ", the system has n=" + n);
        }
        if (extraStart != null) {
            for (int i = 0; i < extraStart.length; i++) {
                if (extraStart[i] == null || extraStart[i].length != n) {
                    throw new IllegalArgumentException("extraStart[" + i + "] must have length n=" + n);
                }
            }
        }
        if (settings == null) throw new IllegalArgumentException("settings are required");
        if (m == null) m = IdentityPreconditioner.INSTANCE;
        if (monitor == null) monitor = IterationMonitor.NONE;
        DeflatedSolveReport r = run(bk, a, k, b, x0, m, recycled, extraStart, settings, tolerance, maxIterations, monitor);
        Termination t = r.report().termination();
        boolean brokeDown = t == Termination.NOT_SPD || t == Termination.DIVERGED || t == Termination.STAGNATED;
        boolean recycledAnything = r.deflatedVectors() > 0 || (extraStart != null && extraStart.length > 0);
        if (brokeDown && recycledAnything) {
            // The recycled data did not fit this matrix: answer with plain CG from the caller's start.
            int left = Math.max(0, maxIterations - r.report().iterations());
            SolveReport plain = ConjugateGradient.solve(a, k, b, x0, m, tolerance, left, monitor, null);
            SolveReport total = new SolveReport(plain.termination(), r.report().iterations() + plain.iterations(),
                    plain.relativeResidual(), plain.recursiveResidual(), plain.x());
            return new DeflatedSolveReport(total, null, r.deflatedVectors(), r.initialResidual(), true);
        }
        return r;
    }

    private static DeflatedSolveReport run(BlockKernels bk, SparseOperator a, KrylovKernels k, double[] b, double[] x0, Preconditioner m,
                                           RecycledSubspace recycled, double[][] extraStart, RecyclingSettings settings,
                                           double tol, int maxIterations, IterationMonitor monitor) {
        final int n = a.rows();
        final boolean identity = m instanceof IdentityPreconditioner;
        final double[] invDiag = identity ? null : m.inverseDiagonal();
        final boolean harvesting = settings.harvest() > 0 && (identity || invDiag != null);
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
            gram(bk, n, w, aw, e);
            einv = allFinite(e) ? SmallSymmetric.pseudoInverse(e, RANK_TOLERANCE) : null;
            if (einv == null) { // A is not SPD on span W, or W is garbage: do not use it
                kw = 0;
                w = new double[0][];
                aw = new double[0][];
                e = new double[0][0];
                einv = new double[0][0];
            }
        }
        final boolean deflating = kw > 0 && settings.deflateIterations();
        final double[] c = new double[kw], d = new double[kw], mu = new double[kw];
        final double[] r = new double[n], z = new double[n], p = new double[n], q = new double[n];
        final double[] zz = identity ? r : z;
        final double[] out = new double[2];

        // ---- start: Galerkin point of span{x0, extra} + span W, then Wᵀr = 0 ----
        start(bk, a, k, b, x0, extraStart, x, r, q);
        a.residual(x, b, r);
        if (kw > 0) {
            project(bk, n, r, w, einv, c, mu, x);
            a.residual(x, b, r);
        }
        double rel = k.norm2(n, r) / bnorm;
        final double initialRel = rel;

        // ---- the Lanczos window kept for harvesting ----
        final int ell = harvesting ? Math.min(settings.lanczosVectors(), maxIterations) : 0;
        final Window win = new Window(ell, kw);
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
            firstDirection(bk, k, n, zz, deflating, w, aw, einv, c, mu, p);
            if (recording) keep(bk, k, n, win, zz, r, rho, deflating, w, aw, c, d);
            while (true) {
                if (!Double.isFinite(rho)) { end = Termination.DIVERGED; break; }
                if (rho <= 0) { end = Termination.NOT_SPD; break; }
                double curvature = a.applyDot(p, q);
                if (!Double.isFinite(curvature)) { end = Termination.DIVERGED; break; }
                if (curvature <= 0) { end = Termination.NOT_SPD; break; }
                double alpha = rho / curvature;
                k.cgUpdate(n, alpha, p, q, x, r, invDiag, z, out);
                boolean alphaKept = recording && win.alphas < ell;
                if (alphaKept) win.alpha[win.alphas++] = alpha;
                it++;
                rel = Math.sqrt(out[1]) / bnorm;
                if (!Double.isFinite(rel) || rel > DIVERGENCE * initialRel) { end = Termination.DIVERGED; break; }
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
                        project(bk, n, r, w, einv, c, mu, x);
                        a.residual(x, b, r);
                    }
                    if (!proceed) { end = Termination.STOPPED; break; }
                    if (it >= maxIterations) { end = Termination.MAX_ITERATIONS; break; }
                    if (!identity) m.apply(r, z);
                    rho = k.dot(n, r, zz);
                    firstDirection(bk, k, n, zz, deflating, w, aw, einv, c, mu, p);
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
                if (alphaKept) win.beta[win.alphas - 1] = beta;
                if (deflating) {                      // p = z + β·p − W·μ with (WᵀAW)·μ = (AW)ᵀz
                    bk.dots(n, aw, zz, c);
                    SmallSymmetric.multiply(einv, c, mu);
                    bk.direction(n, zz, beta, w, mu, p);
                } else {
                    k.xpay(n, zz, beta, p);
                }
                rho = rhoNext;
                if (recording && win.stored < ell) keep(bk, k, n, win, zz, r, rho, deflating, w, aw, c, d);
            }
        }
        a.residual(x, b, z);
        double trueRel = k.norm2(n, z) / bnorm;
        if (end == Termination.MAX_ITERATIONS && trueRel <= tol) end = Termination.CONVERGED;
        SolveReport report = new SolveReport(end, it, trueRel, rel, x);

        RecycledSubspace harvested = null;
        boolean healthy = end == Termination.CONVERGED || end == Termination.MAX_ITERATIONS || end == Termination.STOPPED;
        int lanczos = Math.min(win.stored, win.alphas);
        // Harvest only from a full window: a solve that converged in fewer than ℓ iterations has
        // seen little of the spectrum, and the Rayleigh–Ritz step would cost more than it teaches
        // (the caller keeps the subspace it had).
        if (harvesting && healthy && lanczos > 0 && lanczos >= ell) {
            harvested = harvest(bk, k, n, invDiag, w, e, einv, win, lanczos, deflating, settings.harvest());
        }
        return new DeflatedSolveReport(report, harvested, kw, initialRel, false);
    }

    /** The first ℓ residuals and CG coefficients of a solve, and their products with W. */
    private static final class Window {
        final double[][] z;
        final double[] rho, alpha, beta;
        final double[][] c, d;
        int stored, alphas;

        Window(int ell, int kw) {
            z = new double[ell][];
            rho = new double[ell];
            alpha = new double[ell];
            beta = new double[ell];
            c = new double[ell][kw];
            d = new double[ell][kw];
        }
    }

    /**
     * Keeps z_j (a copy) with ρ_j, c_j = (AW)ᵀz_j and d_j = Wᵀr_j: in the deflated iteration c_j
     * is the one just computed and d_j = 0; in the start-only iteration both are computed here.
     */
    private static void keep(BlockKernels bk, KrylovKernels k, int n, Window win, double[] z, double[] r, double rho, boolean deflating,
                             double[][] w, double[][] aw, double[] c, double[] d) {
        int j = win.stored++;
        win.z[j] = new double[n];
        k.copy(n, z, win.z[j]);
        win.rho[j] = rho;
        if (w.length == 0) return;
        if (deflating) {
            System.arraycopy(c, 0, win.c[j], 0, c.length);
        } else {
            bk.dots(n, aw, z, win.c[j]);
            bk.dots(n, w, r, win.d[j]);
        }
    }

    /** G = WᵀAW, symmetrised (it is symmetric up to rounding). */
    private static void gram(BlockKernels bk, int n, double[][] w, double[][] aw, double[][] g) {
        int kw = w.length;
        double[] col = new double[kw];
        for (int j = 0; j < kw; j++) {
            bk.dots(n, w, aw[j], col);
            for (int i = 0; i < kw; i++) g[i][j] = col[i];
        }
        for (int i = 0; i < kw; i++) {
            for (int j = i + 1; j < kw; j++) {
                double v = 0.5 * (g[i][j] + g[j][i]);
                g[i][j] = v;
                g[j][i] = v;
            }
        }
    }

    /**
     * Sets x to the Galerkin point of span{x0, extra…}: orthonormalises those vectors (classical
     * Gram–Schmidt, twice — "twice is enough", Giraud, Langou and Rozložník 2005), drops the ones
     * that add nothing, and solves the small projected system QᵀAQ·y = Qᵀb, x = Q·y. Then, when W
     * is given, x += W(WᵀAW)⁺Wᵀ(b − A·x) (the caller does it). Why orthonormalise first: earlier
     * solutions of a slowly varying family agree to many digits, and what the start needs is
     * their differences; a Gram matrix of the raw vectors squares their conditioning, and its
     * pseudo-inverse then drops exactly those differences (measured: a decaying heat sequence's
     * start went from 10⁻⁷ to 6·10⁻² relative residual as its solutions became parallel). With
     * no x0 and no extra vectors x = 0. Uses r and q as scratch.
     */
    private static void start(BlockKernels bk, SparseOperator a, KrylovKernels k, double[] b, double[] x0, double[][] extra,
                              double[] x, double[] r, double[] q) {
        int n = a.rows();
        int s = (x0 == null ? 0 : 1) + (extra == null ? 0 : extra.length);
        java.util.Arrays.fill(x, 0, n, 0.0);
        if (s == 0) return;
        double[][] qs = new double[s][];
        double[] coef = new double[s];
        int kept = 0;
        for (int j = 0; j < s; j++) {
            double[] src = j == 0 && x0 != null ? x0 : extra[j - (x0 == null ? 0 : 1)];
            double norm0 = k.norm2(n, src);
            if (!(norm0 > 0) || !Double.isFinite(norm0)) continue;
            double[] v = new double[n];
            k.copy(n, src, v);
            double[][] basis = java.util.Arrays.copyOf(qs, kept);
            for (int pass = 0; pass < 2 && kept > 0; pass++) {
                bk.dots(n, basis, v, coef);
                for (int i = 0; i < kept; i++) coef[i] = -coef[i];
                bk.addCombination(n, basis, coef, v);
            }
            double norm = k.norm2(n, v);
            if (!(norm > DEPENDENT * norm0)) continue;      // adds nothing the kept ones do not span
            k.scale(n, 1 / norm, v);
            qs[kept++] = v;
        }
        if (kept == 0) {
            if (x0 != null) k.copy(n, x0, x);
            return;
        }
        double[][] basis = java.util.Arrays.copyOf(qs, kept);
        double[][] g = new double[kept][kept];
        double[] rhs = new double[kept], y = new double[kept], col = new double[kept];
        bk.dots(n, basis, b, rhs);
        for (int j = 0; j < kept; j++) {
            a.apply(basis[j], q);
            bk.dots(n, basis, q, col);
            for (int i = 0; i < kept; i++) g[i][j] = col[i];
        }
        for (int i = 0; i < kept; i++) {
            for (int j = i + 1; j < kept; j++) {
                double v = 0.5 * (g[i][j] + g[j][i]);
                g[i][j] = v;
                g[j][i] = v;
            }
        }
        double[][] ginv = allFinite(g) ? SmallSymmetric.pseudoInverse(g, RANK_TOLERANCE) : null;
        if (ginv == null) {                                 // A not SPD on the span: start from x0 as given
            if (x0 != null) k.copy(n, x0, x);
            return;
        }
        SmallSymmetric.multiply(ginv, rhs, y);
        bk.addCombination(n, basis, y, x);
    }

    /** x += W·E⁺·Wᵀr: removes from the error its A-orthogonal projection on span W. */
    private static void project(BlockKernels bk, int n, double[] r, double[][] w, double[][] einv, double[] c, double[] mu, double[] x) {
        bk.dots(n, w, r, c);
        SmallSymmetric.multiply(einv, c, mu);
        bk.addCombination(n, w, mu, x);
    }

    /** p = z − W·μ with E·μ = (AW)ᵀz when deflating (leaves (AW)ᵀz in c), else p = z. */
    private static void firstDirection(BlockKernels bk, KrylovKernels k, int n, double[] z, boolean deflating, double[][] w, double[][] aw,
                                       double[][] einv, double[] c, double[] mu, double[] p) {
        if (!deflating) {
            k.copy(n, z, p);
            return;
        }
        bk.dots(n, aw, z, c);
        SmallSymmetric.multiply(einv, c, mu);
        bk.direction(n, z, 0, w, mu, p);
    }

    /** The Rayleigh–Ritz step of the class comment: the {@code h} smallest Ritz pairs of M⁻¹A on span[W, V]. */
    private static RecycledSubspace harvest(BlockKernels bk, KrylovKernels k, int n, double[] invDiag, double[][] w, double[][] e,
                                            double[][] einv, Window win, int lanczos, boolean deflating, int h) {
        int kw = w.length, dim = kw + lanczos;
        double[] s = new double[lanczos];
        for (int j = 0; j < lanczos; j++) s[j] = 1 / Math.sqrt(win.rho[j]);
        // G = ZᵀAZ and F = ZᵀMZ
        double[][] g = new double[dim][dim], f = new double[dim][dim];
        for (int i = 0; i < kw; i++) System.arraycopy(e[i], 0, g[i], 0, kw);
        for (int j = 0; j < lanczos; j++) {
            for (int i = 0; i < kw; i++) {
                g[i][kw + j] = win.c[j][i] * s[j];
                g[kw + j][i] = g[i][kw + j];
                f[i][kw + j] = win.d[j][i] * s[j];
                f[kw + j][i] = f[i][kw + j];
            }
            f[kw + j][kw + j] = 1;
            g[kw + j][kw + j] = 1 / win.alpha[j] + (j > 0 ? win.beta[j - 1] / win.alpha[j - 1] : 0);
            if (j + 1 < lanczos) {
                double off = -Math.sqrt(win.beta[j]) / win.alpha[j];
                g[kw + j][kw + j + 1] = off;
                g[kw + j + 1][kw + j] = off;
            }
        }
        if (deflating) {                              // Δ = Cᵀ E⁺ C
            double[] t = new double[kw];
            for (int i = 0; i < lanczos; i++) {
                SmallSymmetric.multiply(einv, win.c[i], t);
                for (int j = 0; j < lanczos; j++) {
                    double v = 0;
                    for (int l = 0; l < kw; l++) v += win.c[j][l] * t[l];
                    g[kw + i][kw + j] += v * s[i] * s[j];
                }
            }
        }
        if (kw > 0) {                                 // WᵀMW with M = I or diag(1/invDiag)
            double[] mwj = new double[n], col = new double[kw];
            for (int j = 0; j < kw; j++) {
                double[] wj = w[j];
                if (invDiag == null) System.arraycopy(wj, 0, mwj, 0, n);
                else for (int i = 0; i < n; i++) mwj[i] = wj[i] / invDiag[i];
                bk.dots(n, w, mwj, col);
                for (int i = 0; i < kw; i++) f[i][j] = col[i];
            }
            for (int i = 0; i < kw; i++) {
                for (int j = i + 1; j < kw; j++) {
                    double v = 0.5 * (f[i][j] + f[j][i]);
                    f[i][j] = v;
                    f[j][i] = v;
                }
            }
        }
        // X = U_F·Λ_F^{-1/2} over F's non-negligible eigenvalues: ZᵀMZ-orthonormalises Z, dropping dependent directions.
        SmallSymmetric.Eigen fe = SmallSymmetric.eigen(f);
        double fmax = Math.abs(fe.values()[dim - 1]);
        int red = 0;
        for (int i = 0; i < dim; i++) if (fe.values()[i] > RANK_TOLERANCE * fmax) red++;
        double[][] xt = new double[dim][red];
        int col = 0;
        for (int i = 0; i < dim; i++) {
            double lambda = fe.values()[i];
            if (!(lambda > RANK_TOLERANCE * fmax)) continue;
            double sc = 1 / Math.sqrt(lambda);
            for (int r = 0; r < dim; r++) xt[r][col] = fe.vectors()[r][i] * sc;
            col++;
        }
        // H = Xᵀ G X, its eigenpairs, and Y = X·Q
        double[][] hm = new double[red][red];
        double[][] gx = new double[dim][red];
        for (int i = 0; i < dim; i++) {
            for (int j = 0; j < red; j++) {
                double v = 0;
                for (int l = 0; l < dim; l++) v += g[i][l] * xt[l][j];
                gx[i][j] = v;
            }
        }
        for (int i = 0; i < red; i++) {
            for (int j = 0; j < red; j++) {
                double v = 0;
                for (int l = 0; l < dim; l++) v += xt[l][i] * gx[l][j];
                hm[i][j] = v;
            }
        }
        SmallSymmetric.Eigen he = SmallSymmetric.eigen(hm);
        int take = Math.min(h, red);
        if (take == 0 || !(he.values()[0] > 0)) return null; // not SPD on Z: nothing trustworthy to keep
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
        for (int j = 0; j < lanczos; j++) { sources[kw + j] = win.z[j]; scale[kw + j] = s[j]; }
        double[][] basis = new double[take][n];
        bk.combine(n, sources, scale, coef, basis);
        double[] theta = new double[take];
        System.arraycopy(he.values(), 0, theta, 0, take);
        return new RecycledSubspace(basis, theta);
    }

    private static boolean allFinite(double[][] m) {
        for (double[] row : m) for (double v : row) if (!Double.isFinite(v)) return false;
        return true;
    }
}
