package dev.kiln.solvers.train;

import java.util.List;

/**
 * What a training run produced.
 *
 * @param history         one record per epoch, epoch 0 first
 * @param theta           the final parameters
 * @param steps           optimiser steps taken
 * @param completed       true when every epoch ran (false when stopped or diverged)
 * @param diverged        true when the loss became non-finite
 * @param hardwareSeconds modelled device seconds (0 for digital optimisers)
 * @param energyJoules    modelled device joules (0 for digital optimisers)
 */
public record TrainingReport(List<EpochRecord> history, double[] theta, int steps, boolean completed, boolean diverged,
                             double hardwareSeconds, double energyJoules) {
    public EpochRecord last() { return history.get(history.size() - 1); }
}
