package dev.kiln.backend.cpu.kernel;

import dev.kiln.solvers.matrix.CsrMatrix;

import java.util.Arrays;

/**
 * A matrix in DIA (diagonal) storage (Saad, "Iterative Methods for Sparse Linear Systems", 2nd
 * ed., §3.4): the few diagonals that hold every non-zero, each stored as a full column of n
 * values ({@code values[d·n + i] = A[i, i + offsets[d]]}, 0 where the diagonal leaves the matrix
 * or the entry is absent). No column indices at all: a product step is contiguous loads of values
 * and of x shifted by the diagonal's offset — no gather — so the bytes per row of a 5-point
 * stencil fall from SELL's 5·(8+4) to 5·8 in fp64 and 5·4 in fp32.
 *
 * <p>Only for matrices whose non-zeros sit on few diagonals (stencils on structured grids: the
 * Poisson families, heat and diffusion steps); {@link #of} declines the rest.
 * Immutable once built; shared by concurrent solves through {@link ConversionCache}.
 */
public final class DiagonalMatrix {
    /**
     * At most this many diagonals: the 3-D 27-point stencil, the widest common one. Each diagonal is
     * its own stream of loads; with x's window and y that is 29 streams, inside the 32 forward
     * streams the L2 hardware prefetcher tracks (Intel 64 and IA-32 Architectures Optimization
     * Reference Manual, "Data Prefetch to the L2 and Last Level Cache": the streamer "can track
     * 32 streams"), so every stream stays prefetched.
     */
    public static final int MAX_DIAGONALS = 27;
    /**
     * Stored slots (n per diagonal) over non-zeros at most this: a DIA slot costs 8 bytes against
     * SELL's 12 per entry (value + index), so DIA moves fewer bytes while the fill is below 1.5;
     * 1.25 keeps a margin for the extra x streams, and is the bound the SELL rule uses
     * ({@link CpuKernels#SELL_MAX_FILL}). Stencil matrices sit at 1.00–1.02.
     */
    public static final double MAX_FILL = 1.25;

    final int rows;
    final int[] offsets;      // ascending
    final double[] values;    // diagonal-major, offsets.length · rows
    /** Rows [interiorStart, interiorEnd) read x[i + offset] in range for every diagonal; others are edge rows. */
    final int interiorStart, interiorEnd;
    final long nnz;

    private DiagonalMatrix(int rows, int[] offsets, double[] values, long nnz) {
        this.rows = rows;
        this.offsets = offsets;
        this.values = values;
        this.nnz = nnz;
        int lo = offsets.length == 0 ? 0 : Math.max(0, -offsets[0]);
        int hi = offsets.length == 0 ? rows : Math.min(rows, rows - offsets[offsets.length - 1]);
        this.interiorStart = Math.min(lo, rows);
        this.interiorEnd = Math.max(interiorStart, hi);
    }

    public int diagonals() { return offsets.length; }
    public int[] offsets() { return offsets.clone(); }

    /** Stored slots over the matrix's non-zeros (1 = no padding). */
    public double fill() { return nnz == 0 ? 1 : (double) offsets.length * rows / nnz; }

    /** This matrix with fp32 values (offsets shared). */
    public DiagonalMatrixFp32 toFp32() { return new DiagonalMatrixFp32(this); }

    /**
     * A's diagonal offsets when there are at most {@code maxDiagonals} of them and n per diagonal
     * is at most {@code maxFill} × nnz, else null. One pass over the column indices that gives up
     * at the first offset too many, so a general matrix costs only its first few rows.
     */
    static int[] diagonalOffsets(CsrMatrix a, int maxDiagonals, double maxFill) {
        int n = a.rows();
        if (!a.isSquare() || n == 0) return null;
        int maxByFill = (int) Math.min(maxDiagonals, Math.floor(maxFill * a.nnz() / n));
        int[] rp = a.rowPtr(), ci = a.colIdx();
        int[] found = new int[maxByFill + 1];   // ascending, like the columns of a sorted row
        int count = 0;
        for (int i = 0; i < n; i++) {
            int hint = 0;
            for (int k = rp[i]; k < rp[i + 1]; k++) {
                int off = ci[k] - i;
                while (hint < count && found[hint] < off) hint++;   // a stencil row walks the offsets in order
                if (hint < count && found[hint] == off) { hint++; continue; }
                int at = Arrays.binarySearch(found, 0, count, off);  // an unsorted row, or a new offset
                if (at >= 0) { hint = at + 1; continue; }
                if (count == maxByFill) return null;
                at = -at - 1;
                System.arraycopy(found, at, found, at + 1, count - at);
                found[at] = off;
                count++;
                hint = at + 1;
            }
        }
        return Arrays.copyOf(found, count);
    }

    /**
     * The rule's smallest matrix, in non-zeros: below it A sits in cache, where the product is not
     * bound by bytes and SELL's one load stream per chunk beat DIA's one per diagonal (interleaved
     * probe, medians of 2 000 rounds, load 5: DIA 0.94× SELL on Poisson 2D 64², 0.90× on 3-D 20³,
     * 0.69× on gr_30_30; 1.27× on 2D 200², 1.7–2.1× from 128³ and 1024² up). The same bound as
     * {@link CpuKernels#PARALLEL_MIN_NNZ}.
     */
    public static final long MIN_NNZ = CpuKernels.PARALLEL_MIN_NNZ;
    /**
     * Edge rows (those whose diagonals leave the matrix, the span of the offsets) at most this
     * share of the rows: they run scalar and bounds-checked. crystm01 (27 diagonals, 9.7 % edge rows,
     * 105 339 non-zeros) ran its DIA product at 0.81× SELL's; Poisson 3-D 64³ (3.1 %) at 1.7×.
     */
    public static final double MAX_EDGE_FRACTION = 0.05;

    /**
     * A in DIA storage when the format rule gives it DIA — at least {@link #MIN_NNZ} non-zeros on at
     * most {@link #MAX_DIAGONALS} diagonals, padding at most {@link #MAX_FILL}, edge rows at most
     * {@link #MAX_EDGE_FRACTION} — else null.
     */
    public static DiagonalMatrix of(CsrMatrix a) {
        if (a.nnz() < MIN_NNZ) return null;
        int[] offsets = diagonalOffsets(a, MAX_DIAGONALS, MAX_FILL);
        if (offsets == null || offsets[offsets.length - 1] - offsets[0] > MAX_EDGE_FRACTION * a.rows()) return null;
        return convert(a, offsets);
    }

    /** A in DIA storage whatever its size and edge rows, or null past the diagonal and fill bounds (tests, warm-up). */
    static DiagonalMatrix of(CsrMatrix a, int maxDiagonals, double maxFill) {
        int[] offsets = diagonalOffsets(a, maxDiagonals, maxFill);
        return offsets == null ? null : convert(a, offsets);
    }

    private static DiagonalMatrix convert(CsrMatrix a, int[] offsets) {
        int n = a.rows();
        long slots = (long) offsets.length * n;
        if (slots > Integer.MAX_VALUE - 8) return null;
        int[] rp = a.rowPtr(), ci = a.colIdx();
        double[] v = a.values();
        double[] values = new double[(int) slots];
        for (int i = 0; i < n; i++) {
            for (int k = rp[i]; k < rp[i + 1]; k++) {
                int d = Arrays.binarySearch(offsets, ci[k] - i);
                values[d * n + i] += v[k];   // += : a CSR matrix may repeat an entry; the product sums them too
            }
        }
        return new DiagonalMatrix(n, offsets, values, a.nnz());
    }
}
