package dev.kiln.deploy.bench.train;

import dev.kiln.backend.cpu.CpuBackend;
import dev.kiln.backend.thermodynamic.ThermodynamicBackend;
import dev.kiln.deploy.bench.Bench;
import dev.kiln.deploy.bench.BenchArgs;
import dev.kiln.deploy.bench.BenchReport;
import dev.kiln.deploy.bench.SvgChart;
import dev.kiln.solvers.problem.TrainProblem;
import dev.kiln.solvers.train.Activation;
import dev.kiln.solvers.train.DatasetSplit;
import dev.kiln.solvers.train.Datasets;
import dev.kiln.solvers.train.Loss;
import dev.kiln.solvers.train.ModelSpec;
import dev.kiln.spi.Backend;
import dev.kiln.spi.Cancellation;
import dev.kiln.spi.Job;
import dev.kiln.spi.JobKind;
import dev.kiln.spi.JobOptions;
import dev.kiln.spi.Objective;
import dev.kiln.spi.SolveOutcome;
import dev.kiln.spi.TrainOptions;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code ./kiln bench train}: digital SGD, Adam and NGD (CPU backend) beside TNGD on the
 * simulated thermodynamic device at several analog times t (thermodynamic backend), on the same
 * split, seed and initial parameters, through each backend's SPI as a job would run. Prints
 * one line per epoch and a summary per optimiser with ratios against Adam (the digital peer)
 * and NGD (what TNGD approximates); plots train loss against step and against wall time.
 *
 * <p>Options: {@code --quick} (digits, 2 epochs, t = 1 and 20τ), {@code --epochs N}, {@code --times 1,5,20}
 * (analog times in τ), {@code --data FOLDER} (Fashion-MNIST IDX files; default the Debian
 * package's folder, used in full runs when present), {@code --cases digits+fmnist+fmnist-subset}
 * (which cases to run; all by default), {@code --fmnist-limit N} (training
 * samples for the second-order optimisers on Fashion-MNIST; Adam and SGD use all 60 000).
 */
public final class TrainBench implements Bench {
    @Override public String name() { return "train"; }

    @Override public String description() { return "training: sgd/adam/ngd (cpu) vs tngd (thermodynamic) on digits and Fashion-MNIST"; }

    private record Variant(String label, TrainOptions.Optimizer optimizer, double analogTime) { }

    private record Curve(String label, double[] steps, double[] wallMs, double[] trainLoss, double[] testAcc, double hwMs) { }

    @Override
    public void run(BenchArgs args, BenchReport report) throws Exception {
        boolean quick = args.quick();
        int epochs = args.getInt("epochs", quick ? 2 : 10);
        List<Double> times = new ArrayList<>();
        for (String t : args.get("times", quick ? "1,20" : "1,5,20,50").split(",")) times.add(Double.parseDouble(t));
        List<Variant> variants = new ArrayList<>();
        variants.add(new Variant("sgd", TrainOptions.Optimizer.SGD, 0));
        variants.add(new Variant("adam", TrainOptions.Optimizer.ADAM, 0));
        variants.add(new Variant("ngd", TrainOptions.Optimizer.NGD, 0));
        for (double t : times) variants.add(new Variant("tngd-t" + fmt(t), TrainOptions.Optimizer.TNGD, t));
        report.environment("epochs", epochs);
        report.environment("note", "wall times are from a shared 2-core machine and noisy; hw_ms is the modelled device time (thermodynamic backend)");

        SvgChart chart = new SvgChart("Kiln train bench: train loss (whole training set) per epoch");
        List<String> cases = List.of(args.get("cases", "digits+fmnist+fmnist-subset").split("\\+"));
        DatasetSplit digits = DatasetSplit.random(Datasets.digits(), 0.2, 1).standardised();
        if (cases.contains("digits")) {
            runCase(report, chart, "digits/logistic", TrainProblem.of(ModelSpec.logistic(), digits, Loss.CROSS_ENTROPY), variants, epochs, 64, 50, 0.1);
            // --quick: the MLP's TNGD only at the shortest analog time. The simulated device applies the quantised
            // curvature factor (B·C×p values) every 0.1τ, so t = 20τ on 2410 parameters alone takes ~25 s here.
            List<Variant> mlpVariants = quick ? variants.stream().filter(v -> v.analogTime() <= times.get(0)).toList() : variants;
            runCase(report, chart, "digits/mlp32", TrainProblem.of(ModelSpec.mlp(Activation.TANH, 32), digits, Loss.CROSS_ENTROPY), mlpVariants, epochs, 64, 50, 0.1);
        }

        Path fm = Path.of(args.get("data", Datasets.FASHION_MNIST_DEFAULT.toString()));
        if (Datasets.fashionMnistPresent(fm) && (!quick || args.has("data"))) {
            int limit = args.getInt("fmnist-limit", quick ? 1000 : 5000);
            int fmEpochs = args.getInt("fmnist-epochs", quick ? 1 : 10);
            DatasetSplit full = Datasets.fashionMnist(fm, 0, 0, "--data").standardised();
            TrainProblem fullProblem = TrainProblem.of(ModelSpec.mlp(Activation.RELU, 128), full, Loss.CROSS_ENTROPY);
            List<Variant> digital = variants.stream().filter(v -> v.optimizer() == TrainOptions.Optimizer.ADAM || v.optimizer() == TrainOptions.Optimizer.SGD).toList();
            if (cases.contains("fmnist")) runCase(report, chart, "fashion-mnist/mlp128", fullProblem, digital, fmEpochs, 64, 10, 1.0);
            DatasetSplit sub = new DatasetSplit(full.train().head(limit), full.test());
            List<Variant> second = new ArrayList<>(variants.stream().filter(v -> v.optimizer() == TrainOptions.Optimizer.ADAM
                    || v.optimizer() == TrainOptions.Optimizer.NGD).toList());
            second.add(new Variant("tngd-t5", TrainOptions.Optimizer.TNGD, 5));
            // Damping 1 on Fashion-MNIST: at digits' 0.1, NGD with η = 0.3 diverged (loss 1e56 after one epoch);
            // best of λ ∈ {0.1, 1, 10} × η ∈ {0.03, 0.1, 0.3} on 2000 samples, 2 epochs (docs/ARCHITECTURE.md).
            if (cases.contains("fmnist-subset")) runCase(report, chart, "fashion-mnist-" + limit + "/mlp128",
                    TrainProblem.of(ModelSpec.mlp(Activation.RELU, 128), sub, Loss.CROSS_ENTROPY), second, Math.max(1, fmEpochs / 5), 64, 10, 1.0);
        } else {
            report.progress("Fashion-MNIST skipped (" + (quick ? "--quick without --data" : "no IDX files in " + fm) + ")");
        }
        Path svg = report.dir().resolve("train.svg");
        chart.write(svg);
        report.progress("wrote " + svg);
    }

    private void runCase(BenchReport report, SvgChart chart, String caseName, TrainProblem problem, List<Variant> variants,
                         int epochs, int batch, int cgMax, double damping) throws Exception {
        Backend cpu = new CpuBackend();
        Backend thermo = new ThermodynamicBackend();
        Map<String, Curve> curves = new LinkedHashMap<>();
        for (Variant v : variants) {
            report.progress(caseName + " " + v.label() + " (" + problem.size() + " parameters, " + epochs + " epochs)");
            TrainOptions d = TrainOptions.defaults();
            // Adam at η = 0.01: Kingma & Ba's 0.001 is tuned for long runs; 0.01 was best of {0.001, 0.01} on digits (see ARCHITECTURE.md).
            double lr = v.optimizer() == TrainOptions.Optimizer.ADAM ? 0.01 : Double.NaN;
            if (v.optimizer() == TrainOptions.Optimizer.ADAM && caseName.startsWith("fashion")) lr = 0.001;
            TrainOptions o = new TrainOptions(v.optimizer(), epochs, batch, lr, 0, d.beta1(), d.beta2(), d.epsilon(), damping,
                    d.cgTolerance(), cgMax, v.analogTime(), 0, d.noise(), d.bits(), true, false);
            Job job = new Job(caseName + "/" + v.label(), JobKind.TRAIN, null, null, problem, new JobOptions("auto", Objective.LATENCY, 0, 1, o));
            Backend b = v.optimizer().thermodynamic() ? thermo : cpu;
            SolveOutcome out = b.solve(job, (it, loss) -> { }, Cancellation.NONE);
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> history = (List<Map<String, Object>>) out.answer().get("history");
            int n = history.size();
            double[] steps = new double[n], wall = new double[n], loss = new double[n], acc = new double[n];
            for (int i = 0; i < n; i++) {
                Map<String, Object> e = history.get(i);
                steps[i] = ((Number) e.get("step")).doubleValue();
                wall[i] = ((Number) e.get("wallMs")).doubleValue();
                loss[i] = ((Number) e.get("trainLoss")).doubleValue();
                acc[i] = ((Number) e.get("testAccuracy")).doubleValue();
                double hw = e.containsKey("hardwareSeconds") ? ((Number) e.get("hardwareSeconds")).doubleValue() * 1e3 : 0;
                Map<String, Object> f = new LinkedHashMap<>();
                f.put("optimizer", v.label());
                f.put("epoch", ((Number) e.get("epoch")).intValue());
                f.put("step", (int) steps[i]);
                f.put("train_loss", loss[i]);
                f.put("test_loss", ((Number) e.get("testLoss")).doubleValue());
                f.put("test_acc_pct", 100 * acc[i]);
                f.put("wall_ms", wall[i]);
                f.put("hw_ms", hw);
                report.record(caseName, f);
            }
            double hwMs = Double.isNaN(out.hardwareSeconds()) ? 0 : out.hardwareSeconds() * 1e3;
            curves.put(v.label(), new Curve(v.label(), steps, wall, loss, acc, hwMs));
        }
        Curve adam = curves.get("adam"), ngd = curves.get("ngd");
        for (Curve c : curves.values()) {
            int last = c.steps().length - 1;
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("optimizer", c.label());
            f.put("summary", "final");
            f.put("train_loss", c.trainLoss()[last]);
            f.put("test_acc_pct", 100 * c.testAcc()[last]);
            f.put("wall_ms", c.wallMs()[last]);
            f.put("hw_ms", c.hwMs());
            if (adam != null) {
                int al = adam.steps().length - 1;
                f.put("loss_vs_adam", c.trainLoss()[last] / adam.trainLoss()[al]);
                f.put("wall_vs_adam", c.wallMs()[last] / adam.wallMs()[al]);
                f.put("steps_to_adam_final", stepsToReach(c, adam.trainLoss()[al]));
                f.put("adam_final_steps", (int) adam.steps()[al]);
            }
            if (ngd != null) f.put("acc_vs_ngd_pts", 100 * (c.testAcc()[last] - ngd.testAcc()[ngd.testAcc().length - 1]));
            report.record(caseName, f);
        }
        SvgChart.Panel byStep = chart.panel(caseName + ": train loss vs step", "step", "train loss");
        SvgChart.Panel byWall = chart.panel(caseName + ": train loss vs wall time", "wall ms (evaluation excluded)", "train loss");
        for (Curve c : curves.values()) {
            byStep.line(c.label(), c.steps(), c.trainLoss());
            byWall.line(c.label(), c.wallMs(), c.trainLoss());
        }
    }

    /** First epoch-end step at which the curve's train loss is at or below {@code target}; -1 if never. */
    private static int stepsToReach(Curve c, double target) {
        for (int i = 0; i < c.steps().length; i++) if (c.trainLoss()[i] <= target) return (int) c.steps()[i];
        return -1;
    }

    private static String fmt(double t) {
        return t == Math.rint(t) ? Long.toString((long) t) : Double.toString(t);
    }
}
