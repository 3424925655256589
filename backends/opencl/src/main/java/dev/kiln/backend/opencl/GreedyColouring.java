package dev.kiln.backend.opencl;

import dev.kiln.solvers.matrix.CsrMatrix;

/**
 * A colouring of the rows of A such that no two rows of one colour are coupled (a_ij = 0 and
 * a_ji = 0 for i ≠ j of equal colour), so a Gauss–Seidel/SOR sweep can update all rows of a
 * colour at once: multicolour SOR (Saad, "Iterative Methods for Sparse Linear Systems", 2nd ed.,
 * §12.4, Algorithm 12.6 greedy colouring; §12.4.1 red-black). The graph is A's pattern made
 * symmetric (a row must not read a same-colour neighbour's x, whichever triangle couples them);
 * vertices are coloured in natural order with the smallest colour no coloured neighbour has. On
 * a 5-point (or 7-point) stencil in natural order that is the red-black checkerboard, 2 colours.
 *
 * @param colours     number of colours
 * @param order       the original row at each device position: rows sorted by colour, natural order within
 * @param colourStart colour c owns positions [colourStart[c], colourStart[c+1]); length colours + 1
 */
record GreedyColouring(int colours, int[] order, int[] colourStart) {

    /** CSR arrays of P·A·Pᵀ for {@link #order} (columns within a row in A's order, not sorted). */
    record PermutedCsr(int[] rowPtr, int[] colIdx, double[] values) { }

    static GreedyColouring of(CsrMatrix a) {
        int n = a.rows();
        int[] rp = a.rowPtr(), ci = a.colIdx();
        // Transposed pattern, so each vertex also sees the rows that reference it.
        int[] tp = new int[n + 1];
        for (int k = 0; k < rp[n]; k++) tp[ci[k] + 1]++;
        for (int i = 0; i < n; i++) tp[i + 1] += tp[i];
        int[] ti = new int[rp[n]];
        int[] fill = java.util.Arrays.copyOf(tp, n);
        for (int i = 0; i < n; i++) for (int k = rp[i]; k < rp[i + 1]; k++) ti[fill[ci[k]]++] = i;

        int[] colour = new int[n];
        int[] seen = new int[n + 1]; // seen[c] == v + 1: colour c is taken by a neighbour of v
        int colours = 0;
        for (int v = 0; v < n; v++) {
            for (int k = rp[v]; k < rp[v + 1]; k++) if (ci[k] < v) seen[colour[ci[k]]] = v + 1;
            for (int k = tp[v]; k < tp[v + 1]; k++) if (ti[k] < v) seen[colour[ti[k]]] = v + 1;
            int c = 0;
            while (seen[c] == v + 1) c++;
            colour[v] = c;
            colours = Math.max(colours, c + 1);
        }
        int[] start = new int[colours + 1];
        for (int v = 0; v < n; v++) start[colour[v] + 1]++;
        for (int c = 0; c < colours; c++) start[c + 1] += start[c];
        int[] next = java.util.Arrays.copyOf(start, colours);
        int[] order = new int[n];
        for (int v = 0; v < n; v++) order[next[colour[v]]++] = v;
        return new GreedyColouring(colours, order, start);
    }

    /** A's CSR arrays in device order: row i is A's row order[i], columns renumbered to positions. */
    PermutedCsr permute(CsrMatrix a) {
        int n = a.rows();
        int[] rp = a.rowPtr(), ci = a.colIdx();
        double[] v = a.values();
        int[] position = new int[n];
        for (int i = 0; i < n; i++) position[order[i]] = i;
        int[] rowPtr = new int[n + 1];
        int[] colIdx = new int[rp[n]];
        double[] values = new double[rp[n]];
        for (int i = 0; i < n; i++) {
            int row = order[i], at = rowPtr[i];
            for (int k = rp[row]; k < rp[row + 1]; k++, at++) {
                colIdx[at] = position[ci[k]];
                values[at] = v[k];
            }
            rowPtr[i + 1] = at;
        }
        return new PermutedCsr(rowPtr, colIdx, values);
    }
}
