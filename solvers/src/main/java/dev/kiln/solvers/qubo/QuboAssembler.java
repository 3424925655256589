package dev.kiln.solvers.qubo;

import dev.kiln.solvers.problem.InvalidProblemException;
import dev.kiln.solvers.problem.QuboProblem;

import java.util.Arrays;

/**
 * Builds a {@link QuboProblem} from terms {@code (i, j, w)} (entries Qᵢⱼ of xᵀQx): validates
 * every index and weight with an error naming the term, sums duplicates, mirrors each
 * off-diagonal entry into both rows, and drops couplings that sum to zero. Storage grows with
 * the terms actually added, never from a declared count.
 */
public final class QuboAssembler {
    /** Largest n accepted by default: 50 million variables (the wire limit is usually lower). */
    public static final int MAX_N = 50_000_000;

    private final int n;
    private final String field;
    private final double[] linear;
    private int[] ti = new int[16];
    private int[] tj = new int[16];
    private double[] tw = new double[16];
    private int size;
    private int added;

    /**
     * @param n     variables
     * @param field path named in errors for the terms, e.g. {@code problem.qubo.terms}
     */
    public QuboAssembler(int n, String field) {
        this(n, field, MAX_N);
    }

    public QuboAssembler(int n, String field, int maxN) {
        String base = field.contains(".") ? field.substring(0, field.lastIndexOf('.')) : field;
        if (n < 1) throw new InvalidProblemException(base + ".n", "must be at least 1, was " + n);
        if (n > maxN) throw new InvalidProblemException(InvalidProblemException.Code.TOO_LARGE, base + ".n",
                n + " variables exceed the limit of " + maxN);
        this.n = n;
        this.field = field;
        this.linear = new double[n];
    }

    public int n() { return n; }

    /** Adds Qᵢⱼ = w (0-based). Errors name the term by its position among those added. */
    public QuboAssembler add(int i, int j, double w) {
        int t = added++;
        if (i < 0 || i >= n) throw new InvalidProblemException(field + "[" + t + "]", "index i=" + i + " out of range [0," + n + ")");
        if (j < 0 || j >= n) throw new InvalidProblemException(field + "[" + t + "]", "index j=" + j + " out of range [0," + n + ")");
        if (!Double.isFinite(w)) throw new InvalidProblemException(field + "[" + t + "]", "weight is not finite (" + w + ")");
        if (i == j) {
            linear[i] += w;
            return this;
        }
        if (size == ti.length) {
            int cap = Math.min(Integer.MAX_VALUE - 8, ti.length * 2);
            if (cap == ti.length) throw new InvalidProblemException(InvalidProblemException.Code.TOO_LARGE, field, "too many terms");
            ti = Arrays.copyOf(ti, cap);
            tj = Arrays.copyOf(tj, cap);
            tw = Arrays.copyOf(tw, cap);
        }
        ti[size] = i;
        tj[size] = j;
        tw[size] = w;
        size++;
        return this;
    }

    /** Terms added so far (diagonal ones included). */
    public int terms() { return added; }

    public QuboProblem build(QuboProblem.Origin origin) {
        return build(origin, 0);
    }

    /** The problem; duplicates summed, both directions stored, exact zeros dropped. */
    public QuboProblem build(QuboProblem.Origin origin, double offset) {
        for (double a : linear) {
            if (!Double.isFinite(a)) throw new InvalidProblemException(field, "a diagonal sum overflows to infinity");
        }
        // Count both directions per row, fill, then sort each row and merge duplicates.
        int[] count = new int[n + 1];
        for (int t = 0; t < size; t++) {
            count[ti[t] + 1]++;
            count[tj[t] + 1]++;
        }
        for (int i = 0; i < n; i++) count[i + 1] += count[i];
        long total = count[n];
        if (total > Integer.MAX_VALUE - 8) throw new InvalidProblemException(InvalidProblemException.Code.TOO_LARGE, field, "too many couplings");
        int[] col = new int[(int) total];
        double[] val = new double[(int) total];
        int[] next = Arrays.copyOf(count, n);
        for (int t = 0; t < size; t++) {
            int a = ti[t], b = tj[t];
            col[next[a]] = b;
            val[next[a]++] = tw[t];
            col[next[b]] = a;
            val[next[b]++] = tw[t];
        }
        int[] rowPtr = new int[n + 1];
        int out = 0;
        long[] keys = new long[0];
        double[] rowVal = new double[0];
        for (int i = 0; i < n; i++) {
            int s = count[i], e = count[i + 1];
            int len = e - s;
            if (keys.length < len) {
                keys = new long[Math.max(len, keys.length * 2)];
                rowVal = new double[keys.length];
            }
            // The row is copied out first: merged entries are written back from position
            // `out` (≤ s), which may overlap this row's unread entries.
            System.arraycopy(val, s, rowVal, 0, len);
            // Sort (column, original position) pairs so equal columns are adjacent.
            for (int k = 0; k < len; k++) keys[k] = ((long) col[s + k] << 32) | k;
            Arrays.sort(keys, 0, len);
            int k = 0;
            while (k < len) {
                int c = (int) (keys[k] >>> 32);
                double sum = 0;
                while (k < len && (int) (keys[k] >>> 32) == c) sum += rowVal[(int) (keys[k++] & 0xffffffffL)];
                if (!Double.isFinite(sum)) throw new InvalidProblemException(field, "coupling (" + i + "," + c + ") overflows to infinity");
                if (sum != 0) {
                    col[out] = c;
                    val[out++] = sum;
                }
            }
            rowPtr[i + 1] = out;
        }
        return new QuboProblem(n, linear.clone(), rowPtr, Arrays.copyOf(col, out), Arrays.copyOf(val, out), offset, origin);
    }
}
