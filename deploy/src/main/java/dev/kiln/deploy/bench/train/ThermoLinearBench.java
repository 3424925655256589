package dev.kiln.deploy.bench.train;

import dev.kiln.backend.thermodynamic.TimeAverageExperiment;
import dev.kiln.deploy.bench.Bench;
import dev.kiln.deploy.bench.BenchArgs;
import dev.kiln.deploy.bench.BenchReport;
import dev.kiln.deploy.bench.SvgChart;
import dev.kiln.solvers.matrix.CsrMatrix;
import dev.kiln.solvers.matrix.MatrixMarketReader;
import dev.kiln.solvers.matrix.PoissonGenerator;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * {@code ./kiln bench thermo-linear}: the thermodynamic linear solve's error against analog
 * averaging time, beside its predicted error bar √(2κ₀·tr(Â⁻²)/t), on small SPD systems (one
 * device run, no refinement; the exact solution of the programmed system is the peer). Runs
 * both integrators (exact OU transitions and weak Euler–Maruyama). RMS over seeds; the ratio
 * observed/predicted should be near 1. {@code --matrices} takes Matrix Market SPD files of at
 * most 128 unknowns; {@code --quick} uses fewer times and seeds.
 */
public final class ThermoLinearBench implements Bench {
    @Override public String name() { return "thermo-linear"; }

    @Override public String description() { return "thermodynamic linear solve: error vs analog time against the predicted error bar"; }

    @Override
    public void run(BenchArgs args, BenchReport report) throws Exception {
        boolean quick = args.quick();
        double noise = args.getDouble("noise", 1e-3);
        int bits = args.getInt("bits", 16);
        int seeds = quick ? 3 : 8;
        double[] times = quick ? new double[]{100, 1000, 10000} : new double[]{100, 300, 1000, 3000, 10000, 30000, 100000};
        Map<String, CsrMatrix> systems = new LinkedHashMap<>();
        systems.put("poisson2d-8", PoissonGenerator.poisson2d(8, 8, 0.0, null));
        systems.put("varcoef2d-8", PoissonGenerator.poisson2d(8, 8, 0.0, (x, y) -> 1.0 + 99.0 * x * y));
        systems.put("poisson3d-4-shift", PoissonGenerator.poisson3d(4, 4, 4, 0.5, null));
        for (Path p : args.files("matrices", List.of(), ".mtx")) {
            try (var in = java.nio.file.Files.newInputStream(p)) { systems.put(p.getFileName().toString(), MatrixMarketReader.read(in)); }
        }
        report.environment("noise", noise);
        report.environment("bits", bits);
        SvgChart chart = new SvgChart("Thermodynamic linear solve: log10 RMS error vs log10 analog time (τ)");
        for (var e : systems.entrySet()) {
            CsrMatrix a = e.getValue();
            double[] b = new double[a.rows()];
            SplittableRandom r = new SplittableRandom(7);
            for (int i = 0; i < b.length; i++) b[i] = r.nextDouble(-1, 1);
            SvgChart.Panel panel = chart.panel(e.getKey() + " (n = " + a.rows() + ")", "log10 t/τ", "log10 error");
            for (boolean exact : new boolean[]{true, false}) {
                String integrator = exact ? "exact-ou" : "euler-maruyama";
                List<Double> lx = new ArrayList<>(), obs = new ArrayList<>(), pred = new ArrayList<>();
                for (double t : times) {
                    double sq = 0, bar = 0, predicted = 0, lmin = 0, hw = 0;
                    for (int s = 0; s < seeds; s++) {
                        TimeAverageExperiment.Outcome o = TimeAverageExperiment.run(a, b, noise, bits, t, exact, 100 + s);
                        sq += o.observedError() * o.observedError() / seeds;
                        bar += o.errorBar() / seeds;
                        predicted = o.predictedError();
                        lmin = o.lambdaMin();
                        hw = o.hardwareSeconds();
                    }
                    double rms = Math.sqrt(sq);
                    Map<String, Object> f = new LinkedHashMap<>();
                    f.put("integrator", integrator);
                    f.put("t_tau", t);
                    f.put("relaxations", t * lmin);
                    f.put("rms_error", rms);
                    f.put("predicted_error", predicted);
                    f.put("observed_vs_predicted", rms / predicted);
                    f.put("error_bar", bar);
                    f.put("bar_vs_predicted", bar / predicted);
                    f.put("hw_ms", hw * 1e3);
                    report.record(e.getKey(), f);
                    lx.add(Math.log10(t));
                    obs.add(Math.log10(rms));
                    pred.add(Math.log10(predicted));
                }
                panel.line(integrator + " observed", toArray(lx), toArray(obs));
                if (exact) panel.line("predicted √(2κ₀tr(Â⁻²)/t)", toArray(lx), toArray(pred));
            }
        }
        Path svg = report.dir().resolve("thermo-linear.svg");
        chart.write(svg);
        report.progress("wrote " + svg);
    }

    private static double[] toArray(List<Double> l) {
        double[] a = new double[l.size()];
        for (int i = 0; i < a.length; i++) a[i] = l.get(i);
        return a;
    }
}
