package dev.kiln.solvers.train;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where training stood after an epoch (epoch 0 = the initial parameters).
 *
 * @param epoch           epochs completed
 * @param step            optimiser steps taken so far
 * @param trainLoss       mean loss over the whole training set
 * @param trainAccuracy   fraction of training samples classified correctly
 * @param testLoss        mean loss over the test set
 * @param testAccuracy    fraction of test samples classified correctly
 * @param wallMs          wall time since training began (evaluations excluded)
 * @param hardwareSeconds modelled device time so far (0 for digital optimisers)
 */
public record EpochRecord(int epoch, int step, double trainLoss, double trainAccuracy, double testLoss,
                          double testAccuracy, double wallMs, double hardwareSeconds) {
    /** The record as wire-format answer fields. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("epoch", epoch);
        m.put("step", step);
        m.put("trainLoss", trainLoss);
        m.put("trainAccuracy", trainAccuracy);
        m.put("testLoss", testLoss);
        m.put("testAccuracy", testAccuracy);
        m.put("wallMs", wallMs);
        if (hardwareSeconds > 0) m.put("hardwareSeconds", hardwareSeconds);
        return m;
    }
}
