package dev.kiln.runtime.wire;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.runtime.store.MatrixStore;
import dev.kiln.solvers.matrix.CooAssembler;
import dev.kiln.solvers.matrix.CsrMatrix;
import dev.kiln.solvers.matrix.MatrixMarketReader;
import dev.kiln.solvers.matrix.PoissonGenerator;
import dev.kiln.solvers.problem.InvalidProblemException;
import dev.kiln.solvers.problem.LinearProblem;
import dev.kiln.spi.ErrorCode;
import dev.kiln.spi.LinearMethod;
import dev.kiln.spi.LinearOptions;
import dev.kiln.spi.Precision;

import java.util.Arrays;
import java.util.Iterator;
import java.util.Set;
import java.util.SplittableRandom;

import static dev.kiln.runtime.wire.JsonFields.array;
import static dev.kiln.runtime.wire.JsonFields.clip;
import static dev.kiln.runtime.wire.JsonFields.doubles;
import static dev.kiln.runtime.wire.JsonFields.ints;
import static dev.kiln.runtime.wire.JsonFields.invalid;
import static dev.kiln.runtime.wire.JsonFields.optionalBoolean;
import static dev.kiln.runtime.wire.JsonFields.optionalLong;
import static dev.kiln.runtime.wire.JsonFields.optionalString;
import static dev.kiln.runtime.wire.JsonFields.options;
import static dev.kiln.runtime.wire.JsonFields.rejectUnknown;

/**
 * Reads {@code kind: linear} problems and options (wire format v1): a matrix as CSR, COO,
 * Matrix Market text, an uploaded {@code ref} or a generator; a right-hand side as an array
 * or a generator; an optional x0.
 */
public final class LinearJobReader implements KindReader {
    private static final Set<String> PROBLEM_FIELDS = Set.of("matrix", "rhs", "x0");
    private static final Set<String> OPTIONS = Set.of("method", "preconditioner", "omega", "tolerance",
            "maxIterations", "precision", "returnSolution");
    private static final Set<String> PRECONDITIONERS = Set.of("auto", "none", "jacobi", "ic0", "chebyshev", "ssor");

    /**
     * Non-zeros of generated matrices kept for reuse: 2²⁰ ≈ 12 MB of CSR, room for every small
     * generated matrix a stream of tiny jobs names, while a large one (whose solve dwarfs its
     * generation) is not kept.
     */
    static final long GENERATED_NNZ = 1L << 20;

    private final WireLimits limits;
    private final MatrixStore matrices;
    private final GeneratedMatrices generated = new GeneratedMatrices(GENERATED_NNZ);

    public LinearJobReader(WireLimits limits, MatrixStore matrices) {
        this.limits = limits;
        this.matrices = matrices;
    }

    @Override
    public Decoded read(ObjectNode p, ObjectNode opts, long seed) throws JobRejectedException {
        LinearOptions options = readOptions(opts);
        try {
            return new Decoded(readProblem(p, seed), options);
        } catch (InvalidProblemException e) {
            ErrorCode code = e.code() == InvalidProblemException.Code.TOO_LARGE ? ErrorCode.TOO_LARGE : ErrorCode.INVALID_PROBLEM;
            String m = e.getMessage();
            String f = e.field();
            throw new JobRejectedException(code, f, f != null && !f.isEmpty() && m.startsWith(f + ": ") ? m.substring(f.length() + 2) : m);
        }
    }

    private LinearProblem readProblem(ObjectNode p, long seed) throws JobRejectedException {
        rejectUnknown(p, PROBLEM_FIELDS, "problem.", ErrorCode.INVALID_PROBLEM);
        JsonNode m = p.get("matrix");
        if (m == null || m.isNull()) throw invalid("problem.matrix", "is required");
        if (!m.isObject()) throw invalid("problem.matrix", "must be an object");
        CsrMatrix a = readMatrix((ObjectNode) m);
        if (!a.isSquare()) throw invalid("problem.matrix", "must be square, was " + a.rows() + "x" + a.cols());
        double[] b = readRhs(p.get("rhs"), a, seed);
        double[] x0 = null;
        JsonNode x0n = p.get("x0");
        if (x0n != null && !x0n.isNull()) {
            if (!x0n.isArray()) throw invalid("problem.x0", "must be an array of numbers");
            x0 = doubles((ArrayNode) x0n, "problem.x0", ErrorCode.INVALID_PROBLEM);
        }
        return LinearProblem.of(a, b, x0);
    }

    private CsrMatrix readMatrix(ObjectNode m) throws JobRejectedException {
        if (m.has("ref")) {
            rejectUnknown(m, Set.of("ref"), "problem.matrix.", ErrorCode.INVALID_PROBLEM);
            JsonNode r = m.get("ref");
            if (!r.isTextual()) throw invalid("problem.matrix.ref", "must be a string");
            return matrices.get(r.textValue()).orElseThrow(() -> invalid("problem.matrix.ref",
                    "no uploaded matrix has ref '" + clip(r.textValue()) + "' (PUT /v1/matrices returns refs)"));
        }
        if (m.has("generator")) return generate(m);
        JsonNode f = m.get("format");
        if (f == null) throw invalid("problem.matrix", "needs one of 'format', 'ref' or 'generator'");
        if (!f.isTextual()) throw invalid("problem.matrix.format", "must be a string (csr | coo | matrix-market)");
        return switch (f.textValue()) {
            case "csr" -> {
                rejectUnknown(m, Set.of("format", "rows", "cols", "rowPtr", "colIdx", "values"), "problem.matrix.", ErrorCode.INVALID_PROBLEM);
                int rows = dimension(m, "rows");
                int cols = dimension(m, "cols");
                int[] rowPtr = ints(array(m, "rowPtr", "problem.matrix.rowPtr", ErrorCode.INVALID_PROBLEM), "problem.matrix.rowPtr", ErrorCode.INVALID_PROBLEM);
                int[] colIdx = ints(array(m, "colIdx", "problem.matrix.colIdx", ErrorCode.INVALID_PROBLEM), "problem.matrix.colIdx", ErrorCode.INVALID_PROBLEM);
                double[] values = doubles(array(m, "values", "problem.matrix.values", ErrorCode.INVALID_PROBLEM), "problem.matrix.values", ErrorCode.INVALID_PROBLEM);
                checkNnz(values.length);
                try {
                    yield CsrMatrix.of(rows, cols, rowPtr, colIdx, values);
                } catch (InvalidProblemException e) {
                    throw e.under("problem.matrix");
                }
            }
            case "coo" -> {
                rejectUnknown(m, Set.of("format", "rows", "cols", "row", "col", "values"), "problem.matrix.", ErrorCode.INVALID_PROBLEM);
                int rows = dimension(m, "rows");
                int cols = dimension(m, "cols");
                int[] row = ints(array(m, "row", "problem.matrix.row", ErrorCode.INVALID_PROBLEM), "problem.matrix.row", ErrorCode.INVALID_PROBLEM);
                int[] col = ints(array(m, "col", "problem.matrix.col", ErrorCode.INVALID_PROBLEM), "problem.matrix.col", ErrorCode.INVALID_PROBLEM);
                double[] values = doubles(array(m, "values", "problem.matrix.values", ErrorCode.INVALID_PROBLEM), "problem.matrix.values", ErrorCode.INVALID_PROBLEM);
                checkNnz(values.length);
                try {
                    yield CooAssembler.fromCoo(rows, cols, row, col, values);
                } catch (InvalidProblemException e) {
                    throw e.under("problem.matrix");
                }
            }
            case "matrix-market" -> {
                rejectUnknown(m, Set.of("format", "text"), "problem.matrix.", ErrorCode.INVALID_PROBLEM);
                JsonNode t = m.get("text");
                if (t == null || !t.isTextual()) throw invalid("problem.matrix.text", "must be the Matrix Market file as a string");
                try {
                    yield MatrixMarketReader.parse(t.textValue(), new MatrixMarketReader.Limits(limits.maxNonZeros(), limits.maxUnknowns()));
                } catch (InvalidProblemException e) {
                    throw e.under("problem.matrix.text");
                }
            }
            default -> throw invalid("problem.matrix.format", "unknown format '" + clip(f.textValue()) + "' (csr | coo | matrix-market)");
        };
    }

    private CsrMatrix generate(ObjectNode m) throws JobRejectedException {
        JsonNode g = m.get("generator");
        if (!g.isTextual()) throw invalid("problem.matrix.generator", "must be a string (poisson2d | poisson3d)");
        switch (g.textValue()) {
            case "poisson2d" -> {
                rejectUnknown(m, Set.of("generator", "nx", "ny", "shift"), "problem.matrix.", ErrorCode.INVALID_PROBLEM);
                int nx = dimension(m, "nx");
                int ny = m.has("ny") ? dimension(m, "ny") : nx;
                checkUnknowns((long) nx * ny);
                double shift = shift(m);
                return generated.get("poisson2d/" + nx + "/" + ny + "/" + shift, () -> PoissonGenerator.poisson2d(nx, ny, shift, null));
            }
            case "poisson3d" -> {
                rejectUnknown(m, Set.of("generator", "nx", "ny", "nz", "shift"), "problem.matrix.", ErrorCode.INVALID_PROBLEM);
                int nx = dimension(m, "nx");
                int ny = m.has("ny") ? dimension(m, "ny") : nx;
                int nz = m.has("nz") ? dimension(m, "nz") : nx;
                checkUnknowns((long) nx * ny * nz);
                double shift = shift(m);
                return generated.get("poisson3d/" + nx + "/" + ny + "/" + nz + "/" + shift,
                        () -> PoissonGenerator.poisson3d(nx, ny, nz, shift, null));
            }
            default -> throw invalid("problem.matrix.generator",
                    "unknown generator '" + clip(g.textValue()) + "' (poisson2d | poisson3d)");
        }
    }

    private static double shift(ObjectNode m) throws JobRejectedException {
        JsonNode s = m.get("shift");
        if (s == null || s.isNull()) return 0;
        if (!s.isNumber() || !Double.isFinite(s.doubleValue()) || s.doubleValue() < 0) {
            throw invalid("problem.matrix.shift", "must be a finite number ≥ 0");
        }
        return s.doubleValue();
    }

    private static double[] readRhs(JsonNode r, CsrMatrix a, long jobSeed) throws JobRejectedException {
        int n = a.rows();
        if (r == null || r.isNull()) {
            double[] b = new double[n];
            Arrays.fill(b, 1.0);
            return b;
        }
        if (r.isArray()) {
            if (r.size() != n) throw invalid("problem.rhs", "length " + r.size() + " does not match matrix rows " + n);
            return doubles((ArrayNode) r, "problem.rhs", ErrorCode.INVALID_PROBLEM);
        }
        if (!r.isObject()) throw invalid("problem.rhs", "must be an array of numbers or a generator object");
        rejectUnknown((ObjectNode) r, Set.of("generator", "seed"), "problem.rhs.", ErrorCode.INVALID_PROBLEM);
        JsonNode g = r.get("generator");
        if (g == null || !g.isTextual()) throw invalid("problem.rhs.generator", "is required (ones | random | a-times-ones)");
        double[] b = new double[n];
        switch (g.textValue()) {
            case "ones" -> Arrays.fill(b, 1.0);
            case "random" -> {
                JsonNode s = r.get("seed");
                if (s != null && !(s.isIntegralNumber() && s.canConvertToLong())) throw invalid("problem.rhs.seed", "must be an integer");
                SplittableRandom rnd = new SplittableRandom(s == null ? jobSeed : s.longValue());
                for (int i = 0; i < n; i++) b[i] = rnd.nextDouble(-1, 1);
            }
            case "a-times-ones" -> {
                // b = A·1, so the exact solution is the ones vector: handy for checking answers.
                double[] ones = new double[n];
                Arrays.fill(ones, 1.0);
                a.multiply(ones, b);
            }
            default -> throw invalid("problem.rhs.generator",
                    "unknown generator '" + clip(g.textValue()) + "' (ones | random | a-times-ones)");
        }
        return b;
    }

    private static LinearOptions readOptions(ObjectNode o) throws JobRejectedException {
        for (Iterator<String> it = o.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!COMMON_OPTIONS.contains(name) && !OPTIONS.contains(name)) {
                throw options("options." + clip(name), "unknown option for a linear job (expected one of "
                        + new java.util.TreeSet<>(OPTIONS) + " or " + new java.util.TreeSet<>(COMMON_OPTIONS) + ")");
            }
        }
        LinearOptions d = LinearOptions.defaults();
        LinearMethod method = d.method();
        String ms = optionalString(o, "method", "options.method", 32);
        if (ms != null) {
            method = LinearMethod.fromWire(ms);
            if (method == null) throw options("options.method", "unknown method '" + clip(ms) + "' (auto | cg | pcg | sor | ssor | bicgstab | gmres)");
        }
        String pre = optionalString(o, "preconditioner", "options.preconditioner", 32);
        if (pre == null) pre = d.preconditioner();
        else if (!PRECONDITIONERS.contains(pre)) throw options("options.preconditioner", "unknown preconditioner '" + clip(pre) + "' (auto | none | jacobi | ic0 | chebyshev | ssor)");
        double omega = d.omega();
        JsonNode om = o.get("omega");
        if (om != null && !om.isNull() && !(om.isTextual() && "auto".equals(om.textValue()))) {
            if (!om.isNumber() || !(om.doubleValue() > 0 && om.doubleValue() < 2)) {
                throw options("options.omega", "must be \"auto\" or a number in (0, 2) (SOR converges only there)");
            }
            omega = om.doubleValue();
        }
        double tol = d.tolerance();
        JsonNode t = o.get("tolerance");
        if (t != null && !t.isNull()) {
            if (!t.isNumber() || !(t.doubleValue() > 0 && t.doubleValue() < 1)) {
                throw options("options.tolerance", "must be a relative residual in (0, 1)");
            }
            tol = t.doubleValue();
        }
        int maxIt = (int) optionalLong(o, "maxIterations", "options.maxIterations", 1, 100_000_000, d.maxIterations());
        Precision precision = d.precision();
        String ps = optionalString(o, "precision", "options.precision", 16);
        if (ps != null) {
            precision = Precision.fromWire(ps);
            if (precision == null) throw options("options.precision", "unknown precision '" + clip(ps) + "' (fp64 | fp32 | mixed)");
        }
        boolean ret = optionalBoolean(o, "returnSolution", "options.returnSolution", d.returnSolution());
        return new LinearOptions(method, pre, omega, tol, maxIt, precision, ret);
    }

    private int dimension(ObjectNode m, String name) throws JobRejectedException {
        JsonNode n = m.get(name);
        String field = "problem.matrix." + name;
        if (n == null || n.isNull()) throw invalid(field, "is required");
        if (!n.isIntegralNumber()) throw invalid(field, "must be a positive integer");
        if (!n.canConvertToLong() || n.longValue() <= 0) throw invalid(field, "must be a positive integer, was " + clip(n.asText()));
        if (n.longValue() > limits.maxUnknowns()) {
            throw new JobRejectedException(ErrorCode.TOO_LARGE, field, n.longValue() + " exceeds the limit of " + limits.maxUnknowns());
        }
        return (int) n.longValue();
    }

    private void checkUnknowns(long n) throws JobRejectedException {
        if (n > limits.maxUnknowns()) {
            throw new JobRejectedException(ErrorCode.TOO_LARGE, "problem.matrix", n + " unknowns exceed the limit of " + limits.maxUnknowns());
        }
    }

    private void checkNnz(long nnz) throws JobRejectedException {
        if (nnz > limits.maxNonZeros()) {
            throw new JobRejectedException(ErrorCode.TOO_LARGE, "problem.matrix", nnz + " non-zeros exceed the limit of " + limits.maxNonZeros());
        }
    }
}
