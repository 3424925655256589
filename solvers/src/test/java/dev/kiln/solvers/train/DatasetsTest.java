package dev.kiln.solvers.train;

import dev.kiln.solvers.problem.InvalidProblemException;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DatasetsTest {
    @Test
    void digitsHasTheUciShape() {
        Dataset d = Datasets.digits();
        assertEquals(1797, d.rows());
        assertEquals(64, d.features());
        assertEquals(10, d.classes());
        assertEquals(0, d.labels()[0]); // the first UCI test-set sample is a 0
    }

    @Test
    void breastCancerHasTheUciShapeAndClassBalance() {
        Dataset d = Datasets.breastCancer();
        assertEquals(569, d.rows());
        assertEquals(30, d.features());
        int benign = 0;
        for (int y : d.labels()) benign += y;
        assertEquals(357, benign, "357 benign, 212 malignant (UCI WDBC)");
    }

    @Test
    void seededSplitIsReproducibleAndDisjointInSize() {
        Dataset d = Datasets.digits();
        DatasetSplit a = DatasetSplit.random(d, 0.2, 7), b = DatasetSplit.random(d, 0.2, 7);
        assertEquals(359, a.test().rows());
        assertEquals(1797 - 359, a.train().rows());
        assertArrayEquals(a.test().labels(), b.test().labels());
        assertArrayEquals(a.train().x(), b.train().x());
    }

    @Test
    void standardisationGivesTheTrainingSetZeroMeanAndUnitVariance() {
        DatasetSplit s = DatasetSplit.random(Datasets.breastCancer(), 0.25, 3).standardised();
        Dataset t = s.train();
        for (int j = 0; j < t.features(); j++) {
            double m = 0, v = 0;
            for (int i = 0; i < t.rows(); i++) m += t.x()[i * t.features() + j];
            m /= t.rows();
            for (int i = 0; i < t.rows(); i++) v += Math.pow(t.x()[i * t.features() + j] - m, 2);
            assertEquals(0, m, 1e-9);
            assertEquals(1, v / t.rows(), 1e-9);
        }
    }

    @Test
    void inlineDataWithALabelOutOfRangeIsRejectedNamingIt() {
        InvalidProblemException e = assertThrows(InvalidProblemException.class,
                () -> Dataset.of("inline", 2, 2, new double[]{1, 2, 3, 4}, new int[]{0, 2}, "problem.dataset"));
        assertEquals("problem.dataset.labels[1]", e.field());
    }

    @Test
    void fashionMnistFromAMissingFolderIsRejectedNamingTheFolder() {
        InvalidProblemException e = assertThrows(InvalidProblemException.class,
                () -> Datasets.fashionMnist(Path.of("/nonexistent-kiln"), 10, 10, "problem.dataset.path"));
        assertTrue(e.getMessage().contains("/nonexistent-kiln"));
    }

    @Test
    void fashionMnistReadsTheDebianPackageWhenInstalled() {
        org.junit.jupiter.api.Assumptions.assumeTrue(Datasets.fashionMnistPresent(Datasets.FASHION_MNIST_DEFAULT),
                "dataset-fashion-mnist is not installed");
        DatasetSplit s = Datasets.fashionMnist(Datasets.FASHION_MNIST_DEFAULT, 100, 50, "problem.dataset");
        assertEquals(100, s.train().rows());
        assertEquals(50, s.test().rows());
        assertEquals(784, s.train().features());
        assertEquals(9, s.train().labels()[0]); // the first training image is an ankle boot (class 9)
    }
}
