package dev.kiln.solvers.qubo;

import dev.kiln.solvers.problem.InvalidProblemException;
import dev.kiln.solvers.problem.QuboProblem;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads a Max-Cut graph in the G-set format (Y. Ye's G-set, generated with G. Rinaldi's
 * {@code rudy}): a line {@code n m}, then exactly m lines {@code i j w}, 1-based, undirected.
 * Blank lines and trailing spaces (the G-set files end lines with {@code " \r\n"}) are
 * tolerated; anything else is an error naming the line. Sizes are checked before allocation.
 */
public final class GsetReader {
    private GsetReader() { }

    public static MaxCutGraph read(Path file) throws IOException {
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.US_ASCII)) {
            return read(r, QuboAssembler.MAX_N);
        }
    }

    public static MaxCutGraph read(Reader in, int maxN) throws IOException {
        LineTokens lines = new LineTokens(new BufferedReader(in));
        long[] head = lines.next(2, "header 'n m'");
        if (head == null) throw new InvalidProblemException("line 1", "empty file: expected 'n m'");
        int headerLine = lines.lineNumber();
        if (head[0] < 1 || head[0] > maxN) throw new InvalidProblemException(InvalidProblemException.Code.TOO_LARGE,
                "line " + headerLine, "n=" + head[0] + " outside [1, " + maxN + "]");
        if (head[1] < 0 || head[1] > 50_000_000L) throw new InvalidProblemException(InvalidProblemException.Code.TOO_LARGE,
                "line " + headerLine, "m=" + head[1] + " outside [0, 50000000]");
        int n = (int) head[0];
        int m = (int) head[1];
        int[] u = new int[Math.min(m, 1 << 20)];
        int[] v = new int[u.length];
        double[] w = new double[u.length];
        for (int e = 0; e < m; e++) {
            double[] t = lines.nextMixed("edge 'i j w'");
            if (t == null) throw new InvalidProblemException("line " + (lines.lineNumber() + 1), "file ends after " + e + " of " + m + " edges");
            String at = "line " + lines.lineNumber();
            if (t[0] != Math.rint(t[0]) || t[1] != Math.rint(t[1])) throw new InvalidProblemException(at, "vertex indices must be integers");
            if (t[0] < 1 || t[0] > n || t[1] < 1 || t[1] > n) throw new InvalidProblemException(at, "vertex out of range [1," + n + "]");
            if (t[0] == t[1]) throw new InvalidProblemException(at, "self-loop on vertex " + (long) t[0]);
            if (e == u.length) {
                int cap = (int) Math.min(m, 2L * u.length);
                u = java.util.Arrays.copyOf(u, cap);
                v = java.util.Arrays.copyOf(v, cap);
                w = java.util.Arrays.copyOf(w, cap);
            }
            u[e] = (int) t[0] - 1;
            v[e] = (int) t[1] - 1;
            w[e] = t[2];
        }
        if (lines.next(0, "") != null) throw new InvalidProblemException("line " + lines.lineNumber(), "more lines than the " + m + " edges announced");
        return MaxCutGraph.of(n, java.util.Arrays.copyOf(u, m), java.util.Arrays.copyOf(v, m), java.util.Arrays.copyOf(w, m), "edges");
    }
}
