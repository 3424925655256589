package dev.kiln.solvers.matrix;

import dev.kiln.solvers.problem.InvalidProblemException;
import dev.kiln.solvers.problem.InvalidProblemException.Code;

import java.util.function.DoubleBinaryOperator;

/**
 * Model problems: the discretised operator −∇·(k∇u) + σu on the unit square or cube with
 * homogeneous Dirichlet boundary conditions, on the nx×ny(×nz) interior nodes of a uniform
 * grid (x_i = i·hx, hx = 1/(nx+1), and so on), numbered lexicographically with x fastest.
 *
 * <p>Why: every solver, backend and benchmark needs SPD systems of any size without files,
 * with a known structure and spectrum (Saad, "Iterative Methods for Sparse Linear Systems",
 * 2nd ed., §2.2.3 and §2.5; the constant-coefficient case is the classic 5-/7-point
 * Laplacian, the test problem of §3.7).
 *
 * <p>Discretisation (finite volumes, Saad §2.5): the flux through the face between two nodes
 * (or a node and the boundary) is k at the face midpoint times the difference quotient. Row p
 * has −k_f·w_d for each neighbour across face f in direction d, and Σ_f k_f·w_d + σ on the
 * diagonal; each face coefficient is evaluated once and used for both of its rows, so the
 * matrix is symmetric by construction, and it is positive definite whenever k &gt; 0 and
 * σ &gt; −λ_min (σ ≥ 0 always suffices). Scaling: the operator is multiplied by s = hx·hy (2D) or
 * s = (hx·hy·hz)^(2/3) (3D), the squared mean spacing, so w_d = s/h_d²: on a uniform grid
 * (nx = ny [= nz]) s = h² exactly and for k ≡ 1 the entries are exactly 4 and −1 (6 and −1).
 * The right-hand-side helpers apply the same s, so {@code A·u = s·f} approximates −∇·(k∇u) = f.
 */
public final class PoissonGenerator {
    /** Largest matrix (stored entries) the generator builds: about 3 GB of CSR arrays. */
    public static final long MAX_NONZEROS = 250_000_000L;

    /** A coefficient or source k(x, y, z) on the unit cube. */
    @FunctionalInterface
    public interface Function3 {
        double apply(double x, double y, double z);
    }

    private PoissonGenerator() {}

    // ---- 1D ---------------------------------------------------------------------------------

    /**
     * The 1-D Laplacian with Neumann ends (rows sum to 0): singular, its null space the constants,
     * so A·x = b has a solution only when bᵀ·1 = 0 — the test case for inconsistency detection.
     */
    public static CsrMatrix neumann1d(int n) {
        CooAssembler c = new CooAssembler(n, n);
        for (int i = 0; i < n; i++) {
            double d = 0;
            if (i > 0) { c.add(i, i - 1, -1); d++; }
            if (i < n - 1) { c.add(i, i + 1, -1); d++; }
            c.add(i, i, d);
        }
        return c.build();
    }

    // ---- 2D ---------------------------------------------------------------------------------

    /** The 5-point Laplacian (4 on the diagonal, −1 off it) on an nx×ny interior grid. */
    public static CsrMatrix poisson2d(int nx, int ny) {
        return poisson2d(nx, ny, 0.0, null);
    }

    /** The 5-point Laplacian plus σI. */
    public static CsrMatrix poisson2d(int nx, int ny, double shift) {
        return poisson2d(nx, ny, shift, null);
    }

    /**
     * −∇·(k∇u) + σu on the unit square, 5-point finite-volume stencil.
     *
     * @param k coefficient k(x, y) &gt; 0, evaluated at face midpoints; {@code null} means k ≡ 1
     * @throws InvalidProblemException for a non-positive or too large grid ({@code nx}, {@code ny},
     *         {@code grid}), a non-finite shift, or a k that is not positive and finite somewhere
     *         ({@code coefficient})
     */
    public static CsrMatrix poisson2d(int nx, int ny, double shift, DoubleBinaryOperator k) {
        int n = checkGrid(nx, ny, 1, 5, 2L * (nx + (long) ny), false);
        checkShift(shift);
        final double hx = 1.0 / (nx + 1), hy = 1.0 / (ny + 1);
        final double s = scale2d(nx, ny);
        final double wx = s / (hx * hx), wy = s / (hy * hy);
        int[] rowPtr = new int[n + 1];
        int nnz = n + 2 * ((nx - 1) * ny + nx * (ny - 1));
        int[] colIdx = new int[nnz];
        double[] values = new double[nnz];
        double[] northOfPrevRow = new double[nx]; // k on the faces y_{j-1/2}: shared with the row below
        for (int i = 0; i < nx; i++) northOfPrevRow[i] = coefficient(k, (i + 1) * hx, 0.5 * hy);
        int w = 0;
        for (int j = 0; j < ny; j++) {
            double y = (j + 1) * hy;
            double west = coefficient(k, 0.5 * hx, y);
            for (int i = 0; i < nx; i++) {
                double x = (i + 1) * hx;
                int p = i + nx * j;
                double east = coefficient(k, (i + 1.5) * hx, y);
                double south = northOfPrevRow[i];
                double north = coefficient(k, x, (j + 1.5) * hy);
                if (j > 0) { colIdx[w] = p - nx; values[w++] = -south * wy; }
                if (i > 0) { colIdx[w] = p - 1; values[w++] = -west * wx; }
                colIdx[w] = p;
                values[w++] = west * wx + east * wx + south * wy + north * wy + shift;
                if (i < nx - 1) { colIdx[w] = p + 1; values[w++] = -east * wx; }
                if (j < ny - 1) { colIdx[w] = p + nx; values[w++] = -north * wy; }
                rowPtr[p + 1] = w;
                northOfPrevRow[i] = north;
                west = east;
            }
        }
        assert w == nnz;
        return new CsrMatrix(n, n, rowPtr, colIdx, values);
    }

    /** A smooth right-hand side b = s·f with f = 2π²·sin(πx)·sin(πy), so u = sin(πx)sin(πy) for k ≡ 1, σ = 0. */
    public static double[] smoothRhs2d(int nx, int ny) {
        double s = scale2d(nx, ny);
        double[] b = sample2d(nx, ny, (x, y) -> 2 * Math.PI * Math.PI * Math.sin(Math.PI * x) * Math.sin(Math.PI * y));
        for (int p = 0; p < b.length; p++) b[p] *= s;
        return b;
    }

    /** f(x_i, y_j) at the interior nodes, in the matrix's ordering (not scaled). */
    public static double[] sample2d(int nx, int ny, DoubleBinaryOperator f) {
        int n = checkGrid(nx, ny, 1, 1, 0, false);
        double hx = 1.0 / (nx + 1), hy = 1.0 / (ny + 1);
        double[] v = new double[n];
        for (int j = 0; j < ny; j++) {
            for (int i = 0; i < nx; i++) v[i + nx * j] = f.applyAsDouble((i + 1) * hx, (j + 1) * hy);
        }
        return v;
    }

    // ---- 3D ---------------------------------------------------------------------------------

    /** The 7-point Laplacian (6 on the diagonal, −1 off it) on an nx×ny×nz interior grid. */
    public static CsrMatrix poisson3d(int nx, int ny, int nz) {
        return poisson3d(nx, ny, nz, 0.0, null);
    }

    /** The 7-point Laplacian plus σI. */
    public static CsrMatrix poisson3d(int nx, int ny, int nz, double shift) {
        return poisson3d(nx, ny, nz, shift, null);
    }

    /**
     * −∇·(k∇u) + σu on the unit cube, 7-point finite-volume stencil.
     *
     * @param k coefficient k(x, y, z) &gt; 0 at face midpoints; {@code null} means k ≡ 1
     * @throws InvalidProblemException as {@link #poisson2d(int, int, double, DoubleBinaryOperator)}, plus {@code nz}
     */
    public static CsrMatrix poisson3d(int nx, int ny, int nz, double shift, Function3 k) {
        long faces = 2L * ((long) nx * ny + (long) ny * nz + (long) nx * nz);
        int n = checkGrid(nx, ny, nz, 7, faces, true);
        checkShift(shift);
        final double hx = 1.0 / (nx + 1), hy = 1.0 / (ny + 1), hz = 1.0 / (nz + 1);
        final double s = scale3d(nx, ny, nz);
        final double wx = s / (hx * hx), wy = s / (hy * hy), wz = s / (hz * hz);
        final int plane = nx * ny;
        int nnz = (int) (7L * n - faces);
        int[] rowPtr = new int[n + 1];
        int[] colIdx = new int[nnz];
        double[] values = new double[nnz];
        double[] topOfPrevLayer = new double[plane];   // k on faces z_{l-1/2}
        double[] northOfPrevRow = new double[nx];      // k on faces y_{j-1/2} in this layer
        for (int j = 0; j < ny; j++) {
            for (int i = 0; i < nx; i++) topOfPrevLayer[i + nx * j] = coefficient(k, (i + 1) * hx, (j + 1) * hy, 0.5 * hz);
        }
        int w = 0;
        for (int l = 0; l < nz; l++) {
            double z = (l + 1) * hz;
            for (int i = 0; i < nx; i++) northOfPrevRow[i] = coefficient(k, (i + 1) * hx, 0.5 * hy, z);
            for (int j = 0; j < ny; j++) {
                double y = (j + 1) * hy;
                double west = coefficient(k, 0.5 * hx, y, z);
                for (int i = 0; i < nx; i++) {
                    double x = (i + 1) * hx;
                    int q = i + nx * j;
                    int p = q + plane * l;
                    double east = coefficient(k, (i + 1.5) * hx, y, z);
                    double south = northOfPrevRow[i];
                    double north = coefficient(k, x, (j + 1.5) * hy, z);
                    double bottom = topOfPrevLayer[q];
                    double top = coefficient(k, x, y, (l + 1.5) * hz);
                    if (l > 0) { colIdx[w] = p - plane; values[w++] = -bottom * wz; }
                    if (j > 0) { colIdx[w] = p - nx; values[w++] = -south * wy; }
                    if (i > 0) { colIdx[w] = p - 1; values[w++] = -west * wx; }
                    colIdx[w] = p;
                    values[w++] = west * wx + east * wx + south * wy + north * wy + bottom * wz + top * wz + shift;
                    if (i < nx - 1) { colIdx[w] = p + 1; values[w++] = -east * wx; }
                    if (j < ny - 1) { colIdx[w] = p + nx; values[w++] = -north * wy; }
                    if (l < nz - 1) { colIdx[w] = p + plane; values[w++] = -top * wz; }
                    rowPtr[p + 1] = w;
                    topOfPrevLayer[q] = top;
                    northOfPrevRow[i] = north;
                    west = east;
                }
            }
        }
        assert w == nnz;
        return new CsrMatrix(n, n, rowPtr, colIdx, values);
    }

    /** b = s·f with f = 3π²·sin(πx)sin(πy)sin(πz), so u = sin(πx)sin(πy)sin(πz) for k ≡ 1, σ = 0. */
    public static double[] smoothRhs3d(int nx, int ny, int nz) {
        double s = scale3d(nx, ny, nz);
        double[] b = sample3d(nx, ny, nz,
                (x, y, z) -> 3 * Math.PI * Math.PI * Math.sin(Math.PI * x) * Math.sin(Math.PI * y) * Math.sin(Math.PI * z));
        for (int p = 0; p < b.length; p++) b[p] *= s;
        return b;
    }

    /** f(x_i, y_j, z_l) at the interior nodes, in the matrix's ordering (not scaled). */
    public static double[] sample3d(int nx, int ny, int nz, Function3 f) {
        int n = checkGrid(nx, ny, nz, 1, 0, true);
        double hx = 1.0 / (nx + 1), hy = 1.0 / (ny + 1), hz = 1.0 / (nz + 1);
        double[] v = new double[n];
        for (int l = 0; l < nz; l++) {
            for (int j = 0; j < ny; j++) {
                for (int i = 0; i < nx; i++) {
                    v[i + nx * (j + ny * l)] = f.apply((i + 1) * hx, (j + 1) * hy, (l + 1) * hz);
                }
            }
        }
        return v;
    }

    /** A vector of n ones (the simplest right-hand side). */
    public static double[] ones(int n) {
        if (n <= 0) throw new InvalidProblemException("n", "must be positive, was " + n);
        double[] v = new double[n];
        java.util.Arrays.fill(v, 1.0);
        return v;
    }

    // ---- helpers ----------------------------------------------------------------------------

    /** s = hx·hy; exactly h² when nx = ny. */
    private static double scale2d(int nx, int ny) {
        return (1.0 / (nx + 1)) * (1.0 / (ny + 1));
    }

    /** s = (hx·hy·hz)^(2/3); exactly h² when nx = ny = nz. */
    private static double scale3d(int nx, int ny, int nz) {
        double hx = 1.0 / (nx + 1);
        if (nx == ny && ny == nz) return hx * hx;
        return Math.pow(hx * (1.0 / (ny + 1)) * (1.0 / (nz + 1)), 2.0 / 3.0);
    }

    /** Validates the grid, returns n; nnz = perNode·n − faces must stay within {@link #MAX_NONZEROS}. */
    private static int checkGrid(int nx, int ny, int nz, int perNode, long faces, boolean threeD) {
        if (nx <= 0) throw new InvalidProblemException("nx", "must be positive, was " + nx);
        if (ny <= 0) throw new InvalidProblemException("ny", "must be positive, was " + ny);
        if (threeD && nz <= 0) throw new InvalidProblemException("nz", "must be positive, was " + nz);
        long n = (long) nx * ny * nz;
        String shape = threeD ? nx + "x" + ny + "x" + nz : nx + "x" + ny;
        if (n >= CooAssembler.MAX_ARRAY || n > MAX_NONZEROS) {
            throw new InvalidProblemException(Code.TOO_LARGE, "grid", shape + " has " + n + " unknowns, more than "
                    + Math.min(CooAssembler.MAX_ARRAY - 1, MAX_NONZEROS) + " allowed");
        }
        long nnz = perNode * n - faces;
        if (nnz > MAX_NONZEROS) {
            throw new InvalidProblemException(Code.TOO_LARGE, "grid", shape + " needs " + nnz
                    + " stored entries, more than the limit of " + MAX_NONZEROS);
        }
        return (int) n;
    }

    private static void checkShift(double shift) {
        if (!Double.isFinite(shift)) throw new InvalidProblemException("shift", "must be finite, was " + shift);
    }

    private static double coefficient(DoubleBinaryOperator k, double x, double y) {
        if (k == null) return 1.0;
        double v = k.applyAsDouble(x, y);
        if (!(v > 0) || v == Double.POSITIVE_INFINITY) {
            throw new InvalidProblemException("coefficient", "k(" + x + ", " + y + ") = " + v + " must be positive and finite");
        }
        return v;
    }

    private static double coefficient(Function3 k, double x, double y, double z) {
        if (k == null) return 1.0;
        double v = k.apply(x, y, z);
        if (!(v > 0) || v == Double.POSITIVE_INFINITY) {
            throw new InvalidProblemException("coefficient", "k(" + x + ", " + y + ", " + z + ") = " + v + " must be positive and finite");
        }
        return v;
    }
}
