package dev.kiln.solvers.problem;

/**
 * What a job asks to have solved. Sealed: each kind of job has one problem type, built and
 * validated once, immutable afterwards. QUBO and training problems join this family with
 * their issues (see docs/ARCHITECTURE.md).
 */
public sealed interface Problem permits LinearProblem, QuboProblem, TrainProblem {
    /** Number of unknowns. */
    int size();
}
