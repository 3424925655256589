package dev.kiln.runtime.wire;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.solvers.problem.InvalidProblemException;
import dev.kiln.solvers.problem.TrainProblem;
import dev.kiln.solvers.train.Activation;
import dev.kiln.solvers.train.Dataset;
import dev.kiln.solvers.train.DatasetSplit;
import dev.kiln.solvers.train.Datasets;
import dev.kiln.solvers.train.Loss;
import dev.kiln.solvers.train.ModelSpec;
import dev.kiln.spi.ErrorCode;
import dev.kiln.spi.TrainOptions;

import java.nio.file.Path;
import java.util.Iterator;
import java.util.Set;
import java.util.TreeSet;

import static dev.kiln.runtime.wire.JsonFields.clip;
import static dev.kiln.runtime.wire.JsonFields.doubles;
import static dev.kiln.runtime.wire.JsonFields.invalid;
import static dev.kiln.runtime.wire.JsonFields.optionalBoolean;
import static dev.kiln.runtime.wire.JsonFields.optionalDouble;
import static dev.kiln.runtime.wire.JsonFields.optionalLong;
import static dev.kiln.runtime.wire.JsonFields.optionalString;
import static dev.kiln.runtime.wire.JsonFields.options;
import static dev.kiln.runtime.wire.JsonFields.rejectUnknown;

/**
 * Reads {@code kind: train} problems and options (wire format v1):
 * <pre>
 * "problem": {
 *   "model":   {"type": "logistic" | "mlp", "hidden": [64], "activation": "tanh" | "relu"},
 *   "dataset": {"name": "digits" | "breast-cancer" | "fashion-mnist",
 *               "features": [[..], ..], "labels": [..], "classes": 3,     (inline, instead of name)
 *               "testFraction": 0.2, "seed": 1, "standardize": true,
 *               "trainLimit": 0, "testLimit": 0},       (fashion-mnist only; its folder is the server's)
 *   "loss":    "cross-entropy" | "mse"
 * }
 * "options": {"optimizer": "sgd" | "adam" | "ngd" | "tngd" | "tngd-adam", "epochs": 10,
 *             "batchSize": 64, "learningRate": .., "momentum": 0, "beta1": 0.9, "beta2": 0.999,
 *             "epsilon": 1e-8, "damping": 0.1, "cgTolerance": 1e-4, "cgMaxIterations": 50,
 *             "analogTime": 20, "delay": 0, "noise": 1e-3, "bits": 16, "warmStart": true,
 *             "returnWeights": false}
 * </pre>
 * Named data sets are split with the seeded {@link DatasetSplit#random} (Fashion-MNIST keeps
 * its own 60 000 / 10 000 split); standardisation uses training statistics only.
 */
public final class TrainJobReader implements KindReader {
    private static final Set<String> PROBLEM_FIELDS = Set.of("model", "dataset", "loss");
    private static final Set<String> MODEL_FIELDS = Set.of("type", "hidden", "activation");
    private static final Set<String> DATASET_FIELDS = Set.of("name", "features", "labels", "classes", "testFraction",
            "seed", "standardize", "path", "trainLimit", "testLimit");
    private static final Set<String> OPTIONS = Set.of("optimizer", "epochs", "batchSize", "learningRate", "momentum",
            "beta1", "beta2", "epsilon", "damping", "cgTolerance", "cgMaxIterations", "analogTime", "delay", "noise",
            "bits", "warmStart", "returnWeights");
    /** Most classes an inline data set may declare (a guard against a typo allocating a huge output layer). */
    private static final int MAX_CLASSES = 10_000;

    private final WireLimits limits;

    public TrainJobReader(WireLimits limits) {
        this.limits = limits;
    }

    @Override
    public Decoded read(ObjectNode p, ObjectNode opts, long seed) throws JobRejectedException {
        TrainOptions options = readOptions(opts);
        try {
            return new Decoded(readProblem(p, seed), options);
        } catch (InvalidProblemException e) {
            ErrorCode code = e.code() == InvalidProblemException.Code.TOO_LARGE ? ErrorCode.TOO_LARGE : ErrorCode.INVALID_PROBLEM;
            String m = e.getMessage();
            String f = e.field();
            throw new JobRejectedException(code, f, f != null && !f.isEmpty() && m.startsWith(f + ": ") ? m.substring(f.length() + 2) : m);
        }
    }

    private TrainProblem readProblem(ObjectNode p, long seed) throws JobRejectedException {
        rejectUnknown(p, PROBLEM_FIELDS, "problem.", ErrorCode.INVALID_PROBLEM);
        ModelSpec model = readModel(object(p, "model", "problem.model"));
        Loss loss = Loss.CROSS_ENTROPY;
        JsonNode l = p.get("loss");
        if (l != null && !l.isNull()) {
            if (!l.isTextual() || Loss.fromWire(l.textValue()) == null) {
                throw invalid("problem.loss", "unknown loss " + clip(l.toString()) + " (cross-entropy | mse)");
            }
            loss = Loss.fromWire(l.textValue());
        }
        DatasetSplit data = readDataset(object(p, "dataset", "problem.dataset"), seed);
        return TrainProblem.of(model, data, loss);
    }

    private static ObjectNode object(ObjectNode parent, String name, String field) throws JobRejectedException {
        JsonNode n = parent.get(name);
        if (n == null || n.isNull()) throw invalid(field, "is required");
        if (!n.isObject()) throw invalid(field, "must be an object");
        return (ObjectNode) n;
    }

    private static ModelSpec readModel(ObjectNode m) throws JobRejectedException {
        rejectUnknown(m, MODEL_FIELDS, "problem.model.", ErrorCode.INVALID_PROBLEM);
        JsonNode t = m.get("type");
        if (t == null || !t.isTextual()) throw invalid("problem.model.type", "is required (logistic | mlp)");
        ModelSpec.Type type = switch (t.textValue()) {
            case "logistic" -> ModelSpec.Type.LOGISTIC;
            case "mlp" -> ModelSpec.Type.MLP;
            default -> throw invalid("problem.model.type", "unknown model '" + clip(t.textValue()) + "' (logistic | mlp)");
        };
        int[] hidden = new int[0];
        JsonNode h = m.get("hidden");
        if (h != null && !h.isNull()) {
            if (!h.isArray()) throw invalid("problem.model.hidden", "must be an array of layer widths");
            hidden = JsonFields.ints((ArrayNode) h, "problem.model.hidden", ErrorCode.INVALID_PROBLEM);
        }
        Activation act = Activation.TANH;
        JsonNode a = m.get("activation");
        if (a != null && !a.isNull()) {
            if (!a.isTextual() || Activation.fromWire(a.textValue()) == null) {
                throw invalid("problem.model.activation", "unknown activation " + clip(a.toString()) + " (tanh | relu)");
            }
            act = Activation.fromWire(a.textValue());
        }
        return new ModelSpec(type, hidden, act);
    }

    private DatasetSplit readDataset(ObjectNode d, long jobSeed) throws JobRejectedException {
        rejectUnknown(d, DATASET_FIELDS, "problem.dataset.", ErrorCode.INVALID_PROBLEM);
        String name = problemString(d, "name", "problem.dataset.name");
        boolean inline = d.has("features") || d.has("labels");
        if (inline && name != null) throw invalid("problem.dataset", "give either a name or inline features and labels, not both");
        if (!inline && name == null) {
            throw invalid("problem.dataset", "needs a name (digits | breast-cancer | fashion-mnist) or inline features and labels");
        }
        long seed = problemLong(d, "seed", jobSeed);
        boolean standardize = optionalProblemBoolean(d, "standardize", true);
        double testFraction = problemFraction(d, "testFraction", 0.2);
        if (!"fashion-mnist".equals(name)) {
            for (String f : new String[]{"path", "trainLimit", "testLimit"}) {
                if (d.has(f)) throw invalid("problem.dataset." + f, "applies to fashion-mnist only");
            }
        }
        DatasetSplit split;
        if (inline) {
            split = DatasetSplit.random(readInline(d), testFraction, seed);
        } else {
            split = switch (name) {
                case "digits" -> DatasetSplit.random(Datasets.digits(), testFraction, seed);
                case "breast-cancer" -> DatasetSplit.random(Datasets.breastCancer(), testFraction, seed);
                case "fashion-mnist" -> {
                    if (d.has("testFraction")) throw invalid("problem.dataset.testFraction", "fashion-mnist keeps its own 60 000 / 10 000 split");
                    // No path from a client touches the server's file system: the folder is the
                    // operator's choice (system property kiln.datasets.fashion-mnist, default Debian's).
                    if (d.has("path")) {
                        throw invalid("problem.dataset.path", "is not accepted from clients: the server reads Fashion-MNIST from its "
                                + "own folder (operator setting -Dkiln.datasets.fashion-mnist=DIR, default " + Datasets.FASHION_MNIST_DEFAULT + ")");
                    }
                    String path = System.getProperty("kiln.datasets.fashion-mnist");
                    int trainLimit = (int) problemLong(d, "trainLimit", 0);
                    int testLimit = (int) problemLong(d, "testLimit", 0);
                    if (trainLimit < 0 || testLimit < 0) throw invalid("problem.dataset", "trainLimit and testLimit must be ≥ 0 (0 = all)");
                    yield Datasets.fashionMnist(path == null ? Datasets.FASHION_MNIST_DEFAULT : Path.of(path), trainLimit, testLimit,
                            "problem.dataset");
                }
                default -> throw invalid("problem.dataset.name",
                        "unknown data set '" + clip(name) + "' (digits | breast-cancer | fashion-mnist, or inline features and labels)");
            };
        }
        return standardize ? split.standardised() : split;
    }

    private Dataset readInline(ObjectNode d) throws JobRejectedException {
        JsonNode f = d.get("features");
        JsonNode l = d.get("labels");
        if (f == null || !f.isArray()) throw invalid("problem.dataset.features", "is required: an array of rows of numbers");
        if (l == null || !l.isArray()) throw invalid("problem.dataset.labels", "is required: an array of class indices");
        if (f.size() != l.size()) throw invalid("problem.dataset.labels", "has " + l.size() + " entries for " + f.size() + " feature rows");
        if (f.size() < 2) throw invalid("problem.dataset.features", "needs at least 2 rows (one to train on, one to test)");
        JsonNode first = f.get(0);
        if (!first.isArray() || first.size() == 0) throw invalid("problem.dataset.features[0]", "must be a non-empty array of numbers");
        int width = first.size();
        if ((long) width * f.size() > limits.maxNonZeros()) {
            throw new JobRejectedException(ErrorCode.TOO_LARGE, "problem.dataset.features",
                    (long) width * f.size() + " values exceed the limit of " + limits.maxNonZeros());
        }
        double[] x = new double[f.size() * width];
        for (int i = 0; i < f.size(); i++) {
            JsonNode row = f.get(i);
            String field = "problem.dataset.features[" + i + "]";
            if (!row.isArray()) throw invalid(field, "must be an array of numbers");
            if (row.size() != width) throw invalid(field, "has " + row.size() + " values; row 0 has " + width);
            System.arraycopy(doubles((ArrayNode) row, field, ErrorCode.INVALID_PROBLEM), 0, x, i * width, width);
        }
        int[] y = JsonFields.ints((ArrayNode) l, "problem.dataset.labels", ErrorCode.INVALID_PROBLEM);
        int maxLabel = 0;
        for (int v : y) maxLabel = Math.max(maxLabel, v);
        int classes = (int) problemLong(d, "classes", Math.max(2, maxLabel + 1));
        if (classes < 2 || classes > MAX_CLASSES) throw invalid("problem.dataset.classes", "must be in [2, " + MAX_CLASSES + "]");
        return Dataset.of("inline", width, classes, x, y, "problem.dataset");
    }

    private static String problemString(ObjectNode o, String name, String field) throws JobRejectedException {
        JsonNode n = o.get(name);
        if (n == null || n.isNull()) return null;
        if (!n.isTextual() || n.textValue().length() > 4096) throw invalid(field, "must be a string");
        return n.textValue();
    }

    private static long problemLong(ObjectNode o, String name, long dflt) throws JobRejectedException {
        JsonNode n = o.get(name);
        if (n == null || n.isNull()) return dflt;
        if (!n.isIntegralNumber() || !n.canConvertToInt()) throw invalid("problem.dataset." + name, "must be an integer");
        return n.longValue();
    }

    private static boolean optionalProblemBoolean(ObjectNode o, String name, boolean dflt) throws JobRejectedException {
        JsonNode n = o.get(name);
        if (n == null || n.isNull()) return dflt;
        if (!n.isBoolean()) throw invalid("problem.dataset." + name, "must be true or false");
        return n.booleanValue();
    }

    private static double problemFraction(ObjectNode o, String name, double dflt) throws JobRejectedException {
        JsonNode n = o.get(name);
        if (n == null || n.isNull()) return dflt;
        if (!n.isNumber() || !(n.doubleValue() > 0 && n.doubleValue() < 1)) throw invalid("problem.dataset." + name, "must be a number in (0, 1)");
        return n.doubleValue();
    }

    private static TrainOptions readOptions(ObjectNode o) throws JobRejectedException {
        for (Iterator<String> it = o.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!COMMON_OPTIONS.contains(name) && !OPTIONS.contains(name)) {
                throw options("options." + clip(name), "unknown option for a train job (expected one of "
                        + new TreeSet<>(OPTIONS) + " or " + new TreeSet<>(COMMON_OPTIONS) + ")");
            }
        }
        TrainOptions d = TrainOptions.defaults();
        TrainOptions.Optimizer optimizer = d.optimizer();
        String os = optionalString(o, "optimizer", "options.optimizer", 32);
        if (os != null) {
            optimizer = TrainOptions.Optimizer.fromWire(os);
            if (optimizer == null) throw options("options.optimizer", "unknown optimizer '" + clip(os) + "' (sgd | adam | ngd | tngd | tngd-adam)");
        }
        int epochs = (int) optionalLong(o, "epochs", "options.epochs", 1, 100_000, d.epochs());
        int batch = (int) optionalLong(o, "batchSize", "options.batchSize", 1, 1_000_000, d.batchSize());
        double lr = Double.NaN;
        if (o.hasNonNull("learningRate")) lr = optionalDouble(o, "learningRate", "options.learningRate", Double.MIN_VALUE, 1e6, 0);
        double momentum = optionalDouble(o, "momentum", "options.momentum", 0, 0.999999, d.momentum());
        double beta1 = optionalDouble(o, "beta1", "options.beta1", 0, 0.999999, d.beta1());
        double beta2 = optionalDouble(o, "beta2", "options.beta2", 0, 0.999999999, d.beta2());
        double eps = optionalDouble(o, "epsilon", "options.epsilon", Double.MIN_VALUE, 1, d.epsilon());
        double damping = optionalDouble(o, "damping", "options.damping", Double.MIN_VALUE, 1e6, d.damping());
        double cgTol = optionalDouble(o, "cgTolerance", "options.cgTolerance", 1e-14, 0.999, d.cgTolerance());
        int cgMax = (int) optionalLong(o, "cgMaxIterations", "options.cgMaxIterations", 1, 100_000, d.cgMaxIterations());
        double t = optionalDouble(o, "analogTime", "options.analogTime", 0, 1e6, d.analogTime());
        double delay = optionalDouble(o, "delay", "options.delay", 0, 1e6, d.delay());
        double noise = optionalDouble(o, "noise", "options.noise", 0, 1, d.noise());
        int bits = (int) optionalLong(o, "bits", "options.bits", 2, 52, d.bits());
        boolean warm = optionalBoolean(o, "warmStart", "options.warmStart", d.warmStart());
        boolean weights = optionalBoolean(o, "returnWeights", "options.returnWeights", d.returnWeights());
        return new TrainOptions(optimizer, epochs, batch, lr, momentum, beta1, beta2, eps, damping, cgTol, cgMax,
                t, delay, noise, bits, warm, weights);
    }
}
