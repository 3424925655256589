package dev.kiln.solvers.qubo;

import dev.kiln.solvers.problem.InvalidProblemException;
import dev.kiln.solvers.problem.QuboProblem;

import java.io.BufferedReader;
import java.io.IOException;

/**
 * Whitespace-separated numeric lines of the instance formats, skipping blank lines, counting
 * line numbers for errors. Package-private: the readers' shared tokenizer.
 */
final class LineTokens {
    private final BufferedReader in;
    private int line;

    LineTokens(BufferedReader in) { this.in = in; }

    int lineNumber() { return line; }

    /** The next non-blank line's tokens as integers; exactly {@code count} of them (0: any). Null at end. */
    long[] next(int count, String what) throws IOException {
        String[] t = tokens();
        if (t == null) return null;
        if (count > 0 && t.length != count) throw new InvalidProblemException("line " + line, "expected " + what + ", got " + t.length + " fields");
        long[] out = new long[t.length];
        for (int k = 0; k < t.length; k++) {
            try {
                out[k] = Long.parseLong(t[k]);
            } catch (NumberFormatException e) {
                throw new InvalidProblemException("line " + line, "field " + (k + 1) + " '" + clip(t[k]) + "' is not an integer");
            }
        }
        return out;
    }

    /** The next non-blank line as three numbers {@code i j w}; null at end. */
    double[] nextMixed(String what) throws IOException {
        String[] t = tokens();
        if (t == null) return null;
        if (t.length != 3) throw new InvalidProblemException("line " + line, "expected " + what + ", got " + t.length + " fields");
        double[] out = new double[3];
        for (int k = 0; k < 3; k++) {
            try {
                out[k] = Double.parseDouble(t[k]);
            } catch (NumberFormatException e) {
                throw new InvalidProblemException("line " + line, "field " + (k + 1) + " '" + clip(t[k]) + "' is not a number");
            }
            if (!Double.isFinite(out[k])) throw new InvalidProblemException("line " + line, "field " + (k + 1) + " is not finite");
        }
        return out;
    }

    /** Tokens of the next non-blank line, or null at end of input. */
    String[] tokens() throws IOException {
        String s;
        while ((s = in.readLine()) != null) {
            line++;
            if (s.length() > 1 << 24) throw new InvalidProblemException("line " + line, "line too long");
            String trimmed = s.strip();
            if (!trimmed.isEmpty()) return trimmed.split("\\s+");
        }
        return null;
    }

    static String clip(String s) { return s.length() > 40 ? s.substring(0, 40) + "…" : s; }
}
