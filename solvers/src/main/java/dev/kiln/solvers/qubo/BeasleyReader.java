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
 * Reads the Beasley OR-Library BQP format ({@code bqpN} files; J.E. Beasley, "Heuristic
 * algorithms for the unconstrained binary quadratic programming problem", 1998): a line with
 * the number of problems, then per problem a line {@code n nnz} and nnz lines {@code i j q}
 * (1-based, i ≤ j, each unordered pair once). The OR-Library objective is to <em>maximise</em>
 * Σᵢ Σⱼ qᵢⱼxᵢxⱼ with q symmetric, i.e. Σ qᵢᵢxᵢ + 2Σ_{i<j} qᵢⱼxᵢxⱼ. Kiln minimises, so the
 * QUBO returned is the negation: aᵢ = −qᵢᵢ, bᵢⱼ = −2qᵢⱼ, and the OR-Library value is −energy.
 */
public final class BeasleyReader {
    private BeasleyReader() { }

    /** The first problem of the file. */
    public static QuboProblem read(Path file) throws IOException {
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.US_ASCII)) {
            return read(r, 1, QuboAssembler.MAX_N);
        }
    }

    /** Problem number {@code index} (1-based) of the file. */
    public static QuboProblem read(Reader in, int index, int maxN) throws IOException {
        LineTokens lines = new LineTokens(new BufferedReader(in));
        long[] count = lines.next(1, "the number of problems");
        if (count == null) throw new InvalidProblemException("line 1", "empty file: expected the number of problems");
        if (index < 1 || index > count[0]) {
            throw new InvalidProblemException("line " + lines.lineNumber(), "problem " + index + " asked, file holds " + count[0]);
        }
        for (int p = 1; ; p++) {
            long[] head = lines.next(2, "'n nnz'");
            if (head == null) throw new InvalidProblemException("line " + (lines.lineNumber() + 1), "file ends before problem " + p);
            int at = lines.lineNumber();
            if (head[0] < 1 || head[0] > maxN) throw new InvalidProblemException(InvalidProblemException.Code.TOO_LARGE, "line " + at,
                    "n=" + head[0] + " outside [1, " + maxN + "]");
            if (head[1] < 0 || head[1] > head[0] * (head[0] + 1) / 2) {
                throw new InvalidProblemException("line " + at, "nnz=" + head[1] + " impossible for n=" + head[0]);
            }
            int n = (int) head[0];
            QuboAssembler a = new QuboAssembler(n, "entries");
            for (long e = 0; e < head[1]; e++) {
                double[] t = lines.nextMixed("entry 'i j q'");
                if (t == null) throw new InvalidProblemException("line " + (lines.lineNumber() + 1), "file ends after " + e + " of " + head[1] + " entries");
                String where = "line " + lines.lineNumber();
                if (t[0] != Math.rint(t[0]) || t[1] != Math.rint(t[1]) || t[0] < 1 || t[0] > n || t[1] < 1 || t[1] > n) {
                    throw new InvalidProblemException(where, "index out of range [1," + n + "] or not an integer");
                }
                if (p != index) continue;
                int i = (int) t[0] - 1, j = (int) t[1] - 1;
                if (i == j) a.add(i, i, -t[2]);
                else a.add(i, j, -2 * t[2]);
            }
            if (p == index) return a.build(QuboProblem.Origin.QUBO);
        }
    }
}
