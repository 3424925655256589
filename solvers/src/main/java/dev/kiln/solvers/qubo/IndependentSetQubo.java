package dev.kiln.solvers.qubo;

import dev.kiln.solvers.problem.InvalidProblemException;
import dev.kiln.solvers.problem.QuboProblem;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Maximum independent set as a QUBO, the way Lava's QUBO tutorial poses it for Loihi 2
 * (lava-nc/lava-optimization, {@code tutorials/tutorial_QUBO_solver.ipynb}): Q = 64·A off the
 * diagonal (both (i,j) and (j,i), so a violated edge costs 2·64 = 128 in xᵀQx) and Qᵢᵢ = −8,
 * so an independent set S has energy −8·|S|. Reads the workloads' dense 0/1 adjacency files.
 */
public final class IndependentSetQubo {
    /** Lava tutorial weights: off-diagonal 64 per direction, diagonal −8 (ratio 8 : 1). */
    public static final double EDGE_PENALTY = 64;
    public static final double NODE_REWARD = -8;

    private IndependentSetQubo() { }

    /** Reads an N×N 0/1 symmetric adjacency matrix (one row per line) into the Lava MIS QUBO. */
    public static QuboProblem read(Path file) throws IOException {
        List<int[]> edges = new ArrayList<>();
        int n = -1;
        int row = 0;
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.US_ASCII)) {
            LineTokens lines = new LineTokens(r);
            String[] t;
            while ((t = lines.tokens()) != null) {
                if (n < 0) n = t.length;
                if (t.length != n) throw new InvalidProblemException("line " + lines.lineNumber(), "row has " + t.length + " entries, expected " + n);
                if (row >= n) throw new InvalidProblemException("line " + lines.lineNumber(), "more than " + n + " rows");
                for (int j = 0; j < n; j++) {
                    if (t[j].equals("0")) continue;
                    if (!t[j].equals("1")) throw new InvalidProblemException("line " + lines.lineNumber(), "entry " + (j + 1) + " is not 0 or 1");
                    if (j == row) throw new InvalidProblemException("line " + lines.lineNumber(), "self-loop on vertex " + row);
                    if (j > row) edges.add(new int[] {row, j});
                }
                row++;
            }
        }
        if (n < 1 || row != n) throw new InvalidProblemException("line " + (row + 1), "expected " + Math.max(n, 1) + " rows, got " + row);
        QuboAssembler a = new QuboAssembler(n, "adjacency");
        for (int i = 0; i < n; i++) a.add(i, i, NODE_REWARD);
        for (int[] e : edges) {
            a.add(e[0], e[1], EDGE_PENALTY);
            a.add(e[1], e[0], EDGE_PENALTY);
        }
        return a.build(QuboProblem.Origin.QUBO);
    }
}
