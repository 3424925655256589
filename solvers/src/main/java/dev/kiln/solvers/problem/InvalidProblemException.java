package dev.kiln.solvers.problem;

/**
 * A problem that cannot be solved as given. Thrown once, at the edge where a problem is
 * built; kernels and solvers downstream trust what they receive.
 *
 * <p>{@code field} is a JSON-pointer-like path naming where the fault is (for example
 * {@code problem.matrix.colIdx[17]}) so a client can fix it without guessing.
 */
public class InvalidProblemException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    /** Wire-format error codes this exception can carry. */
    public enum Code { INVALID_PROBLEM, TOO_LARGE }

    private final Code code;
    private final String field;

    public InvalidProblemException(String field, String message) {
        this(Code.INVALID_PROBLEM, field, message);
    }

    public InvalidProblemException(Code code, String field, String message) {
        super(field == null || field.isEmpty() ? message : field + ": " + message);
        this.code = code;
        this.field = field;
    }

    public Code code() { return code; }

    /** Path of the offending field, e.g. {@code problem.matrix.rowPtr[3]}; may be empty. */
    public String field() { return field; }

    /** Same fault, reported under a longer path (used when a nested reader knows only its local path). */
    public InvalidProblemException under(String prefix) {
        String f = field == null || field.isEmpty() ? prefix : prefix + "." + field;
        String local = getMessage();
        String msg = field == null || field.isEmpty() ? local : local.substring(field.length() + 2);
        return new InvalidProblemException(code, f, msg);
    }
}
