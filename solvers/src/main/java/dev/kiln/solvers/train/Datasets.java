package dev.kiln.solvers.train;

import dev.kiln.solvers.problem.InvalidProblemException;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.lang.ref.SoftReference;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.zip.GZIPInputStream;

/**
 * The data sets a train job can name. {@code digits} and {@code breast-cancer} are carried as
 * resources (see {@code resources/datasets/README.md} for their UCI sources);
 * {@code fashion-mnist} is read from IDX files in a folder, by default where the Debian
 * package {@code dataset-fashion-mnist} installs them. Loaded data sets are kept behind soft
 * references, so a stream of jobs on the same data reads it once while memory allows.
 */
public final class Datasets {
    /** Where Debian's {@code dataset-fashion-mnist} installs the IDX files. */
    public static final Path FASHION_MNIST_DEFAULT = Path.of("/usr/share/datasets/fashion-mnist");
    /** Fashion-MNIST's ten classes (Xiao et al. 2017, Table 1). */
    public static final int FASHION_MNIST_CLASSES = 10;

    private static final Map<String, SoftReference<Object>> CACHE = new ConcurrentHashMap<>();

    private Datasets() { }

    /** UCI optical digits, 1797 samples of 8×8 pixel counts, 10 classes. */
    public static Dataset digits() {
        return cached("digits", () -> csvResource("digits", "datasets/digits.csv.gz", 64, 10, false));
    }

    /** UCI breast cancer Wisconsin (diagnostic), 569 samples, 30 features, 2 classes. */
    public static Dataset breastCancer() {
        return cached("breast-cancer", () -> csvResource("breast-cancer", "datasets/breast_cancer.csv.gz", 30, 2, true));
    }

    /** True when the four Fashion-MNIST IDX files are in {@code folder}. */
    public static boolean fashionMnistPresent(Path folder) {
        return idx(folder, "train-images-idx3-ubyte") != null && idx(folder, "train-labels-idx1-ubyte") != null
                && idx(folder, "t10k-images-idx3-ubyte") != null && idx(folder, "t10k-labels-idx1-ubyte") != null;
    }

    /**
     * Fashion-MNIST's own split (60 000 train, 10 000 test images of 28×28 grey levels,
     * scaled to [0, 1]), cut to the first {@code trainLimit} / {@code testLimit} samples when
     * those are positive.
     */
    public static DatasetSplit fashionMnist(Path folder, int trainLimit, int testLimit, String field) {
        if (!fashionMnistPresent(folder)) {
            throw new InvalidProblemException(field, "Fashion-MNIST IDX files (train-images-idx3-ubyte[.gz], ...) not found in "
                    + folder + (folder.equals(FASHION_MNIST_DEFAULT) ? " (install the Debian package dataset-fashion-mnist)" : ""));
        }
        String key = "fashion-mnist:" + folder.toAbsolutePath() + ":" + trainLimit + ":" + testLimit;
        return cached(key, () -> new DatasetSplit(
                readIdxPair(folder, "train", trainLimit, field), readIdxPair(folder, "t10k", testLimit, field)));
    }

    private static Dataset readIdxPair(Path folder, String prefix, int limit, String field) {
        Path images = idx(folder, prefix + "-images-idx3-ubyte");
        Path labels = idx(folder, prefix + "-labels-idx1-ubyte");
        try (InputStream ii = Files.newInputStream(images); InputStream li = Files.newInputStream(labels)) {
            IdxReader.IdxArray im = IdxReader.read(ii, images.toString(), limit);
            IdxReader.IdxArray lb = IdxReader.read(li, labels.toString(), limit);
            if (im.count() != lb.count()) throw new InvalidProblemException(field, images + " and " + labels + " disagree on the count");
            int d = im.itemSize();
            double[] x = new double[im.data().length];
            // Grey levels 0..255 to [0, 1] (the usual MNIST preprocessing; standardisation follows).
            for (int i = 0; i < x.length; i++) x[i] = (im.data()[i] & 0xff) / 255.0;
            int[] y = new int[lb.count()];
            for (int i = 0; i < y.length; i++) y[i] = lb.data()[i] & 0xff;
            return Dataset.of("fashion-mnist", d, FASHION_MNIST_CLASSES, x, y, field);
        } catch (IOException e) {
            throw new InvalidProblemException(field, "cannot read Fashion-MNIST from " + folder + ": " + e.getMessage());
        }
    }

    private static Path idx(Path folder, String base) {
        for (String name : List.of(base, base + ".gz")) {
            Path p = folder.resolve(name);
            if (Files.isRegularFile(p)) return p;
        }
        return null;
    }

    /** Reads a gzipped CSV resource: numbers, the last column the class; optionally a header line. */
    private static Dataset csvResource(String name, String resource, int features, int classes, boolean header) {
        try (InputStream raw = Datasets.class.getClassLoader().getResourceAsStream(resource)) {
            if (raw == null) throw new IllegalStateException("resource " + resource + " missing from the build");
            BufferedReader r = new BufferedReader(new InputStreamReader(new GZIPInputStream(raw), StandardCharsets.US_ASCII));
            if (header) r.readLine();
            List<double[]> rows = new ArrayList<>();
            List<Integer> labels = new ArrayList<>();
            for (String line; (line = r.readLine()) != null; ) {
                if (line.isBlank()) continue;
                String[] parts = line.split(",");
                if (parts.length != features + 1) throw new IllegalStateException(resource + ": row with " + parts.length + " columns");
                double[] row = new double[features];
                for (int j = 0; j < features; j++) row[j] = Double.parseDouble(parts[j]);
                rows.add(row);
                labels.add((int) Double.parseDouble(parts[features]));
            }
            double[] x = new double[rows.size() * features];
            int[] y = new int[rows.size()];
            for (int i = 0; i < y.length; i++) {
                System.arraycopy(rows.get(i), 0, x, i * features, features);
                y[i] = labels.get(i);
            }
            return Dataset.of(name, features, classes, x, y, "problem.dataset");
        } catch (IOException e) {
            throw new IllegalStateException("cannot read resource " + resource, e);
        }
    }

    @SuppressWarnings("unchecked")
    private static <T> T cached(String key, java.util.function.Supplier<T> load) {
        SoftReference<Object> ref = CACHE.get(key);
        Object v = ref == null ? null : ref.get();
        if (v == null) {
            v = load.get();
            CACHE.put(key, new SoftReference<>(v));
        }
        return (T) v;
    }
}
