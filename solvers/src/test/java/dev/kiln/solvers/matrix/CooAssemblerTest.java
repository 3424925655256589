package dev.kiln.solvers.matrix;

import dev.kiln.solvers.problem.InvalidProblemException;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CooAssemblerTest {

    @Test
    void sumsDuplicatesAndSortsRowsAndColumns() {
        CooAssembler coo = new CooAssembler(3, 4);
        coo.add(2, 3, 1.0);
        coo.add(0, 2, 5.0);
        coo.add(2, 0, 2.0);
        coo.add(0, 0, 1.0);
        coo.add(2, 3, 0.5);
        coo.add(0, 2, -1.0);
        CsrMatrix a = coo.build();
        assertArrayEquals(new int[] {0, 2, 2, 4}, a.rowPtr());
        assertArrayEquals(new int[] {0, 2, 0, 3}, a.colIdx());
        assertArrayEquals(new double[] {1.0, 4.0, 2.0, 1.5}, a.values());
        assertEquals(6, coo.size(), "the assembler keeps its triplets");
    }

    @Test
    void longUnsortedRowsWithDuplicatesMatchAReferenceMap() {
        SplittableRandom rnd = new SplittableRandom(3);
        int rows = 5, cols = 300;
        CooAssembler coo = new CooAssembler(rows, cols, 4);
        List<TreeMap<Integer, Double>> ref = new ArrayList<>();
        for (int i = 0; i < rows; i++) ref.add(new TreeMap<>());
        for (int k = 0; k < 3000; k++) {
            int i = rnd.nextInt(rows), j = rnd.nextInt(cols);
            double v = rnd.nextInt(-50, 50); // integers: sums are exact whatever the order
            coo.add(i, j, v);
            ref.get(i).merge(j, v, Double::sum);
        }
        CsrMatrix a = coo.build();
        int k = 0;
        for (int i = 0; i < rows; i++) {
            assertEquals(k, a.rowPtr()[i]);
            for (var e : ref.get(i).entrySet()) {
                assertEquals(e.getKey(), a.colIdx()[k]);
                assertEquals(e.getValue(), a.values()[k]);
                k++;
            }
        }
        assertEquals(k, a.nnz());
        // And the result passes the public validator.
        CsrMatrix.of(rows, cols, a.rowPtr().clone(), a.colIdx().clone(), a.values().clone());
    }

    @Test
    void duplicatesAreSummedInInsertionOrder() {
        CooAssembler coo = new CooAssembler(1, 40);
        double[] parts = {1e16, 1.0, -1e16, 1.0};
        for (int j = 39; j >= 0; j--) coo.add(0, j, 0.0); // force the long-row sort path
        for (double v : parts) coo.add(0, 7, v);
        double expected = 0.0;
        for (double v : parts) expected += v;
        assertEquals(expected, coo.build().get(0, 7));
    }

    @Test
    void emptyAssemblerBuildsAnAllZeroMatrix() {
        CsrMatrix a = new CooAssembler(3, 2).build();
        assertEquals(0, a.nnz());
        assertArrayEquals(new int[] {0, 0, 0, 0}, a.rowPtr());
    }

    @Test
    void rejectsASumOfDuplicatesThatOverflows() {
        CooAssembler coo = new CooAssembler(2, 2);
        coo.add(1, 1, Double.MAX_VALUE);
        coo.add(1, 1, Double.MAX_VALUE);
        InvalidProblemException e = assertThrows(InvalidProblemException.class, coo::build);
        assertEquals("values", e.field());
        assertTrue(e.getMessage().contains("row 1, column 1"), e.getMessage());
    }

    @Test
    void fromCooBuildsWithoutChangingItsInputs() {
        int[] row = {1, 0, 1};
        int[] col = {0, 1, 0};
        double[] values = {2.0, 3.0, 4.0};
        CsrMatrix a = CooAssembler.fromCoo(2, 2, row, col, values);
        assertEquals(3.0, a.get(0, 1));
        assertEquals(6.0, a.get(1, 0));
        assertArrayEquals(new int[] {1, 0, 1}, row);
        assertArrayEquals(new double[] {2.0, 3.0, 4.0}, values);
    }

    @Test
    void fromCooNamesARowIndexOutOfRange() {
        int[] row = {0, 0, 0, 0, 0, 3};
        int[] col = {0, 0, 0, 0, 0, 0};
        InvalidProblemException e = assertThrows(InvalidProblemException.class,
                () -> CooAssembler.fromCoo(3, 3, row, col, new double[6]));
        assertEquals("row[5]", e.field());
        assertTrue(e.getMessage().contains("out of range [0,3)"), e.getMessage());
    }

    @Test
    void fromCooNamesANegativeColumn() {
        InvalidProblemException e = assertThrows(InvalidProblemException.class,
                () -> CooAssembler.fromCoo(3, 3, new int[] {0, 1, 2}, new int[] {0, 1, -1}, new double[3]));
        assertEquals("col[2]", e.field());
        assertTrue(e.getMessage().contains("negative"), e.getMessage());
    }

    @Test
    void fromCooNamesANonFiniteValue() {
        InvalidProblemException e = assertThrows(InvalidProblemException.class,
                () -> CooAssembler.fromCoo(3, 3, new int[] {0, 1}, new int[] {0, 1}, new double[] {1.0, Double.NaN}));
        assertEquals("values[1]", e.field());
    }

    @Test
    void fromCooRejectsArraysOfDifferentLengths() {
        InvalidProblemException e = assertThrows(InvalidProblemException.class,
                () -> CooAssembler.fromCoo(3, 3, new int[] {0, 1}, new int[] {0}, new double[] {1.0, 2.0}));
        assertEquals("col", e.field());
        e = assertThrows(InvalidProblemException.class,
                () -> CooAssembler.fromCoo(3, 3, new int[] {0, 1}, new int[] {0, 1}, new double[] {1.0}));
        assertEquals("values", e.field());
    }

    @Test
    void fromCooRejectsNonPositiveDimensions() {
        InvalidProblemException e = assertThrows(InvalidProblemException.class,
                () -> CooAssembler.fromCoo(0, 3, new int[0], new int[0], new double[0]));
        assertEquals("rows", e.field());
    }
}
