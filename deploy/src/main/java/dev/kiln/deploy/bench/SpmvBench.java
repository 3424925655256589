package dev.kiln.deploy.bench;

import dev.kiln.backend.cpu.kernel.CpuKernels;
import dev.kiln.backend.cpu.kernel.PreparedSystem;
import dev.kiln.backend.cpu.kernel.PreparedSystemFp32;
import dev.kiln.backend.cpu.kernel.SpmvFormat;
import dev.kiln.solvers.kernel.ScalarKernels;
import dev.kiln.solvers.kernel.SparseOperator;
import dev.kiln.solvers.kernel.SparseOperatorFp32;
import dev.kiln.solvers.matrix.CsrMatrix;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code ./kiln bench spmv}: bandwidth of Kiln's SpMV (the format {@link CpuKernels} picks, on
 * all cores) per matrix, as GB/s of the bytes a CSR product must move (values, indices, row
 * pointers, x, y: {@code gbps}, the same yardstick for every layout and peer, so two rows' GB/s
 * are a ratio of their times) and of the bytes the chosen layout must move ({@code moved_gbps}:
 * a DIA product moves no indices), each as a ratio to the STREAM triad measured first in the
 * same JVM. Beside it:
 * a plain-loop Java CSR product on one thread (always) and PETSc's MatMult (petsc4py, one
 * process) when it imports; and the fp32-storage product ({@code format=sell-fp32}) with its
 * speed-up over fp64. Waits for the kernel warm-up first, so the figures are those of C2's code.
 * Writes {@code target/bench/spmv.svg}.
 */
public final class SpmvBench implements Bench {
    @Override public String name() { return "spmv"; }

    @Override
    public String description() {
        return "SpMV GB/s (SELL-C-σ/CSR, Vector API, all cores) vs STREAM triad, plain Java loop and PETSc MatMult";
    }

    @Override
    public void run(BenchArgs args, BenchReport report) throws Exception {
        boolean quick = args.quick();
        double seconds = args.getDouble("seconds", quick ? 0.4 : 1.5);
        report.progress("STREAM triad ...");
        double stream1 = StreamTriad.measure(quick, 1);
        double stream = StreamTriad.measure(quick, Runtime.getRuntime().availableProcessors());
        report.environment("stream_triad_1t_gbps", stream1);
        report.environment("stream_triad_gbps", stream);
        report.environment("kernels", CpuKernels.describe());
        report.progress(String.format("STREAM triad: %.1f GB/s on 1 thread, %.1f GB/s on all cores", stream1, stream));
        // Measure compiled kernels: wait until C2 has compiled every kernel variant (see KernelWarmUp).
        long w0 = System.nanoTime();
        int rounds = CpuKernels.awaitWarmUp();
        report.environment("warmup_rounds", rounds);
        report.environment("warmup_ms", (System.nanoTime() - w0) / 1e6);
        report.progress(rounds < 0 ? "kernel warm-up ended before C2 compiled every kernel: figures may include interpreted runs"
                : String.format("kernels compiled after %d warm-up rounds (%.0f ms)", rounds, (System.nanoTime() - w0) / 1e6));
        String[] why = new String[1];
        PetscPeer peer = PetscPeer.find(BenchArgs.home().resolve("target/bench/peer"), why);
        report.environment("peer", peer == null ? "none: " + why[0] : "petsc " + peer.version());
        if (peer == null) report.progress("PETSc peer unavailable (" + why[0] + "); install with apt-get install python3-petsc4py");

        List<BenchMatrices.Case> cases = new ArrayList<>();
        cases.add(BenchMatrices.poisson2d(1024));
        cases.add(BenchMatrices.poisson3d(quick ? 64 : 96));
        cases.addAll(BenchMatrices.files(args));

        List<String> names = new ArrayList<>();
        List<Double> kiln = new ArrayList<>(), kiln32 = new ArrayList<>(), plain = new ArrayList<>(), petsc = new ArrayList<>();
        for (BenchMatrices.Case c : cases) {
            CsrMatrix a = c.matrix().get();
            if (!a.isSquare()) { report.progress(c.name() + ": not square, skipped"); continue; }
            double bytes = BenchMatrices.spmvBytes(a);
            PreparedSystem sys = CpuKernels.prepare(a, SpmvFormat.AUTO, -1);   // the format and threads a solve would get
            double[] x = new double[a.cols()], y = new double[a.rows()], yRef = new double[a.rows()];
            for (int i = 0; i < x.length; i++) x[i] = 1.0 + (i % 17) * 0.125;
            SparseOperator op = sys.operator();
            double tKiln = best(() -> op.apply(x, y), seconds);
            double tPlain = best(() -> ScalarKernels.spmv(a, x, yRef), seconds / 2);
            double err = 0, scale = 0;
            for (int i = 0; i < y.length; i++) { err = Math.max(err, Math.abs(y[i] - yRef[i])); scale = Math.max(scale, Math.abs(yRef[i])); }
            if (err > 1e-12 * Math.max(1, scale)) throw new IllegalStateException(c.name() + ": vector SpMV differs from the scalar one by " + err);
            double tPeer = Double.NaN;
            if (peer != null) {
                Path f = peer.write(a, c.name());
                for (Map<String, String> m : peer.measure(List.of("spmv", f.toString(), Double.toString(seconds)), 600)) {
                    tPeer = Double.parseDouble(m.get("seconds"));
                }
            }
            double gbps = bytes / tKiln / 1e9;
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("n", a.rows());
            f.put("nnz", a.nnz());
            f.put("format", formatName(op.format()));
            f.put("gbps", gbps);
            f.put("stream_gbps", stream);
            f.put("ratio", gbps / stream);
            double moved = BenchMatrices.movedBytes(a, formatName(op.format()), 8) / tKiln / 1e9;
            f.put("moved_gbps", moved);
            f.put("moved_ratio", moved / stream);
            f.put("speedup_vs_peer", tPeer / tKiln);
            f.put("plain_gbps", bytes / tPlain / 1e9);
            f.put("peer", peer == null ? "none" : "petsc");
            f.put("peer_gbps", bytes / tPeer / 1e9);
            f.put("peer_ratio", (bytes / tPeer / 1e9) / stream);
            f.put("layout", op.format());
            f.put("kernels", sys.kernels().name());
            report.record(c.name(), f);
            names.add(c.name());
            kiln.add(gbps);
            kiln32.add(recordFp32(c.name(), a, x, y, tKiln, () -> op.apply(x, y), seconds, stream, report));
            OpenClBenchRows.spmv(c.name(), a, x, tKiln, seconds, report);   // backend=opencl row (issue 5)
            plain.add(bytes / tPlain / 1e9);
            petsc.add(bytes / tPeer / 1e9);
        }
        Path svg = report.dir().resolve("spmv.svg");
        BarChartSvg.write(svg, "SpMV bandwidth (bytes the kernel must move)", "GB/s", names, List.of(
                new BarChartSvg.Series("Kiln (Vector API, all cores)", "#d95f02", toArray(kiln)),
                new BarChartSvg.Series("Kiln fp32 storage (fp64 sums)", "#e6ab02", toArray(kiln32)),
                new BarChartSvg.Series("plain Java loop (1 thread)", "#7570b3", toArray(plain)),
                new BarChartSvg.Series("PETSc MatMult (1 process)", "#1b9e77", toArray(petsc))),
                stream, String.format("STREAM triad, same run: %.1f GB/s", stream));
        report.progress("wrote " + svg);
    }

    /**
     * The same product with A, x and y in fp32 and the sums in fp64 (the inner kernel of
     * {@code precision: mixed}): a {@code format=sell-fp32} row (or {@code csr-fp32} when the
     * format rule picks CSR), bytes counted the same way at 4 bytes a value, and its speed-up over
     * the fp64 product just measured. Returns its GB/s.
     */
    static double recordFp32(String name, CsrMatrix a, double[] x, double[] y64, double t64, Runnable fp64, double seconds,
                             double stream, BenchReport report) {
        PreparedSystemFp32 sys = CpuKernels.prepareFp32(a, SpmvFormat.AUTO, -1);
        float[] xf = new float[x.length], yf = new float[a.rows()];
        for (int i = 0; i < x.length; i++) xf[i] = (float) x[i];
        SparseOperatorFp32 op = sys.operator();
        double t = best(() -> op.apply(xf, yf), seconds);
        // each row within fp32 rounding of the fp64 product: values rounded (2⁻²⁴ relative each, x is exact
        // in fp32 here), DIA's products rounded to fp32 too (another 2⁻²⁴, DiagonalOperatorFp32), sums in
        // fp64, the result stored in fp32: |y32 − y64| ≤ (2⁻²³ + 2⁻⁴⁷)·Σ|a_ij x_j| + 2⁻²⁴·|y64|
        int[] rp = a.rowPtr(), ci = a.colIdx();
        double[] v = a.values();
        for (int i = 0; i < yf.length; i++) {
            double abs = 0;
            for (int k = rp[i]; k < rp[i + 1]; k++) abs += Math.abs(v[k] * x[ci[k]]);
            if (Math.abs(yf[i] - y64[i]) > (0x1p-23 + 0x1p-47) * abs + 0x1p-24 * Math.abs(y64[i])) {
                throw new IllegalStateException(name + ": fp32 SpMV row " + i + " is " + yf[i] + ", fp64 " + y64[i]);
            }
        }
        double bytes = a.nnz() * 8.0 + (a.rows() + 1) * 4.0 + a.cols() * 4.0 + a.rows() * 4.0;
        double gbps = bytes / t / 1e9;
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("n", a.rows());
        f.put("nnz", a.nnz());
        f.put("format", formatName(op.format()) + "-fp32");
        f.put("gbps", gbps);
        f.put("stream_gbps", stream);
        f.put("ratio", gbps / stream);
        double moved = BenchMatrices.movedBytes(a, formatName(op.format()), 4) / t / 1e9;
        f.put("moved_gbps", moved);
        f.put("moved_ratio", moved / stream);
        f.put("speedup_vs_fp64", interleavedRatio(fp64, () -> op.apply(xf, yf), seconds));
        f.put("speedup_vs_fp64_best", t64 / t);
        f.put("layout", op.format());
        f.put("kernels", sys.kernels().name());
        report.record(name, f);
        return gbps;
    }

    /** {@code sell}, {@code dia} or {@code csr} from an operator's layout name ({@code sell-8-256}, {@code dia-5-fp32}, ...). */
    static String formatName(String layout) {
        return layout.startsWith("sell") ? "sell" : layout.startsWith("dia") ? "dia" : "csr";
    }

    static double[] toArray(List<Double> l) {
        return l.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /** Best time per call in seconds: warm up, then batches of doubling size until {@code seconds} elapsed. */
    /**
     * Median time of {@code a} over median time of {@code b}, the two timed in alternation for
     * {@code seconds} (each timing a batch of calls of at least 0.2 ms). Why beside {@link #best}:
     * best-of runs of one product after the other compare their luckiest moments, and on a shared
     * machine those came minutes apart — the fp32/fp64 ratio of Poisson 2D 1024² read 1.09× that
     * way and 1.63× by interleaved medians in the same hour (docs/ARCHITECTURE.md, issue 3, DIA).
     */
    static double interleavedRatio(Runnable a, Runnable b, double seconds) {
        for (int i = 0; i < 5; i++) { a.run(); b.run(); }
        long t0 = System.nanoTime();
        a.run();
        int reps = (int) Math.max(1, Math.min(1 << 16, 200_000 / Math.max(1, System.nanoTime() - t0)));
        List<Double> ta = new ArrayList<>(), tb = new ArrayList<>();
        long deadline = System.nanoTime() + (long) (seconds * 1e9);
        do {
            long s0 = System.nanoTime();
            for (int i = 0; i < reps; i++) a.run();
            long s1 = System.nanoTime();
            for (int i = 0; i < reps; i++) b.run();
            long s2 = System.nanoTime();
            ta.add((double) (s1 - s0));
            tb.add((double) (s2 - s1));
        } while (System.nanoTime() < deadline || ta.size() < 5);
        return median(ta) / median(tb);
    }

    private static double median(List<Double> v) {
        List<Double> s = new ArrayList<>(v);
        java.util.Collections.sort(s);
        return s.get(s.size() / 2);
    }

    static double best(Runnable r, double seconds) {
        for (int i = 0; i < 5; i++) r.run();
        long deadline = System.nanoTime() + (long) (seconds * 1e9);
        double best = Double.MAX_VALUE;
        int reps = 1;
        do {
            long t0 = System.nanoTime();
            for (int i = 0; i < reps; i++) r.run();
            double dt = (System.nanoTime() - t0) * 1e-9 / reps;
            best = Math.min(best, dt);
            if (dt * reps < 0.02) reps *= 2;
        } while (System.nanoTime() < deadline);
        return best;
    }
}
