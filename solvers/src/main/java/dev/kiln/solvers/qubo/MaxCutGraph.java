package dev.kiln.solvers.qubo;

import dev.kiln.solvers.problem.InvalidProblemException;
import dev.kiln.solvers.problem.QuboProblem;

/**
 * An undirected weighted graph whose maximum cut is sought: maximise Σ_{(u,v)∈E} w·[side(u) ≠ side(v)].
 * Edges are kept as given (parallel edges count separately, which is what their cut is).
 *
 * <p>Exact conversions, both ways:
 * <ul>
 *   <li>{@link #toQubo()}: with xᵢ = side of i, [xᵤ ≠ xᵥ] = xᵤ + xᵥ − 2xᵤxᵥ, so
 *       −cut(x) = Σ_e w·(2xᵤxᵥ − xᵤ − xᵥ): aᵢ = −Σ_{e∋i} w, bᵤᵥ = 2w, and cut = −E (no offset).</li>
 *   <li>{@link #fromQubo(QuboProblem)}: the standard reduction with one extra vertex r = n
 *       standing for "0" (e.g. Barahona et al., Oper. Res. 36(3), 1988, §2). With cᵢⱼ the cut
 *       indicator, xᵢ = c_{ir} and xᵢxⱼ = (c_{ir} + c_{jr} − cᵢⱼ)/2, so
 *       E(x) − offset = Σᵢ (aᵢ + ½Σⱼ bᵢⱼ)·c_{ir} − Σ_{i<j} (bᵢⱼ/2)·cᵢⱼ: edge weights
 *       w_{ir} = −(aᵢ + ½Σⱼ bᵢⱼ), wᵢⱼ = bᵢⱼ/2, and E = offset − cut for the side assignment
 *       whose vertex r is on side 0.</li>
 * </ul>
 *
 * @param n vertices
 * @param u one end of each edge (0-based)
 * @param v the other end
 * @param w weights
 */
public record MaxCutGraph(int n, int[] u, int[] v, double[] w) {

    public MaxCutGraph {
        if (n < 1) throw new InvalidProblemException("problem.maxcut.n", "must be at least 1, was " + n);
        if (u.length != v.length || u.length != w.length) throw new InvalidProblemException("problem.maxcut.edges", "edge arrays differ in length");
    }

    /**
     * A validated graph: indices in range, no self-loops (an edge from a vertex to itself is
     * never cut; it is a client mistake worth naming), finite weights. {@code field} names the
     * edge list in errors, e.g. {@code problem.maxcut.edges}.
     */
    public static MaxCutGraph of(int n, int[] u, int[] v, double[] w, String field) {
        if (n < 1) throw new InvalidProblemException(field.replaceAll("\\.edges$", ".n"), "must be at least 1, was " + n);
        for (int e = 0; e < u.length; e++) {
            if (u[e] < 0 || u[e] >= n) throw new InvalidProblemException(field + "[" + e + "]", "vertex " + u[e] + " out of range [0," + n + ")");
            if (v[e] < 0 || v[e] >= n) throw new InvalidProblemException(field + "[" + e + "]", "vertex " + v[e] + " out of range [0," + n + ")");
            if (u[e] == v[e]) throw new InvalidProblemException(field + "[" + e + "]", "self-loop on vertex " + u[e] + " (never cut)");
            if (!Double.isFinite(w[e])) throw new InvalidProblemException(field + "[" + e + "]", "weight is not finite (" + w[e] + ")");
        }
        return new MaxCutGraph(n, u, v, w);
    }

    public int edges() { return u.length; }

    /** The weight of edges whose ends are on different sides. */
    public double cut(byte[] side) {
        double c = 0;
        for (int e = 0; e < u.length; e++) if (side[u[e]] != side[v[e]]) c += w[e];
        return c;
    }

    /** The exact QUBO: minimising it maximises the cut, and cut = −energy. */
    public QuboProblem toQubo() {
        QuboAssembler a = new QuboAssembler(n, "problem.maxcut.edges");
        for (int e = 0; e < u.length; e++) {
            a.add(u[e], u[e], -w[e]);
            a.add(v[e], v[e], -w[e]);
            a.add(u[e], v[e], 2 * w[e]);
        }
        return a.build(QuboProblem.Origin.MAXCUT);
    }

    /** The exact Max-Cut of a QUBO on n + 1 vertices (vertex n is the reference "0"); see the class comment. */
    public static MaxCutGraph fromQubo(QuboProblem q) {
        int n = q.n();
        int m = n + (int) q.edges();
        int[] u = new int[m];
        int[] v = new int[m];
        double[] w = new double[m];
        int e = 0;
        for (int i = 0; i < n; i++) {
            double half = 0;
            for (int k = q.rowPtr()[i]; k < q.rowPtr()[i + 1]; k++) {
                int j = q.colIdx()[k];
                half += q.coupling()[k] / 2;
                if (j > i) {
                    u[e] = i;
                    v[e] = j;
                    w[e++] = q.coupling()[k] / 2;
                }
            }
            u[e] = i;
            v[e] = n;
            w[e++] = -(q.linear()[i] + half);
        }
        return new MaxCutGraph(n + 1, u, v, w);
    }

    /** The QUBO assignment of a cut of {@link #fromQubo}'s graph: xᵢ = 1 where i is not on the reference's side. */
    public static byte[] assignmentOfCut(byte[] side) {
        int n = side.length - 1;
        byte[] x = new byte[n];
        for (int i = 0; i < n; i++) x[i] = (byte) (side[i] != side[n] ? 1 : 0);
        return x;
    }
}
