package dev.kiln.deploy.bench;

import dev.kiln.backend.opencl.OpenClMeasurement;
import dev.kiln.solvers.matrix.CsrMatrix;
import dev.kiln.solvers.problem.QuboProblem;
import dev.kiln.spi.QuboOptions;
import dev.kiln.spi.SolveOutcome;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.DoubleUnaryOperator;

/**
 * The {@code backend=opencl} rows of {@code ./kiln bench spmv}, {@code cg}, {@code relax} and {@code qubo}:
 * the same case measured on the OpenCL device through {@link OpenClMeasurement}, printed with
 * its speed as a ratio to the Vector API backend's figure from the same run
 * ({@code ratio_vs_vector} = Vector API time / OpenCL time; below 1 means slower). The device is
 * opened once per JVM (settings from {@code -Dkiln.opencl.device=...} when given); without one,
 * each case prints a {@code backend=opencl skipped=...} row with the reason, so the absence is
 * visible rather than silent.
 *
 * <p>On PoCL the "device" is the same CPU the Vector API kernels run on, so the ratio compares
 * two code generators on one machine; on a GPU it compares two machines.
 */
public final class OpenClBenchRows {
    private static OpenClMeasurement device;
    private static boolean announced;

    private OpenClBenchRows() { }

    /** The device, opened on first use; left open until the JVM exits (the bench runs in its own process). */
    private static synchronized OpenClMeasurement device(BenchReport report) {
        if (device == null) {
            String select = System.getProperty("kiln.opencl.device", "");
            device = OpenClMeasurement.open(select.isEmpty() ? Map.of() : Map.of("kiln.opencl.device", select));
        }
        if (!announced) {
            announced = true;
            report.environment("opencl", device.available() ? device.device() : "none: " + device.reason());
            report.progress(device.available() ? "OpenCL device: " + device.device() + (device.fp64() ? " (fp64)" : " (fp32 only)")
                    : "no OpenCL device, backend=opencl rows skipped: " + device.reason());
        }
        return device;
    }

    /**
     * Records SpMV on the device for {@code a} beside the Vector API's best time {@code vectorSeconds}
     * per product. GB/s counts the bytes as {@link BenchMatrices#spmvBytes} does (CSR in fp64), or the
     * fp32 CSR bytes when the device runs fp32, whatever format the device uses, so the rows compare.
     */
    static void spmv(String name, CsrMatrix a, double[] x, double vectorSeconds, double seconds, BenchReport report) {
        OpenClMeasurement cl = device(report);
        if (!cl.available()) { report.record(name, Map.of("backend", "opencl", "skipped", "no_device")); return; }
        OpenClMeasurement.SpmvFigure f = cl.spmv(a, x, seconds);
        double bytes = f.precision().equals("fp64") ? BenchMatrices.spmvBytes(a)
                : a.nnz() * 8.0 + (a.rows() + 1) * 4.0 + a.cols() * 4.0 + a.rows() * 4.0;
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("backend", "opencl");
        r.put("device", cl.device());
        r.put("n", a.rows());
        r.put("nnz", a.nnz());
        r.put("format", f.format());
        r.put("precision", f.precision());
        r.put("gbps", bytes / f.secondsPerProduct() / 1e9);
        r.put("vector_gbps", BenchMatrices.spmvBytes(a) / vectorSeconds / 1e9);
        r.put("ratio_vs_vector", vectorSeconds / f.secondsPerProduct());
        r.put("max_rel_err", f.maxRelativeError());
        report.record(name, r);
    }

    /**
     * Records a CG solve ({@code cg} or {@code pcg+jacobi}) through the OpenCL backend beside the
     * Vector API's time {@code vectorMs} for the same method, tolerance and right-hand side: one row
     * in the format the backend's rule picks, or, when SELL-C-σ's padding is small enough for the
     * matrix, one SELL row and one CSR-vector row ({@code chosen} marks the rule's pick on this device;
     * {@code ratio_sell_vs_csr} on the SELL row = CSR time / SELL time), so the format's effect
     * inside CG is visible; {@code iter_us} is the best kernel time of one resident CG
     * iteration in that format ({@code iter_ratio_sell_vs_csr} = CSR / SELL).
     */
    static void cg(String name, CsrMatrix a, double[] b, String method, double vectorMs, double tol, int maxIt, int reps,
                   BenchReport report) throws Exception {
        OpenClMeasurement cl = device(report);
        if (!cl.available()) {
            report.record(name, Map.of("backend", "opencl", "method", method, "skipped", "no_device"));
            return;
        }
        String chosen = cl.cgFormat(a);
        // SELL-suited matrices get both rows (the backend's choice marked), so the SELL path is measured on any device.
        boolean both = OpenClMeasurement.sellSuits(a);
        OpenClMeasurement.CgFigure f = cl.cg(a, b, method, both ? "sell" : chosen, tol, maxIt, reps);
        OpenClMeasurement.CgFigure csr = both ? cl.cg(a, b, method, "csr", tol, maxIt, reps) : null;
        Map<String, Object> r = solveRow(cl, method, f, vectorMs);
        r.put("chosen", f.format().equals(chosen));
        Map<String, Object> rc = csr == null ? null : solveRow(cl, method, csr, vectorMs);
        if (rc != null) rc.put("chosen", csr.format().equals(chosen));
        if (csr != null) {
            // Whole solves on a loaded machine are noisy; the best-of-batches kernel time per iteration is the steadier A/B.
            boolean jacobi = method.equals("pcg+jacobi");
            double sellIt = cl.cgIterationSeconds(a, "sell", jacobi, 0.5), csrIt = cl.cgIterationSeconds(a, "csr", jacobi, 0.5);
            r.put("iter_us", sellIt * 1e6);
            rc.put("iter_us", csrIt * 1e6);
            r.put("ratio_sell_vs_csr", csr.ms() / f.ms());
            r.put("iter_ratio_sell_vs_csr", csrIt / sellIt);
        }
        report.record(name, r);
        if (rc != null) report.record(name, rc);
    }

    /**
     * Records multicolour SOR/SSOR ({@code method}) on the device beside the CPU backend's
     * lexicographic sweep ({@code cpuMs}, {@code cpuIters}) on the same system, ω and tolerance.
     * The sweep orders differ, so the iteration counts may too; {@code ratio_vs_cpu} = CPU time /
     * OpenCL time.
     */
    public static void relax(String name, CsrMatrix a, double[] b, String method, double omega, double cpuMs, int cpuIters,
                             double tol, int maxIt, int reps, BenchReport report) throws Exception {
        OpenClMeasurement cl = device(report);
        if (!cl.available()) {
            report.record(name, Map.of("backend", "opencl", "method", method, "skipped", "no_device"));
            return;
        }
        OpenClMeasurement.CgFigure f = cl.relax(a, b, method, omega, tol, maxIt, reps);
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("backend", "opencl");
        r.put("method", method);
        r.put("omega", omega);
        r.put("device", cl.device());
        r.put("precision", f.precision());
        r.put("colours", f.colours());
        r.put("opencl_ms", f.ms());
        r.put("cpu_ms", cpuMs);
        r.put("ratio_vs_cpu", cpuMs / f.ms());
        r.put("iters", f.iterations());
        r.put("cpu_iters", cpuIters);
        r.put("true_rel", f.trueRelativeResidual());
        r.put("converged", f.converged());
        if (f.error() != null) r.put("error", f.error());
        report.record(name, r);
    }

    private static Map<String, Object> solveRow(OpenClMeasurement cl, String method, OpenClMeasurement.CgFigure f, double vectorMs) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("backend", "opencl");
        r.put("method", method);
        r.put("format", f.format());
        r.put("device", cl.device());
        r.put("precision", f.precision());
        r.put("opencl_ms", f.ms());
        r.put("vector_ms", vectorMs);
        r.put("ratio_vs_vector", vectorMs / f.ms());
        r.put("iters", f.iterations());
        r.put("true_rel", f.trueRelativeResidual());
        r.put("converged", f.converged());
        if (f.error() != null) r.put("error", f.error());
        return r;
    }

    /**
     * Records a QUBO / Max-Cut run on the device with the CPU row's budget and target: the best
     * found in the client's terms, its gap to the best known value, and the CPU annealer's found
     * value from the same run for comparison ({@code vs_cpu_gap_pct} &gt; 0: the device found less).
     */
    public static void qubo(String name, QuboProblem q, long budgetMs, double target, long seed, DoubleUnaryOperator objective,
                            DoubleUnaryOperator gapPct, double cpuFound, BenchReport report) throws Exception {
        OpenClMeasurement cl = device(report);
        if (!cl.available()) { report.record(name, Map.of("backend", "opencl", "skipped", "no_device")); return; }
        SolveOutcome out = cl.qubo(q, QuboOptions.defaults().withBudget(budgetMs, target), seed);
        Map<String, Object> a = out.answer();
        double energy = ((Number) a.get("energy")).doubleValue();
        double found = objective.applyAsDouble(energy);
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("backend", "opencl");
        r.put("device", cl.device());
        r.put("n", q.n());
        r.put("found", found);
        r.put("gap_pct", gapPct.applyAsDouble(energy));
        r.put("cpu_found", cpuFound);
        r.put("vs_cpu_gap_pct", 100 * (cpuFound - found) / Math.abs(cpuFound));
        r.put("ms_to_target", a.containsKey("timeToTargetMs") ? ((Number) a.get("timeToTargetMs")).doubleValue() : Double.NaN);
        r.put("solve_ms", ((Number) a.get("solveMs")).doubleValue());
        r.put("reads", ((Number) a.get("reads")).longValue());
        r.put("replicas", out.parameters().get("replicas"));
        r.put("precision", out.parameters().get("precision"));
        r.put("stopped_by", a.get("stoppedBy"));
        report.record(name, r);
    }
}
